// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// pg.h: the internals of protoc-gen-pipeline, the protoc plugin that turns a
// contract (.proto service) into C views and adapters.  See
// docs/contracts.md for what is generated and why.
//
// The plugin is a program, not a library: it allocates from one arena that
// lives until exit (alloc.c) and dies with a message on internal failure.
// Errors in the .proto itself are not internal failures: they become the
// CodeGeneratorResponse's error ("file:line: message") and protoc reports
// them.
//
// One job per file, named by its name and first comment.  Which file calls
// which (any file may also call emit.c and alloc.c, which are not drawn);
// the graph has no cycle, and pg_graph_test checks this table against the
// code:
//
//   main.c              I/O             -> generate.c
//   generate.c          the run         -> model.c model_names.c hash.c
//                                          gen_file.c
//   gen_file.c          the 7 files     -> gen_types.c gen_ops.c gen_free.c
//                                          gen_host_view.c gen_addin_view.c
//                                          gen_contract.c gen_host_adapter.c
//                                          gen_addin_adapter.c
//   gen_host_adapter.c  host adapter    -> gen_convert.c gen_to_pb.c
//                                          gen_copy.c gen_params.c gen_vars.c
//   gen_addin_adapter.c add-in adapter  -> gen_convert.c gen_to_pb.c
//                                          gen_borrow.c gen_params.c
//                                          gen_vars.c
//   gen_host_view.c     host view       -> gen_params.c gen_vars.c
//   gen_ops.c           ops table       -> gen_params.c
//   gen_addin_view.c    addin.h macro   -> gen_vars.c
//   gen_contract.c      contract seg.   -> gen_vars.c
//   gen_convert.c       conversion fns  -> gen_to_pb.c gen_borrow.c
//                                          gen_copy.c model.c names.c
//   gen_free.c          free helpers    -> gen_field.c gen_params.c model.c
//   gen_types.c         view types      -> gen_field.c model.c
//   gen_to_pb.c         view to pb      -> gen_field.c
//   gen_borrow.c        pb to view      -> gen_field.c
//   gen_copy.c          pb to owned     -> gen_field.c
//   gen_params.c        parameters      -> gen_field.c
//   gen_field.c         one field       (nothing)
//   gen_vars.c          $var$ values    -> names.c
//   model_names.c       name clashes    -> model.c source.c
//   model.c             the model       -> names.c source.c
//   hash.c              contract hash   (nothing)
//   names.c             C names         (nothing)
//   source.c            source, errors  (nothing)
//   emit.c              output text     (nothing)
//   alloc.c             the arena       (nothing)
//
// gen_field.c walks a message's members with a callback (pg_gen_members),
// so that the conversion files call it and not the other way round.

#ifndef PG_H
#define PG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "google/protobuf/compiler/plugin.pb-c.h"
#include "google/protobuf/descriptor.pb-c.h"

#ifndef PG_VERSION
#define PG_VERSION "0.0.0"
#endif

// The oldest Bulkhead SDK (ADDIN_VERSION_NUMBER) that generated code
// compiles against.  Raise it when generated code starts using something
// newer; generated files then refuse older headers with #error.
#define PG_MIN_SDK_NUMBER 200
#define PG_MIN_SDK_STRING "0.2.0"

typedef Google__Protobuf__FileDescriptorProto    pb_file;
typedef Google__Protobuf__DescriptorProto        pb_message;
typedef Google__Protobuf__FieldDescriptorProto   pb_field;
typedef Google__Protobuf__EnumDescriptorProto    pb_enum;
typedef Google__Protobuf__ServiceDescriptorProto pb_service;
typedef Google__Protobuf__MethodDescriptorProto  pb_method;

// Allocation (alloc.c).  Everything lives until pg_alloc_release_all();
// running out of memory ends the program with exit status 1.

void *pg_alloc(size_t size); // zeroed
char *pg_strdup(const char *s);
char *pg_strndup(const char *s, size_t n);
char *pg_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *pg_vfmt(const char *fmt, va_list ap);
void *pg_grow(void *ptr, size_t *cap, size_t need, size_t elem);
void  pg_alloc_release_all(void);
void  pg_die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
// The protobuf-c allocator used to unpack the request and pack the answer.
extern ProtobufCAllocator pg_pb_allocator;

// Output buffers and $var$ templates (emit.c).

typedef struct pg_buf {
	char  *data;
	size_t len;
	size_t cap;
} pg_buf;

void pg_put(pg_buf *b, const char *s);
void pg_putn(pg_buf *b, const char *s, size_t n);
void pg_putf(pg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *pg_buf_str(pg_buf *b); // NUL-terminated view of the buffer
// pg_c_string returns @s spelled for the inside of a C string literal:
// quote, backslash and control bytes escaped, and every "??" written "?\?"
// so that no trigraph forms (-std=c11 reads them).
char *pg_c_string(const char *s);
// pg_wrap_comments returns @text with every "//" comment line wider than 79
// columns split at spaces (generated files stay readable in 80 columns).
char *pg_wrap_comments(const char *text);

// A list of strings: parameters or arguments.
typedef struct pg_list {
	const char **v;
	size_t       n;
	size_t       cap;
} pg_list;

void pg_list_add(pg_list *l, const char *s);
// pg_emit_call appends @indent @head "(" @items joined by ", " ")" @tail,
// breaking the list one item per line when it would pass column 79.
void pg_emit_call(pg_buf *b, const char *indent, const char *head,
                  const pg_list *items, const char *tail);

#define PG_VARS_MAX 48

// pg_vars maps template variable names to values.  A lookup that misses
// continues in @parent, so method-level variables inherit file-level ones.
typedef struct pg_vars {
	const struct pg_vars *parent;
	size_t                n;
	const char           *key[PG_VARS_MAX];
	const char           *val[PG_VARS_MAX];
} pg_vars;

void pg_vars_init(pg_vars *v, const pg_vars *parent);
void pg_set(pg_vars *v, const char *key, const char *val);
void pg_setf(pg_vars *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *pg_get(const pg_vars *v, const char *key);
// pg_emit appends @tmpl with every $name$ replaced by its value ("$$" is a
// dollar sign).  An unknown name is an internal error.
void pg_emit(pg_buf *b, const pg_vars *v, const char *tmpl);

// pg_emit_comment appends @text (protoc's comment of a declaration, may be
// NULL) as "//" lines at @indent: trailing blank lines, trailing white
// space and backslashes dropped, "??" written "?\?".
void pg_emit_comment(pg_buf *b, const char *indent, const char *text);

// C names (names.c).

char *pg_snake(const char *name);         // GetName -> get_name
char *pg_upper(const char *s);            // ASCII upper case
char *pg_lower(const char *s);            // ASCII lower case
char *pg_pbc_type(const char *full);      // a.v1.Foo_bar -> A__V1__FooBar
char *pg_pbc_lower(const char *full);     // a.v1.FooBar -> a__v1__foo_bar
char *pg_pbc_upper(const char *full);     // a.v1.FooBar -> A__V1__FOO_BAR
char *pg_pbc_field(const char *name);     // protoc-c's struct member name
char *pg_pbc_oneof(const char *name);     // protoc-c's oneof name part
bool  pg_is_reserved_word(const char *s); // C keyword or standard name
bool  pg_is_identifier(const char *s);

// The model (model.c).

typedef enum pg_kind {
	PG_DOUBLE,
	PG_FLOAT,
	PG_INT32,
	PG_INT64,
	PG_UINT32,
	PG_UINT64,
	PG_BOOL,
	PG_ENUM,
	PG_STRING,
	PG_BYTES,
	PG_MESSAGE,
} pg_kind;

#define PG_PATH_MAX 40

// A path into a FileDescriptorProto, as in SourceCodeInfo.Location.path.
typedef struct pg_path {
	size_t  n;
	int32_t v[PG_PATH_MAX];
} pg_path;

struct pg_file;
struct pg_message;
struct pg_enum;

typedef struct pg_enum_value {
	const char *name;   // as declared
	const char *c_name; // C enumerator, e.g. CALCULATOR_V1_KIND_BINARY
	int32_t     number;
	const char *comment;
	pg_path     path;
} pg_enum_value;

typedef struct pg_enum {
	const pb_enum        *pb;
	const struct pg_file *file;
	const char           *full_name; // "calculator.v1.Kind"
	const char           *c_name;    // "calculator_v1_kind"
	const char           *pbc_type;  // "Calculator__V1__Kind"
	const char           *comment;
	pg_path               path;
	bool                  used; // reachable from the service
	size_t                n_values;
	pg_enum_value        *values;
} pg_enum;

typedef struct pg_field {
	const pb_field *pb;
	const char     *name;    // view name (lower case, as protoc-c)
	const char     *pb_name; // protoc-c member name
	const char     *upper;   // NAME in upper case
	int32_t         number;
	pg_kind         kind;
	bool            repeated;
	// presence: proto2 `optional` scalar, enum or bytes: a has_<name> flag
	// travels with the value.
	bool presence;
	// nullable: a string that is NULL when absent (proto2 `optional`).
	bool               nullable;
	int                oneof; // index into the message's oneofs, or -1
	struct pg_message *msg;   // PG_MESSAGE
	struct pg_enum    *enu;   // PG_ENUM
	const char        *comment;
	pg_path            path;
} pg_field;

typedef struct pg_oneof {
	const char *name;    // as declared (lower case)
	const char *pb_case; // protoc-c member: <name>_case
	const char *c_type;  // <message c name>_<name>
	const char *c_case;  // <c_type>_case
	const char *c_upper; // upper case of c_type
	size_t      n_fields;
	size_t     *fields; // indices into the message's fields
	const char *comment;
	pg_path     path;
} pg_oneof;

typedef struct pg_message {
	const pb_message     *pb;
	const struct pg_file *file;
	const char           *full_name; // "calculator.v1.Operation"
	const char           *c_name;    // "calculator_v1_operation"
	const char           *pbc_type;  // "Calculator__V1__Operation"
	const char           *pbc_lower; // "calculator__v1__operation"
	const char           *comment;
	pg_path               path;
	bool      view_type; // has a C struct: reachable as a field type
	unsigned  reach;     // PG_REACH_*: reached from requests, replies
	bool      visited;   // reachability walk
	bool      checked;   // validation walk
	size_t    n_fields;
	pg_field *fields;
	size_t    n_oneofs;
	pg_oneof *oneofs;
} pg_message;

// Where a message is reached from: the requests or the replies of the
// service's methods (the messages themselves and their field types).
enum {
	PG_REACH_REQ = 1,
	PG_REACH_REP = 2,
};

typedef struct pg_method {
	const pb_method *pb;
	const char      *name;   // "GetName"
	const char      *c_name; // "get_name"
	unsigned         index;
	pg_message      *in;
	pg_message      *out;
	const char      *comment;
	pg_path          path;
	bool             owns_outputs; // some output is heap memory
} pg_method;

typedef struct pg_service {
	const pb_service *pb;
	const char       *name;      // "Calculator"
	const char       *full_name; // "calculator.v1.Calculator"
	const char       *c_prefix;  // "calculator_v1_calculator"
	const char       *c_upper;   // "CALCULATOR_V1_CALCULATOR"
	const char       *pbc_lower; // "calculator__v1__calculator"
	const char       *comment;
	pg_path           path;
	size_t            n_methods;
	pg_method        *methods;
	char              hash[65]; // the contract hash, lowercase hex
} pg_service;

typedef struct pg_file {
	const pb_file *pb;
	const char    *name;    // "calculator/v1/calculator.proto"
	const char    *base;    // "calculator/v1/calculator"
	const char    *leaf;    // "calculator"
	const char    *package; // "calculator.v1"
	const char    *version; // "v1"
	const char    *guard;   // include guard stem
	bool           proto3;
	size_t         n_messages; // every message, nested ones included
	pg_message   **messages;   // in declaration order (depth first)
	size_t         n_enums;
	pg_enum      **enums;
	pg_service    *service;
	size_t         n_order; // view types in dependency-free order
	pg_message   **order;
} pg_file;

// A C name at file scope, for clash detection across everything generated
// in one run.
typedef struct pg_name {
	const char           *name;
	const char           *what; // "message 'Foo'"
	const struct pg_file *file;
	int                   line;
} pg_name;

typedef struct pg_ctx {
	const Google__Protobuf__Compiler__CodeGeneratorRequest *req;
	char                                                   *error;
	size_t                                                  n_files;
	pg_file                                               **files;
	size_t                                                  n_names;
	size_t                                                  cap_names;
	pg_name                                                *names;
} pg_ctx;

// Errors in the .proto (source.c).  pg_fail records the first error as
// "file:line: message" and returns false, so checks read
//     if (bad) return pg_fail(ctx, f, &path, "...");
bool        pg_fail(pg_ctx *ctx, const pg_file *f, const pg_path *path,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int         pg_line(const pg_file *f, const pg_path *path);
const char *pg_comment(const pg_file *f, const pg_path *path);
pg_path     pg_path_child(const pg_path *parent, int32_t field, int32_t idx);
pg_path     pg_path_field(const pg_path *parent, int32_t field);

// model.c: pg_model_file builds the model of @pb in *@ret, or records the
// first problem in ctx->error and returns false.
bool pg_model_file(pg_ctx *ctx, const pb_file *pb, pg_file **ret);
// pg_message_is_flat: @m is a request or a reply of @f's service (its
// fields become parameters rather than a view struct).
bool pg_message_is_flat(const pg_file *f, const pg_message *m);

// model_names.c: pg_model_names registers the file-scope names of @f and
// checks them against those of every file modelled before.
bool pg_model_names(pg_ctx *ctx, pg_file *f);

// hash.c
void pg_sha256(const uint8_t *data, size_t len, uint8_t out[32]);
bool pg_contract_hash(pg_ctx *ctx, pg_file *f);

// gen_field.c: one field's facts.

// The view type of one element of @fld: the field's type, or the element
// type of a repeated field ("char *" for strings).
const char *pg_c_type(const pg_field *fld);
// protobuf-c's type of one element of @fld.
const char *pg_pb_type(const pg_field *fld);
// A number: what a repeated field can pass as it is.
bool pg_is_number(const pg_field *fld);
// pg_field_owns: the view value of @fld points to memory (string, bytes,
// struct, array); pg_oneof_owns: some field of @o does.
bool pg_field_owns(const pg_field *fld);
bool pg_oneof_owns(const pg_message *m, const pg_oneof *o);

// PG_EACH_MEMBER(m, i, fld, o) { ... } runs its body for each field of @m
// outside oneofs (o == NULL) and once for each oneof, at its first field
// (o != NULL), in declaration order.  `continue` goes to the next member.
extern const pg_oneof pg_skip_oneof;
// pg_member_oneof: NULL for a field outside oneofs, its oneof at the
// oneof's first field, &pg_skip_oneof at the others.
const pg_oneof *pg_member_oneof(const pg_message *m, size_t i);
#define PG_EACH_MEMBER(m, i, fld, o)                                                         \
	for (size_t i = 0; i < (m)->n_fields; i++)                                           \
		for (const pg_field *fld = &(m)->fields[i]; fld != NULL;                     \
		     fld                 = NULL)                                             \
                        for (const pg_oneof *o      = pg_member_oneof(m, i); \
                             o != &pg_skip_oneof; o = &pg_skip_oneof)

// How a message's fields appear as parameters: in-parameters, out-
// parameters (ret_*), or the owning outputs given back to a free_out
// helper.
typedef enum pg_pmode {
	PG_P_IN,
	PG_P_OUT,
	PG_P_FREE,
} pg_pmode;

// Where the view side of a conversion lives, which decides whether
// message and oneof values are held by pointer or by value and whether
// pointer members are const.
typedef enum pg_vmode {
	PG_V_STRUCT,    // members of a view struct (prefix "addin_dst->")
	PG_V_PARAM,     // in-parameters (oneof by pointer, may be NULL)
	PG_V_IN_LOCAL,  // locals passed as in-parameters (oneof by value)
	PG_V_OUT_LOCAL, // locals passed as out-parameters (ret_*, by value)
} pg_vmode;

// pg_field_vars fills @v (fresh, no parent) with the template variables of
// converting @fld of @m: V, VN, VH, VL name the view side (value, count,
// presence, length; @vprefix before the field's name), P, PN, PH the
// protobuf-c side (members of the pointer @pmsg); T, PT, PTP the types; M,
// PM, PML the field's message; WHAT "<message>.<field>" for errors; F is
// the failure statement @fail, I the indent.
void pg_field_vars(pg_vars *v, const pg_field *fld, const pg_message *m,
                   const char *vprefix, const char *pmsg, const char *fail,
                   const char *indent);

// pg_gen_scalar_from_pb emits the statement that sets the view value of a
// single number, bool or enum field from protobuf-c (borrowed and copied
// alike), with @v from pg_field_vars.
void pg_gen_scalar_from_pb(pg_buf *b, const pg_vars *v, const pg_field *fld);

// A field's conversion statements (gen_to_pb.c, gen_borrow.c, gen_copy.c):
// between the view side named by @vprefix (in @vmode) and the protobuf-c
// message pointer @pmsg; on failure they set addin_rv and run @fail.
typedef void (*pg_field_fn)(pg_buf *b, const pg_field *fld,
                            const pg_message *m, pg_vmode vmode,
                            const char *vprefix, const char *pmsg,
                            const char *fail, const char *indent);

// pg_gen_members emits @fn's statements for each field of @m outside
// oneofs, and for each oneof a call of its conversion function of @kind
// ("to_pb", "borrow" or "copy", defined by gen_convert.c).
void pg_gen_members(pg_buf *b, const pg_message *m, pg_vmode vmode,
                    const char *vprefix, const char *pmsg, const char *fail,
                    const char *indent, pg_field_fn fn, const char *kind);

// gen_params.c: parameters, arguments and locals.

// pg_params appends the parameter declarations of @m's fields in @mode.
void pg_params(pg_list *decls, const pg_message *m, pg_pmode mode);
// pg_method_params appends @first and the in- and out-parameters of @mt.
void pg_method_params(pg_list *ps, const char *first, const pg_method *mt);
// Arguments naming the locals of pg_gen_locals, for calling an op
// (PG_P_IN, PG_P_OUT) or the free_out helper (PG_P_FREE).
void pg_local_args(pg_list *args, const pg_message *m, pg_pmode mode);
// pg_gen_locals emits locals that hold a request's values (@out false) or
// an op's outputs (@out true, named ret_*), all zero.
void pg_gen_locals(pg_buf *b, const pg_message *m, bool out,
                   const char *indent);
// pg_decl_name returns the identifier at the end of a declaration:
// "const char *x" -> "x" (a pointer into @decl).
const char *pg_decl_name(const char *decl);
// pg_names_of appends the pg_decl_name of each of @decls to @names.
void pg_names_of(pg_list *names, const pg_list *decls);

// gen_vars.c: template variables.

// pg_file_vars fills @v with a file's variables: p, P (the service's C
// prefix, lower and upper), id, hash, base, leaf, proto (the .proto's name
// for string literals), version, svc (protoc-c's service prefix), gen,
// nmethods.
void pg_file_vars(pg_vars *v, const pg_file *f);
// pg_method_vars fills @v, inheriting @parent, with a method's: m, Method,
// fn, idx, Req, req, REQ, ReqFull and Rep, rep, REP, RepFull (protoc-c's
// type, lower and upper prefix, and full name of the request and reply).
void pg_method_vars(pg_vars *v, const pg_vars *parent, const pg_file *f,
                    const pg_method *mt);

// gen_types.c: pg_gen_view_types emits the enums, oneof types and structs
// of <base>.view.h (structs in dependency order).
void pg_gen_view_types(pg_buf *b, const pg_file *f);

// gen_ops.c: pg_gen_ops emits the ops table <service>_ops.
void pg_gen_ops(pg_buf *b, const pg_file *f);

// gen_free.c: pg_gen_view_helpers emits the static inline functions that
// free view values (<struct>_clear, <struct>_array_free, <oneof>_clear);
// pg_gen_free_out the <service>_<method>_free_out helpers.
void pg_gen_view_helpers(pg_buf *b, const pg_file *f);
void pg_gen_free_out(pg_buf *b, const pg_file *f);

// gen_to_pb.c: view values -> protobuf-c (borrowing).  pg_gen_field_to_pb
// is a pg_field_fn; pg_gen_fields_to_pb converts every member of @m.
void pg_gen_field_to_pb(pg_buf *b, const pg_field *fld, const pg_message *m,
                        pg_vmode vmode, const char *vprefix, const char *pmsg,
                        const char *fail, const char *indent);
void pg_gen_fields_to_pb(pg_buf *b, const pg_message *m, pg_vmode vmode,
                         const char *vprefix, const char *pmsg,
                         const char *fail, const char *indent);
// Whether a conversion of @m's fields to protobuf-c can fail.
bool pg_to_pb_can_fail(const pg_message *m);

// gen_borrow.c: protobuf-c -> view values pointing into the message.
void pg_gen_field_borrow(pg_buf *b, const pg_field *fld, const pg_message *m,
                         pg_vmode vmode, const char *vprefix, const char *pmsg,
                         const char *fail, const char *indent);
void pg_gen_fields_borrow(pg_buf *b, const pg_message *m, pg_vmode vmode,
                          const char *vprefix, const char *pmsg,
                          const char *fail, const char *indent);

// gen_copy.c: protobuf-c -> view values owning their memory.
void pg_gen_field_copy(pg_buf *b, const pg_field *fld, const pg_message *m,
                       pg_vmode vmode, const char *vprefix, const char *pmsg,
                       const char *fail, const char *indent);
void pg_gen_fields_copy(pg_buf *b, const pg_message *m, pg_vmode vmode,
                        const char *vprefix, const char *pmsg,
                        const char *fail, const char *indent);
// Whether a copy of @m's fields from protobuf-c can fail.
bool pg_copy_can_fail(const pg_message *m);

// gen_convert.c: pg_gen_conversions emits the static conversion functions
// an adapter needs: to protobuf-c for types reached as @to_pb (a
// PG_REACH_* mask), borrowing views of types reached as @borrow, deep
// copies for @copy; prototypes first, then the definitions.
void pg_gen_conversions(pg_buf *b, const pg_file *f, unsigned to_pb,
                        unsigned borrow, unsigned copy);

// gen_host_view.c: the declarations of <base>.host.h and the thunks of
// <base>.host-view.c.
void pg_gen_host_header(pg_buf *b, const pg_file *f);
void pg_gen_host_view(pg_buf *b, const pg_file *f);

// gen_addin_view.c: the declaration macro of <base>.addin.h.
void pg_gen_addin_header(pg_buf *b, const pg_file *f);

// gen_contract.c: the record and entry of <base>.contract.c.
void pg_gen_contract(pg_buf *b, const pg_file *f);

// gen_host_adapter.c, gen_addin_adapter.c: the bodies of
// <base>.host-adapter.c and <base>.addin-adapter.c.
void pg_gen_host_adapter(pg_buf *b, const pg_file *f);
void pg_gen_addin_adapter(pg_buf *b, const pg_file *f);

// gen_file.c: the output files, in the order they are written: each is
// <base><suffix>, written by @gen.
typedef struct pg_output {
	const char *suffix;
	void (*gen)(pg_buf *b, const pg_file *f);
} pg_output;
extern const pg_output pg_outputs[];
extern const size_t    pg_n_outputs;

// generate.c: pg_generate answers @ctx->req in @resp.  Returns false with
// ctx->error set when a contract has a problem.
bool pg_generate(pg_ctx                                            *ctx,
                 Google__Protobuf__Compiler__CodeGeneratorResponse *resp);

#endif // PG_H
