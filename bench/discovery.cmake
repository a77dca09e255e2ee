# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# bench-discovery: discovery of 1,000 add-ins, cold (no cache) and warm
# (valid cache).  Included by bench/CMakeLists.txt.

set(_bench_fx_dir "${CMAKE_BINARY_DIR}/bench/fixtures")
set(_bench_fx)
foreach(kind contract host_adapter addin_adapter addin)
  string(TOUPPER "${kind}" def)
  add_library(bench_discovery_${kind} SHARED
    "${CMAKE_CURRENT_SOURCE_DIR}/discovery_fixture.c")
  target_compile_definitions(bench_discovery_${kind} PRIVATE BF_${def})
  target_include_directories(bench_discovery_${kind} PRIVATE
    "${PROJECT_SOURCE_DIR}/addin-sdk/include")
  addin_target_warnings(bench_discovery_${kind})
  set_target_properties(bench_discovery_${kind} PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY "${_bench_fx_dir}")
  list(APPEND _bench_fx bench_discovery_${kind})
endforeach()

add_executable(bench-discovery "${CMAKE_CURRENT_SOURCE_DIR}/discovery.c")
target_link_libraries(bench-discovery PRIVATE addin-host-testing)
target_compile_definitions(bench-discovery PRIVATE
  BENCH_FIXTURES="${_bench_fx_dir}")
addin_target_warnings(bench-discovery)
add_dependencies(bench-discovery ${_bench_fx})
set_target_properties(bench-discovery PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bench")

# A short run under ctest keeps the benchmark working (it checks what it
# measures); the figures come from `make bench`.
if(ADDIN_TESTS)
  add_test(NAME addin.bench.discovery_smoke COMMAND bench-discovery 40 1)
  set_tests_properties(addin.bench.discovery_smoke PROPERTIES
    TIMEOUT 60 LABELS "bench;live" ENVIRONMENT "${ADDIN_TEST_SAN_ENV}")
endif()
