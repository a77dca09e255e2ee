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
	const char   *url = NULL;
	unsigned char token[32];
	nng_socket    s;

	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--connect") == 0) {
			url = argv[i + 1];
		}
	}
	// As the real runner does, wait for the token on descriptor 3: the
	// host sends it once it expects our pid, and refuses a dial before.
	for (size_t got = 0; got < sizeof(token);) {
		ssize_t n = read(3, token + got, sizeof(token) - got);
		if (n <= 0) {
			return 1;
		}
		got += (size_t) n;
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
