/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmocka needs these headers first, in this order. */
#ifndef REDMON_TEST_CMOCKA_ALL_H
#define REDMON_TEST_CMOCKA_ALL_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#endif
