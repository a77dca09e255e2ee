// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Discovery end to end: pipeline directories made at run time from real
// segment libraries (fixtures.c), broken chains, junk and hostile files;
// discovery never running add-in code; two processes updating one store;
// the deploy helper's layout, deployed at build time and installed.

#define _GNU_SOURCE // setresuid

#include <dlfcn.h>
#include <sys/types.h>
#include <time.h>

#include "addin/host.h"

#include "discovery_util.h"
#include "store_impl.h"

#define VIEW "calc.v1.Calculator"
#define H1   "1111aaaa"

static addin_store *
open_store(void)
{
	addin_store *s;
	ADDIN_PASS(addin_store_create(du_pipe, NULL, &s));
	return s;
}

// The big pipeline: good chains, broken chains, bad records, junk.
static void
build_messy_pipeline(void)
{
	size_t len;
	char  *data;

	du_mkpipe();
	du_calc_chain();
	du_deploy("addin_adapter_v2", "addin-adapters/v2.so");
	du_deploy("addin_v2", "addins/calc2/libcalc2.so");
	du_deploy("addin_mark", "addins/marker/libmarker.so");
	du_deploy("no_record",
	          "addins/calc/libhelper.so");         // beside the add-in
	du_write("addins/calc/data.txt", "data\n", 5); // its own file
	du_write("host-adapters/.hidden.so", "x", 1);  // hidden: ignored

	// Broken chains.
	du_deploy("addin_adapter_missing", "addin-adapters/gone.so");
	du_deploy("addin_gone", "addins/gone/libgone.so");
	du_deploy("host_adapter_stale", "host-adapters/stale.so");
	du_deploy("addin_unknown_view", "addins/stray/libstray.so");
	// Unused, not broken: no warning (an add-in for it may come later;
	// were its view misspelt, the add-in would be the one warned about).
	du_deploy("addin_adapter_unused", "addin-adapters/later.so");

	// Bad records.
	du_deploy("two_records", "addins/two/libtwo.so");
	du_deploy("future_format", "addins/future/libfuture.so");
	du_deploy("no_name", "addins/noname/libnoname.so");
	du_deploy("no_record", "addins/plain/libplain.so");
	du_deploy("host_adapter", "contracts/adapter.so"); // wrong directory

	// Junk.
	du_write("contracts/README.txt", "read me\n", 8);
	du_write("contracts/empty.so", "", 0);
	char text[200];
	memset(text, 't', sizeof(text));
	du_write("contracts/text.so", text, sizeof(text));
	data = du_slurp(du_fixture("contract"), &len);
	du_write("contracts/half.so", data, len / 2);
	free(data);
	ADDIN_CHECK(mkfifo(du_path("contracts/fifo.so"), 0644) == 0);
	ADDIN_CHECK(symlink("loop.so", du_path("contracts/loop.so")) == 0);
	ADDIN_CHECK(symlink("calc.so", du_path("contracts/link.so")) == 0);
	// Links to directories and loops: an add-in folder that is a link
	// (to the pipeline itself, to contracts/), *.so links to directories.
	ADDIN_CHECK(symlink("..", du_path("addins/loop")) == 0);
	ADDIN_CHECK(symlink("../contracts", du_path("addins/cl")) == 0);
	ADDIN_CHECK(symlink("..", du_path("host-adapters/up.so")) == 0);
	ADDIN_CHECK(
	    symlink("../../addins", du_path("addins/calc/addins.so")) == 0);
	du_mkdir("host-adapters/dir.so");
	du_patch_section_size("addin_adapter", "addin-adapters/huge.so",
	                      (uint64_t) 1 << 32);
	du_write("addins/loose.so", "x", 1);
	du_mkdir("addins/emptydir");
	du_deploy("addin_calc", "addins/unsafe/libunsafe.so");
	ADDIN_CHECK(chmod(du_path("addins/unsafe/libunsafe.so"), 0666) == 0);
	du_deploy("addin_calc", "addins/openfolder/libopen.so");
	ADDIN_CHECK(chmod(du_path("addins/openfolder"), 0777) == 0);
	if (geteuid() == 0) {
		du_deploy("addin_calc", "addins/foreign/libforeign.so");
		ADDIN_CHECK(chown(du_path("addins/foreign/libforeign.so"),
		                  65534, 65534) == 0);
	}
}

static const char *const messy_warnings[] = {
    // broken chains: one warning each, on the segment whose link fails
    "addin-adapters/gone.so",
    "contract gone.v1.Gone is not deployed",
    "host-adapters/stale.so",
    "built against contract calc.v1.Calculator hash 3333cccc, but "
    "contracts/calc.so has hash 1111aaaa",
    "addins/stray/libstray.so",
    "no add-in adapter for add-in view nobody.v1.Nothing",
    // bad records
    "addins/two/libtwo.so",
    "2 addin records",
    "addins/future/libfuture.so",
    "format \"2\" is not supported",
    "addins/noname/libnoname.so",
    "addin record has no name",
    "addins/plain/libplain.so",
    "not an add-in: no addin_segment section",
    "contracts/adapter.so",
    "no contract record (the library has: host-adapter)",
    // junk
    "contracts/README.txt",
    "the name does not end in .so",
    "contracts/empty.so",
    "empty file",
    "contracts/text.so",
    "not an ELF file",
    "contracts/half.so",
    "beyond the end of the file (truncated?)",
    "contracts/fifo.so",
    "is a FIFO",
    "contracts/loop.so",
    "is a symbolic link",
    "contracts/link.so",
    "is a symbolic link",
    "addins/loop",
    "is a symbolic link, not a directory",
    "addins/cl",
    "is a symbolic link, not a directory",
    "host-adapters/up.so",
    "is a symbolic link: segments must be regular files",
    "addins/calc/addins.so",
    "is a symbolic link: segments must be regular files",
    "host-adapters/dir.so",
    "is a directory",
    "addin-adapters/huge.so",
    "is 4294967296 bytes, limit 65536",
    "addins/loose.so",
    "is a regular file, not a directory",
    "addins/emptydir",
    "no add-in library (*.so) in this folder",
    "addins/unsafe/libunsafe.so",
    "writable by group or others (mode 0666)",
    "addins/openfolder",
    "writable by group or others (mode 0777)",
    "addins/foreign/libforeign.so",
    "owned by uid 65534",
    NULL,
};

// check_messy_tokens: exactly the three usable add-ins, with their
// metadata.
static void
check_messy_tokens(addin_store *s)
{
	addin_token_list *l;
	addin_token      *t;
	char              desc[128];

	ADDIN_PASS(addin_store_find(s, VIEW, H1, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 3);

	t = addin_token_list_get(l, 0);
	ADDIN_CHECK_STR(addin_token_name(t), "Calc");
	ADDIN_CHECK_STR(addin_token_version(t), "1.2.0");
	ADDIN_CHECK_STR(addin_token_publisher(t), "Acme \"Tools\"");
	snprintf(desc, sizeof(desc), "%s",
	         "Adds.\n\tSubtracts \\ \x01\x1b[31m \xff\xfe caf\xc3\xa9");
	ADDIN_CHECK_STR(addin_token_description(t), desc);
	ADDIN_CHECK_STR(addin_token_location(t),
	                du_path("addins/calc/libcalc.so"));
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_HOST_ADAPTER),
	                du_path("host-adapters/calc.so"));
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_CONTRACT),
	                du_path("contracts/calc.so"));
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER),
	                du_path("addin-adapters/calc.so"));
	ADDIN_CHECK(addin_token_direct_connect_possible(t));
	ADDIN_CHECK_INT(addin_token_chain_count(t), ==, 1);
	ADDIN_CHECK_STR(
	    addin_token_qualification(t, ADDIN_SEGMENT_ADDIN, "culture"),
	    "en");
	ADDIN_CHECK_STR(
	    addin_token_qualification(t, ADDIN_SEGMENT_CONTRACT, "wire"),
	    "protobuf");
	ADDIN_CHECK_INT(addin_token_needs_count(t), ==, 2);
	ADDIN_CHECK_STR(addin_token_needs_at(t, 1), "network");
	ADDIN_CHECK_STR(
	    addin_token_segment_meta(t, ADDIN_SEGMENT_HOST_ADAPTER, "name"),
	    "Calculator host side");

	t = addin_token_list_get(l, 1);
	ADDIN_CHECK_STR(addin_token_name(t), "Calc");
	ADDIN_CHECK_STR(addin_token_version(t), "2.0.0");
	ADDIN_CHECK_STR(addin_token_addin_view_id(t), "calc.v2.Calculator");
	ADDIN_CHECK_STR(addin_token_addin_view_hash(t), "2222bbbb");
	ADDIN_CHECK_STR(addin_token_host_view_id(t), VIEW);
	ADDIN_CHECK_STR(addin_token_contract_id(t), VIEW);
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_ADDIN_ADAPTER),
	                du_path("addin-adapters/v2.so"));
	ADDIN_CHECK(!addin_token_direct_connect_possible(t));

	t = addin_token_list_get(l, 2);
	ADDIN_CHECK_STR(addin_token_name(t), "Marker");
	addin_token_list_destroy(l);
}

static void
test_messy_pipeline(void)
{
	struct addin__store_stats st;
	addin_warnings           *w;
	addin_store              *s;
	const char *const        *expect = messy_warnings;
	const char *no_foreign[sizeof(messy_warnings) / sizeof(char *)];

	if (geteuid() != 0) {
		// Without root there is no foreign owner to make.
		size_t n = 0;
		for (size_t i = 0; messy_warnings[i] != NULL; i += 2) {
			if (strstr(messy_warnings[i], "foreign") == NULL) {
				no_foreign[n++] = messy_warnings[i];
				no_foreign[n++] = messy_warnings[i + 1];
			}
		}
		no_foreign[n] = NULL;
		expect        = no_foreign;
	}
	build_messy_pipeline();
	s = open_store();
	ADDIN_PASS(addin_store_update(s, &w));
	du_warnings_check(w, expect);
	addin_warnings_destroy(w);
	check_messy_tokens(s);
	addin_store_destroy(s);

	// The same again from the cache, in a new store.
	s = open_store();
	ADDIN_PASS(addin_store_update(s, &w));
	addin__store_stats(s, &st);
	ADDIN_CHECK(st.cache_loaded);
	du_warnings_check(w, expect);
	addin_warnings_destroy(w);
	check_messy_tokens(s);
	addin_store_destroy(s);
	du_rmpipe();
}

// test_no_code_runs: discovery of an add-in whose constructor leaves a mark
// leaves none; loading it (the control) does.
static void
test_no_code_runs(void)
{
	char              mark[160];
	addin_store      *s;
	addin_token_list *l;
	addin_token      *t;
	void             *h;

	du_mkpipe();
	du_calc_chain();
	du_deploy("addin_mark", "addins/marker/libmarker.so");
	du_deploy("addin_mark", "contracts/marker.so");
	du_deploy("addin_mark", "addin-adapters/marker.so");
	du_deploy("addin_mark", "host-adapters/marker.so");
	snprintf(mark, sizeof(mark), "%s/mark", du_pipe);
	ADDIN_CHECK(setenv("ADDIN_TEST_MARK", mark, 1) == 0);

	s = open_store();
	ADDIN_PASS(addin_store_update(s, NULL));
	ADDIN_PASS(addin_store_rebuild(s, NULL));
	ADDIN_PASS(addin_store_update(s, NULL));
	ADDIN_PASS(addin_store_find(s, VIEW, NULL, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 2);
	addin_token_list_destroy(l);
	ADDIN_PASS(addin_store_find(s, NULL, NULL, &l));
	addin_token_list_destroy(l);
	ADDIN_PASS(addin_store_find_addin(
	    s, du_path("addins/marker/libmarker.so"), VIEW, NULL, &t));
	ADDIN_CHECK_STR(addin_token_name(t), "Marker");
	addin_token_unref(t);
	addin_store_destroy(s);
#ifdef ADDINCTL
	{
		const char *argv[] = {ADDINCTL, "list", du_pipe, "--rebuild",
		                      NULL};
		ADDIN_CHECK_INT(du_run(argv, NULL, NULL), ==, 0);
	}
#endif
	ADDIN_CHECKF(access(mark, F_OK) != 0, "discovery ran add-in code");

	// The control: loading the add-in does run its constructor.
	h = dlopen(du_path("addins/marker/libmarker.so"), RTLD_NOW);
	ADDIN_CHECKF(h != NULL, "dlopen: %s", dlerror());
	ADDIN_CHECK(access(mark, F_OK) == 0);
	dlclose(h);
	du_rmpipe();
}

static void
test_unreadable(void)
{
	pid_t pid;
	int   status;

	du_mkpipe();
	du_calc_chain();
	du_deploy("contract", "contracts/secret.so");
	du_deploy("addin_calc", "addins/locked/liblocked.so");
	if (geteuid() == 0) {
		ADDIN_CHECK(chmod(du_path("contracts/secret.so"), 0600) == 0);
		ADDIN_CHECK(chmod(du_path("addins/locked"), 0700) == 0);
	} else {
		ADDIN_CHECK(chmod(du_path("contracts/secret.so"), 0200) == 0);
		ADDIN_CHECK(chmod(du_path("addins/locked"), 0300) == 0);
	}
	// Root reads everything: look as another user, in a child so that
	// this process can clean up afterwards.
	pid = fork();
	ADDIN_CHECK(pid >= 0);
	if (pid == 0) {
		addin_store_config       cfg = ADDIN_STORE_CONFIG_INIT;
		addin_store             *s;
		addin_warnings          *w;
		static const char *const expect[] = {
		    "contracts/secret.so",
		    "cannot open: Permission denied",
		    "addins/locked",
		    "cannot open directory: Permission denied",
		    NULL,
		};
		if (geteuid() == 0 && (setresgid(65534, 65534, 65534) != 0 ||
		                       setresuid(65534, 65534, 65534) != 0)) {
			_exit(3);
		}
		cfg.flags = ADDIN_STORE_NO_CACHE; // not ours to write
		ADDIN_PASS(addin_store_create(du_pipe, &cfg, &s));
		ADDIN_PASS(addin_store_update(s, &w));
		du_warnings_check(w, expect);
		addin_warnings_destroy(w);
		addin_store_destroy(s);
		_exit(0);
	}
	ADDIN_CHECK(waitpid(pid, &status, 0) == pid);
	ADDIN_CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	             "unprivileged discovery failed (status %d)", status);
	du_rmpipe();
}

static void
test_find_addin_real(void)
{
	addin_store *s;
	addin_token *t;

	du_mkpipe();
	du_calc_chain();
	du_deploy("addin_unknown_view", "addins/stray/libstray.so");
	s = open_store();
	ADDIN_PASS(addin_store_find_addin(s, du_path("addins/calc/libcalc.so"),
	                                  VIEW, H1, &t));
	ADDIN_CHECK_STR(addin_token_name(t), "Calc");
	ADDIN_CHECK_STR(addin_token_path(t, ADDIN_SEGMENT_CONTRACT),
	                du_path("contracts/calc.so"));
	addin_token_unref(t);
	ADDIN_FAIL(addin_store_find_addin(
	               s, du_path("addins/stray/libstray.so"), VIEW, NULL, &t),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(),
	                     "no add-in adapter for its add-in view");
	ADDIN_FAIL(addin_store_find_addin(s, du_path("contracts/calc.so"),
	                                  VIEW, NULL, &t),
	           ADDIN_ENOTFOUND);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "not an add-in");
	addin_store_destroy(s);
	du_rmpipe();
}

static void
test_concurrent_updaters(void)
{
	struct addin__store_stats st;
	addin_store              *s;
	addin_warnings           *w;
	enum { ADDINS = 40, ITERATIONS = 120 };
	char  rel[64], expected[16], iters[16];
	pid_t pids[3];
	int   status;

	du_mkpipe();
	du_calc_chain();
	for (int i = 0; i < ADDINS; i++) {
		snprintf(rel, sizeof(rel), "addins/a%02d/liba.so", i);
		du_deploy("addin_calc", rel);
	}
	snprintf(expected, sizeof(expected), "%d", ADDINS + 1);
	snprintf(iters, sizeof(iters), "%d", ITERATIONS);
	// Two updaters and one reader that never takes the lock.
	for (int p = 0; p < 3; p++) {
		char  updater[] = UPDATER, ro[] = "read-only";
		char *argv[] = {
		    updater, du_pipe, iters, expected, p == 2 ? ro : NULL,
		    NULL};
		pids[p] = fork();
		ADDIN_CHECK(pids[p] >= 0);
		if (pids[p] == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
	}
	// Meanwhile, keep changing add-ins (atomically, as a deployment
	// would), so that updates keep rewriting the cache.
	srand(7);
	for (int i = 0; i < 200; i++) {
		struct timespec ts = {0, 2 * 1000 * 1000};
		snprintf(rel, sizeof(rel), "addins/a%02d/liba.so",
		         rand() % ADDINS);
		du_deploy("addin_calc", rel);
		nanosleep(&ts, NULL);
	}
	for (int p = 0; p < 3; p++) {
		ADDIN_CHECK(waitpid(pids[p], &status, 0) == pids[p]);
		ADDIN_CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		             "updater %d failed (status %d)", p, status);
	}
	// What they left behind is a valid cache of every segment.
	s = open_store();
	ADDIN_PASS(addin_store_update(s, &w));
	ADDIN_CHECK_INT(addin_warnings_count(w), ==, 0);
	addin_warnings_destroy(w);
	addin__store_stats(s, &st);
	ADDIN_CHECK(st.cache_loaded);
	ADDIN_CHECK_INT(st.cache_entries, ==, ADDINS + 4);
	addin_store_destroy(s);
	du_rmpipe();
}

// check_layout: @dir is a pipeline with the chain of fixtures contract,
// host_adapter, addin_adapter and addin_calc as addin_deploy_pipeline() lays
// it out, with its modes (0755 directories, 0644 files); discovery finds
// the add-in with no warning, and again from the cache it wrote.
static void
check_layout(const char *dir)
{
	char                      p[600];
	struct stat               st;
	struct addin__store_stats stats;
	addin_store              *s;
	addin_warnings           *w;
	addin_token_list         *l;
	static const char *const  dirs[]  = {"",
	                                     "/contracts",
	                                     "/host-adapters",
	                                     "/addin-adapters",
	                                     "/addins",
	                                     "/addins/fx_addin_calc"};
	static const char *const  files[] = {
	     "/contracts/libfx_contract.so",
	     "/host-adapters/libfx_host_adapter.so",
	     "/addin-adapters/libfx_addin_adapter.so",
	     "/addins/fx_addin_calc/libfx_addin_calc.so"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dir, dirs[i]);
		ADDIN_CHECKF(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "%s",
		             p);
		ADDIN_CHECKF((st.st_mode & 07777) == 0755, "%s: mode %04o", p,
		             (unsigned) (st.st_mode & 07777));
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dir, files[i]);
		ADDIN_CHECKF(stat(p, &st) == 0 && S_ISREG(st.st_mode), "%s",
		             p);
		ADDIN_CHECKF((st.st_mode & 07777) == 0644, "%s: mode %04o", p,
		             (unsigned) (st.st_mode & 07777));
	}

	for (int pass = 0; pass < 2; pass++) {
		ADDIN_PASS(addin_store_create(dir, NULL, &s));
		if (pass == 0) {
			ADDIN_PASS(addin_store_rebuild(s, &w));
		} else {
			ADDIN_PASS(addin_store_update(s, &w));
			addin__store_stats(s, &stats);
			ADDIN_CHECK(stats.cache_loaded);
		}
		for (size_t i = 0; i < addin_warnings_count(w); i++) {
			printf("  warning: %s\n", addin_warnings_text(w, i));
		}
		ADDIN_CHECK_INT(addin_warnings_count(w), ==, 0);
		addin_warnings_destroy(w);
		ADDIN_PASS(addin_store_find(s, VIEW, NULL, &l));
		ADDIN_CHECK_INT(addin_token_list_count(l), ==, 1);
		snprintf(p, sizeof(p), "%s%s", addin_store_dir(s), files[3]);
		ADDIN_CHECK_STR(
		    addin_token_location(addin_token_list_get(l, 0)), p);
		addin_token_list_destroy(l);
		addin_store_destroy(s);
	}
}

static void
test_deployed_layout(void)
{
	if (DEPLOYED_DIR[0] == '\0') {
		ADDIN_SKIP("addin_deploy_pipeline() not available");
	}
	check_layout(DEPLOYED_DIR);
}

// run_cmake runs cmake with @args (NULL-terminated, at most 8), its output
// going to cmake.out and cmake.err in the case's directory, and shows that
// output when it fails.
static void
run_cmake(const char *const *args)
{
	const char *argv[10] = {CMAKE_COMMAND};
	char        out[2][160], *text;
	size_t      n = 1, len;
	int         rc;

	for (; args[n - 1] != NULL && n < 9; n++) {
		argv[n] = args[n - 1];
	}
	argv[n] = NULL;
	snprintf(out[0], sizeof(out[0]), "%s/cmake.out", du_pipe);
	snprintf(out[1], sizeof(out[1]), "%s/cmake.err", du_pipe);
	rc = du_run(argv, out[0], out[1]);
	for (int i = 0; i < 2 && rc != 0; i++) {
		text = du_slurp(out[i], &len);
		printf("%s", text);
		free(text);
	}
	ADDIN_CHECKF(rc == 0, "cmake %s ... exited with %d", args[0], rc);
}

// expect_untrusted_parent: discovery of the pipeline @dir gives one warning,
// that the group-writable directory @parent above it may have been changed.
static void
expect_untrusted_parent(const char *dir, const char *parent)
{
	addin_store      *s;
	addin_warnings   *w;
	addin_token_list *l;
	char              want[300];

	snprintf(want, sizeof(want),
	         "%s may have been changed by someone else: writable by "
	         "group or others (mode 0775)",
	         parent);
	ADDIN_PASS(addin_store_create(dir, NULL, &s));
	ADDIN_PASS(addin_store_update(s, &w));
	ADDIN_CHECK_INT(addin_warnings_count(w), ==, 1);
	ADDIN_CHECK_STR(addin_warnings_path(w, 0), dir);
	ADDIN_CHECK_CONTAINS(addin_warnings_message(w, 0), want);
	addin_warnings_destroy(w);
	ADDIN_PASS(addin_store_find(s, VIEW, NULL, &l));
	ADDIN_CHECK_INT(addin_token_list_count(l), ==, 0);
	addin_token_list_destroy(l);
	addin_store_destroy(s);
}

// trust_above makes the directories from @top down to the parent of @dir
// 0755.
static void
trust_above(const char *dir, const char *top)
{
	char p[300];
	snprintf(p, sizeof(p), "%s", dir);
	for (char *slash; (slash = strrchr(p, '/')) != NULL;) {
		*slash = '\0';
		ADDIN_CHECKF(chmod(p, 0755) == 0, "chmod %s", p);
		if (strcmp(p, top) == 0) {
			break;
		}
	}
}

// test_installed_layout (issue 4): `cmake --install` of a pipeline under
// umask 002 gives the modes of a deployed one, and discovery trusts it.
// The project (tests/discovery/install) is configured here, in a fresh
// directory.  The directories the install makes above the pipeline are
// 0775: discovery, like activation, checks every directory from "/"
// (issue 10), so it refuses the pipeline, naming the first of them, until
// they are 0755.
static void
test_installed_layout(void)
{
	char   build[128], prefix[128], pipeline[160], addins[180];
	mode_t old = umask(002);

	snprintf(du_pipe, sizeof(du_pipe), "/tmp/addin-install-XXXXXX");
	ADDIN_CHECK(mkdtemp(du_pipe) != NULL);
	snprintf(build, sizeof(build), "%s/build", du_pipe);
	snprintf(prefix, sizeof(prefix), "%s/prefix", du_pipe);
	snprintf(pipeline, sizeof(pipeline), "%s/lib/bulkhead/pipeline",
	         prefix);
	snprintf(addins, sizeof(addins), "%s/addins", pipeline);
	{
		const char *const configure[] = {
		    "-S",
		    INSTALL_PROJECT,
		    "-B",
		    build,
		    "-DADDIN_PIPELINE_CMAKE=" ADDIN_PIPELINE_CMAKE,
		    "-DFX_DIR=" FX_DIR,
		    NULL};
		const char *const install[] = {"--install", build, "--prefix",
		                               prefix, NULL};
		struct stat       st;
		run_cmake(configure);
		run_cmake(install);
		// The umask was in force: the directories the install made
		// above the pipeline are 0775.
		ADDIN_CHECK(stat(prefix, &st) == 0);
		ADDIN_CHECK_INT(st.st_mode & 07777, ==, 0775);
		expect_untrusted_parent(pipeline, prefix);
		trust_above(pipeline, prefix);
		check_layout(pipeline);
		// Installing again puts right the modes of directories that
		// are already there (an older install made them 0775).
		ADDIN_CHECK(chmod(pipeline, 0775) == 0);
		ADDIN_CHECK(chmod(addins, 0775) == 0);
		run_cmake(install);
		check_layout(pipeline);
	}
	umask(old);
	du_rmpipe();
}

ADDIN_TEST_LIST = {
    {"discovery finds exactly the valid add-ins among broken chains and "
     "junk, one warning per problem",
     test_messy_pipeline},
    {"discovery never runs add-in code, while loading it does",
     test_no_code_runs},
    {"unreadable files and directories are warnings", test_unreadable},
    {"find_addin connects a real add-in library or says why not",
     test_find_addin_real},
    {"processes updating one store at once leave a valid, complete cache",
     test_concurrent_updaters},
    {"the deploy helper lays out a pipeline discovery accepts",
     test_deployed_layout},
    {"a pipeline installed under umask 002 has the deployed modes and is "
     "trusted",
     test_installed_layout},
    {NULL, NULL},
};
