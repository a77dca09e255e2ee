# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# bench-sandbox: activation latency at each sandbox level (none, restricted,
# strict) next to an unsandboxed own process and a bare posix_spawn of
# /bin/true, in the same run; the README's "Sandbox levels" table quotes it.
add_executable(bench-sandbox sandbox.c)
target_link_libraries(bench-sandbox PRIVATE addin-host calculator_host_view)
target_compile_definitions(bench-sandbox PRIVATE
  BENCH_PIPELINE="${ADDIN_EXAMPLE_PIPELINE}")
addin_target_warnings(bench-sandbox)
set_target_properties(bench-sandbox PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/bench")
add_dependencies(bench-sandbox example_pipeline addin-runner)

# A short run under ctest keeps the benchmark working (it checks what it
# measures); the figures come from `make bench`.
if(ADDIN_TESTS)
  add_test(NAME addin.bench.sandbox_smoke COMMAND bench-sandbox 3)
  set_tests_properties(addin.bench.sandbox_smoke PROPERTIES
    TIMEOUT 60 LABELS "bench;live" ENVIRONMENT "${ADDIN_TEST_SAN_ENV}")
endif()
