# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# cmake -DLIBS=<lib;...> -DFORBIDDEN=<name;...> -P check_links.cmake
#
# None of LIBS (add-in libraries and generated adapters, as an add-in
# author builds them) loads any of FORBIDDEN, directly or through what it
# links (ldd resolves the whole tree).  Add-ins link the add-in runtime,
# libaddin-sdk, and nothing of the host's: no libseccomp, no libnng.

foreach(lib ${LIBS})
  execute_process(COMMAND ldd "${lib}" OUTPUT_VARIABLE out
    ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ldd ${lib} failed: ${err}")
  endif()
  if(NOT out MATCHES "libc\\.so")
    message(SEND_ERROR "ldd ${lib} listed nothing:\n${out}")
  endif()
  foreach(f ${FORBIDDEN})
    if(out MATCHES "${f}")
      message(SEND_ERROR "${lib} loads ${f}:\n${out}")
    endif()
  endforeach()
  message(STATUS "${lib}: no ${FORBIDDEN}")
endforeach()
