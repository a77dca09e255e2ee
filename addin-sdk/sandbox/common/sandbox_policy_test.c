// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Unit tests of the sandbox policy: defaults, grants, the encoding and its
// decoder's refusals.

#include "addin_test.h"

#include "policy.pb-c.h"
#include "sandbox_policy.h"

static void
encode_decode(const addin__sandbox_policy *in, addin__sandbox_policy *out)
{
	uint8_t *buf;
	size_t   len;
	ADDIN_PASS(addin__sandbox_policy_encode(in, &buf, &len));
	ADDIN_CHECK_INT(len, <=, ADDIN__SANDBOX_POLICY_MAX);
	ADDIN_PASS(addin__sandbox_policy_decode(buf, len, out));
	addin__free(buf);
}

static addin_err
decode(const uint8_t *buf, size_t len)
{
	addin__sandbox_policy p;
	addin_err             rv = addin__sandbox_policy_decode(buf, len, &p);
	if (rv == ADDIN_OK) {
		addin__sandbox_policy_fini(&p);
	}
	return rv;
}

// A policy as the host writes it: restricted, one read grant, an ipc dir.
typedef struct bytes {
	uint8_t b[8192];
	size_t  len;
} bytes;

static bytes
host_policy(void)
{
	addin__sandbox_policy p;
	uint8_t              *buf;
	bytes                 out;
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_RESTRICTED);
	ADDIN_PASS(addin__sandbox_policy_add_read(&p, "/opt/a"));
	ADDIN_PASS(addin__sandbox_policy_set_ipc(&p, "/tmp/ipc"));
	ADDIN_PASS(addin__sandbox_policy_encode(&p, &buf, &out.len));
	ADDIN_CHECK(out.len <= sizeof(out.b));
	memcpy(out.b, buf, out.len);
	addin__free(buf);
	addin__sandbox_policy_fini(&p);
	return out;
}

// The host's policy as a message, to change one field and pack again.
static Addin__Sandbox__V1__Policy *
host_message(void)
{
	bytes                       b = host_policy();
	Addin__Sandbox__V1__Policy *m =
	    addin__sandbox__v1__policy__unpack(NULL, b.len, b.b);
	ADDIN_CHECK(m != NULL);
	return m;
}

// pack_keep packs @m.
static bytes
pack_keep(const Addin__Sandbox__V1__Policy *m)
{
	bytes out;
	out.len = addin__sandbox__v1__policy__get_packed_size(m);
	ADDIN_CHECK(out.len <= sizeof(out.b));
	addin__sandbox__v1__policy__pack(m, out.b);
	return out;
}

// pack_free packs @m and frees it (as host_message made it).
static bytes
pack_free(Addin__Sandbox__V1__Policy *m)
{
	bytes out = pack_keep(m);
	addin__sandbox__v1__policy__free_unpacked(m, NULL);
	return out;
}

// bytes_splice replaces @n bytes at @at of @b with @len bytes of @with.
static bytes
bytes_splice(bytes b, size_t at, size_t n, const char *with, size_t len)
{
	bytes out;
	ADDIN_CHECK(at + n <= b.len && b.len - n + len <= sizeof(out.b));
	memcpy(out.b, b.b, at);
	memcpy(out.b + at, with, len);
	memcpy(out.b + at + len, b.b + at + n, b.len - at - n);
	out.len = b.len - n + len;
	return out;
}

// find returns where @len bytes of @what start in @b.
static size_t
find(bytes b, const char *what, size_t len)
{
	for (size_t i = 0; i + len <= b.len; i++) {
		if (memcmp(b.b + i, what, len) == 0) {
			return i;
		}
	}
	ADDIN_CHECKF(false, "pattern not in the encoding");
	return 0;
}

// EXPECT_CORRUPT: decoding the bytes @in fails with ADDIN_ECORRUPT and a
// message holding @why.
#define EXPECT_CORRUPT(in, why)                                           \
	do {                                                              \
		bytes     in_ = (in);                                     \
		addin_err rv_ = decode(in_.b, in_.len);                   \
		ADDIN_CHECKF(rv_ == ADDIN_ECORRUPT, "%s: %s", why,        \
		             addin_err_name(rv_));                        \
		ADDIN_CHECKF(strstr(addin_errmsg(), why) != NULL,         \
		             "\"%s\" lacks \"%s\"", addin_errmsg(), why); \
	} while (0)

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

static void
test_decoder_rejects_garbage(void)
{
	Addin__Sandbox__V1__Policy *m;
	bytes                       b, good = host_policy();

	ADDIN_PASS(decode(good.b, good.len)); // the control
	// Not a policy at all.
	b.len = 0;
	EXPECT_CORRUPT(b, "no format version");
	memcpy(b.b, "hello\n", 6);
	b.len = 6;
	EXPECT_CORRUPT(b, "does not decode");
	// An 11-byte varint (the text format's "18446744073709551616").
	EXPECT_CORRUPT(bytes_splice(good, 0, 0,
	                            "\x08\xff\xff\xff\xff\xff\xff\xff"
	                            "\xff\xff\xff\x01",
	                            12),
	               "does not decode");
	// A number where a string belongs (field 10, scratch, as a varint).
	EXPECT_CORRUPT(bytes_splice(good, good.len, 0, "\x50\x01", 2),
	               "does not decode");
	// Another format version.
	m          = host_message();
	m->version = ADDIN__SANDBOX_POLICY_VERSION + 1;
	b          = pack_free(m);
	ADDIN_FAIL(decode(b.b, b.len), ADDIN_EVERSION);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "format version");
	m              = host_message();
	m->has_version = false;
	EXPECT_CORRUPT(pack_free(m), "no format version");
	// Cut short: no end mark, or a false one ("missing end").
	m          = host_message();
	m->has_end = false;
	EXPECT_CORRUPT(pack_free(m), "cut short");
	m      = host_message();
	m->end = false;
	EXPECT_CORRUPT(pack_free(m), "cut short");
	// Data after the end mark; a field given twice ("repeated key"): at
	// the end, and at the front, where protobuf-c would keep the last.
	EXPECT_CORRUPT(bytes_splice(good, good.len, 0, "\x10\x02", 2),
	               "one encoding");
	EXPECT_CORRUPT(bytes_splice(good, 0, 0, "\x10\x02", 2),
	               "one encoding");
	// Fields out of order (the end mark first).
	EXPECT_CORRUPT(bytes_splice(bytes_splice(good, good.len - 2, 2, "", 0),
	                            0, 0, "\x78\x01", 2),
	               "one encoding");
	// A padded number ("007"): version 2 as 0x82 0x00.
	EXPECT_CORRUPT(bytes_splice(good, 0, 2, "\x08\x82\x00", 3),
	               "one encoding");
	// A flag that is neither 0 nor 1 (network, field 7).
	EXPECT_CORRUPT(
	    bytes_splice(good, find(good, "\x38\x00", 2), 2, "\x38\x02", 2),
	    "one encoding");
	// A field this runner does not know (99), after the end or before.
	EXPECT_CORRUPT(bytes_splice(good, good.len, 0, "\x98\x06\x01", 3),
	               "unknown field");
	EXPECT_CORRUPT(bytes_splice(good, good.len - 2, 0, "\x98\x06\x01", 3),
	               "unknown field");
	// No level, level 0, an unknown level.
	m            = host_message();
	m->has_level = false;
	EXPECT_CORRUPT(pack_free(m), "no level");
	m        = host_message();
	m->level = ADDIN__SANDBOX__V1__LEVEL__LEVEL_UNSET;
	EXPECT_CORRUPT(pack_free(m), "unknown level");
	m        = host_message();
	m->level = (Addin__Sandbox__V1__Level) 99;
	EXPECT_CORRUPT(pack_free(m), "unknown level");
	// Namespaces: missing, or a bit nobody knows.
	m                 = host_message();
	m->has_namespaces = false;
	EXPECT_CORRUPT(pack_free(m), "namespace");
	m             = host_message();
	m->namespaces = ADDIN__NS_ALL + 1;
	EXPECT_CORRUPT(pack_free(m), "namespace");
	// Ids: missing, or (uid_t) -1, which setresuid reads as "unchanged".
	m      = host_message();
	m->uid = UINT32_MAX;
	EXPECT_CORRUPT(pack_free(m), "out of range");
	m          = host_message();
	m->has_gid = false;
	EXPECT_CORRUPT(pack_free(m), "uid or gid");
	m              = host_message();
	m->has_network = false;
	EXPECT_CORRUPT(pack_free(m), "network");
	// Limits: missing, or one of them missing.
	m = host_message();
	addin__sandbox__v1__limits__free_unpacked(m->limits, NULL);
	m->limits = NULL;
	EXPECT_CORRUPT(pack_free(m), "no limits");
	m                          = host_message();
	m->limits->has_cpu_percent = false;
	EXPECT_CORRUPT(pack_free(m), "limit is missing");
	// Paths: relative, with "..", with a NUL inside, too many.  (The
	// message's own strings are put back before it is freed.)
	{
		static char  rel[] = "tmp", dotdot[] = "/a/../etc";
		static char *reads[ADDIN__SANDBOX_MAX_PATHS + 1];
		static char  names[ADDIN__SANDBOX_MAX_PATHS + 1][8];
		char        *saved, **saved_list;
		size_t       saved_n;

		m          = host_message();
		saved      = m->scratch;
		m->scratch = rel;
		b          = pack_keep(m);
		m->scratch = saved;
		addin__sandbox__v1__policy__free_unpacked(m, NULL);
		EXPECT_CORRUPT(b, "bad path");
		m          = host_message();
		saved      = m->read[0];
		m->read[0] = dotdot;
		b          = pack_keep(m);
		m->read[0] = saved;
		addin__sandbox__v1__policy__free_unpacked(m, NULL);
		EXPECT_CORRUPT(b, "bad path");
		// protobuf-c hands over a string cut at the NUL: shorter than
		// what was sent.
		b = bytes_splice(good, find(good, "/opt/a", 6), 6, "/o\0t/a",
		                 6);
		EXPECT_CORRUPT(b, "one encoding");
		for (int i = 0; i <= ADDIN__SANDBOX_MAX_PATHS; i++) {
			snprintf(names[i], sizeof(names[i]), "/r%d", i);
			reads[i] = names[i];
		}
		m          = host_message();
		saved_list = m->read;
		saved_n    = m->n_read;
		m->read    = reads;
		m->n_read  = ADDIN__SANDBOX_MAX_PATHS + 1;
		b          = pack_keep(m);
		m->read    = saved_list;
		m->n_read  = saved_n;
		addin__sandbox__v1__policy__free_unpacked(m, NULL);
		EXPECT_CORRUPT(b, "too many paths");
	}
	// Over the size bound, even if well-formed.
	{
		size_t   len = ADDIN__SANDBOX_POLICY_MAX + 1;
		uint8_t *big = calloc(1, len);
		ADDIN_CHECK(big != NULL);
		memcpy(big, good.b, good.len);
		ADDIN_FAIL(decode(big, len), ADDIN_ECORRUPT);
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "more than");
		free(big);
	}
	// Every prefix of a valid encoding is refused, none crashes.
	for (size_t i = 0; i < good.len; i++) {
		ADDIN_CHECKF(decode(good.b, i) != ADDIN_OK, "prefix of %zu",
		             i);
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

static void
test_level_zero_is_no_level(void)
{
	addin__sandbox_policy p;
	uint8_t              *buf;
	size_t                len;

	// 0 is no level (issue 10): not "none", which is 3 ...
	ADDIN_CHECK_INT(ADDIN__SANDBOX_NONE, !=, 0);
	ADDIN_CHECK(!addin__sandbox_level_known((addin__sandbox_level) 0));
	ADDIN_CHECK(!addin__sandbox_level_known((addin__sandbox_level) 4));
	ADDIN_CHECK(addin__sandbox_level_known(ADDIN__SANDBOX_NONE));
	ADDIN_CHECK_STR(addin__sandbox_level_name((addin__sandbox_level) 0),
	                "unknown");
	// ... its defaults are restricted's, not none's ...
	addin__sandbox_policy_init(&p, (addin__sandbox_level) 0);
	ADDIN_CHECK_INT(p.namespaces, ==, ADDIN__NS_ALL);
	ADDIN_CHECK(p.limits.memory_bytes < ADDIN__SANDBOX_UNLIMITED);
	// ... and the runner refuses a policy that carries it.
	ADDIN_PASS(addin__sandbox_policy_encode(&p, &buf, &len));
	ADDIN_FAIL(decode(buf, len), ADDIN_ECORRUPT);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "unknown level 0");
	addin__free(buf);
	addin__sandbox_policy_fini(&p);
}

ADDIN_TEST_LIST = {
    {"policy defaults: none is open, strict is tighter than restricted",
     test_defaults},
    {"levels and namespaces have names", test_level_names},
    {"policy survives encode and decode", test_round_trip},
    {"grants refuse relative and non-canonical paths", test_bad_paths},
    {"policy decoder rejects garbage with a message naming the defect",
     test_decoder_rejects_garbage},
    {"declared needs become grants once the host agrees", test_needs},
    {"level 0 is no level: restricted defaults, refused by the runner",
     test_level_zero_is_no_level},
    {NULL, NULL},
};
