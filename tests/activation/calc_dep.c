// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// A library an add-in depends on; the tests deploy the add-in without it.

double calc_dep_twice(double x);

double
calc_dep_twice(double x)
{
	return 2 * x;
}
