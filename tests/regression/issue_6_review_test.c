// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Regressions found by a review of discovery, the generator and the
// sandbox (issues 4-6): clean-up stopped at 64 levels of a tree an add-in
// built; the sandbox's ipc directory belonged to the sandbox's user (who
// could plant files and symlinks where the host binds and chmods); a
// segment changed after discovery was still loaded into the host; a
// syscall name from the add-in's report reached the host's messages
// unfiltered.

#define _GNU_SOURCE

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "addin_test.h"
#include "calc_host_test.h"
#include "platform/platform.h"
#include "sandbox_host.h"

static void
test_deep_tree_is_removed(void)
{
	char dir[] = "/tmp/bulkhead-deep-XXXXXX";
	int  fd;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < 3000; i++) {
		int next;
		ADDIN_CHECK(mkdirat(fd, "d", 0755) == 0);
		int f = openat(fd, "file", O_CREAT | O_WRONLY, 0644);
		close(f);
		ADDIN_CHECK(symlinkat("/etc/passwd", fd, "link") == 0);
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	close(fd);
	addin__plat_rmtree(dir);
	ADDIN_CHECK(access(dir, F_OK) != 0);
	ADDIN_CHECK(access("/etc/passwd", F_OK) == 0); // links not followed
}

static void
test_ipc_directory_belongs_to_the_host(void)
{
	addin_host  *h;
	addin_token *t =
	    addin_test_find_calc(PIPELINE_DIR, "Basic calculator");
	addin_activation_options o  = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_sandbox_options    sb = ADDIN_SANDBOX_OPTIONS_INIT;
	addin_object            *obj;
	char                     prefix[64];
	int                      found = 0;

	ADDIN_PASS(addin_host_create(NULL, &h));
	o.isolation = ADDIN_ISOLATION_SANDBOXED;
	o.sandbox   = &sb;
	ADDIN_PASS(addin_activate(h, t, &o, &obj));
	snprintf(prefix, sizeof(prefix), "bulkhead-ipc-%d-", getpid());
	DIR           *d = opendir("/tmp");
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char        path[300];
		struct stat st;
		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "/tmp/%s", de->d_name);
		ADDIN_CHECK(lstat(path, &st) == 0);
		ADDIN_CHECK_INT(st.st_uid, ==, geteuid());
		ADDIN_CHECK_INT(st.st_mode & 0777, ==, 0711);
		found++;
	}
	closedir(d);
	ADDIN_CHECK_INT(found, ==, 1);
	addin_object_unref(obj);
	addin_token_unref(t);
	addin_host_destroy(h);
}

static void
test_segment_changed_after_discovery_is_not_loaded(void)
{
	char         dir[] = "/tmp/bulkhead-pipe-XXXXXX", cmd[600], path[400];
	addin_host  *h;
	addin_token *t;
	addin_activation_options o = ADDIN_ACTIVATION_OPTIONS_INIT;
	addin_object            *obj;
	addin_store             *store;
	addin_token_list        *list;

	ADDIN_CHECK(mkdtemp(dir) != NULL);
	ADDIN_CHECK(chmod(dir, 0755) == 0);
	snprintf(cmd, sizeof(cmd), "cp -a %s/. %s/", PIPELINE_DIR, dir);
	ADDIN_CHECK(system(cmd) == 0);
	ADDIN_PASS(addin_store_create(dir, NULL, &store));
	ADDIN_PASS(addin_store_find(store, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	                            NULL, &list));
	t = NULL;
	for (size_t i = 0; i < addin_token_list_count(list); i++) {
		if (strcmp(addin_token_name(addin_token_list_get(list, i)),
		           "Basic calculator") == 0) {
			t = addin_token_ref(addin_token_list_get(list, i));
		}
	}
	addin_token_list_destroy(list);
	addin_store_destroy(store);
	ADDIN_CHECK(t != NULL);
	ADDIN_PASS(addin_host_create(NULL, &h));
	// The host adapter became world-writable after discovery.
	snprintf(path, sizeof(path), "%s",
	         addin_token_path(t, ADDIN_SEGMENT_HOST_ADAPTER));
	ADDIN_CHECK(chmod(path, 0666) == 0);
	o.isolation = ADDIN_ISOLATION_IN_PROCESS;
	ADDIN_FAIL(addin_activate(h, t, &o, &obj), ADDIN_EPERM);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "may have been changed");
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "Basic calculator");
	ADDIN_CHECK(chmod(path, 0644) == 0);
	// The add-in now belongs to someone else.
	snprintf(path, sizeof(path), "%s", addin_token_location(t));
	ADDIN_CHECK(chown(path, 65534, 65534) == 0);
	ADDIN_FAIL(addin_activate(h, t, &o, &obj), ADDIN_EPERM);
	// One trust rule for discovery and activation: one reason text.
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "owned by uid 65534");
	addin_token_unref(t);
	addin_host_destroy(h);
	addin__plat_rmtree(dir);
}

static void
test_reported_syscall_name_is_filtered(void)
{
	addin__sandbox_reports  r;
	addin__sandbox_death_in in;
	addin__sandbox_death    d;

	memset(&r, 0, sizeof(r));
	r.have_sigsys = true;
	r.sigsys.code = 1;
	r.sigsys.nr   = 101;
	snprintf(r.sigsys.text, sizeof(r.sigsys.text), "pt\nrace\x1b[2J");
	memset(&in, 0, sizeof(in));
	in.wait_code   = CLD_KILLED;
	in.wait_status = SIGSYS;
	in.oom_kills   = -1;
	in.cpu_ms      = -1;
	in.cpu_limit_s = ADDIN__SANDBOX_UNLIMITED;
	in.reports     = &r;
	addin__sandbox_classify(&in, &d);
	ADDIN_CHECK_STR(d.syscall, "ptrace2");
	ADDIN_CHECK(strchr(d.message, '\n') == NULL);
	ADDIN_CHECK(strchr(d.message, '\x1b') == NULL);
}

ADDIN_TEST_LIST = {
    {"a tree 3,000 levels deep is removed, links not followed",
     test_deep_tree_is_removed},
    {"the sandbox's ipc directory belongs to the host",
     test_ipc_directory_belongs_to_the_host},
    {"a segment changed after discovery is not loaded",
     test_segment_changed_after_discovery_is_not_loaded},
    {"a syscall name reported by the add-in is filtered",
     test_reported_syscall_name_is_filtered},
    {NULL, NULL},
};
