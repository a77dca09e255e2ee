// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// heap_transport: transport messages on the heap, for the tests and fuzz
// tools that encode or decode frames without a socket.  addin_heap_ops
// fills only the message half of addin__transport_ops (core/transport.h):
// addin__frame_encode and addin__frame_decode need no more.  A message is
// addin_heap_msg, so the caller reads its bytes directly; free it with
// addin_heap_ops.msg_free (or free()).

#ifndef ADDIN_HEAP_TRANSPORT_H
#define ADDIN_HEAP_TRANSPORT_H

#include <stdlib.h>

#include "transport.h"

typedef struct {
	size_t  len;
	uint8_t body[];
} addin_heap_msg;

static addin_err
addin_heap_alloc(size_t len, addin__tmsg **ret)
{
	// One byte more than asked, so that an empty message is a real block.
	addin_heap_msg *m = malloc(sizeof(*m) + len + 1);
	if (m == NULL) {
		return ADDIN_ENOMEM;
	}
	m->len = len;
	*ret   = (addin__tmsg *) m;
	return ADDIN_OK;
}

static uint8_t *
addin_heap_body(addin__tmsg *m)
{
	return ((addin_heap_msg *) m)->body;
}

static size_t
addin_heap_len(addin__tmsg *m)
{
	return ((addin_heap_msg *) m)->len;
}

static void
addin_heap_free(addin__tmsg *m)
{
	free(m);
}

static const addin__transport_ops addin_heap_ops = {
    .name      = "heap",
    .msg_alloc = addin_heap_alloc,
    .msg_body  = addin_heap_body,
    .msg_len   = addin_heap_len,
    .msg_free  = addin_heap_free,
};

#endif
