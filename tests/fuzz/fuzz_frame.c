// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// fuzz_frame: one frame from a peer, as the channel's receive path takes it.
//
// The input is the body of one transport message.  It goes through
// addin__frame_decode, as in the channel's on_recv, then through what the
// channel does with a frame of that kind:
//
//   CALL      serve(): the exported object's service (fuzz_call_service),
//             the method index checked against it, the request unpacked
//             with addin__unpack_untrusted and the method's input type;
//   RETURN    addin__channel_call_wait(): the pending call's method
//             (fuzz_return_service), the reply unpacked with its output
//             type;
//   FAULT     the code checked with addin__err_known, the message read;
//   HELLO,
//   HELLO_ACK the token compared as hello_task does (the rest of a Hello
//             is integers).
//
// Then it checks what the channel relies on: the payload lies inside the
// frame, and what was accepted is accepted again after re-encoding it with
// the channel's encoder (addin__frame_encode) -- a message our side decoded
// must never be one our side cannot send.  Every allocation is freed: the
// seam's live count is back where it was after each input, and
// LeakSanitizer stays on.

#include <string.h>

#include "frame.h"
#include "fuzz.h"
#include "heap_transport.h"

// Unpacks @len bytes at @p as @desc the way the channel does; NULL when
// refused (then *why is set, as the channel's fault message needs).
static ProtobufCMessage *
unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *p, size_t len)
{
	ProtobufCMessage *m   = NULL;
	const char       *why = NULL;

	if (addin__unpack_untrusted(desc, len, p, &m, &why) != ADDIN_OK) {
		FUZZ_CHECK(m == NULL && why != NULL && why[0] != '\0');
		return NULL;
	}
	FUZZ_CHECK(m != NULL && m->descriptor == desc);
	return m;
}

// The frame re-encoded: @hdr with @payload (NULL: none) must decode to the
// same header fields, and the payload to a message that packs to the same
// bytes again.
static void
check_reencode(const addin__hdr *hdr, const ProtobufCMessage *payload)
{
	addin__tmsg   *msg;
	addin__hdr    *again;
	const uint8_t *p;
	size_t         plen;

	FUZZ_CHECK(addin__frame_encode(&addin_heap_ops, hdr, payload, SIZE_MAX,
	                               &msg) == ADDIN_OK);
	FUZZ_CHECK(addin__frame_parse(addin_heap_body(msg),
	                              addin_heap_len(msg), &again, &p,
	                              &plen) == ADDIN_OK);
	FUZZ_CHECK(again->kind == hdr->kind);
	FUZZ_CHECK(again->call_id == hdr->call_id);
	FUZZ_CHECK(again->object_id == hdr->object_id);
	FUZZ_CHECK(again->method == hdr->method);
	FUZZ_CHECK(again->nested_in == hdr->nested_in);
	FUZZ_CHECK(again->fault_code == hdr->fault_code);
	FUZZ_CHECK((again->hello == NULL) == (hdr->hello == NULL));
	if (payload != NULL) {
		size_t n = protobuf_c_message_get_packed_size(payload);
		ProtobufCMessage *m = unpack(payload->descriptor, p, plen);
		FUZZ_CHECK(plen == n && m != NULL);
		uint8_t *bytes = addin__alloc(n + 1);
		FUZZ_CHECK(bytes != NULL);
		FUZZ_CHECK(protobuf_c_message_pack(m, bytes) == n);
		FUZZ_CHECK(memcmp(bytes, p, n) == 0);
		addin__free(bytes);
		protobuf_c_message_free_unpacked(m, &addin__pb_allocator);
	} else {
		FUZZ_CHECK(plen == 0);
	}
	addin__hdr_free(again);
	addin_heap_free(msg);
}

// serve(): an incoming CALL.
static void
on_call(const addin__hdr *hdr, const uint8_t *payload, size_t len)
{
	const ProtobufCServiceDescriptor *d =
	    fuzz_call_service(hdr->object_id);
	ProtobufCMessage *req;

	if (hdr->method >= d->n_methods) {
		return; // faulted: "has no method"
	}
	req = unpack(d->methods[hdr->method].input, payload, len);
	if (req != NULL) {
		check_reencode(hdr, req);
		protobuf_c_message_free_unpacked(req, &addin__pb_allocator);
	}
}

// addin__channel_call_wait(): the RETURN of a pending call.
static void
on_return(const addin__hdr *hdr, const uint8_t *payload, size_t len)
{
	unsigned                          m;
	const ProtobufCServiceDescriptor *d =
	    fuzz_return_service(hdr->call_id, &m);
	ProtobufCMessage *reply = unpack(d->methods[m].output, payload, len);

	if (reply != NULL) {
		check_reencode(hdr, reply);
		protobuf_c_message_free_unpacked(reply, &addin__pb_allocator);
	}
}

// Keeps the reads below from being optimised away.
static volatile unsigned sink;

// hello_task's token comparison (constant time: every byte is read).
static void
on_hello(const addin__hdr *hdr)
{
	static const uint8_t          token[32] = {1, 2, 3, 4, 5, 6, 7, 8};
	const Addin__Wire__V1__Hello *h         = hdr->hello;
	size_t                        n    = h->has_token ? h->token.len : 0;
	uint8_t                       diff = (uint8_t) (n != sizeof(token));

	FUZZ_CHECK(n == 0 || h->token.data != NULL);
	for (size_t i = 0; i < n && i < sizeof(token); i++) {
		diff |= token[i] ^ h->token.data[i];
	}
	sink += diff;
	check_reencode(hdr, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t      live = addin__alloc_live();
	addin__tmsg *msg;
	addin__frame f;
	addin__hdr  *hdr;

	// What the transport hands on_recv: a message it owns.
	FUZZ_CHECK(addin_heap_alloc(size, &msg) == ADDIN_OK);
	if (size > 0) {
		memcpy(addin_heap_body(msg), data, size);
	}
	if (addin__frame_decode(&addin_heap_ops, msg, &f) != ADDIN_OK) {
		// The message was freed.
		FUZZ_CHECK(addin__alloc_live() == live);
		return 0;
	}
	hdr = f.hdr;
	FUZZ_CHECK(hdr != NULL && hdr->has_kind && f.msg == msg);
	FUZZ_CHECK(f.payload >= addin_heap_body(msg) &&
	           f.payload_len <= size &&
	           f.payload + f.payload_len == addin_heap_body(msg) + size);
	switch (hdr->kind) {
	case ADDIN__WIRE__V1__KIND__CALL:
		on_call(hdr, f.payload, f.payload_len);
		break;
	case ADDIN__WIRE__V1__KIND__RETURN:
		on_return(hdr, f.payload, f.payload_len);
		break;
	case ADDIN__WIRE__V1__KIND__FAULT:
		FUZZ_CHECK(f.payload_len == 0);
		sink += addin__err_known(hdr->fault_code);
		if (hdr->fault_message != NULL) {
			sink += (unsigned) strlen(hdr->fault_message);
		}
		check_reencode(hdr, NULL);
		break;
	case ADDIN__WIRE__V1__KIND__HELLO:
	case ADDIN__WIRE__V1__KIND__HELLO_ACK:
		FUZZ_CHECK(f.payload_len == 0 && hdr->hello != NULL);
		on_hello(hdr);
		break;
	case ADDIN__WIRE__V1__KIND__CANCEL:
	case ADDIN__WIRE__V1__KIND__GOODBYE:
		FUZZ_CHECK(f.payload_len == 0);
		check_reencode(hdr, NULL);
		break;
	default: FUZZ_CHECK(false); // frame_parse refuses other kinds
	}
	addin__frame_fini(&f);
	FUZZ_CHECK(f.hdr == NULL && f.msg == NULL);
	FUZZ_CHECK(addin__alloc_live() == live);
	return 0;
}
