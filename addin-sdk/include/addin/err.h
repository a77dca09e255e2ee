// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_ERR_H
#define ADDIN_ERR_H

#include <stddef.h>
#include <stdint.h>

#include "addin/api.h"

#ifdef __cplusplus
extern "C" {
#endif

// ADDIN_ERR_MAP is the one list of Bulkhead's error codes.  The enum,
// addin_strerror() and addin_err_name() are all built from it, so they cannot
// drift.  The numbers are part of the ABI and of the wire (faults carry them):
// they are never renumbered, and a retired code keeps its slot as
// ADDIN_EOBSOLETEnn.
#define ADDIN_ERR_MAP(XX)                                \
	XX(OK, 0, "success")                             \
	XX(ENOMEM, 1, "out of memory")                   \
	XX(EINVAL, 2, "invalid argument")                \
	XX(EINTERNAL, 3, "internal error")               \
	XX(ESYSERR, 4, "operating system call failed")   \
	XX(ETIMEDOUT, 5, "deadline expired")             \
	XX(ECLOSED, 6, "channel closed")                 \
	XX(EPEERDIED, 7, "add-in process died")          \
	XX(EPROTO, 8, "protocol violation")              \
	XX(EVERSION, 9, "incompatible version")          \
	XX(ENOTFOUND, 10, "not found")                   \
	XX(EMSGSIZE, 11, "message too large")            \
	XX(ELIMIT, 12, "resource limit reached")         \
	XX(EREMOTE, 13, "the add-in reported an error")  \
	XX(ENOTSUP, 14, "not supported")                 \
	XX(EPERM, 15, "permission denied")               \
	XX(EBUSY, 16, "resource busy")                   \
	XX(ESHUTDOWN, 17, "add-in has been shut down")   \
	XX(ELOAD, 18, "library failed to load")          \
	XX(ESYMBOL, 19, "required symbol missing")       \
	XX(EINIT, 20, "add-in initialisation failed")    \
	XX(EMISMATCH, 21, "view or contract mismatch")   \
	XX(ELEVEL, 22, "isolation level not possible")   \
	XX(ESPAWN, 23, "add-in process failed to start") \
	XX(ESANDBOX, 24, "sandbox setup failed")         \
	XX(ESEGMENT, 25, "invalid pipeline segment")     \
	XX(ECORRUPT, 26, "corrupt data")                 \
	XX(EEXIST, 27, "already exists")                 \
	XX(ECANCELED, 28, "operation canceled")          \
	XX(EUNIMPL, 29, "method not implemented")        \
	XX(EAUTH, 30, "peer authentication failed")      \
	XX(EIO, 31, "input/output error")

// addin_err is the result of every Bulkhead function that can fail.
typedef enum addin_err {
#define ADDIN__ERR_ENUM(name, num, text) ADDIN_##name = num,
	ADDIN_ERR_MAP(ADDIN__ERR_ENUM)
#undef ADDIN__ERR_ENUM
} addin_err;

// addin_strerror returns a static, human-readable description of @err, for
// example "deadline expired".  An unknown value yields "unknown error".
// Thread-safe.
ADDIN_API const char *addin_strerror(addin_err err);

// addin_err_name returns the static name of @err without its prefix, for
// example "ETIMEDOUT", or "UNKNOWN".  Stable: scripts may match on it.
// Thread-safe.
ADDIN_API const char *addin_err_name(addin_err err);

// addin_errmsg returns a message describing the last error a Bulkhead
// function returned on the calling thread, naming what failed as precisely as
// the library knows ("calc: dlopen: libfoo.so: cannot open shared object
// file").  When no detail was recorded it is addin_strerror() of that error.
// The string belongs to the thread and stays valid until the thread's next
// Bulkhead call; copy it to keep it.  Never NULL.  Thread-safe (per thread).
ADDIN_API const char *addin_errmsg(void);

// addin_last_error returns the code of the last error recorded on the calling
// thread (by a failing Bulkhead function or addin_set_error), or ADDIN_OK.
// Thread-safe (per thread).
ADDIN_API addin_err addin_last_error(void);

// addin_set_error records @code and a printf-style message as the calling
// thread's last error and returns @code, so an add-in method can write
//     return addin_set_error(ADDIN_EREMOTE, "division by zero");
// When an add-in method fails, its code and this message travel back to the
// caller as a fault and appear there as the result and as addin_errmsg().
// A NULL @fmt records addin_strerror(@code) as the message; ADDIN_OK clears
// the thread's error.  Messages longer than 511 bytes are truncated.
// Thread-safe (per thread).
ADDIN_API addin_err addin_set_error(addin_err code, const char *fmt, ...)
    ADDIN_PRINTF(2, 3);

// addin_alloc allocates @size bytes for memory that crosses a view boundary:
// strings, arrays and structures returned through out-parameters of view
// functions.  The receiver frees it with addin_free().  Returns NULL when out
// of memory (and for a size of 0, a unique pointer that addin_free accepts).
// Thread-safe.
ADDIN_API void *addin_alloc(size_t size);

// addin_free frees memory from addin_alloc() or addin_strdup().  Accepts NULL.
// Thread-safe.
ADDIN_API void addin_free(void *ptr);

// addin_strdup returns a copy of the NUL-terminated string @s allocated with
// addin_alloc(), or NULL when out of memory or when @s is NULL.  Thread-safe.
ADDIN_API char *addin_strdup(const char *s);

// addin_memdup returns a copy of @len bytes at @p allocated with
// addin_alloc(), or NULL when out of memory.  A @len of 0 returns a valid
// empty allocation. Thread-safe.
ADDIN_API void *addin_memdup(const void *p, size_t len);

#ifdef __cplusplus
}
#endif

#endif // ADDIN_ERR_H
