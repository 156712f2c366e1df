/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "heap.h"

#include <malloc.h>

int heap_give_back(void)
{
	/* The main arena only: main.c sets M_ARENA_MAX 1, so every thread allocates there. */
	struct mallinfo2 mi = mallinfo2();

	/*
	 * keepcost is the top chunk, which free() already trims past
	 * M_TRIM_THRESHOLD; the rest is in holes.  Below the bound the pages
	 * worth giving back are few, and the page faults of their reuse would
	 * cost more than they save.
	 */
	if (mi.fordblks < mi.keepcost || mi.fordblks - mi.keepcost < HEAP_GIVE_BACK_MIN)
		return 0;
	return malloc_trim(0);
}
