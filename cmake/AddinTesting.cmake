# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# addin_test(NAME name SOURCES src... [LIBS lib...] [TIMEOUT s] [LABELS l...]
#            [COMPONENT c])
# builds one test executable per module and registers it with ctest as
# addin.<component>.<name>.  Every case inside runs in its own forked child
# (tests/harness/addin_test.h).  Exit code 77 means "skipped".

set(ADDIN_TEST_HARNESS_DIR "${CMAKE_CURRENT_LIST_DIR}/../tests/harness")

# Every segment library of one kind exports its entry under the same name
# (addin_entry_contract, ...); they are loaded RTLD_LOCAL and never clash,
# but AddressSanitizer's strict one-definition check (level 2) reports two
# same-sized globals of one name in two libraries.  Level 1 still reports
# real clashes (different sizes).
set(ADDIN_TEST_SAN_ENV "")
if(ADDIN_SANITIZED)
  set(ADDIN_TEST_SAN_ENV "ASAN_OPTIONS=detect_odr_violation=1")
endif()

function(addin_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;COMPONENT" "SOURCES;LIBS;LABELS;ENV" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  if(NOT T_COMPONENT)
    set(T_COMPONENT misc)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_include_directories(${T_NAME} PRIVATE "${ADDIN_TEST_HARNESS_DIR}")
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} addin-sdk Threads::Threads)
  addin_target_warnings(${T_NAME})
  set_target_properties(${T_NAME} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
  add_test(NAME addin.${T_COMPONENT}.${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(addin.${T_COMPONENT}.${T_NAME} PROPERTIES
    TIMEOUT ${T_TIMEOUT}
    SKIP_RETURN_CODE 77
    LABELS "${T_LABELS}"
    ENVIRONMENT "ADDIN_TEST_TIMEOUT=${T_TIMEOUT};ADDIN_BUILD_DIR=${CMAKE_BINARY_DIR};${ADDIN_TEST_SAN_ENV};${T_ENV}")
endfunction()
