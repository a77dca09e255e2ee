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
