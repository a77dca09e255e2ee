// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// gen_corpus: writes the seed corpus of the fuzz targets.  Run by
// `make fuzz-corpus` (the fuzz-corpus target), which commits nothing: the
// output goes to tests/fuzz/corpus/, and whoever changed the wire or the
// record format reviews the diff and commits it.
//
//   gen_corpus <dir>   writes <dir>/frame/, <dir>/segment/ and
//                      <dir>/segment_record/ (the directories must exist)
//
// Every seed comes from the real encoders: frames from addin__frame_encode
// with every kind of header and, for CALL and RETURN, a request or reply of
// every method of the frame target's services (fuzz.h), every field set
// (fill(), by reflection over the descriptors); segment files from
// elf_testing.h (a minimal ELF shared object with an "addin_segment"
// section) holding records of every kind, good and bad; section contents
// for fuzz_segment_record.  Names say what a seed is; the bytes are the
// same on every run, so regenerating changes nothing unless an encoder
// changed.  (The fuzz-corpus target also adds two real segment libraries
// made by the compiler, stripped: tests/discovery/fixtures.c.)

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "addin/version.h"
#include "elf_testing.h"
#include "frame.h"
#include "fuzz.h"
#include "heap_transport.h"

static const char *out_dir;

static void
die(const char *what)
{
	fprintf(stderr, "gen_corpus: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
write_file(const char *sub, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s/%s", out_dir, sub, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, p, n) != (ssize_t) n || close(fd) != 0) {
		die(path);
	}
}

// ---- messages with every field set ---------------------------------------

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n != 0 ? n : 1, size);
	if (p == NULL) {
		die("calloc");
	}
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL) {
		die("strdup");
	}
	return p;
}

static ProtobufCMessage *fill(const ProtobufCMessageDescriptor *d, int depth);

// Sets one value of field @f at @p (a member, or an element of a repeated
// field's array); @i numbers the elements, so that they differ.
static void
fill_value(const ProtobufCFieldDescriptor *f, void *p, unsigned i, int depth)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32: *(int32_t *) p = -1000 - (int) i; break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32: *(uint32_t *) p = 4000000000u + i; break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		*(int64_t *) p = -5000000000 - (int64_t) i;
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		*(uint64_t *) p = 0x8000000000000000u + i;
		break;
	case PROTOBUF_C_TYPE_FLOAT: *(float *) p = 1.5f + (float) i; break;
	case PROTOBUF_C_TYPE_DOUBLE: *(double *) p = -2.25 - i; break;
	case PROTOBUF_C_TYPE_BOOL: *(protobuf_c_boolean *) p = 1; break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *e = f->descriptor;
		*(int *) p = e->values[(i + 1) % e->n_values].value;
		break;
	}
	case PROTOBUF_C_TYPE_STRING:
		*(char **) p = xstrdup(i == 0 ? "caf\xc3\xa9 \"x\"" : "two");
		break;
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = p;
		b->len                 = 5 + i;
		b->data                = xcalloc(b->len, 1);
		memcpy(b->data, "\0\xff\x01\x80\x7f", 5);
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		*(ProtobufCMessage **) p = fill(f->descriptor, depth - 1);
		break;
	}
}

static size_t
value_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64: return 8;
	case PROTOBUF_C_TYPE_DOUBLE: return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL: return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING: return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES: return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE: return sizeof(void *);
	default: return 4;
	}
}

// fill makes a message of @d with every field set: repeated fields get two
// elements, a oneof its first member; message fields nest @depth levels
// more (recursive types end there: at depth 0 they stay unset).  Free with
// protobuf_c_message_free_unpacked(m, NULL).
static ProtobufCMessage *
fill(const ProtobufCMessageDescriptor *d, int depth)
{
	ProtobufCMessage *m    = xcalloc(1, d->sizeof_message);
	char             *base = (char *) m;

	d->message_init(m);
	for (unsigned k = 0; k < d->n_fields; k++) {
		const ProtobufCFieldDescriptor *f  = &d->fields[k];
		void                           *at = base + f->offset;

		if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth == 0) {
			continue;
		}
		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t *which =
			    (uint32_t *) (base + f->quantifier_offset);
			if (*which != 0) {
				continue; // an earlier member is set
			}
			*which = f->id;
			fill_value(f, at, 0, depth);
			continue;
		}
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t *n   = (size_t *) (base + f->quantifier_offset);
			void  **arr = at;
			size_t  size = value_size(f);
			*n           = 2;
			*arr         = xcalloc(2, size);
			for (unsigned i = 0; i < 2; i++) {
				fill_value(f, (char *) *arr + i * size, i,
				           depth);
			}
			continue;
		}
		if (f->quantifier_offset != 0 &&
		    f->type != PROTOBUF_C_TYPE_MESSAGE &&
		    f->type != PROTOBUF_C_TYPE_STRING) {
			*(protobuf_c_boolean *) (base + f->quantifier_offset) =
			    1; // has_<field>
		}
		fill_value(f, at, 0, depth);
	}
	return m;
}

// ---- frames ---------------------------------------------------------------

static void
frame(const char *name, const addin__hdr *h, const ProtobufCMessage *payload)
{
	addin__tmsg *m;
	if (addin__frame_encode(&addin_heap_ops, h, payload, SIZE_MAX, &m) !=
	    ADDIN_OK) {
		fprintf(stderr, "gen_corpus: %s: %s\n", name, addin_errmsg());
		exit(1);
	}
	write_file("frame", name, addin_heap_body(m), addin_heap_len(m));
	addin_heap_free(m);
}

static addin__hdr
header(Addin__Wire__V1__Kind kind, uint64_t call_id)
{
	addin__hdr h  = ADDIN__WIRE__V1__HEADER__INIT;
	h.has_kind    = true;
	h.kind        = kind;
	h.has_call_id = call_id != 0;
	h.call_id     = call_id;
	return h;
}

// A name for a file: "<what>-<service>-<method>", lowercase.
static void
seed_name(char *buf, size_t cap, const char *what,
          const ProtobufCServiceDescriptor *d, unsigned m)
{
	int n = snprintf(buf, cap, "%s-%s-%s", what, d->short_name,
	                 d->methods[m].name);
	for (int i = 0; i < n && (size_t) i < cap; i++) {
		if (buf[i] >= 'A' && buf[i] <= 'Z') {
			buf[i] = (char) (buf[i] - 'A' + 'a');
		}
	}
}

// A CALL and a RETURN for every method of every service.
static void
calls_and_returns(void)
{
	for (size_t s = 0; s < FUZZ_SERVICES; s++) {
		const ProtobufCServiceDescriptor *d = fuzz_service(s);
		for (unsigned m = 0; m < d->n_methods; m++) {
			char       name[128];
			addin__hdr h =
			    header(ADDIN__WIRE__V1__KIND__CALL, 100 + m);
			ProtobufCMessage *req = fill(d->methods[m].input, 3);
			ProtobufCMessage *rep = fill(d->methods[m].output, 3);
			unsigned          rm;

			h.has_object_id   = true;
			h.object_id       = s;
			h.has_method      = true;
			h.method          = m;
			h.has_deadline_ms = true;
			h.deadline_ms     = 30000;
			seed_name(name, sizeof(name), "call", d, m);
			frame(name, &h, req);

			h = header(ADDIN__WIRE__V1__KIND__RETURN,
			           s + FUZZ_SERVICES * m);
			if (h.call_id == 0) {
				h.call_id = FUZZ_SERVICES * d->n_methods;
			}
			h.has_call_id = true;
			if (fuzz_return_service(h.call_id, &rm) != d ||
			    rm != m) {
				fprintf(stderr,
				        "gen_corpus: call id mapping\n");
				exit(1);
			}
			seed_name(name, sizeof(name), "return", d, m);
			frame(name, &h, rep);
			protobuf_c_message_free_unpacked(req, NULL);
			protobuf_c_message_free_unpacked(rep, NULL);
		}
	}
}

// A ShapeRequest holding @n shapes, each the only child of the one
// before: messages @n levels below the request, the limit (64) exactly
// or one more.
static void
deep_call(const char *name, int n)
{
	Alltypes__V1__ShapeRequest req = ALLTYPES__V1__SHAPE_REQUEST__INIT;
	Alltypes__V1__Shape        shapes[80];
	Alltypes__V1__Shape       *kids[80];
	addin__hdr                 h = header(ADDIN__WIRE__V1__KIND__CALL, 7);

	for (int i = 0; i < n; i++) {
		alltypes__v1__shape__init(&shapes[i]);
		kids[i] = &shapes[i];
		if (i > 0) {
			shapes[i - 1].n_children = 1;
			shapes[i - 1].children   = &kids[i];
		}
	}
	req.shape       = &shapes[0];
	h.has_object_id = true;
	h.object_id     = 2; // alltypes.v1.AllTypes
	h.has_method    = true;
	h.method        = 2; // EchoShape
	frame(name, &h, &req.base);
}

static void
frames(void)
{
	Addin__Wire__V1__Hello hello = ADDIN__WIRE__V1__HELLO__INIT;
	uint8_t                token[32];
	addin__hdr             h;

	for (unsigned i = 0; i < sizeof(token); i++) {
		token[i] = (uint8_t) (i * 37 + 1);
	}
	hello.has_wire_min    = true;
	hello.wire_min        = ADDIN_WIRE_VERSION_MIN;
	hello.has_wire_max    = true;
	hello.wire_max        = ADDIN_WIRE_VERSION;
	hello.has_sdk_version = true;
	hello.sdk_version     = ADDIN_VERSION_NUMBER;
	hello.has_pid         = true;
	hello.pid             = 4242;
	hello.has_max_frame   = true;
	hello.max_frame       = 64u << 20;
	hello.has_token       = true;
	hello.token.data      = token;
	hello.token.len       = sizeof(token);
	h                     = header(ADDIN__WIRE__V1__KIND__HELLO, 0);
	h.hello               = &hello;
	frame("hello", &h, NULL);
	hello.has_token = false;
	hello.wire_min  = ADDIN_WIRE_VERSION;
	h.kind          = ADDIN__WIRE__V1__KIND__HELLO_ACK;
	frame("hello-ack", &h, NULL);

	calls_and_returns();

	// A callback: a CALL nested in the peer's call 100.
	h                 = header(ADDIN__WIRE__V1__KIND__CALL, 9);
	h.has_nested_in   = true;
	h.nested_in       = 100;
	h.has_object_id   = true;
	h.object_id       = 1;
	h.has_method      = true;
	h.method          = 1; // Echo
	h.has_deadline_ms = true;
	h.deadline_ms     = 1000;
	frame("call-nested", &h, NULL);
	h.method = 99;
	frame("call-no-such-method", &h, NULL);
	deep_call("call-nesting-64", 64);
	deep_call("call-nesting-65", 65);

	h                = header(ADDIN__WIRE__V1__KIND__FAULT, 100);
	h.has_fault_code = true;
	h.fault_code     = ADDIN_EREMOTE;
	h.fault_message  = addin__deconst("add: \"overflow\" \x1b[31m");
	frame("fault", &h, NULL);
	h.fault_code    = 0xfffffff0u;
	h.fault_message = NULL;
	frame("fault-unknown-code", &h, NULL);
	h = header(ADDIN__WIRE__V1__KIND__CANCEL, 100);
	frame("cancel", &h, NULL);
	h = header(ADDIN__WIRE__V1__KIND__GOODBYE, 0);
	frame("goodbye", &h, NULL);

	// Two the decoder refuses: another framing version, a header
	// length beyond the frame.
	static const uint8_t v2[]    = {2, 2, 0x08, 0x07};
	static const uint8_t trunc[] = {1, 0x90, 0x01, 0x08, 0x03};
	write_file("frame", "bad-version", v2, sizeof(v2));
	write_file("frame", "bad-header-length", trunc, sizeof(trunc));
}

// ---- segment files and records -------------------------------------------

#define H1 "1111aaaa"

static const char *const rec_contract[]      = {"kind",
                                                "contract",
                                                "name",
                                                "Calculator contract",
                                                "version",
                                                "1.0",
                                                "contract",
                                                "calc.v1.Calculator",
                                                "contract-hash",
                                                H1,
                                                "q.wire",
                                                "protobuf",
                                                NULL};
static const char *const rec_host_adapter[]  = {"kind",
                                                "host-adapter",
                                                "host-view",
                                                "calc.v1.Calculator",
                                                "host-view-hash",
                                                H1,
                                                "contract",
                                                "calc.v1.Calculator",
                                                "contract-hash",
                                                H1,
                                                NULL};
static const char *const rec_addin_adapter[] = {"kind",
                                                "addin-adapter",
                                                "contract",
                                                "calc.v1.Calculator",
                                                "contract-hash",
                                                H1,
                                                "addin-view",
                                                "calc.v1.Calculator",
                                                "addin-view-hash",
                                                H1,
                                                NULL};
static const char *const rec_addin[]         = {
            "kind",
            "addin",
            "name",
            "Calc",
            "version",
            "1.2.0",
            "publisher",
            "Acme \"Tools\"",
            "description",
            "Adds.\n\t\x01\x1b[31m \xff caf\xc3\xa9",
            "addin-view",
            "calc.v1.Calculator",
            "addin-view-hash",
            H1,
            "q.culture",
            "en",
            "q.area",
            "math",
            "q.zone",
            "",
            "needs",
            "scratch",
            "needs",
            "network",
            "needs",
            "scratch",
            "x-unknown",
            "ignored",
            NULL};
static const char *const rec_addin_no_name[] = {
    "kind", "addin", "addin-view", "calc.v1.Calculator", "addin-view-hash",
    H1,     NULL};
static const char *const rec_addin_bad_hash[] = {"kind",
                                                 "addin",
                                                 "name",
                                                 "Calc",
                                                 "addin-view",
                                                 "calc.v1.Calculator",
                                                 "addin-view-hash",
                                                 "11AA",
                                                 NULL};
static const char *const rec_two_kinds[]      = {"kind", "addin", "kind",
                                                 "contract", NULL};

// One seed: the section @sec (@len bytes) as a file and as a record input.
static void
segment(const char *name, const char *sec, size_t len)
{
	char path[512];
	// No ".so": the files are not libraries to build or ignore.
	snprintf(path, sizeof(path), "%s/segment/%s", out_dir, name);
	if (et_write_so(path, ADDIN_SEGMENT_SECTION, sec, len) != 0) {
		die(path);
	}
	write_file("segment_record", name, sec, len);
}

static void
segments(void)
{
	static char sec[16384];
	size_t      len;
	char        path[512];

#define ONE(name, rec)                                             \
	do {                                                       \
		len = 0;                                           \
		if (et_record(sec, sizeof(sec), &len, rec) == 0) { \
			die(name);                                 \
		}                                                  \
		segment(name, sec, len);                           \
	} while (0)
	ONE("contract", rec_contract);
	ONE("host-adapter", rec_host_adapter);
	ONE("addin-adapter", rec_addin_adapter);
	ONE("addin", rec_addin);
	ONE("addin-no-name", rec_addin_no_name);
	ONE("addin-bad-hash", rec_addin_bad_hash);
	ONE("two-kinds", rec_two_kinds);
#undef ONE

	// Every kind in one library, padded as the linker aligns records.
	const char *const *all[] = {rec_contract, rec_host_adapter,
	                            rec_addin_adapter, rec_addin};
	len                      = 0;
	for (size_t i = 0; i < 4; i++) {
		if (et_record(sec, sizeof(sec), &len, all[i]) == 0) {
			die("all");
		}
		while (len % 16 != 0) {
			sec[len++] = '\0';
		}
	}
	segment("all-kinds-padded", sec, len);

	// Two records of one kind; a record of a future format.
	len = 0;
	if (et_record(sec, sizeof(sec), &len, rec_addin) == 0 ||
	    et_record(sec, sizeof(sec), &len, rec_addin) == 0) {
		die("two");
	}
	segment("two-records", sec, len);
	static const char future[] = ADDIN_SEGMENT_MAGIC "\0"
	                                                 "2\0kind\0addin\0";
	segment("future-format", future, sizeof(future));

	// A valid ELF shared object with no segment section.
	snprintf(path, sizeof(path), "%s/segment/no-section", out_dir);
	if (et_write_so(path, ".data", "x", 1) != 0) {
		die(path);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_corpus <dir>\n");
		return 2;
	}
	out_dir = argv[1];
	frames();
	segments();
	return 0;
}
