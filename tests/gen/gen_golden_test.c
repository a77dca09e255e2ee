// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// protoc-gen-pipeline's output: byte-exact against tests/gen/golden/ (run
// with UPDATE_GOLDEN=1, or `make regen`, to rewrite the golden files after
// a deliberate change), deterministic, free of protobuf in the views, with
// a contract hash that ignores comments and layout but not the wire; and
// the plugin's own command line.

#define _GNU_SOURCE // asprintf

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "addin_test.h"
#include "calculator/v1/calculator.view.h"
#include "run.h"

static const char *const suffixes[] = {
    "view.h",     "host.h",         "host-view.c",    "addin.h",
    "contract.c", "host-adapter.c", "addin-adapter.c"};
#define N_SUFFIXES (sizeof(suffixes) / sizeof(suffixes[0]))

struct contract {
	const char *root; // import root
	const char *base; // file without .proto, relative to root
};

static const struct contract contracts[] = {
    {GEN_CONTRACTS_DIR, "calculator/v1/calculator"},
    {GEN_CONTRACTS_DIR "/test", "alltypes/v1/alltypes"},
    {GEN_CONTRACTS_DIR "/test", "presence/v1/presence"},
    {GEN_CONTRACTS_DIR "/test", "names/v1/names"},
};
#define N_CONTRACTS (sizeof(contracts) / sizeof(contracts[0]))

// Runs protoc with the plugin on @base.proto under @root into @out;
// returns protoc's exit status and its stderr in *ret_err.
static int
generate(const char *root, const char *base, const char *out, char **ret_err)
{
	char *argv[8];
	int   rc;

	argv[0] = gen_arg(GEN_PROTOC);
	argv[1] = gen_arg("--plugin=protoc-gen-pipeline=" GEN_PLUGIN);
	ADDIN_CHECK(asprintf(&argv[2], "--pipeline_out=%s", out) > 0);
	ADDIN_CHECK(asprintf(&argv[3], "-I%s", root) > 0);
	ADDIN_CHECK(asprintf(&argv[4], "%s/%s.proto", root, base) > 0);
	argv[5] = NULL;
	rc      = gen_run(argv, NULL, NULL, NULL, ret_err);
	for (int i = 2; i < 5; i++) {
		free(argv[i]);
	}
	return rc;
}

static char *
generated(const char *out, const char *base, const char *suffix,
          size_t *ret_len)
{
	char *path, *s;
	ADDIN_CHECK(asprintf(&path, "%s/%s.%s", out, base, suffix) > 0);
	s = gen_read(path, ret_len);
	ADDIN_CHECKF(s != NULL, "%s was not generated", path);
	free(path);
	return s;
}

static void
first_difference(const char *name, const char *want, const char *got)
{
	int line = 1;
	for (size_t i = 0; want[i] != '\0' || got[i] != '\0'; i++) {
		if (want[i] != got[i]) {
			const char *w = want + i, *g = got + i;
			while (w > want && w[-1] != '\n') {
				w--;
			}
			while (g > got && g[-1] != '\n') {
				g--;
			}
			fprintf(
			    stderr,
			    "  %s differs from its golden file at line %d:\n"
			    "  golden:    %.*s\n  generated: %.*s\n",
			    name, line, (int) strcspn(w, "\n"), w,
			    (int) strcspn(g, "\n"), g);
			return;
		}
		if (want[i] == '\n') {
			line++;
		}
	}
}

static void
test_golden(void)
{
	const char *update  = getenv("UPDATE_GOLDEN");
	bool        rewrite = update != NULL && strcmp(update, "1") == 0;
	char       *out     = gen_tmpdir();
	int         bad     = 0;

	ADDIN_CHECK(out != NULL);
	for (size_t c = 0; c < N_CONTRACTS; c++) {
		char *err = NULL;
		int   rc =
		    generate(contracts[c].root, contracts[c].base, out, &err);
		ADDIN_CHECKF(rc == 0, "protoc failed: %s", err);
		free(err);
		for (size_t s = 0; s < N_SUFFIXES; s++) {
			char  *gpath, *want;
			size_t glen;
			char  *got = generated(out, contracts[c].base,
			                       suffixes[s], &glen);
			ADDIN_CHECK(asprintf(&gpath, "%s/%s.%s",
			                     GEN_GOLDEN_DIR, contracts[c].base,
			                     suffixes[s]) > 0);
			if (rewrite) {
				ADDIN_CHECK(gen_write(gpath, got, glen));
				printf("  rewrote %s\n", gpath);
			} else if ((want = gen_read(gpath, NULL)) == NULL) {
				fprintf(stderr, "  no golden file %s\n",
				        gpath);
				bad++;
			} else {
				if (strcmp(want, got) != 0) {
					first_difference(gpath, want, got);
					bad++;
				}
				free(want);
			}
			free(gpath);
			free(got);
		}
	}
	gen_rmtree(out);
	free(out);
	ADDIN_CHECKF(
	    bad == 0,
	    "%d generated file(s) differ from tests/gen/golden/; if the "
	    "change "
	    "is meant, run `make regen` (or UPDATE_GOLDEN=1 %s) and commit "
	    "the golden files",
	    bad, "gen_golden_test");
}

static void
test_deterministic(void)
{
	char *a = gen_tmpdir(), *b = gen_tmpdir();

	for (size_t c = 0; c < N_CONTRACTS; c++) {
		ADDIN_CHECK(generate(contracts[c].root, contracts[c].base, a,
		                     NULL) == 0);
		ADDIN_CHECK(generate(contracts[c].root, contracts[c].base, b,
		                     NULL) == 0);
		for (size_t s = 0; s < N_SUFFIXES; s++) {
			size_t la, lb;
			char  *x =
			    generated(a, contracts[c].base, suffixes[s], &la);
			char *y =
			    generated(b, contracts[c].base, suffixes[s], &lb);
			ADDIN_CHECK(la == lb && memcmp(x, y, la) == 0);
			free(x);
			free(y);
		}
	}
	gen_rmtree(a);
	gen_rmtree(b);
	free(a);
	free(b);
}

// What the views promise: no protobuf type, header, or function, and a
// banner, a version check and the ids.
// Checks that the views of contract @c, generated into @out, mention no
// protobuf and carry the banner and the SDK version check.
static void
check_views(const struct contract *c, const char *out)
{
	static const char *const views[]  = {"view.h", "host.h", "addin.h",
	                                     "host-view.c"};
	static const char *const banned[] = {"ProtobufC", "protobuf_c_",
	                                     "pb-c.h", "protobuf-c/"};
	const char              *ver      = strchr(c->base, '/') + 1;
	char                    *pbc_lower, *pbc_upper, *banner;

	// protoc-c's names join the package's components with "__":
	// "calculator__v1__...", "Calculator__V1__...".
	ADDIN_CHECK(
	    asprintf(&pbc_lower, "__%.*s", (int) strcspn(ver, "/"), ver) > 0);
	pbc_upper = strdup(pbc_lower);
	ADDIN_CHECK(pbc_upper != NULL);
	for (char *p = pbc_upper; *p != '\0'; p++) {
		if (*p >= 'a' && *p <= 'z') {
			*p = (char) (*p - 'a' + 'A');
		}
	}
	ADDIN_CHECK(asprintf(&banner,
	                     "// Generated by protoc-gen-pipeline " GEN_VERSION
	                     " from %s.proto. DO NOT EDIT.\n",
	                     c->base) > 0);
	for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		char *s = generated(out, c->base, views[v], NULL);
		for (size_t b = 0; b < sizeof(banned) / sizeof(banned[0]);
		     b++) {
			ADDIN_CHECKF(strstr(s, banned[b]) == NULL,
			             "%s.%s mentions %s", c->base, views[v],
			             banned[b]);
		}
		ADDIN_CHECKF(strstr(s, pbc_lower) == NULL &&
		                 strstr(s, pbc_upper) == NULL,
		             "%s.%s mentions a protoc-c name", c->base,
		             views[v]);
		ADDIN_CHECKF(strncmp(s, banner, strlen(banner)) == 0,
		             "%s.%s does not start with the banner", c->base,
		             views[v]);
		free(s);
	}
	char *view = generated(out, c->base, "view.h", NULL);
	ADDIN_CHECK_CONTAINS(view, "#if ADDIN_SDK_VERSION_NUMBER < ");
	ADDIN_CHECK_CONTAINS(view, "#error \"Regenerate ");
	free(view);
	free(banner);
	free(pbc_upper);
	free(pbc_lower);
}

// Generated code reaches the SDK only through its public API: no private
// (addin__ / ADDIN__) name, which may change in any release.
static void
test_no_private_names(void)
{
	char *out = gen_tmpdir();

	for (size_t c = 0; c < N_CONTRACTS; c++) {
		ADDIN_CHECK(generate(contracts[c].root, contracts[c].base, out,
		                     NULL) == 0);
		for (size_t s = 0; s < N_SUFFIXES; s++) {
			char *g = generated(out, contracts[c].base,
			                    suffixes[s], NULL);
			ADDIN_CHECKF(strstr(g, "addin__") == NULL &&
			                 strstr(g, "ADDIN__") == NULL,
			             "%s.%s uses a private SDK name: %.40s",
			             contracts[c].base, suffixes[s],
			             strstr(g, "addin__") != NULL
			                 ? strstr(g, "addin__")
			                 : strstr(g, "ADDIN__"));
			free(g);
		}
	}
	gen_rmtree(out);
	free(out);
}

static void
test_views_have_no_protobuf(void)
{
	for (size_t i = 0; i < N_CONTRACTS; i++) {
		char *out = gen_tmpdir();

		ADDIN_CHECK(generate(contracts[i].root, contracts[i].base, out,
		                     NULL) == 0);
		check_views(&contracts[i], out);
		if (i == 0) {
			char *view =
			    generated(out, contracts[0].base, "view.h", NULL);
			ADDIN_CHECK_CONTAINS(
			    view,
			    "typedef struct calculator_v1_calculator_ops {");
			ADDIN_CHECK_CONTAINS(
			    view, "#define CALCULATOR_V1_CALCULATOR_VIEW_ID "
			          "\"calculator.v1.Calculator\"");
			free(view);
			char *addin =
			    generated(out, contracts[0].base, "addin.h", NULL);
			ADDIN_CHECK_CONTAINS(
			    addin, "#define CALCULATOR_V1_CALCULATOR_ADDIN(");
			ADDIN_CHECK_CONTAINS(addin, "addin_entry_addin");
			ADDIN_CHECK_CONTAINS(addin,
			                     "#include \"addin/sdk.h\"");
			free(addin);
		}
		gen_rmtree(out);
		free(out);
	}
}

// The contract hash of a variant of calculator.proto.
static char *
hash_of(const char *variant)
{
	char  *dir = gen_tmpdir(), *path, *out, *view, *h, *hash;
	size_t n;

	ADDIN_CHECK(asprintf(&path, "%s/calculator/v1/calculator.proto", dir) >
	            0);
	ADDIN_CHECK(gen_write(path, variant, strlen(variant)));
	ADDIN_CHECK(asprintf(&out, "%s/out", dir) > 0);
	ADDIN_CHECK(mkdir(out, 0755) == 0);
	ADDIN_CHECK(generate(dir, "calculator/v1/calculator", out, NULL) == 0);
	view = generated(out, "calculator/v1/calculator", "view.h", NULL);
	h    = strstr(view, "CALCULATOR_V1_CALCULATOR_CONTRACT_HASH \"");
	ADDIN_CHECK(h != NULL);
	h += strlen("CALCULATOR_V1_CALCULATOR_CONTRACT_HASH \"");
	n    = strcspn(h, "\"");
	hash = strndup(h, n);
	ADDIN_CHECK(n == 64);
	free(view);
	free(out);
	free(path);
	gen_rmtree(dir);
	free(dir);
	return hash;
}

// Replaces the first @from in @s with @to (malloc'd result).
static char *
edit(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char       *r;
	ADDIN_CHECKF(p != NULL, "no '%s' in the contract", from);
	ADDIN_CHECK(asprintf(&r, "%.*s%s%s", (int) (p - s), s, to,
	                     p + strlen(from)) > 0);
	return r;
}

static void
test_hash(void)
{
	char *orig = gen_read(
	    GEN_CONTRACTS_DIR "/calculator/v1/calculator.proto", NULL);
	char *h0, *h;
	struct {
		const char *from, *to;
		bool        same;
		const char *why;
	} variants[] = {
	    {"// Operation is one operation a calculator offers.",
	     "// Operations, rewritten.\n\n// With more comment.", true,
	     "a comment edit"},
	    {"message GetNameRequest {}", "message GetNameRequest {\n\n}",
	     true, "layout"},
	    {"message OperateReply {",
	     "message Unused { int32 x = 1; }\n"
	     "message OperateReply {",
	     true, "a message the service does not reach"},
	    {"double result = 1;", "double value = 1;", false,
	     "a renamed field"},
	    {"double result = 1;", "double result = 2;", false,
	     "a renumbered field"},
	    {"double result = 1;", "float result = 1;", false,
	     "a changed type"},
	    {"uint32 arity = 2;", "uint32 arity = 2;\n  bool infix = 4;",
	     false, "a field added to a reachable message"},
	    {"rpc Operate(",
	     "rpc Clear(GetNameRequest) returns "
	     "(GetNameReply);\n  rpc Operate(",
	     false, "a method added"},
	};

	ADDIN_CHECK(orig != NULL);
	h0 = hash_of(orig);
	// The checked-in contract's hash, as the generated headers carry it.
	ADDIN_CHECKF(strcmp(h0, CALCULATOR_V1_CALCULATOR_CONTRACT_HASH) == 0,
	             "%s vs %s", h0, CALCULATOR_V1_CALCULATOR_CONTRACT_HASH);
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		char *v = edit(orig, variants[i].from, variants[i].to);
		h       = hash_of(v);
		ADDIN_CHECKF((strcmp(h, h0) == 0) == variants[i].same,
		             "%s %s the contract hash", variants[i].why,
		             variants[i].same ? "changed" : "did not change");
		free(h);
		free(v);
	}
	free(h0);
	free(orig);
}

// A contract whose comments end in "??/" (written "?\?/" here, where this
// file is C too): with trigraphs on (-std=c11) each would become a
// backslash that splices the next generated line into the comment.
static const char trigraph_proto[] =
    "syntax = \"proto3\";\n"
    "package tri.v1;\n"
    "// The service?\?/\n"
    "service Tri {\n"
    "  // Poke pokes?\?/\n"
    "  rpc Poke(PokeRequest) returns (PokeReply);\n"
    "  // Prod prods?\?/\n"
    "  rpc Prod(PokeRequest) returns (PokeReply);\n"
    "}\n"
    "// A colour?\?/\n"
    "enum Color {\n"
    "  // none?\?/\n"
    "  COLOR_NONE = 0;\n"
    "  // red?\?/\n"
    "  COLOR_RED = 1;\n"
    "}\n"
    "// An item???\?/\n"
    "message Item {\n"
    "  // first?\?/\n"
    "  uint32 first = 1;\n"
    "  // second?\?/\n"
    "  uint32 second = 2;\n"
    "  // pick?\?/\n"
    "  oneof pick {\n"
    "    // a?\?/\n"
    "    uint32 a = 3;\n"
    "    // b?\?/\n"
    "    string b = 4;\n"
    "  }\n"
    "}\n"
    "message PokeRequest {\n"
    "  Item item = 1;\n"
    "  Color color = 2;\n"
    "}\n"
    "message PokeReply {}\n";

// Uses every member that follows one of those comments.
static const char trigraph_probe[] =
    "#include \"tri/v1/tri.addin.h\"\n"
    "#include \"tri/v1/tri.host.h\"\n"
    "int probe(void);\n"
    "int\n"
    "probe(void)\n"
    "{\n"
    "\ttri_v1_item item = {.first = 1, .second = 2};\n"
    "\ttri_v1_tri_ops ops = {.poke = 0, .prod = 0};\n"
    "\taddin_err (*poke)(tri_v1_tri *, const tri_v1_item *, "
    "tri_v1_color) =\n"
    "\t    tri_v1_tri_poke;\n"
    "\taddin_err (*prod)(tri_v1_tri *, const tri_v1_item *, "
    "tri_v1_color) =\n"
    "\t    tri_v1_tri_prod;\n\n"
    "\t(void) poke;\n"
    "\t(void) prod;\n"
    "\titem.pick.which = TRI_V1_ITEM_PICK_B;\n"
    "\titem.pick.a = 3;\n"
    "\titem.pick.b = \"b\";\n"
    "\treturn (int) (item.first + item.second + item.pick.a) +\n"
    "\t    TRI_V1_COLOR_NONE + TRI_V1_COLOR_RED + (ops.poke == 0) +\n"
    "\t    (ops.prod == 0);\n"
    "}\n";

// Compiles @src (relative to @dir) with trigraphs on and every warning an
// error; @extra is one more flag or NULL.  Returns the compiler's status.
static int
compile(const char *dir, const char *src, const char *extra)
{
	char *argv[16], *err = NULL;
	int   argc = 0, rc;

	argv[argc++] = gen_arg(GEN_CC);
	argv[argc++] = gen_arg("-std=c11");
	argv[argc++] = gen_arg("-fsyntax-only");
	argv[argc++] = gen_arg("-Wall");
	argv[argc++] = gen_arg("-Wextra");
	argv[argc++] = gen_arg("-Wtrigraphs");
	argv[argc++] = gen_arg("-Werror");
	if (extra != NULL) {
		argv[argc++] = gen_arg(extra);
	}
	argv[argc++] = gen_arg("-I" GEN_SDK_INCLUDE_DIR);
	ADDIN_CHECK(asprintf(&argv[argc++], "-I%s", dir) > 0);
	ADDIN_CHECK(asprintf(&argv[argc++], "%s/%s", dir, src) > 0);
	argv[argc] = NULL;
	rc         = gen_run(argv, NULL, NULL, NULL, &err);
	if (rc != 0) {
		fprintf(stderr, "  %s:\n%s", src, err);
	}
	free(argv[argc - 1]);
	free(argv[argc - 2]);
	free(err);
	return rc;
}

static void
test_trigraph_comments(void)
{
	char *dir = gen_tmpdir(), *path, *lax, *out, *src, *view;
	char *argv[6];

	ADDIN_CHECK(asprintf(&path, "%s/tri/v1/tri.proto", dir) > 0);
	ADDIN_CHECK(gen_write(path, trigraph_proto, strlen(trigraph_proto)));
	ADDIN_CHECK(asprintf(&out, "%s/out", dir) > 0);
	ADDIN_CHECK(mkdir(out, 0755) == 0);
	ADDIN_CHECK(generate(dir, "tri/v1/tri", out, NULL) == 0);
	argv[0] = gen_arg(GEN_PROTOC_C);
	ADDIN_CHECK(asprintf(&argv[1], "--c_out=%s", out) > 0);
	ADDIN_CHECK(asprintf(&argv[2], "-I%s", dir) > 0);
	argv[3] = path;
	argv[4] = NULL;
	ADDIN_CHECK(gen_run(argv, NULL, NULL, NULL, NULL) == 0);
	view = generated(out, "tri/v1/tri", "view.h", NULL);
	ADDIN_CHECK_CONTAINS(view, "\t// first?\\?/\n\tuint32_t first;\n");
	ADDIN_CHECK_CONTAINS(view, "// An item?\\?\\?\\?/\n");
	ADDIN_CHECK(strstr(view, "??") == NULL);
	free(view);

	// The views and the thunks, with every warning an error.
	ADDIN_CHECK(asprintf(&src, "%s/probe.c", out) > 0);
	ADDIN_CHECK(gen_write(src, trigraph_probe, strlen(trigraph_probe)));
	ADDIN_CHECK(compile(out, "probe.c", NULL) == 0);
	ADDIN_CHECK(compile(out, "tri/v1/tri.host-view.c", NULL) == 0);
	// The adapters and the contract include protoc-c's header, whose
	// block comments keep the "??/" (harmless there, but -Wtrigraphs
	// says so): only that warning is let through.
	lax = gen_arg("-Wno-error=trigraphs");
	ADDIN_CHECK(compile(out, "tri/v1/tri.contract.c", lax) == 0);
	ADDIN_CHECK(compile(out, "tri/v1/tri.host-adapter.c", lax) == 0);
	ADDIN_CHECK(compile(out, "tri/v1/tri.addin-adapter.c", lax) == 0);
	free(src);
	free(argv[1]);
	free(argv[2]);
	free(out);
	free(path);
	gen_rmtree(dir);
	free(dir);
}

static void
test_version(void)
{
	char *argv[] = {gen_arg(GEN_PLUGIN), gen_arg("--version"), NULL};
	char *out, *err;

	ADDIN_CHECK(gen_run(argv, NULL, &out, NULL, &err) == 0);
	ADDIN_CHECK_STR(out, "protoc-gen-pipeline " GEN_VERSION "\n");
	free(out);
	free(err);
}

static void
test_help(void)
{
	char *argv[] = {gen_arg(GEN_PLUGIN), gen_arg("--help"), NULL};
	char *bad[]  = {gen_arg(GEN_PLUGIN), gen_arg("--frobnicate"), NULL};
	char *out, *err;

	ADDIN_CHECK(gen_run(argv, NULL, &out, NULL, &err) == 0);
	ADDIN_CHECK_STR(out, ""); // stdout is protoc's channel
	ADDIN_CHECK_CONTAINS(err, "--pipeline_out=");
	ADDIN_CHECK_CONTAINS(err, "docs/contracts.md");
	free(out);
	free(err);
	ADDIN_CHECK(gen_run(bad, NULL, &out, NULL, &err) == 1);
	ADDIN_CHECK_CONTAINS(err, "unknown option '--frobnicate'");
	free(out);
	free(err);
}

static void
test_garbage(void)
{
	char *dir    = gen_tmpdir(), *in, *out, *err;
	char *argv[] = {gen_arg(GEN_PLUGIN), NULL};

	ADDIN_CHECK(asprintf(&in, "%s/garbage", dir) > 0);
	ADDIN_CHECK(gen_write(in, "\xff\xff\xff\xff garbage", 13));
	ADDIN_CHECK(gen_run(argv, in, &out, NULL, &err) == 1);
	ADDIN_CHECK_STR(out, "");
	ADDIN_CHECK_CONTAINS(err, "not a CodeGeneratorRequest");
	free(out);
	free(err);
	free(in);
	gen_rmtree(dir);
	free(dir);
}

static void
test_options_refused(void)
{
	char *dir = gen_tmpdir(), *opt, *err = NULL;
	char *argv[6];

	ADDIN_CHECK(asprintf(&opt, "--pipeline_out=fast:%s", dir) > 0);
	argv[0] = gen_arg(GEN_PROTOC);
	argv[1] = gen_arg("--plugin=protoc-gen-pipeline=" GEN_PLUGIN);
	argv[2] = opt;
	argv[3] = gen_arg("-I" GEN_CONTRACTS_DIR);
	argv[4] = gen_arg(GEN_CONTRACTS_DIR "/calculator/v1/calculator.proto");
	argv[5] = NULL;
	ADDIN_CHECK(gen_run(argv, NULL, NULL, NULL, &err) > 0);
	ADDIN_CHECK_CONTAINS(err, "takes no options, got 'fast'");
	free(err);
	free(opt);
	gen_rmtree(dir);
	free(dir);
}

ADDIN_TEST_LIST = {
    {"generated files equal the golden files byte for byte", test_golden},
    {"generating twice gives the same bytes", test_deterministic},
    {"views show no protobuf and carry banner, version check and ids",
     test_views_have_no_protobuf},
    {"generated code uses no private SDK name", test_no_private_names},
    {"the contract hash ignores comments and layout but not the wire",
     test_hash},
    {"a comment ending in a ?\?/ trigraph swallows no generated line",
     test_trigraph_comments},
    {"protoc-gen-pipeline --version prints its version", test_version},
    {"protoc-gen-pipeline --help explains itself on stderr", test_help},
    {"garbage on stdin is an internal error with exit status 1", test_garbage},
    {"plugin options are refused", test_options_refused},
    {NULL, NULL},
};
