// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors

#ifndef ADDIN_API_H
#define ADDIN_API_H

// Declaration helpers shared by every public header.  Libraries are built with
// hidden visibility; ADDIN_API marks what they export.

#if defined(__GNUC__) || defined(__clang__)
#define ADDIN_API __attribute__((visibility("default")))
// Users get nonnull warnings; the libraries themselves are built with
// ADDIN_BUILDING so that their own NULL checks (which return ADDIN_EINVAL)
// are neither warned about nor optimised away.
#if defined(ADDIN_BUILDING)
#define ADDIN_NONNULL(...)
#else
#define ADDIN_NONNULL(...) __attribute__((nonnull(__VA_ARGS__)))
#endif
#define ADDIN_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define ADDIN_WARN_UNUSED       __attribute__((warn_unused_result))
#else
#define ADDIN_API
#define ADDIN_NONNULL(...)
#define ADDIN_PRINTF(fmt, args)
#define ADDIN_WARN_UNUSED
#endif

#endif // ADDIN_API_H
