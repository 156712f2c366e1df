/* SPDX-License-Identifier: GPL-2.0-or-later */
/* heap_give_back() (src/heap.c): trims only when enough lies free inside the heap. */
#include "cmocka_all.h"

#include <malloc.h>
#include <stdlib.h>

#include "../../src/heap.h"

#define N_BLOCKS  256
#define BLOCK	  (4 << 10)
#define SMALL_END 12 /* blocks 0-11 hold the small holes */

/* 1 MiB freed below a live block: given back; nothing or 32 KiB free: not. */
static void test_give_back(void **state)
{
	void *v[N_BLOCKS], *top;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	/* ASan replaces glibc's malloc: no heap of glibc's to measure or trim. */
	skip();
#endif
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	for (int i = 0; i < N_BLOCKS; i++) {
		v[i] = malloc(BLOCK);
		assert_non_null(v[i]);
	}
	top = malloc(BLOCK); /* keeps the freed blocks inside the heap, not at its top */
	assert_non_null(top);
	malloc_trim(0);
	assert_int_equal(heap_give_back(), 0);
	/*
	 * 32 KiB free, under HEAP_GIVE_BACK_MIN: left.  Holes of two blocks with
	 * a live one between them, each holding a whole page a trim would free.
	 */
	for (int i = 0; i < SMALL_END; i++)
		if (i % 3 != 2)
			free(v[i]);
	assert_int_equal(heap_give_back(), 0);
	for (int i = 0; i < N_BLOCKS; i++)
		if (i >= SMALL_END || i % 3 == 2)
			free(v[i]);
	assert_int_equal(heap_give_back(), 1);
	free(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_give_back) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
