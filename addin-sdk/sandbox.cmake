# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# The sandbox primitives (addin-sdk/src/sandbox): probe, policy, cgroups,
# namespaces, filesystem, limits, identity, seccomp stages, SIGSYS reports,
# death classification.  See addin-sdk/src/sandbox/sandbox.h and
# docs/security.md.  Compiled into the core library (addin-sdk/core), which
# only libaddin-host and addin-runner link.

set(_sbx "${CMAKE_CURRENT_LIST_DIR}/src/sandbox")
set(ADDIN_SANDBOX_SRCS
  ${_sbx}/cgroup.c
  ${_sbx}/classify.c
  ${_sbx}/fs.c
  ${_sbx}/ident.c
  ${_sbx}/ns.c
  ${_sbx}/policy.c
  ${_sbx}/policy_io.c
  ${_sbx}/probe.c
  ${_sbx}/report.c
  ${_sbx}/sbx_os.c
  ${_sbx}/seccomp.c
)
set(ADDIN_SANDBOX_INCLUDE_DIRS "${CMAKE_CURRENT_LIST_DIR}/src")

# Unit tests (policy logic, no kernel features) and live tests (real
# cgroups, namespaces, seccomp; exit 77 when the kernel lacks them).
function(addin__sandbox_tests)
  foreach(t sandbox_policy_test sandbox_filter_test sandbox_classify_test)
    addin_test(NAME ${t} COMPONENT sdk SOURCES ${_sbx}/${t}.c
      LIBS addin-core LABELS unit sandbox)
  endforeach()
  foreach(t sandbox_probe_test sandbox_cgroup_test)
    addin_test(NAME ${t} COMPONENT sdk SOURCES ${_sbx}/${t}.c
      LIBS addin-core LABELS live sandbox)
  endforeach()
endfunction()
