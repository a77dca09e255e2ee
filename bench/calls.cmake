# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# bench-calls: round trips per second through the generic proxy and stub
# next to a raw nng ping-pong between the same two processes.  Included by
# bench/CMakeLists.txt.

addin_protoc_c(_bench_calls_srcs _bench_calls_hdrs
  "${CMAKE_CURRENT_SOURCE_DIR}" calls.proto)

add_library(bench_calls_pb STATIC ${_bench_calls_srcs})
target_include_directories(bench_calls_pb PUBLIC "${CMAKE_CURRENT_BINARY_DIR}")
target_link_libraries(bench_calls_pb PUBLIC PkgConfig::PROTOBUFC)
set_target_properties(bench_calls_pb PROPERTIES POSITION_INDEPENDENT_CODE ON)
addin_target_warnings(bench_calls_pb GENERATED)

# The add-in side: a service library the runner loads.
add_library(bench_calls_svc SHARED calls_svc.c)
target_link_libraries(bench_calls_svc PRIVATE bench_calls_pb addin-sdk
  nng::nng Threads::Threads)
target_include_directories(bench_calls_svc PRIVATE
  "${PROJECT_SOURCE_DIR}/tests/fixtures")
addin_target_warnings(bench_calls_svc)
set_target_properties(bench_calls_svc PROPERTIES
  LIBRARY_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bench")

# The contract and view id the service library declares as a segment.
set(_bench_calls_id "bulkhead.bench.v1.Calls")
target_compile_definitions(bench_calls_svc PRIVATE
  BENCH_CALLS_VIEW_ID="${_bench_calls_id}")

add_executable(bench-calls calls.c)
target_link_libraries(bench-calls PRIVATE bench_calls_pb addin-host-testing
  calculator_host_view nng::nng)
target_compile_definitions(bench-calls PRIVATE
  BENCH_CALLS_SVC="$<TARGET_FILE:bench_calls_svc>"
  BENCH_CALLS_VIEW_ID="${_bench_calls_id}"
  BENCH_PIPELINE="${ADDIN_EXAMPLE_PIPELINE}")
# The service library's load request (tests/fixtures/service_segment_load.h).
target_include_directories(bench-calls PRIVATE
  "${PROJECT_SOURCE_DIR}/tests/fixtures")
addin_target_warnings(bench-calls)
set_target_properties(bench-calls PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bench")
add_dependencies(bench-calls bench_calls_svc example_pipeline addin-runner)

# The benchmark checks every reply (Inc returns v + 1, Operate 1 + 2 = 3):
# a short run under ctest keeps it working.  The figures come from
# `make bench`, not from here.
if(ADDIN_TESTS)
  add_test(NAME addin.bench.calls_smoke COMMAND bench-calls 200 1)
  set_tests_properties(addin.bench.calls_smoke PROPERTIES
    TIMEOUT 60 LABELS "bench;live" ENVIRONMENT "${ADDIN_TEST_SAN_ENV}")
endif()
