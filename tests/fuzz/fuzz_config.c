/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> configuration file -> cfg_load() -> cfg_free().
 *
 * The input up to the first NUL byte is the file (written to a memfd, read
 * through /proc/self/fd/N as any file); after it, each line is one `-o`
 * override.  Besides memory errors it checks the contract of cfg_load(): on
 * success a config with its typed [daemon] values within their documented
 * ranges and every entry of the file with a line number, on failure a
 * message in err and *ret untouched.  The reader has no line length limit
 * below the file's (64 KiB): run with -max_len=70000 to reach it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OVERRIDES 16

static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t file_len = nul ? (size_t)(nul - data) : size;
	char *ov_text = NULL, *ov[MAX_OVERRIDES];
	struct config *cfg = (struct config *)(uintptr_t)1; /* must stay untouched on failure */
	char err[512];
	size_t n_ov = 0;
	int r;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
		if (memfd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, file_len, 0) != (ssize_t)file_len)
		abort();

	if (nul) {
		size_t rest = size - file_len - 1;
		char *p, *save = NULL;

		ov_text = malloc(rest + 1);
		if (!ov_text)
			abort();
		memcpy(ov_text, nul + 1, rest);
		ov_text[rest] = '\0';
		for (p = strtok_r(ov_text, "\n", &save); p && n_ov < MAX_OVERRIDES;
		     p = strtok_r(NULL, "\n", &save))
			ov[n_ov++] = p;
	}

	err[0] = '\0';
	r = cfg_load(path, ov, n_ov, &cfg, err, sizeof(err));
	if (r < 0) {
		if (cfg != (struct config *)(uintptr_t)1 || !err[0] ||
		    !memchr(err, '\0', sizeof(err)))
			abort();
	} else {
		if (!cfg || cfg->rescan_interval_ms < 100 ||
		    cfg->rescan_interval_ms > 86400000ULL || cfg->progress_step < 1 ||
		    cfg->progress_step > 100)
			abort();
		for (size_t i = 0; i < cfg->n_sinks; i++)
			if (!cfg->sinks[i].name || !cfg->sinks[i].name[0])
				abort();
		if (cfg->stall_after_ms < 1000 || cfg->stall_after_ms > 86400000ULL)
			abort();
		/* [group.ID]: only well-formed ids, counts within their ranges. */
		for (size_t i = 0; i < cfg->n_groups; i++)
			if (!expect_id_valid(cfg->groups[i].id) || cfg->groups[i].spares > 1000 ||
			    cfg->groups[i].members > 100000 ||
			    (cfg->groups[i].members_set && cfg->groups[i].members < 1))
				abort();
		for (size_t i = 0; i < cfg->n_entries; i++)
			if (cfg->entries[i].origin == cfg->file &&
			    (cfg->entries[i].line < 1 || !cfg->entries[i].section[0] ||
			     !cfg->entries[i].key[0]))
				abort();
		(void)cfg_get(cfg, "daemon", "rescan_interval");
		(void)cfg_probe_enabled(cfg, "md");
		cfg_free(cfg);
	}
	free(ov_text);
	return 0;
}
