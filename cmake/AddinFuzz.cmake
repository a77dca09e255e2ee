# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# ADDIN_FUZZ: the libFuzzer build of the fuzz targets (tests/fuzz/,
# docs/security.md "Fuzzing").  `make fuzz` configures it in build-fuzz/
# with clang and ADDIN_SANITIZER=address,undefined.
#
# libFuzzer steers by the coverage of the code under test, so with
# ADDIN_FUZZ every target is compiled with -fsanitize=fuzzer-no-link (the
# coverage instrumentation without libFuzzer's main); the fuzz executables
# link -fsanitize=fuzzer.  Without ADDIN_FUZZ the targets are still built,
# as ctest's replay tests over the committed corpus.

option(ADDIN_FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang)" OFF)

if(ADDIN_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ADDIN_FUZZ needs clang (libFuzzer is part of it): "
      "configure with -DCMAKE_C_COMPILER=clang, or run `make fuzz`")
  endif()
  if(NOT ADDIN_TESTS)
    message(FATAL_ERROR "ADDIN_FUZZ needs ADDIN_TESTS: the targets live in tests/fuzz")
  endif()
  # -O1 as the sanitizers' documentation advises: several times the
  # executions of -O0, the same reports.
  add_compile_options(-fsanitize=fuzzer-no-link -O1)
endif()

# addin_fuzz_shared_libs(target...): clang links its sanitizer and libFuzzer
# runtimes into executables only, so shared libraries built for the fuzzers
# leave those symbols for the executable to define: they cannot be linked
# with -Wl,--no-undefined.  Drops that option from @target (the libraries
# a fuzz target loads) in the ADDIN_FUZZ build; every other build keeps it.
function(addin_fuzz_shared_libs)
  if(NOT ADDIN_FUZZ)
    return()
  endif()
  foreach(t ${ARGN})
    get_target_property(opts ${t} LINK_OPTIONS)
    if(NOT "-Wl,--no-undefined" IN_LIST opts)
      message(FATAL_ERROR "addin_fuzz_shared_libs: ${t} has no "
        "-Wl,--no-undefined to drop; update cmake/AddinFuzz.cmake")
    endif()
    list(REMOVE_ITEM opts "-Wl,--no-undefined")
    set_target_properties(${t} PROPERTIES LINK_OPTIONS "${opts}")
  endforeach()
endfunction()
