/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ask.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ctl.h"

int ask_socket_path(const struct cli *cli, char *buf, size_t len)
{
	struct config *cfg = NULL;
	char err[CFG_ERR_MAX];
	int rc = 1;

	if (cfg_load(cli->config_file, cli->overrides, cli->n_overrides, &cfg, err, sizeof(err)) <
	    0)
		return -1;
	/* With --root, as the daemon: the host's socket only when the configuration names it. */
	if (*cfg->socket && strlen(cfg->socket) < len && (!cli->root || cfg->socket_set)) {
		snprintf(buf, len, "%s", cfg->socket);
		rc = 0;
	}
	cfg_free(cfg);
	return rc;
}

int ask_daemon(const char *path, json_t *req, int timeout_ms, bool view, char *why, size_t len)
{
	json_t *ans = NULL;
	const char *out, *refused;
	size_t out_len;
	int rc = ctl_ask(path, req, timeout_ms, &ans), code;

	json_decref(req);
	if (rc < 0) {
		snprintf(why, len, "no daemon answers at %s (%s)", path,
			 rc == -EPROTO ? "not a redmon answer" : strerror(-rc));
		return -1;
	}
	refused = json_string_value(json_object_get(ans, "refused"));
	if (refused) {
		snprintf(why, len, "%s (%s)", refused, path);
		json_decref(ans);
		return -1;
	}
	out = json_string_value(json_object_get(ans, "output"));
	out_len = json_string_length(json_object_get(ans, "output"));
	code = (int)json_integer_value(json_object_get(ans, "exit"));
	fwrite(out, 1, out_len, view || code == 0 ? stdout : stderr);
	json_decref(ans);
	return code < 0 || code > 255 ? 1 : code;
}
