# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# bench-activation: activation latency at each isolation level, next to a
# bare posix_spawn of /bin/true measured in the same run.
add_executable(bench-activation activation.c)
target_link_libraries(bench-activation PRIVATE addin-host calculator_host_view)
target_compile_definitions(bench-activation PRIVATE
  BENCH_PIPELINE="${ADDIN_EXAMPLE_PIPELINE}")
addin_target_warnings(bench-activation)
set_target_properties(bench-activation PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bench")
add_dependencies(bench-activation example_pipeline addin-runner)

# A short run under ctest keeps the benchmark working (it checks what it
# measures); the figures come from `make bench`.
if(ADDIN_TESTS)
  add_test(NAME addin.bench.activation_smoke COMMAND bench-activation 5)
  set_tests_properties(addin.bench.activation_smoke PROPERTIES
    TIMEOUT 60 LABELS "bench;live" ENVIRONMENT "${ADDIN_TEST_SAN_ENV}")
endif()
