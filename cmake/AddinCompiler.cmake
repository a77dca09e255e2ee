# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# Compiler settings: the warning set for the project's own code (applied per
# target with addin_target_warnings) and the sanitizers (applied to every
# target, so generated code and test add-ins are instrumented too).

set(ADDIN_WARN_FLAGS
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
  -Wformat=2 -Wcast-qual -Wundef -Wconversion -Wno-sign-conversion
  -Wpointer-arith -Wwrite-strings)
# Generated protobuf-c code is not ours to restyle: the basic set only.
set(ADDIN_WARN_FLAGS_GENERATED -Wall -Wextra)
if(ADDIN_WERROR)
  list(APPEND ADDIN_WARN_FLAGS -Werror)
  list(APPEND ADDIN_WARN_FLAGS_GENERATED -Werror)
endif()

# addin_target_warnings(target [GENERATED]) applies the project's warnings.
function(addin_target_warnings target)
  if("GENERATED" IN_LIST ARGN)
    target_compile_options(${target} PRIVATE ${ADDIN_WARN_FLAGS_GENERATED})
  else()
    target_compile_options(${target} PRIVATE ${ADDIN_WARN_FLAGS})
  endif()
endfunction()

if(NOT ADDIN_SANITIZER STREQUAL "none" AND NOT ADDIN_SANITIZER STREQUAL "")
  set(_san -fsanitize=${ADDIN_SANITIZER} -fno-omit-frame-pointer)
  if(ADDIN_SANITIZER MATCHES "undefined")
    list(APPEND _san -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_san})
  add_link_options(${_san})
  # Shared libraries of add-ins are loaded into sanitized processes: let them
  # leave sanitizer symbols undefined at link time.
  set(ADDIN_SANITIZED ON)
  add_compile_definitions(ADDIN_SANITIZED=1)
else()
  set(ADDIN_SANITIZED OFF)
endif()

add_compile_options(-fno-strict-aliasing -g)

# Hardening, for every library and executable of the project (a host that
# runs untrusted add-ins next door): stack protector and stack clash
# protection, control-flow protection on x86, position-independent
# executables, full RELRO (-z relro -z now) and no executable stack;
# _FORTIFY_SOURCE only where the optimiser runs (it does nothing at -O0,
# and glibc warns).  tools/check-hardening.sh checks the result.  Code
# built by an outside project through the exported functions
# (cmake/AddinContract.cmake) gets none of this: user code is the user's.
include(CheckPIESupported)
check_pie_supported()
add_compile_options(-fstack-protector-strong -fstack-clash-protection)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|i.86)$")
  add_compile_options(-fcf-protection)
endif()
add_compile_options(
  "$<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:-D_FORTIFY_SOURCE=2>")
add_link_options(-Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack)
# A Debug build (every test build) aborts when a public function returns a
# code its header does not document (ADDIN__RETURN_CHECKED, runtime.h), so
# that the tests find it; any other build, a plain `cmake` without a build
# type among them, turns it into ADDIN_EINTERNAL: a library never aborts
# its host for that.
add_compile_definitions("$<$<CONFIG:Debug>:ADDIN_ABORT_ON_UNDOCUMENTED=1>")
# POSIX.1-2008 everywhere; _GNU_SOURCE only in platform files (STYLE 16).
add_compile_definitions(_POSIX_C_SOURCE=200809L)
