# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# The sandbox primitives (addin-sdk/src/sandbox): probe, policy, cgroups,
# namespaces, filesystem, limits, identity, seccomp stages, SIGSYS reports,
# death classification.  See addin-sdk/src/sandbox/sandbox.h and
# docs/security.md.

list(APPEND ADDIN_SDK_SRCS
  src/sandbox/cgroup.c
  src/sandbox/classify.c
  src/sandbox/fs.c
  src/sandbox/ident.c
  src/sandbox/ns.c
  src/sandbox/policy.c
  src/sandbox/policy_io.c
  src/sandbox/probe.c
  src/sandbox/report.c
  src/sandbox/sbx_os.c
  src/sandbox/seccomp.c
)

# Unit tests (policy logic, no kernel features) and live tests (real
# cgroups, namespaces, seccomp; exit 77 when the kernel lacks them).
set(ADDIN_SANDBOX_UNIT_TESTS
  src/sandbox/sandbox_policy_test.c
  src/sandbox/sandbox_filter_test.c
  src/sandbox/sandbox_classify_test.c
)
set(ADDIN_SANDBOX_LIVE_TESTS
  src/sandbox/sandbox_probe_test.c
  src/sandbox/sandbox_cgroup_test.c
)
foreach(t ${ADDIN_SANDBOX_UNIT_TESTS} ${ADDIN_SANDBOX_LIVE_TESTS})
  if(EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/${t}")
    list(APPEND ADDIN_SDK_TESTS ${t})
  endif()
endforeach()

# Labels, once addin-sdk/CMakeLists.txt has registered the tests.
function(addin__sandbox_label_tests)
  foreach(t ${ADDIN_SANDBOX_UNIT_TESTS})
    get_filename_component(name ${t} NAME_WE)
    if(TEST addin.sdk.${name})
      set_tests_properties(addin.sdk.${name} PROPERTIES LABELS "unit;sandbox")
    endif()
  endforeach()
  foreach(t ${ADDIN_SANDBOX_LIVE_TESTS})
    get_filename_component(name ${t} NAME_WE)
    if(TEST addin.sdk.${name})
      set_tests_properties(addin.sdk.${name} PROPERTIES LABELS "live;sandbox")
    endif()
  endforeach()
endfunction()
if(ADDIN_TESTS)
  cmake_language(DEFER CALL addin__sandbox_label_tests)
endif()
