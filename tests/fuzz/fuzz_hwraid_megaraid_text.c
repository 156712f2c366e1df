// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: storcli's TEXT output (plugins/hwraid/megaraid_text.c),
 * then the logical drives it makes (megaraid.c) and the rules that turn each
 * into a group (hwraid_rules.c).  Input: one output, as the tool prints it.
 */
#include "fuzz_hwraid_megaraid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	hwraid_fuzz_megaraid(mr_parse_text, data, size);
	return 0;
}
