// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// channel_testing.h: doors for tests into a channel, compiled into the
// testing builds only (libaddin-host-testing, addin-runner-testing;
// channel_testing.c).  The shipped libraries do not have them.

#ifndef ADDIN_CHANNEL_TESTING_H
#define ADDIN_CHANNEL_TESTING_H

#include "channel.h"

// addin__channel_inject hands raw bytes to the receive path as if they had
// arrived from the peer (tests and fuzzing).
ADDIN_PRIVATE void addin__channel_inject(addin__channel *ch,
                                         const uint8_t *bytes, size_t len);

// addin__channel_send_raw sends raw bytes as one frame (tests: a peer that
// misbehaves).
ADDIN_PRIVATE addin_err addin__channel_send_raw(addin__channel *ch,
                                                const uint8_t  *bytes,
                                                size_t          len);

#endif // ADDIN_CHANNEL_TESTING_H
