// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The trust predicate of platform.h (addin__plat_stat_untrusted and the two
// walks that apply it to a path), on directory trees made at run time under
// /tmp: sticky directories, group-writable and foreign directories above a
// file, symbolic links anywhere in a path.  Discovery and activation use
// exactly these functions; tests/discovery/trust_test.c checks both end to
// end with a real pipeline.

#define _GNU_SOURCE // realpath

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "addin_test.h"
#include "platform/platform.h"

static char top[64];

// mktop makes the case's private directory tree root, mode 0755.
static void
mktop(void)
{
	snprintf(top, sizeof(top), "/tmp/addin-trust-XXXXXX");
	ADDIN_CHECK(mkdtemp(top) != NULL);
	ADDIN_CHECK(chmod(top, 0755) == 0);
}

static void
rmtop(void)
{
	addin__plat_rmtree(top);
	top[0] = '\0';
}

// at returns "@top/@rel" in one of four rotating buffers.
static const char *
at(const char *rel)
{
	static char buf[4][256];
	static int  next;
	char       *p = buf[next++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", top, rel);
	return p;
}

static void
mkdir_mode(const char *rel, mode_t mode)
{
	ADDIN_CHECKF(mkdir(at(rel), 0700) == 0, "mkdir %s", at(rel));
	ADDIN_CHECK(chmod(at(rel), mode) == 0);
}

static void
mkfile(const char *rel, mode_t mode)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ADDIN_CHECKF(fd >= 0, "create %s", at(rel));
	ADDIN_CHECK(write(fd, "x", 1) == 1);
	close(fd);
	ADDIN_CHECK(chmod(at(rel), mode) == 0);
}

// expect_refused: @path is refused with ADDIN_EPERM and a message holding
// @text.
static void
expect_refused(const char *path, const char *text)
{
	ADDIN_FAIL(addin__plat_path_trusted(path), ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), text);
}

static struct stat
st_of(uid_t uid, mode_t mode)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_uid  = uid;
	st.st_mode = mode;
	return st;
}

static void
test_rule(void)
{
	char        why[128];
	uid_t       me    = geteuid();
	uid_t       other = me == 65534 ? 65533 : 65534;
	struct stat st;

	st = st_of(me, S_IFREG | 0644);
	ADDIN_CHECK(!addin__plat_stat_untrusted(&st, why, sizeof(why)));
	st = st_of(0, S_IFREG | 0755);
	ADDIN_CHECK(!addin__plat_stat_untrusted(&st, why, sizeof(why)));
	st = st_of(me, S_IFREG | 0664);
	ADDIN_CHECK(addin__plat_stat_untrusted(&st, why, sizeof(why)));
	ADDIN_CHECK_STR(why, "writable by group or others (mode 0664)");
	// The sticky bit excuses directories only.
	st = st_of(me, S_IFREG | 01666);
	ADDIN_CHECK(addin__plat_stat_untrusted(&st, why, sizeof(why)));
	st = st_of(0, S_IFDIR | 01777);
	ADDIN_CHECK(!addin__plat_stat_untrusted(&st, why, sizeof(why)));
	st = st_of(0, S_IFDIR | 0777);
	ADDIN_CHECK(addin__plat_stat_untrusted(&st, why, sizeof(why)));
	ADDIN_CHECK_STR(why, "writable by group or others (mode 0777)");
	st = st_of(me, S_IFDIR | 0775);
	ADDIN_CHECK(addin__plat_stat_untrusted(&st, why, sizeof(why)));
	// The owner comes first, sticky or not.
	st = st_of(other, S_IFDIR | 01777);
	ADDIN_CHECK(addin__plat_stat_untrusted(&st, why, sizeof(why)));
	ADDIN_CHECK_CONTAINS(why, "owned by uid");
	ADDIN_CHECK_CONTAINS(why, "neither the host's user");
}

static void
test_sticky_directory(void)
{
	struct stat st;

	mktop();
	mkdir_mode("open", 01777);
	mkdir_mode("open/mine", 0755);
	mkfile("open/mine/lib.so", 0644);
	mkfile("open/lib.so", 0644);
	ADDIN_PASS(addin__plat_path_trusted(at("open/mine/lib.so")));
	ADDIN_PASS(addin__plat_path_trusted(at("open/lib.so")));
	ADDIN_PASS(addin__plat_dir_trusted(at("open/mine"), &st));
	ADDIN_CHECK(S_ISDIR(st.st_mode));
	ADDIN_PASS(addin__plat_dir_trusted(at("open"), NULL));
	// Without the sticky bit, others could replace what is there.
	ADDIN_CHECK(chmod(at("open"), 0777) == 0);
	expect_refused(at("open/mine/lib.so"),
	               "may have been changed by someone else: writable by "
	               "group or others (mode 0777)");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), at("open"));
	rmtop();
}

static void
test_group_writable_parent(void)
{
	char want[300];

	mktop();
	mkdir_mode("g", 0775);
	mkdir_mode("g/pipe", 0755);
	mkfile("g/pipe/lib.so", 0644);
	snprintf(want, sizeof(want),
	         "%s may have been changed by someone else: writable by group "
	         "or others (mode 0775)",
	         at("g"));
	expect_refused(at("g/pipe/lib.so"), want);
	ADDIN_FAIL(addin__plat_dir_trusted(at("g/pipe"), NULL), ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), want);
	ADDIN_CHECK(chmod(at("g"), 0755) == 0);
	ADDIN_PASS(addin__plat_path_trusted(at("g/pipe/lib.so")));
	// The file itself.
	ADDIN_CHECK(chmod(at("g/pipe/lib.so"), 0666) == 0);
	expect_refused(at("g/pipe/lib.so"), "(mode 0666)");
	rmtop();
}

static void
test_foreign_owner(void)
{
	char want[300];

	if (geteuid() != 0) {
		ADDIN_SKIP("chown to another user needs root");
	}
	mktop();
	mkdir_mode("theirs", 0755);
	mkdir_mode("theirs/pipe", 0755);
	mkfile("theirs/pipe/lib.so", 0644);
	ADDIN_PASS(addin__plat_path_trusted(at("theirs/pipe/lib.so")));
	ADDIN_CHECK(chown(at("theirs"), 65534, 65534) == 0);
	snprintf(want, sizeof(want),
	         "%s may have been changed by someone else: owned by uid "
	         "65534, neither the host's user (uid 0) nor root",
	         at("theirs"));
	expect_refused(at("theirs/pipe/lib.so"), want);
	// A sticky directory of another user is theirs to empty.
	ADDIN_CHECK(chmod(at("theirs"), 01777) == 0);
	expect_refused(at("theirs/pipe/lib.so"), want);
	ADDIN_CHECK(chown(at("theirs"), 0, 0) == 0);
	ADDIN_CHECK(chown(at("theirs/pipe/lib.so"), 65534, 65534) == 0);
	expect_refused(at("theirs/pipe/lib.so"), "owned by uid 65534");
	rmtop();
}

static void
test_symbolic_links(void)
{
	char real[PATH_MAX];

	mktop();
	mkdir_mode("real", 0755);
	mkfile("real/lib.so", 0644);
	ADDIN_CHECK(symlink("real", at("link")) == 0);
	ADDIN_CHECK(symlink("lib.so", at("real/alias.so")) == 0);
	// A link anywhere in the path is refused at check time, pointing
	// where it may: paths are made canonical before they are checked.
	expect_refused(at("link/lib.so"), "is a symbolic link");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), at("link"));
	expect_refused(at("real/alias.so"), "is a symbolic link");
	ADDIN_FAIL(addin__plat_dir_trusted(at("link"), NULL), ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "is a symbolic link");
	// The canonical path of the same file is trusted.
	ADDIN_CHECK(realpath(at("link/lib.so"), real) != NULL);
	ADDIN_CHECK_STR(real, at("real/lib.so"));
	ADDIN_PASS(addin__plat_path_trusted(real));

	// Debian's /bin, /lib are links to usr/: a path through them is
	// refused, its canonical form is not.
	struct stat st;
	if (lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode)) {
		expect_refused("/bin/sh", "/bin is a symbolic link");
		ADDIN_CHECK(realpath("/bin/sh", real) != NULL);
		ADDIN_PASS(addin__plat_path_trusted(real));
	}
	rmtop();
}

static void
test_bad_paths(void)
{
	mktop();
	mkdir_mode("d", 0755);
	mkfile("d/lib.so", 0644);
	ADDIN_CHECK(mkfifo(at("d/fifo.so"), 0644) == 0);
	ADDIN_FAIL(addin__plat_path_trusted("d/lib.so"), ADDIN_EINVAL);
	ADDIN_FAIL(addin__plat_path_trusted(NULL), ADDIN_EINVAL);
	ADDIN_FAIL(addin__plat_path_trusted(at("d/../d/lib.so")),
	           ADDIN_EINVAL);
	ADDIN_FAIL(addin__plat_path_trusted(at("d/./lib.so")), ADDIN_EINVAL);
	ADDIN_FAIL(addin__plat_path_trusted(at("d//lib.so")), ADDIN_EINVAL);
	ADDIN_FAIL(addin__plat_dir_trusted(at("d/"), NULL), ADDIN_EINVAL);
	ADDIN_FAIL(addin__plat_path_trusted(at("d/none.so")), ADDIN_ENOTFOUND);
	ADDIN_FAIL(addin__plat_path_trusted(at("none/lib.so")),
	           ADDIN_ENOTFOUND);
	expect_refused(at("d/fifo.so"), "is not a regular file");
	expect_refused(at("d/lib.so/x"), "is not a directory");
	ADDIN_FAIL(addin__plat_dir_trusted(at("d/lib.so"), NULL), ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "is not a directory");
	expect_refused(at("d"), "is not a regular file");
	ADDIN_PASS(addin__plat_dir_trusted("/", NULL));
	rmtop();
}

ADDIN_TEST_LIST = {
    {"the rule: owner root or ours, not writable by others unless a sticky "
     "directory",
     test_rule},
    {"a file below a sticky world-writable directory is trusted",
     test_sticky_directory},
    {"a group-writable directory above a file is refused, named",
     test_group_writable_parent},
    {"a directory owned by another user is refused, sticky or not",
     test_foreign_owner},
    {"a symbolic link anywhere in the path is refused; the canonical path "
     "is not",
     test_symbolic_links},
    {"relative, non-canonical, missing and non-regular paths are refused",
     test_bad_paths},
    {NULL, NULL},
};
