# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# Third-party dependencies, all from Debian 12 (tools/deps.sh installs them):
# nng (CMake package), protobuf-c + protoc-c + protoc, libseccomp and
# jansson (pkg-config).  No libelf: discovery reads ELF with its own bounded reader
# (docs/architecture.md, "Metadata").

find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(nng 1.5 CONFIG REQUIRED)
pkg_check_modules(PROTOBUFC REQUIRED IMPORTED_TARGET libprotobuf-c>=1.4)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp>=2.5)
# jansson: addinctl's --json output (and its test) only; no library links it.
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson>=2.13)

find_program(PROTOC protoc REQUIRED)
find_program(PROTOC_C protoc-c REQUIRED)

# The system's protobuf include directory: plugin.proto, descriptor.proto.
find_path(PROTOBUF_PROTO_DIR google/protobuf/compiler/plugin.proto
  PATHS /usr/include /usr/local/include REQUIRED)

# addin_protoc_c(OUT_SRCS_VAR OUT_HDRS_VAR PROTO_ROOT proto...) runs protoc-c
# at build time on each proto (paths relative to PROTO_ROOT) and returns the
# generated .pb-c.c/.pb-c.h paths under the current binary directory.
function(addin_protoc_c out_srcs out_hdrs proto_root)
  set(srcs)
  set(hdrs)
  foreach(proto ${ARGN})
    string(REGEX REPLACE "\\.proto$" "" base "${proto}")
    set(c "${CMAKE_CURRENT_BINARY_DIR}/${base}.pb-c.c")
    set(h "${CMAKE_CURRENT_BINARY_DIR}/${base}.pb-c.h")
    add_custom_command(
      OUTPUT "${c}" "${h}"
      COMMAND "${PROTOC_C}" "--c_out=${CMAKE_CURRENT_BINARY_DIR}"
              "-I${proto_root}" "-I${PROTOBUF_PROTO_DIR}" "${proto_root}/${proto}"
      DEPENDS "${proto_root}/${proto}"
      COMMENT "protoc-c ${proto}"
      VERBATIM)
    list(APPEND srcs "${c}")
    list(APPEND hdrs "${h}")
  endforeach()
  set(${out_srcs} ${srcs} PARENT_SCOPE)
  set(${out_hdrs} ${hdrs} PARENT_SCOPE)
endfunction()
