// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// frame: encoding and decoding of one wire frame (contracts/addin/wire.proto)
//
//     u8 version | varint n | n bytes: Header | payload
//
// Frames come from another process and are untrusted: decoding uses a
// bounded cursor, checks every length against what is left, and checks the
// header's fields against its kind (docs/security.md).

#ifndef ADDIN_FRAME_H
#define ADDIN_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "addin/wire.pb-c.h"
#include "core.h"
#include "transport.h"

typedef Addin__Wire__V1__Header addin__hdr;

#define ADDIN__FRAME_VERSION 1
#define ADDIN__MAX_HEADER    (64 * 1024)

// A decoded frame.  @hdr is unpacked with addin__pb_allocator; @payload
// points into @msg, which the frame owns.
typedef struct addin__frame {
	addin__hdr                 *hdr;
	const uint8_t              *payload;
	size_t                      payload_len;
	addin__tmsg                *msg;
	const addin__transport_ops *ops; // to free @msg
} addin__frame;

// addin__frame_encode builds a transport message holding @hdr followed by
// @payload packed (may be NULL: no payload).  ADDIN_ENOMEM, ADDIN_EMSGSIZE
// when larger than @max_frame.
ADDIN_PRIVATE addin_err addin__frame_encode(const addin__transport_ops *ops,
                                            const addin__hdr           *hdr,
                                            const ProtobufCMessage *payload,
                                            size_t                  max_frame,
                                            addin__tmsg           **ret);

// addin__frame_parse decodes @len bytes at @body: checks the version byte and
// the header length, unpacks the header (addin__unpack_untrusted) and checks
// it against its kind.
// On success *ret_hdr is owned by the caller (free with addin__hdr_free)
// and *ret_payload points into @body.  Returns ADDIN_EPROTO with a message
// naming the defect, ADDIN_EVERSION for an unknown framing version,
// ADDIN_ENOMEM.
ADDIN_PRIVATE addin_err addin__frame_parse(const uint8_t *body, size_t len,
                                           addin__hdr    **ret_hdr,
                                           const uint8_t **ret_payload,
                                           size_t         *ret_len);

// addin__frame_decode parses @msg (taking ownership in every case: on
// failure the message is freed) into @ret.
ADDIN_PRIVATE addin_err addin__frame_decode(const addin__transport_ops *ops,
                                            addin__tmsg                *msg,
                                            addin__frame               *ret);

// addin__frame_fini frees what a decoded frame owns.
ADDIN_PRIVATE void addin__frame_fini(addin__frame *f);

ADDIN_PRIVATE void addin__hdr_free(addin__hdr *hdr);

// ADDIN__MAX_NESTING bounds how deep messages a peer sent may nest.
// protobuf-c decodes nested messages by recursion without a limit; a few
// bytes per level would otherwise overflow our stack.
#define ADDIN__MAX_NESTING 64

// addin__unpack_untrusted decodes @len bytes at @data, sent by a peer, as
// a message of @desc: it first checks, without recursion, that messages
// nest at most ADDIN__MAX_NESTING deep and that no tag names field number
// 0, then unpacks within a memory budget (addin__pb_budget).  On success *@ret
// is the message (free with protobuf_c_message_free_unpacked and
// addin__pb_allocator).  On failure returns ADDIN_EPROTO and sets *@why to a
// static description.
ADDIN_PRIVATE addin_err addin__unpack_untrusted(
    const ProtobufCMessageDescriptor *desc, size_t len, const uint8_t *data,
    ProtobufCMessage **ret, const char **why);

// addin__kind_name returns "CALL", "RETURN", ... or "KIND?".
ADDIN_PRIVATE const char *addin__kind_name(int kind);

#endif // ADDIN_FRAME_H
