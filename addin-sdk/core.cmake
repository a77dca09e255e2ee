# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# The core runtime: wire, channel, transport, proxy, platform layer.
list(APPEND ADDIN_SDK_SRCS
  src/channel.c
  src/executor.c
  src/frame.c
  src/idmap.c
  src/platform/linux.c
  src/rpc.c
  src/transport_nng.c
)
list(APPEND ADDIN_SDK_TESTS
  src/alloc_test.c
  src/frame_test.c
  src/idmap_test.c
  src/parse_test.c
  src/platform/trust_test.c
)
list(APPEND ADDIN_SDK_SRCS
  src/loader.c
  src/parse.c
)
