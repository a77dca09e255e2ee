// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#include <string.h>

#include "cursor.h"
#include "frame.h"

const char *
addin__kind_name(int kind)
{
	switch (kind) {
	case ADDIN__WIRE__V1__KIND__HELLO: return "HELLO";
	case ADDIN__WIRE__V1__KIND__HELLO_ACK: return "HELLO_ACK";
	case ADDIN__WIRE__V1__KIND__CALL: return "CALL";
	case ADDIN__WIRE__V1__KIND__RETURN: return "RETURN";
	case ADDIN__WIRE__V1__KIND__FAULT: return "FAULT";
	case ADDIN__WIRE__V1__KIND__CANCEL: return "CANCEL";
	case ADDIN__WIRE__V1__KIND__GOODBYE: return "GOODBYE";
	default: return "KIND?";
	}
}

static void
budget_free(void *data, void *ptr)
{
	(void) data;
	addin__free(ptr);
}

static void *
budget_alloc(void *data, size_t size)
{
	addin__pb_budget *b = data;
	if (size > b->left) {
		b->exceeded = true;
		return NULL; // protobuf-c then fails the unpack cleanly
	}
	b->left -= size;
	return addin__alloc(size);
}

void
addin__pb_budget_init(addin__pb_budget *b, size_t input_len)
{
	size_t want    = input_len > (ADDIN__DECODE_CAP - (1u << 20)) / 64
	                     ? ADDIN__DECODE_CAP
	                     : input_len * 64 + (1u << 20);
	b->alloc.alloc = budget_alloc;
	b->alloc.free  = budget_free;
	b->alloc.allocator_data = b;
	b->left     = want < ADDIN__DECODE_CAP ? want : ADDIN__DECODE_CAP;
	b->exceeded = false;
}

addin_err
addin__frame_encode(const addin__transport_ops *ops, const addin__hdr *hdr,
                    const ProtobufCMessage *payload, size_t max_frame,
                    addin__tmsg **ret)
{
	size_t hlen = protobuf_c_message_get_packed_size(&hdr->base);
	size_t plen =
	    payload ? protobuf_c_message_get_packed_size(payload) : 0;
	uint8_t      pre[1 + ADDIN__VARINT_MAX];
	size_t       prelen;
	size_t       total;
	addin__tmsg *msg;
	uint8_t     *body;
	addin_err    rv;

	pre[0] = ADDIN__FRAME_VERSION;
	prelen = 1 + addin__varint_put(pre + 1, hlen);
	total  = prelen + hlen + plen;
	if (total > max_frame) {
		return addin__seterr(
		    ADDIN_EMSGSIZE,
		    "frame of %zu bytes exceeds the limit of %zu", total,
		    max_frame);
	}
	if ((rv = ops->msg_alloc(total, &msg)) != ADDIN_OK) {
		return rv;
	}
	body = ops->msg_body(msg);
	memcpy(body, pre, prelen);
	protobuf_c_message_pack(&hdr->base, body + prelen);
	if (payload != NULL) {
		protobuf_c_message_pack(payload, body + prelen + hlen);
	}
	*ret = msg;
	return ADDIN_OK;
}

// Structural checks of a header against its kind; state-dependent checks
// (a HELLO after the handshake, an unknown call id) are the channel's.
static addin_err
check_header(const addin__hdr *h, size_t payload_len)
{
	const char *k = addin__kind_name(h->kind);

	if (!h->has_kind) {
		return addin__seterr(ADDIN_EPROTO, "frame without a kind");
	}
	switch (h->kind) {
	case ADDIN__WIRE__V1__KIND__HELLO:
	case ADDIN__WIRE__V1__KIND__HELLO_ACK:
		if (h->hello == NULL || !h->hello->has_wire_min ||
		    !h->hello->has_wire_max) {
			return addin__seterr(ADDIN_EPROTO,
			                     "%s without version range", k);
		}
		break;
	case ADDIN__WIRE__V1__KIND__CALL:
		if (!h->has_call_id || h->call_id == 0 || !h->has_object_id ||
		    !h->has_method) {
			return addin__seterr(
			    ADDIN_EPROTO,
			    "CALL without call id, object or method");
		}
		return ADDIN_OK; // a CALL carries the request
	case ADDIN__WIRE__V1__KIND__RETURN:
		if (!h->has_call_id || h->call_id == 0) {
			return addin__seterr(ADDIN_EPROTO,
			                     "RETURN without call id");
		}
		return ADDIN_OK; // a RETURN carries the reply
	case ADDIN__WIRE__V1__KIND__FAULT:
		if (!h->has_call_id || h->call_id == 0 || !h->has_fault_code) {
			return addin__seterr(ADDIN_EPROTO,
			                     "FAULT without call id or code");
		}
		break;
	case ADDIN__WIRE__V1__KIND__CANCEL:
		if (!h->has_call_id || h->call_id == 0) {
			return addin__seterr(ADDIN_EPROTO,
			                     "CANCEL without call id");
		}
		break;
	case ADDIN__WIRE__V1__KIND__GOODBYE: break;
	default:
		return addin__seterr(ADDIN_EPROTO, "unknown frame kind %d",
		                     (int) h->kind);
	}
	if (payload_len != 0) {
		return addin__seterr(ADDIN_EPROTO, "%s frame with a payload",
		                     k);
	}
	return ADDIN_OK;
}

addin_err
addin__frame_parse(const uint8_t *body, size_t len, addin__hdr **ret_hdr,
                   const uint8_t **ret_payload, size_t *ret_len)
{
	addin__cursor  c = addin__cur_init(body, len);
	uint8_t        version;
	uint64_t       hlen;
	const uint8_t *hbytes;
	addin__hdr    *hdr;
	addin_err      rv;

	if (!addin__cur_u8(&c, &version)) {
		return addin__seterr(ADDIN_EPROTO, "empty frame");
	}
	if (version != ADDIN__FRAME_VERSION) {
		return addin__seterr(ADDIN_EVERSION,
		                     "frame version %u, this side speaks %u",
		                     version, ADDIN__FRAME_VERSION);
	}
	if (!addin__cur_varint(&c, &hlen)) {
		return addin__seterr(ADDIN_EPROTO, "truncated header length");
	}
	if (hlen == 0 || hlen > ADDIN__MAX_HEADER) {
		return addin__seterr(ADDIN_EPROTO,
		                     "header length %llu out of range",
		                     (unsigned long long) hlen);
	}
	if (!addin__cur_take(&c, (size_t) hlen, &hbytes)) {
		return addin__seterr(
		    ADDIN_EPROTO,
		    "header length %llu exceeds the %zu bytes left",
		    (unsigned long long) hlen, c.left);
	}
	// The header is untrusted protobuf like any payload.
	ProtobufCMessage *m;
	const char       *why;
	if (addin__unpack_untrusted(&addin__wire__v1__header__descriptor,
	                            (size_t) hlen, hbytes, &m,
	                            &why) != ADDIN_OK) {
		return addin__seterr(ADDIN_EPROTO, "header: %s", why);
	}
	hdr = (addin__hdr *) m;
	if ((rv = check_header(hdr, c.left)) != ADDIN_OK) {
		addin__hdr_free(hdr);
		return rv;
	}
	*ret_hdr     = hdr;
	*ret_payload = c.p;
	*ret_len     = c.left;
	return ADDIN_OK;
}

addin_err
addin__frame_decode(const addin__transport_ops *ops, addin__tmsg *msg,
                    addin__frame *ret)
{
	addin_err rv;

	memset(ret, 0, sizeof(*ret));
	rv = addin__frame_parse(ops->msg_body(msg), ops->msg_len(msg),
	                        &ret->hdr, &ret->payload, &ret->payload_len);
	if (rv != ADDIN_OK) {
		ops->msg_free(msg);
		return rv;
	}
	ret->msg = msg;
	ret->ops = ops;
	return ADDIN_OK;
}

void
addin__frame_fini(addin__frame *f)
{
	addin__hdr_free(f->hdr);
	if (f->msg != NULL) {
		f->ops->msg_free(f->msg);
	}
	memset(f, 0, sizeof(*f));
}

void
addin__hdr_free(addin__hdr *hdr)
{
	if (hdr != NULL) {
		addin__wire__v1__header__free_unpacked(hdr,
		                                       &addin__pb_allocator);
	}
}

// Checks the structure of @len bytes at @p (of @desc) before protobuf-c
// sees them.  Walks the wire format with an explicit stack: a
// length-delimited field whose descriptor says "message" is entered,
// everything else skipped.  Returns NULL, or why the bytes must not reach
// protobuf-c: messages nest deeper than @max (it would recurse that
// deep), or a tag names field number 0 (invalid; protobuf-c accepts it
// when the tag is written in more bytes than needed, keeps it as an
// unknown field and re-encodes it as a tag it refuses itself, so that a
// message it decoded could not be sent on).  Other malformed input is
// left for protobuf-c to refuse (NULL).
static const char *
wire_check(const ProtobufCMessageDescriptor *desc, const uint8_t *p,
           size_t len, unsigned max)
{
	struct level {
		const ProtobufCMessageDescriptor *desc;
		addin__cursor                     c;
	} stack[ADDIN__MAX_NESTING + 1];
	unsigned depth = 0;

	stack[0].desc = desc;
	stack[0].c    = addin__cur_init(p, len);
	for (;;) {
		struct level *l = &stack[depth];
		uint64_t      tag, n;
		if (l->c.left == 0) {
			if (depth == 0) {
				return NULL;
			}
			depth--;
			continue;
		}
		if (!addin__cur_varint(&l->c, &tag)) {
			return NULL; // malformed: protobuf-c says so
		}
		if (tag >> 3 == 0) {
			return "it holds a field number 0";
		}
		switch (tag & 7) {
		case 0: // varint
			if (!addin__cur_varint(&l->c, &n)) {
				return NULL;
			}
			break;
		case 1: // 64-bit
		case 5: // 32-bit
		{
			const uint8_t *skip;
			if (!addin__cur_take(&l->c, (tag & 7) == 1 ? 8 : 4,
			                     &skip)) {
				return NULL;
			}
			break;
		}
		case 2: { // length-delimited
			const uint8_t                  *inner;
			const ProtobufCFieldDescriptor *f;
			if (!addin__cur_varint(&l->c, &n) || n > l->c.left ||
			    !addin__cur_take(&l->c, (size_t) n, &inner)) {
				return NULL;
			}
			f = tag >> 3 <= UINT32_MAX
			        ? protobuf_c_message_descriptor_get_field(
			              l->desc, (unsigned) (tag >> 3))
			        : NULL;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE) {
				if (depth + 1 > max) {
					return "messages nest deeper than 64 "
					       "levels";
				}
				depth++;
				stack[depth].desc = f->descriptor;
				stack[depth].c =
				    addin__cur_init(inner, (size_t) n);
			}
			break;
		}
		default: return NULL; // groups and the like: refused later
		}
	}
}

addin_err
addin__unpack_untrusted(const ProtobufCMessageDescriptor *desc, size_t len,
                        const uint8_t *data, ProtobufCMessage **ret,
                        const char **why)
{
	addin__pb_budget  budget;
	ProtobufCMessage *m;
	const char       *bad;

	if ((bad = wire_check(desc, data, len, ADDIN__MAX_NESTING)) != NULL) {
		*why = bad;
		return ADDIN_EPROTO;
	}
	addin__pb_budget_init(&budget, len);
	if ((m = protobuf_c_message_unpack(desc, &budget.alloc, len, data)) ==
	    NULL) {
		*why = budget.exceeded ? "it would take more memory to decode "
		                         "than its size allows"
		                       : "it does not decode";
		return ADDIN_EPROTO;
	}
	*ret = m;
	return ADDIN_OK;
}
