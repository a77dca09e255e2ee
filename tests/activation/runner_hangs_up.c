// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// runner_hangs_up: a runner that connects to the host, hangs up before its
// handshake and lives on until it is killed -- for the case that such a
// runner is an ESPAWN of addin_process_create and addin_activate.

#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *url = NULL;
	nng_socket  s;

	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--connect") == 0) {
			url = argv[i + 1];
		}
	}
	if (url == NULL || nng_pair1_open(&s) != 0 ||
	    nng_dial(s, url, NULL, 0) != 0) {
		return 1;
	}
	nng_close(s);
	for (;;) {
		pause();
	}
}
