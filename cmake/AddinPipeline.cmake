# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# Deploying segment libraries into a pipeline directory (see
# docs/architecture.md, "Pipeline directory and discovery"):
#
#   PIPELINE/contracts/        targets with ADDIN_SEGMENT_KIND contract
#   PIPELINE/host-adapters/    ... host-adapter
#   PIPELINE/addin-adapters/   ... addin-adapter
#   PIPELINE/addins/<target>/  ... addin (one folder per add-in target)
#
# addin_deploy_pipeline(TARGET <deploy-target> DIR <dir>
#                       SEGMENTS <target>... [ALL]
#                       [INSTALL_DESTINATION <dir>])
#
# creates the custom target <deploy-target> that copies the file of each
# segment target into <dir>, in the directory its target property
# ADDIN_SEGMENT_KIND names.  ALL adds it to the default build.  Directories
# are made 0755 and files 0644 whatever the umask, because discovery skips
# segments that group or others may write.  A file is replaced by a rename,
# never rewritten in place (a host may have the old one mapped), and left
# alone when its contents did not change (so the store's cache stays valid).
# INSTALL_DESTINATION also installs the segments into that layout under
# <dir> (relative to the install prefix unless absolute); the kind property
# must then be set before the call.  The installed pipeline gets the same
# modes whatever the umask of `cmake --install`: the pipeline directory and
# the layout directories below it are installed as directories with
# DIRECTORY_PERMISSIONS 0755 (which also corrects ones that already exist),
# the files with PERMISSIONS 0644.  Directories above <dir> are the
# installer's business (discovery does not look at them).
#
# This file is also the script the deploy target runs (cmake -P), one
# segment per run.

if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: deploy ADDIN_DEPLOY_FILE of kind ADDIN_DEPLOY_KIND (target
  # ADDIN_DEPLOY_NAME) into ADDIN_DEPLOY_DIR.
  set(_kind "${ADDIN_DEPLOY_KIND}")
  if(_kind STREQUAL "contract")
    set(_sub "contracts")
  elseif(_kind STREQUAL "host-adapter")
    set(_sub "host-adapters")
  elseif(_kind STREQUAL "addin-adapter")
    set(_sub "addin-adapters")
  elseif(_kind STREQUAL "addin")
    set(_sub "addins/${ADDIN_DEPLOY_NAME}")
  else()
    message(FATAL_ERROR "addin_deploy_pipeline: target ${ADDIN_DEPLOY_NAME} "
      "has ADDIN_SEGMENT_KIND \"${_kind}\"; expected contract, "
      "host-adapter, addin-adapter or addin")
  endif()
  set(_dirperm DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(_dirs "${ADDIN_DEPLOY_DIR}")
  if(_kind STREQUAL "addin")
    list(APPEND _dirs "${ADDIN_DEPLOY_DIR}/addins")
  endif()
  list(APPEND _dirs "${ADDIN_DEPLOY_DIR}/${_sub}")
  foreach(_d ${_dirs})
    file(MAKE_DIRECTORY "${_d}")
    file(CHMOD "${_d}" ${_dirperm})
  endforeach()
  get_filename_component(_name "${ADDIN_DEPLOY_FILE}" NAME)
  set(_dst "${ADDIN_DEPLOY_DIR}/${_sub}/${_name}")
  set(_same FALSE)
  if(EXISTS "${_dst}")
    file(SHA256 "${ADDIN_DEPLOY_FILE}" _h1)
    file(SHA256 "${_dst}" _h2)
    if(_h1 STREQUAL _h2)
      set(_same TRUE)
    endif()
  endif()
  if(NOT _same)
    # Hidden while it is written: discovery never takes dot files.
    set(_tmp "${ADDIN_DEPLOY_DIR}/${_sub}/.${_name}.deploy")
    file(COPY_FILE "${ADDIN_DEPLOY_FILE}" "${_tmp}")
    file(CHMOD "${_tmp}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
      WORLD_READ)
    file(RENAME "${_tmp}" "${_dst}")
  else()
    file(CHMOD "${_dst}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ
      WORLD_READ)
  endif()
  return()
endif()

set(ADDIN_SEGMENT_KINDS contract host-adapter addin-adapter addin)

# _addin_install_pipeline(target dest dirs segs subs): the install rules of
# addin_deploy_pipeline(INSTALL_DESTINATION dest).  @dirs are the layout
# directories (relative to dest); the file of segment target @segs[i] goes
# into dest/@subs[i].
# install(FILES) would make missing directories with the installer's umask
# (0775 under umask 002, which discovery refuses), and
# CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS is one setting for the whole
# directory scope that leaves existing directories alone; so the layout is
# built empty in the build tree and installed first with install(DIRECTORY
# ... DIRECTORY_PERMISSIONS), which sets the mode of each directory it
# installs, new or not.
function(_addin_install_pipeline target dest dirs segs subs)
  string(REGEX REPLACE "/+$" "" dest "${dest}")
  cmake_path(GET dest FILENAME name)
  cmake_path(GET dest PARENT_PATH parent)
  if(name STREQUAL "" OR name STREQUAL "." OR name STREQUAL "..")
    message(FATAL_ERROR "addin_deploy_pipeline: INSTALL_DESTINATION "
      "\"${dest}\" must end in the name of the pipeline directory")
  endif()
  if(parent STREQUAL "")
    set(parent ".")
  endif()
  set(skel "${CMAKE_CURRENT_BINARY_DIR}/${target}.install-layout")
  file(REMOVE_RECURSE "${skel}")
  file(MAKE_DIRECTORY "${skel}/${name}")
  list(REMOVE_DUPLICATES dirs)
  foreach(d ${dirs})
    file(MAKE_DIRECTORY "${skel}/${name}/${d}")
  endforeach()
  install(DIRECTORY "${skel}/${name}" DESTINATION "${parent}"
    DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  foreach(seg sub IN ZIP_LISTS segs subs)
    install(FILES "$<TARGET_FILE:${seg}>" DESTINATION "${dest}/${sub}"
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endforeach()
endfunction()

function(addin_deploy_pipeline)
  cmake_parse_arguments(D "ALL" "TARGET;DIR;INSTALL_DESTINATION" "SEGMENTS"
    ${ARGN})
  if(NOT D_TARGET OR NOT D_DIR OR NOT D_SEGMENTS)
    message(FATAL_ERROR
      "addin_deploy_pipeline: TARGET, DIR and SEGMENTS are required")
  endif()
  if(D_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "addin_deploy_pipeline: unknown arguments ${D_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT IS_ABSOLUTE "${D_DIR}")
    set(D_DIR "${CMAKE_CURRENT_BINARY_DIR}/${D_DIR}")
  endif()
  set(cmds)
  set(layout_dirs)
  set(install_subs)
  foreach(seg ${D_SEGMENTS})
    if(NOT TARGET ${seg})
      message(FATAL_ERROR "addin_deploy_pipeline: ${seg} is not a target")
    endif()
    list(APPEND cmds COMMAND "${CMAKE_COMMAND}"
      "-DADDIN_DEPLOY_KIND=$<TARGET_PROPERTY:${seg},ADDIN_SEGMENT_KIND>"
      "-DADDIN_DEPLOY_FILE=$<TARGET_FILE:${seg}>"
      "-DADDIN_DEPLOY_NAME=${seg}"
      "-DADDIN_DEPLOY_DIR=${D_DIR}"
      -P "${CMAKE_CURRENT_FUNCTION_LIST_FILE}")
    if(D_INSTALL_DESTINATION)
      get_target_property(kind ${seg} ADDIN_SEGMENT_KIND)
      if(kind STREQUAL "contract")
        set(sub contracts)
      elseif(kind STREQUAL "host-adapter")
        set(sub host-adapters)
      elseif(kind STREQUAL "addin-adapter")
        set(sub addin-adapters)
      elseif(kind STREQUAL "addin")
        set(sub addins/${seg})
      else()
        message(FATAL_ERROR "addin_deploy_pipeline: set the target property "
          "ADDIN_SEGMENT_KIND of ${seg} (one of ${ADDIN_SEGMENT_KINDS}) "
          "before INSTALL_DESTINATION uses it")
      endif()
      if(kind STREQUAL "addin")
        list(APPEND layout_dirs addins)
      endif()
      list(APPEND layout_dirs "${sub}")
      list(APPEND install_subs "${sub}")
    endif()
  endforeach()
  if(D_INSTALL_DESTINATION)
    _addin_install_pipeline("${D_TARGET}" "${D_INSTALL_DESTINATION}"
      "${layout_dirs}" "${D_SEGMENTS}" "${install_subs}")
  endif()
  set(all)
  if(D_ALL)
    set(all ALL)
  endif()
  add_custom_target(${D_TARGET} ${all} ${cmds}
    COMMENT "Deploying pipeline segments into ${D_DIR}"
    VERBATIM)
  add_dependencies(${D_TARGET} ${D_SEGMENTS})
endfunction()
