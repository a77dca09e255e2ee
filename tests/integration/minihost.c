// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// minihost: a host that starts one add-in process, prints its pid and then
// waits to be killed.  The host-death test kills it and watches the add-in
// process go too.

#include <stdio.h>
#include <unistd.h>

#include "proc.h"

int
main(void)
{
	addin__sup_cfg   cfg = {0};
	addin__sup      *sup;
	addin__proc_opts po = {0};
	addin__proc     *p;

	po.name = "orphan-to-be";
	if (addin__sup_create(&cfg, &sup) != ADDIN_OK ||
	    addin__proc_spawn(sup, &po, &p) != ADDIN_OK) {
		fprintf(stderr, "minihost: %s\n", addin_errmsg());
		return 1;
	}
	printf("%d\n", addin__proc_pid(p));
	fflush(stdout);
	for (;;) {
		pause();
	}
}
