# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# cmake -DDOC=<markdown file> -DROOT=<source tree> [-DGEN=<dir>;...]
#       -P check_claims.cmake
#
# The code-level claims of a document are true of the tree:
#
# - every path it names in backticks (`host/src/proc.c`, `addin/host.h`,
#   `contracts/addin/wire.proto`) exists, under ROOT or under one of the
#   public include directories;
# - every C name it gives in backticks that looks like Bulkhead's
#   (`addin_activate`, `addin__segment_open()`, `ADDIN_EPERM`,
#   `calculator_v1_calculator_operate`) is defined or declared somewhere in
#   the sources, headers, CMake files or generated files (GEN: directories
#   of generated code, e.g. the goldens).
#
# A claim that names a file or a function that is not there fails the test
# with the line it is on.

cmake_policy(SET CMP0057 NEW)
foreach(v DOC ROOT)
  if(NOT ${v})
    message(FATAL_ERROR "check_claims: -D${v}= is required")
  endif()
endforeach()

file(READ "${DOC}" doc)
string(REPLACE ";" "<semi>" doc "${doc}")
string(REGEX MATCHALL "[^\n]*\n" lines "${doc}\n")

# The text every name is looked up in: headers, sources, protos, CMake.
file(GLOB_RECURSE code LIST_DIRECTORIES false
  "${ROOT}/addin-sdk/*.[ch]" "${ROOT}/host/*.[ch]" "${ROOT}/pipeline-gen/*.[ch]"
  "${ROOT}/tools/*.[ch]" "${ROOT}/tests/*.[ch]" "${ROOT}/bench/*.[ch]"
  "${ROOT}/examples/*.[ch]" "${ROOT}/contracts/*.proto"
  "${ROOT}/addin-sdk/*.proto" "${ROOT}/host/*.proto" "${ROOT}/cmake/*.cmake"
  "${ROOT}/*/CMakeLists.txt" "${ROOT}/CMakeLists.txt" "${ROOT}/Makefile"
  "${ROOT}/addin-sdk/*.sym" "${ROOT}/host/*.sym" "${ROOT}/tools/*.sh")
foreach(g ${GEN})
  file(GLOB_RECURSE more LIST_DIRECTORIES false "${g}/*.[ch]")
  list(APPEND code ${more})
endforeach()
set(corpus "")
foreach(f ${code})
  file(READ "${f}" t)
  string(APPEND corpus "${t}\n")
endforeach()

set(n 0)
set(bad 0)
foreach(line ${lines})
  math(EXPR n "${n} + 1")
  string(REGEX MATCHALL "`[^`\n]+`" spans "${line}")
  foreach(span ${spans})
    string(REGEX REPLACE "^`|`$" "" s "${span}")
    # A path: has a slash or a known extension, no spaces.
    if(s MATCHES "^[A-Za-z0-9_./-]+\\.(c|h|proto|cmake|sym|sh|md|txt)$" OR
       s MATCHES "^(addin-sdk|host|pipeline-gen|contracts|adapters|tests|tools|bench|examples|docs|cmake)/[A-Za-z0-9_./-]*$")
      string(REGEX REPLACE "/$" "" p "${s}")
      if(NOT EXISTS "${ROOT}/${p}" AND
         NOT EXISTS "${ROOT}/addin-sdk/include/${p}" AND
         NOT EXISTS "${ROOT}/host/include/${p}")
        # A bare file name is looked for anywhere.
        if(p MATCHES "/")
          message(SEND_ERROR "${DOC}:${n}: no such file: ${p}")
          math(EXPR bad "${bad} + 1")
        else()
          file(GLOB_RECURSE hit LIST_DIRECTORIES false "${ROOT}/*/${p}")
          list(FILTER hit EXCLUDE REGEX "/build[^/]*/")
          if(NOT hit)
            message(SEND_ERROR "${DOC}:${n}: no file named ${p}")
            math(EXPR bad "${bad} + 1")
          endif()
        endif()
      endif()
      continue()
    endif()
    # C names of Bulkhead's, alone or called: addin_x, addin__x, ADDIN_X,
    # and the generated calculator_v1_* functions.
    foreach(name_re "addin__?[a-z0-9_]+" "ADDIN_[A-Z0-9_]+"
                    "calculator_v1_[a-z0-9_]+")
      if(s MATCHES "^(${name_re})(\\(.*\\))?$")
        set(name "${CMAKE_MATCH_1}")
        string(REGEX MATCH "[^A-Za-z0-9_]${name}[^A-Za-z0-9_]" hit
          "${corpus}")
        if(NOT hit)
          message(SEND_ERROR "${DOC}:${n}: ${name} is named but defined "
            "nowhere in the tree")
          math(EXPR bad "${bad} + 1")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
message(STATUS "${DOC}: ${n} lines checked, ${bad} false claims")
