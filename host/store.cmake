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

# The cache's messages (src/store_cache.proto), generated at build time and
# compiled into the host library only, hidden like everything not in its
# export list.  Only store_cache.c includes the generated header.
addin_protoc_c(ADDIN_STORE_CACHE_PB_SRCS ADDIN_STORE_CACHE_PB_HDRS
  "${CMAKE_CURRENT_SOURCE_DIR}/src" store_cache.proto)
add_library(addin-store-cache-pb OBJECT ${ADDIN_STORE_CACHE_PB_SRCS})
target_link_libraries(addin-store-cache-pb PUBLIC PkgConfig::PROTOBUFC)
addin_target_warnings(addin-store-cache-pb GENERATED)
list(APPEND ADDIN_HOST_SRCS $<TARGET_OBJECTS:addin-store-cache-pb>)
set_source_files_properties(src/store_cache.c PROPERTIES
  INCLUDE_DIRECTORIES "${CMAKE_CURRENT_BINARY_DIR}")
