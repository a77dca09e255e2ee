// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// control: the Control object each side of a channel exports at object id 0
// (contracts/addin/wire.proto).  Ping and Stats answer the same on both
// sides; lifetime tokens (Acquire, Revoke) are not served yet (EUNIMPL).
// Load, Unload and Shutdown are what the runner does for its host; a side
// that gives no handler for them (the host) refuses them with ADDIN_EPERM
// ("an add-in may not load code into the host").

#ifndef ADDIN_CONTROL_H
#define ADDIN_CONTROL_H

#include "addin/wire.pb-c.h"
#include "channel.h"
#include "core.h"

// The handlers one side adds; each may be NULL (refused).  They have the
// signatures of protoc-c's Control service and answer through @done (a
// failure with addin_adapter_fail).
typedef struct addin__control_ops {
	void (*load)(Addin__Wire__V1__Control_Service   *s,
	             const Addin__Wire__V1__LoadRequest *in,
	             Addin__Wire__V1__LoadReply_Closure done, void *data);
	void (*unload)(Addin__Wire__V1__Control_Service     *s,
	               const Addin__Wire__V1__UnloadRequest *in,
	               Addin__Wire__V1__Empty_Closure done, void *data);
	void (*shutdown)(Addin__Wire__V1__Control_Service       *s,
	                 const Addin__Wire__V1__ShutdownRequest *in,
	                 Addin__Wire__V1__Empty_Closure done, void *data);
} addin__control_ops;

// addin__control_export exports the Control object of @ch at id 0, with
// @ops (copied) and @owner naming this side for attribution ("host",
// "runner").  The channel owns it from then on.  ADDIN_ENOMEM, the errors
// of addin__channel_export_at.
ADDIN_PRIVATE addin_err addin__control_export(addin__channel           *ch,
                                              const addin__control_ops *ops,
                                              const char               *owner);

// addin__control_stats fills @out with @ch's counters, as Control.Stats
// answers them.
ADDIN_PRIVATE void addin__control_stats(addin__channel                *ch,
                                        Addin__Wire__V1__ChannelStats *out);

#endif // ADDIN_CONTROL_H
