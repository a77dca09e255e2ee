// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// idmap: a map from non-zero uint64 ids to pointers (open addressing, linear
// probing, tombstone-free deletion by backward shift).  Not thread-safe: the
// owner locks.

#ifndef ADDIN_IDMAP_H
#define ADDIN_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

typedef struct addin__idmap {
	uint64_t *keys; // 0 = empty slot
	void    **vals;
	size_t    cap; // power of two, or 0
	size_t    len;
} addin__idmap;

#define ADDIN__IDMAP_INIT        \
	{                        \
		NULL, NULL, 0, 0 \
	}

// addin__idmap_put inserts or replaces @key (non-zero).  ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__idmap_put(addin__idmap *m, uint64_t key,
                                         void *val);
// addin__idmap_get returns the value of @key or NULL.
ADDIN_PRIVATE void *addin__idmap_get(const addin__idmap *m, uint64_t key);
// addin__idmap_del removes @key and returns its value, or NULL.
ADDIN_PRIVATE void *addin__idmap_del(addin__idmap *m, uint64_t key);
// addin__idmap_fini frees the table (not the values).
ADDIN_PRIVATE void addin__idmap_fini(addin__idmap *m);
// addin__idmap_each calls @fn for every entry; @fn must not modify @m.
ADDIN_PRIVATE void
addin__idmap_each(const addin__idmap *m,
                  void (*fn)(uint64_t key, void *val, void *arg), void *arg);

#endif // ADDIN_IDMAP_H
