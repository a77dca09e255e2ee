# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# cmake -DCLEAN="lib;lib..." -DSANDBOXED=exe -P links_no_seccomp.cmake
# fails when any library in CLEAN (an add-in, its generated adapter, the
# SDK runtime they link) needs libseccomp, directly or through another
# library (ldd), or when SANDBOXED (the runner) does not: the control that
# shows the check can see it.

function(needs_seccomp file ret)
  execute_process(COMMAND ldd "${file}" OUTPUT_VARIABLE out
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ldd ${file}: ${err}")
  endif()
  if(out MATCHES "libseccomp")
    set(${ret} TRUE PARENT_SCOPE)
  else()
    set(${ret} FALSE PARENT_SCOPE)
  endif()
endfunction()

foreach(lib ${CLEAN})
  needs_seccomp("${lib}" bad)
  if(bad)
    message(FATAL_ERROR "${lib} needs libseccomp; only the host library "
      "and the runner may")
  endif()
  message(STATUS "no libseccomp: ${lib}")
endforeach()
needs_seccomp("${SANDBOXED}" good)
if(NOT good)
  message(FATAL_ERROR "${SANDBOXED} does not need libseccomp: the check "
    "cannot see it")
endif()
message(STATUS "libseccomp: ${SANDBOXED}")
