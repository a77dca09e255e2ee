# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# cmake -DLIB=<shared library> -DSYM=<version script> -DHEADERS=<dir>
#       -DNM=<nm> -P check_exports.cmake
#
# A shipped library exports exactly what its version script lists, and
# the public node (ADDIN_0) is exactly the public API: every name in it is
# declared with ADDIN_API in a header of HEADERS and documented there (a
# comment line naming it), and every ADDIN_API function of those headers
# is in it.  The private node (ADDIN_PRIVATE), when there is one, must be
# short and explicit: listed names, no pattern.  Prints the counts.

cmake_policy(SET CMP0057 NEW) # if(IN_LIST)

foreach(v LIB SYM HEADERS NM)
  if(NOT ${v})
    message(FATAL_ERROR "check_exports: -D${v}= is required")
  endif()
endforeach()

# What the library exports (defined, dynamic), without version suffixes.
execute_process(COMMAND "${NM}" -D --defined-only "${LIB}"
  OUTPUT_VARIABLE nm_out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "check_exports: ${NM} ${LIB} failed")
endif()
string(REGEX MATCHALL "[^\n]+" nm_lines "${nm_out}")
set(exported)
foreach(l ${nm_lines})
  if(l MATCHES "^[0-9a-f]* *[A-Za-z] ([A-Za-z_0-9]+)(@.*)?$")
    set(name "${CMAKE_MATCH_1}")
    # The version nodes themselves appear as absolute symbols.
    if(NOT name MATCHES "^ADDIN_")
      list(APPEND exported "${name}")
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES exported)

# What the version script lists, by node.
file(READ "${SYM}" sym)
# CMake lists split on ';': the script's own semicolons become '|'.
string(REPLACE ";" "|" sym "${sym}")
set(public)
set(private)
set(node "")
string(REGEX MATCHALL "[^\n]+" sym_lines "${sym}")
set(in_comment FALSE)
foreach(l ${sym_lines})
  string(STRIP "${l}" l)
  # C comments, which may span lines.
  if(in_comment OR l MATCHES "^/\\*")
    set(in_comment TRUE)
    if(l MATCHES "\\*/$")
      set(in_comment FALSE)
    endif()
    continue()
  endif()
  if(l MATCHES "^(ADDIN_[A-Z0-9_]+) *{")
    set(node "${CMAKE_MATCH_1}")
  elseif(l MATCHES "^([A-Za-z_][A-Za-z_0-9]*)\\|$")
    if(node STREQUAL "ADDIN_0")
      list(APPEND public "${CMAKE_MATCH_1}")
    elseif(node STREQUAL "ADDIN_PRIVATE")
      list(APPEND private "${CMAKE_MATCH_1}")
    endif()
  elseif(l MATCHES "[*?[]" AND NOT l MATCHES "^local:" AND
         NOT l STREQUAL "*|")
    message(SEND_ERROR "${SYM}: a pattern (${l}): list names explicitly")
  endif()
endforeach()

set(bad 0)
set(listed ${public} ${private})
foreach(name ${exported})
  if(NOT name IN_LIST listed)
    message(SEND_ERROR "${LIB} exports ${name}, which ${SYM} does not list")
  endif()
endforeach()
foreach(name ${listed})
  if(NOT name IN_LIST exported)
    message(SEND_ERROR "${SYM} lists ${name}, which ${LIB} does not define")
  endif()
endforeach()

# The public API, from the headers.
file(GLOB headers "${HEADERS}/*.h")
set(declared)
set(text_all "")
foreach(h ${headers})
  file(READ "${h}" text)
  string(APPEND text_all "${text}\n")
  string(REGEX MATCHALL "ADDIN_API[^;{}#]*[ *\n]addin_[a-z0-9_]+\\(" decls
    "${text}")
  foreach(d ${decls})
    string(REGEX MATCH "addin_[a-z0-9_]+\\($" name "${d}")
    string(REPLACE "(" "" name "${name}")
    list(APPEND declared "${name}")
  endforeach()
endforeach()
list(REMOVE_DUPLICATES declared)
foreach(name ${public})
  if(NOT name IN_LIST declared)
    message(SEND_ERROR "${SYM}: ${name} is public (ADDIN_0) but no header "
      "in ${HEADERS} declares it with ADDIN_API")
  endif()
  if(NOT text_all MATCHES "//[^\n]*[ /]${name}[ :/(,]")
    message(SEND_ERROR "${name}: no comment in ${HEADERS} documents it")
  endif()
endforeach()
foreach(name ${declared})
  if(NOT name IN_LIST public)
    message(SEND_ERROR "${name} is declared ADDIN_API in ${HEADERS} but "
      "not exported in ADDIN_0 of ${SYM}")
  endif()
endforeach()

list(LENGTH exported n_exp)
list(LENGTH public n_pub)
list(LENGTH private n_priv)
message(STATUS "${LIB}: ${n_exp} exported: ${n_pub} public, ${n_priv} private")
