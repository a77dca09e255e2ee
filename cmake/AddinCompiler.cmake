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
# POSIX.1-2008 everywhere; _GNU_SOURCE only in platform files (STYLE 16).
add_compile_definitions(_POSIX_C_SOURCE=200809L)
