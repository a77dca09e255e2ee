# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# cmake -DEXE=program -DWANT=text -P run_expect.cmake: runs the program in
# the current directory; fails unless it exits 0 and prints exactly WANT.

execute_process(COMMAND "${EXE}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
  ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}\n${out}${err}")
endif()
if(NOT out STREQUAL WANT)
  message(FATAL_ERROR "${EXE} printed\n${out}\ninstead of\n${WANT}")
endif()
message(STATUS "${EXE}: ${out}")
