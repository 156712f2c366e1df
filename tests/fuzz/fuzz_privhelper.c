/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: bytes -> one request to the privileged helper, as a
 * daemon taken over could send it -> serve_one() (src/privhelper.c).
 *
 * The first byte says whether the list is already sealed; the rest is the
 * request.  The list holds `/bin/true` alone.  Besides memory errors it
 * checks what the helper promises a hostile daemon: a malformed request is
 * refused; the list grows only by an ADD before the seal, by exactly one
 * entry, whose program is an absolute path nobody but root can replace; a
 * RUN that ran was of the one registered argv, after the seal; every reason
 * is a NUL-terminated string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/log.h"
#include "../../src/privhelper.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const true_argv[] = { "/bin/true", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *argv[PRIVHELPER_ARGC_MAX + 1];
	struct privhelper_req req;
	struct redmon_cmd_result res;
	struct privhelper *ph;
	char *buf, *copy, why[256];
	bool sealed, parsed;
	uint32_t seq;
	size_t len;
	int rc;

	if (size < 1 || size - 1 > PRIVHELPER_REQ_MAX)
		return 0;
	log_setup(LOG_TARGET_STDERR, LOG_ERR); /* refusals are warnings: not every run's */
	len = size - 1;
	buf = malloc(len + 1);
	copy = malloc(len + 1);
	if (!buf || !copy || privhelper_new(&ph) < 0 || append(ph, "", true_argv, 1, 0, 0) != 0)
		abort();
	memcpy(buf, data + 1, len);
	memcpy(copy, data + 1, len);
	sealed = ph->sealed = data[0] & 1;
	parsed = parse_request(copy, len, &req, argv) == 0;

	rc = serve_one(ph, buf, len, &seq, &res);
	if (!parsed && rc != -EBADMSG)
		abort();
	if (ph->n != 1) {
		if (sealed || !parsed || req.op != PRIVHELPER_OP_ADD || ph->n != 2 || rc != 1)
			abort();
		if (!same_argv(ph->v[1]->argv, ph->v[1]->argc, argv) ||
		    trusted_path_check(ph->v[1]->argv[0], geteuid(), why, sizeof(why)) < 0)
			abort();
	}
	if (parsed && req.op == PRIVHELPER_OP_RUN && rc == 0 &&
	    (!sealed || !same_argv((char *const *)true_argv, 1, argv)))
		abort();
	if (!memchr(res.err, 0, sizeof(res.err)))
		abort();
	child_result_free(&res);
	privhelper_free(ph);
	free(buf);
	free(copy);
	return 0;
}
