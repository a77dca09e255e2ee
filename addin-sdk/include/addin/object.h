// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_OBJECT_H
#define ADDIN_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"
#include "addin/err.h"

#ifdef __cplusplus
extern "C" {
#endif

// A view object.
//
// Every object a view hands out (the host's object for an activated add-in,
// and later objects passed across a boundary) is an addin_object: a
// reference-counted pair of a view's ops table and the state its functions
// take as first argument.  Generated view headers give it a typed name
// (`calculator_v1_calculator`) and generated thunks call through it:
//
//     const void *ops; void *self;
//     rv = addin_object_enter(obj, CALCULATOR_V1_CALCULATOR_VIEW_ID, &ops,
//                             &self);
//     if (rv != ADDIN_OK) return rv;
//     rv = ((const calculator_v1_calculator_ops *) ops)
//              ->operate(self, op, operands, n, ret_result);
//     addin_object_leave(obj);
//
// (what calculator_v1_calculator_operate() does, tests/gen/golden/
// calculator/v1/calculator.host-view.c)
//
// Which ops sit behind an object is the isolation level's business: the
// add-in's own ops table (direct connect), a host-side adapter over the
// add-in-side adapter (in process), or a host-side adapter over a proxy that
// crosses a process (shared, own or sandboxed process).  Host code cannot
// tell, except through the controller.
typedef struct addin_object addin_object;

// addin_object_impl describes what an object dispatches to.  Always
// initialise with ADDIN_OBJECT_IMPL_INIT.
typedef struct addin_object_impl {
	uint32_t    abi_version; // ADDIN_ABI_VERSION
	const char *view_id; // view the ops table belongs to; static string
	const void *ops;     // the view's ops table; static, not copied
	void       *self;    // first argument of every op
	// destroy runs exactly once, when the last reference is gone and no
	// call is in flight; may be NULL.  It receives @self and @destroy_arg.
	void (*destroy)(void *self, void *destroy_arg);
	void *destroy_arg;
	void *reserved[4];
} addin_object_impl;

#define ADDIN_OBJECT_IMPL_INIT                                                \
	{                                                                     \
		.abi_version = 1, .view_id = NULL, .ops = NULL, .self = NULL, \
		.destroy = NULL, .destroy_arg = NULL, .reserved = {           \
			0                                                     \
		}                                                             \
	}

// addin_object_create makes an object with one reference from @impl.  The
// strings and the ops table @impl points to must outlive the object.
// Returns ADDIN_EINVAL when @impl or its view_id or ops is NULL or its
// abi_version is unknown, ADDIN_ENOMEM.  On success *@ret_obj is owned by the
// caller (release with addin_object_unref).  Thread-safe.
ADDIN_API addin_err addin_object_create(const addin_object_impl *impl,
                                        addin_object           **ret_obj)
    ADDIN_NONNULL(1, 2);

// addin_object_ref adds a reference to @obj and returns it.  Accepts NULL.
// Thread-safe.
ADDIN_API addin_object *addin_object_ref(addin_object *obj);

// addin_object_unref drops a reference; when it was the last one, the object
// is destroyed once no call is in flight.  Accepts NULL.  Always returns
// NULL, so `obj = addin_object_unref(obj);` clears the pointer.  Thread-safe.
ADDIN_API addin_object *addin_object_unref(addin_object *obj);

// addin_object_enter begins a call on @obj through the view @view_id: it
// checks that @obj was made for that view and is still alive, counts the
// call as in flight and gives the ops table and self pointer.  Every
// successful enter must be paired with addin_object_leave().  Returns
// ADDIN_EINVAL when @obj is NULL or not an object, ADDIN_EMISMATCH when the
// object belongs to another view, ADDIN_ESHUTDOWN when its add-in has been
// shut down or has crashed (the recorded cause is in addin_errmsg()).  The
// outputs are written only on success.  Thread-safe.
ADDIN_API addin_err addin_object_enter(addin_object *obj, const char *view_id,
                                       const void **ret_ops, void **ret_self)
    ADDIN_NONNULL(2, 3, 4);

// addin_object_leave ends a call begun with addin_object_enter().
// Thread-safe.
ADDIN_API void addin_object_leave(addin_object *obj) ADDIN_NONNULL(1);

// addin_object_view_id returns the view id @obj was made for (static string),
// or NULL when @obj is NULL.  Thread-safe.
ADDIN_API const char *addin_object_view_id(const addin_object *obj);

// addin_object_is_alive returns false once @obj's add-in has been shut down
// or has crashed; calls then fail with ADDIN_ESHUTDOWN.  Thread-safe.
ADDIN_API bool addin_object_is_alive(const addin_object *obj);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_OBJECT_H
