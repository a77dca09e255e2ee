// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Doors for tests into a channel (channel_testing.h): frames injected into
// the receive path as if from the peer, raw bytes sent as one frame.
// Compiled into the testing builds only (libaddin-host-testing,
// addin-runner-testing): the shipped libraries have no such door.

#include <string.h>

#include "channel_impl.h"
#include "channel_testing.h"

void
addin__channel_inject(addin__channel *ch, const uint8_t *bytes, size_t len)
{
	addin__tmsg *msg;
	if (ch->tp->ops->msg_alloc(len, &msg) != ADDIN_OK) {
		return;
	}
	if (len > 0) {
		memcpy(ch->tp->ops->msg_body(msg), bytes, len);
	}
	addin__ch_on_recv(ch, msg);
}

addin_err
addin__channel_send_raw(addin__channel *ch, const uint8_t *bytes, size_t len)
{
	addin__tmsg *msg;
	addin_err    rv;
	if ((rv = ch->tp->ops->msg_alloc(len, &msg)) != ADDIN_OK) {
		return rv;
	}
	if (len > 0) {
		memcpy(ch->tp->ops->msg_body(msg), bytes, len);
	}
	return ch->tp->ops->send(ch->tp, msg, REPLY_SEND_MS);
}
