// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// proxy: the generic proxy that lets ANY protoc-c service cross a channel
// with no per-contract code.  (Its other half, the generic stub, is the
// channel's serve path, stub.c: it unpacks a CALL with the method's
// descriptor and invokes the exported ProtobufCService.)
//
// A proxy is a ProtobufCService whose invoke packs the request, sends it as a
// CALL and waits (serving nested calls meanwhile).  It calls the closure
// before invoke returns: with the reply, or with a fault
// (addin_adapter_fail, addin/adapter.h) carrying the failure's code and
// message: the remote implementation's fault, ADDIN_ETIMEDOUT, or the
// channel's failure (ADDIN_EPEERDIED ...).  This is the same protocol the
// in-process add-in-side adapter follows, so a host-side adapter works over
// either.

#ifndef ADDIN_PROXY_H
#define ADDIN_PROXY_H

#include "channel.h"
#include "core.h"

// addin__proxy_create returns a service for object @object_id of @ch whose
// contract is @desc.  @deadline_ms per call (0: the channel's default).  It
// holds a reference on @ch.  Free with addin__proxy_destroy (or
// service->destroy).
ADDIN_PRIVATE addin_err
addin__proxy_create(addin__channel *ch, uint64_t object_id,
                    const ProtobufCServiceDescriptor *desc,
                    uint32_t deadline_ms, ProtobufCService **ret);

ADDIN_PRIVATE void addin__proxy_destroy(ProtobufCService *svc);

// addin__proxy_set_deadline changes the per-call deadline of a proxy.
ADDIN_PRIVATE void addin__proxy_set_deadline(ProtobufCService *svc,
                                             uint32_t          deadline_ms);

#endif // ADDIN_PROXY_H
