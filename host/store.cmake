# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# The add-in store (discovery): included by host/CMakeLists.txt.

list(APPEND ADDIN_HOST_SRCS
  src/elf_reader.c
  src/segment_meta.c
  src/store_api.c
  src/store_cache.c
  src/store_chain.c
  src/store_entries.c
  src/store_scan.c
  src/store_token.c
  src/store_update.c
  src/store_warnings.c
)
list(APPEND ADDIN_HOST_TESTS
  src/elf_reader_test.c
  src/segment_meta_test.c
  src/store_test.c
)
