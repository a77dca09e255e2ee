// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Unit tests of the sandbox policy: defaults, grants, the encoding and its
// decoder's refusals.

#include "addin_test.h"

#include "sandbox_policy.h"

static void
encode_decode(const addin__sandbox_policy *in, addin__sandbox_policy *out)
{
	char  *buf;
	size_t len;
	ADDIN_PASS(addin__sandbox_policy_encode(in, &buf, &len));
	ADDIN_CHECK_INT(len, ==, strlen(buf));
	ADDIN_PASS(addin__sandbox_policy_decode(buf, len, out));
	addin__free(buf);
}

static addin_err
decode_str(const char *text)
{
	addin__sandbox_policy p;
	addin_err rv = addin__sandbox_policy_decode(text, strlen(text), &p);
	if (rv == ADDIN_OK) {
		addin__sandbox_policy_fini(&p);
	}
	return rv;
}

static void
test_defaults(void)
{
	addin__sandbox_policy n, r, s;
	addin__sandbox_policy_init(&n, ADDIN__SANDBOX_NONE);
	addin__sandbox_policy_init(&r, ADDIN__SANDBOX_RESTRICTED);
	addin__sandbox_policy_init(&s, ADDIN__SANDBOX_STRICT);
	// none: no namespaces, no limits but no core dumps
	ADDIN_CHECK_INT(n.namespaces, ==, 0);
	ADDIN_CHECK(n.limits.memory_bytes == ADDIN__SANDBOX_UNLIMITED);
	ADDIN_CHECK(!n.limits.core_dumps);
	// restricted: every namespace, finite limits, nobody
	ADDIN_CHECK_INT(r.namespaces, ==, ADDIN__NS_ALL);
	ADDIN_CHECK_INT(r.uid, ==, 65534);
	ADDIN_CHECK_INT(r.gid, ==, 65534);
	ADDIN_CHECK(r.limits.memory_bytes < ADDIN__SANDBOX_UNLIMITED);
	ADDIN_CHECK(r.limits.processes < ADDIN__SANDBOX_UNLIMITED);
	ADDIN_CHECK(r.limits.open_files < ADDIN__SANDBOX_UNLIMITED);
	ADDIN_CHECK(r.limits.cpu_seconds < ADDIN__SANDBOX_UNLIMITED);
	ADDIN_CHECK(!r.network);
	// strict is tighter than restricted in every limit
	ADDIN_CHECK(s.limits.memory_bytes < r.limits.memory_bytes);
	ADDIN_CHECK(s.limits.processes < r.limits.processes);
	ADDIN_CHECK(s.limits.open_files < r.limits.open_files);
	ADDIN_CHECK(s.limits.cpu_seconds < r.limits.cpu_seconds);
	ADDIN_CHECK(s.limits.file_size < r.limits.file_size);
}

static void
test_level_names(void)
{
	ADDIN_CHECK_STR(addin__sandbox_level_name(ADDIN__SANDBOX_STRICT),
	                "strict");
	ADDIN_CHECK_STR(addin__sandbox_level_name(ADDIN__SANDBOX_RESTRICTED),
	                "restricted");
	ADDIN_CHECK_STR(addin__sandbox_level_name(ADDIN__SANDBOX_NONE),
	                "none");
	ADDIN_CHECK_STR(addin__sandbox_level_name((addin__sandbox_level) 99),
	                "unknown");
	ADDIN_CHECK_STR(addin__sandbox_ns_name(ADDIN__NS_MNT), "mnt");
	ADDIN_CHECK_STR(addin__sandbox_ns_name(ADDIN__NS_PID | ADDIN__NS_NET),
	                "?");
}

static void
test_round_trip(void)
{
	addin__sandbox_policy p, q;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_STRICT);
	p.namespaces          = ADDIN__NS_PID | ADDIN__NS_MNT | ADDIN__NS_USER;
	p.uid                 = 1234;
	p.gid                 = 4321;
	p.network             = true;
	p.cgroup_memory       = true;
	p.limits.core_dumps   = true;
	p.limits.cpu_percent  = ADDIN__SANDBOX_UNLIMITED;
	p.limits.file_size    = 0;
	p.limits.memory_bytes = UINT64_MAX - 1;
	ADDIN_PASS(addin__sandbox_policy_set_scratch(&p, "/var/tmp/s c/"));
	ADDIN_PASS(addin__sandbox_policy_set_ipc(&p, "/run/bulkhead/7"));
	ADDIN_PASS(addin__sandbox_policy_add_read(&p, "/opt/addins/calc"));
	ADDIN_PASS(addin__sandbox_policy_add_read(&p, "/"));
	ADDIN_PASS(addin__sandbox_policy_add_need(&p, "/usr/local/lib/x=y"));
	encode_decode(&p, &q);
	ADDIN_CHECK_INT(q.level, ==, ADDIN__SANDBOX_STRICT);
	ADDIN_CHECK_INT(q.namespaces, ==, p.namespaces);
	ADDIN_CHECK_INT(q.uid, ==, 1234);
	ADDIN_CHECK_INT(q.gid, ==, 4321);
	ADDIN_CHECK(q.network);
	ADDIN_CHECK(q.cgroup_memory && !q.cgroup_pids);
	ADDIN_CHECK(q.limits.core_dumps);
	ADDIN_CHECK(q.limits.cpu_percent == ADDIN__SANDBOX_UNLIMITED);
	ADDIN_CHECK(q.limits.file_size == 0);
	ADDIN_CHECK(q.limits.memory_bytes == UINT64_MAX - 1);
	ADDIN_CHECK(q.limits.open_files == p.limits.open_files);
	ADDIN_CHECK_STR(q.scratch, "/var/tmp/s c"); // trailing slash gone
	ADDIN_CHECK_STR(q.ipc, "/run/bulkhead/7");
	ADDIN_CHECK_INT(q.n_read, ==, 2);
	ADDIN_CHECK_STR(q.read[0], "/opt/addins/calc");
	ADDIN_CHECK_STR(q.read[1], "/");
	ADDIN_CHECK_INT(q.n_need, ==, 1);
	ADDIN_CHECK_STR(q.need[0], "/usr/local/lib/x=y");
	addin__sandbox_policy_fini(&p);
	addin__sandbox_policy_fini(&q);
	ADDIN_CHECK(p.scratch == NULL && p.n_read == 0);
}

static void
test_bad_paths(void)
{
	static const char *const bad[] = {"relative", "",      "/a/../b",
	                                  "/a/./b",   "/a//b", "/a/..",
	                                  "/a\nb",    "/.",    NULL};
	addin__sandbox_policy    p;
	char                     big[ADDIN__SANDBOX_PATH_MAX + 8];

	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	for (int i = 0; bad[i] != NULL; i++) {
		ADDIN_FAIL(addin__sandbox_policy_add_read(&p, bad[i]),
		           ADDIN_EINVAL);
	}
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "absolute and canonical");
	memset(big, 'a', sizeof(big) - 1);
	big[0]               = '/';
	big[sizeof(big) - 1] = '\0';
	ADDIN_FAIL(addin__sandbox_policy_set_scratch(&p, big), ADDIN_EINVAL);
	// ".." as part of a name is fine
	ADDIN_PASS(addin__sandbox_policy_add_read(&p, "/a/..b/c.."));
	for (int i = 1; i < ADDIN__SANDBOX_MAX_PATHS; i++) {
		ADDIN_PASS(addin__sandbox_policy_add_read(&p, "/x"));
	}
	ADDIN_FAIL(addin__sandbox_policy_add_read(&p, "/y"), ADDIN_ELIMIT);
	addin__sandbox_policy_fini(&p);
}

#define HDR "bulkhead-sandbox 1\n"

static void
test_decoder_rejects_garbage(void)
{
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
	    {"", "not a bulkhead"},
	    {"hello\n", "not a bulkhead"},
	    {"bulkhead-sandbox x\nlevel=none\nend\n", "bad header"},
	    {HDR "level=none\n", "missing \"end\""},
	    {HDR "level=none\nend", "not terminated"},
	    {HDR "level=none\nend\nmore\n", "after \"end\""},
	    {HDR "end\n", "no level"},
	    {HDR "level=none\nlevel=strict\nend\n", "repeated key"},
	    {HDR "level=godmode\nend\n", "unknown level"},
	    {HDR "level=none\ncolour=blue\nend\n", "unknown key"},
	    {HDR "level=none\nnovalue\nend\n", "key=value"},
	    {HDR "level=none\nmemory=-1\nend\n", "bad number"},
	    {HDR "level=none\nmemory=12k\nend\n", "bad number"},
	    {HDR "level=none\nmemory=\nend\n", "bad number"},
	    {HDR "level=none\nmemory=007\nend\n", "bad number"},
	    {HDR "level=none\nmemory=18446744073709551616\nend\n",
	     "bad number"},
	    {HDR "level=none\nuid=4294967295\nend\n", "out of range"},
	    {HDR "level=none\ncore=2\nend\n", "0 or 1"},
	    {HDR "level=none\nns=pid,bogus\nend\n", "namespace"},
	    {HDR "level=none\nns=pid,pid\nend\n", "namespace"},
	    {HDR "level=none\nns=pid,\nend\n", "namespace"},
	    {HDR "level=none\nscratch=tmp\nend\n", "bad path"},
	    {HDR "level=none\nread=/a/../etc\nend\n", "bad path"},
	    {NULL, NULL},
	};
	for (int i = 0; cases[i].text != NULL; i++) {
		addin_err rv = decode_str(cases[i].text);
		ADDIN_CHECKF(rv == ADDIN_ECORRUPT, "case %d: %s", i,
		             addin_err_name(rv));
		ADDIN_CHECKF(strstr(addin_errmsg(), cases[i].why) != NULL,
		             "case %d: \"%s\" lacks \"%s\"", i, addin_errmsg(),
		             cases[i].why);
	}
	ADDIN_FAIL(decode_str("bulkhead-sandbox 2\nlevel=none\nend\n"),
	           ADDIN_EVERSION);
	// An embedded NUL.
	{
		static const char nul[] = HDR "level=none\nread=/a\0b\nend\n";
		addin__sandbox_policy p;
		ADDIN_FAIL(
		    addin__sandbox_policy_decode(nul, sizeof(nul) - 1, &p),
		    ADDIN_ECORRUPT);
	}
	// Too many paths.
	{
		char  *buf = malloc(8192);
		size_t k   = (size_t) snprintf(buf, 8192, HDR "level=none\n");
		for (int i = 0; i <= ADDIN__SANDBOX_MAX_PATHS; i++) {
			k += (size_t) snprintf(buf + k, 8192 - k,
			                       "read=/r%d\n", i);
		}
		snprintf(buf + k, 8192 - k, "end\n");
		ADDIN_FAIL(decode_str(buf), ADDIN_ECORRUPT);
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "too many paths");
		free(buf);
	}
	// Over the size bound, even if well-formed.
	{
		size_t                len = ADDIN__SANDBOX_POLICY_MAX + 1;
		char                 *buf = malloc(len);
		addin__sandbox_policy p;
		memset(buf, '\n', len);
		memcpy(buf, HDR, strlen(HDR));
		ADDIN_FAIL(addin__sandbox_policy_decode(buf, len, &p),
		           ADDIN_ECORRUPT);
		free(buf);
	}
	// Every prefix of a valid encoding is refused, none crashes.
	{
		addin__sandbox_policy p;
		char                 *buf;
		size_t                len;
		addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
		ADDIN_PASS(addin__sandbox_policy_add_read(&p, "/opt/a"));
		ADDIN_PASS(addin__sandbox_policy_encode(&p, &buf, &len));
		for (size_t i = 0; i < len; i++) {
			addin__sandbox_policy q;
			ADDIN_CHECK(addin__sandbox_policy_decode(buf, i, &q) !=
			            ADDIN_OK);
		}
		addin__free(buf);
		addin__sandbox_policy_fini(&p);
	}
}

static void
test_needs(void)
{
	addin__sandbox_policy p;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_PASS(addin__sandbox_policy_grant_need(&p, "read-own-dir",
	                                            "/opt/addins/calc", NULL));
	ADDIN_PASS(addin__sandbox_policy_grant_need(
	    &p, "read:/usr/share/zoneinfo", NULL, NULL));
	ADDIN_PASS(
	    addin__sandbox_policy_grant_need(&p, "network", NULL, NULL));
	ADDIN_PASS(addin__sandbox_policy_grant_need(
	    &p, "scratch", NULL, "/var/tmp/bulkhead/calc-1"));
	ADDIN_CHECK_INT(p.n_read, ==, 2);
	ADDIN_CHECK_STR(p.read[0], "/opt/addins/calc");
	ADDIN_CHECK_STR(p.read[1], "/usr/share/zoneinfo");
	ADDIN_CHECK(p.network);
	ADDIN_CHECK_STR(p.scratch, "/var/tmp/bulkhead/calc-1");
	ADDIN_FAIL(addin__sandbox_policy_grant_need(&p, "root", NULL, NULL),
	           ADDIN_EINVAL);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "\"root\"");
	ADDIN_FAIL(addin__sandbox_policy_grant_need(&p, "scratch", NULL, NULL),
	           ADDIN_EINVAL);
	ADDIN_FAIL(
	    addin__sandbox_policy_grant_need(&p, "read:../etc", NULL, NULL),
	    ADDIN_EINVAL);
	addin__sandbox_policy_fini(&p);
}

ADDIN_TEST_LIST = {
    {"policy defaults: none is open, strict is tighter than restricted",
     test_defaults},
    {"levels and namespaces have names", test_level_names},
    {"policy survives encode and decode", test_round_trip},
    {"grants refuse relative and non-canonical paths", test_bad_paths},
    {"policy decoder rejects garbage with a message naming the line",
     test_decoder_rejects_garbage},
    {"declared needs become grants once the host agrees", test_needs},
    {NULL, NULL},
};
