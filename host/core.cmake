# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# Host core: process supervision, activation, controllers.
list(APPEND ADDIN_HOST_SRCS
  src/host.c
  src/sandbox_launch.c
  src/proc.c
)
