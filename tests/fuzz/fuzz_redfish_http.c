/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_redfish_http: what a BMC answers -> what redfish_http.c keeps of it.
 *
 * The input is an answer as the header and body callbacks see it: the first
 * two bytes a status (100 + value % 500), then header lines up to an empty
 * line, then the body, fed in pieces.  Checked after each: the token kept
 * can go back into a header (printable, no blank), the session path is one
 * this client may send (or empty), and every reason is one printable line.
 * The target includes redfish_http.c: the callbacks are static.  No request
 * is made (the url is never connected to).
 */
#include "../../plugins/redfish/redfish_http.c"

#include <stdint.h>

static struct redfish_http *client;

static void printable_line(const char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s > 0x7e)
			__builtin_trap();
	}
}

/* Header lines (CRLF or LF ended) up to the empty one; the rest is the body. */
static size_t feed_headers(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) + 1 : size - off;

		on_header((char *)data + off, 1, len, &client->a);
		off += len;
		if (len <= 2 && (len == 1 || data[off - 2] == '\r'))
			break;
	}
	return off;
}

/* The body in pieces of 1 to 256 bytes, as the network cuts it. */
static void feed_body(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (off < size) {
		size_t len = 1 + data[off] % 256;

		if (len > size - off)
			len = size - off;
		if (on_body_capped((char *)data + off, 1, len, client) != len)
			break;
		off += len;
	}
}

static void check_outcome(void)
{
	char why[1024];
	json_t *j;

	if (client->a.token[0] && !strv_is_graph(strv_c(client->a.token)))
		__builtin_trap();
	session_path(client);
	if (client->session[0] && !path_ok(client->session))
		__builtin_trap();
	status_reason(client, why, sizeof(why));
	printable_line(why);
	j = parse_body(client, "/redfish/v1", why, sizeof(why));
	if (!j)
		printable_line(why);
	else if (!json_is_object(j))
		__builtin_trap();
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redfish_http_options o = { .url = "https://bmc.example:8443",
					  .username = "monitor",
					  .password = "pw",
					  .tls_verify = true,
					  .body_max = 64 << 10 };
	char why[256];
	size_t off;

	if (!client && redfish_http_new(&o, &client, why, sizeof(why)) < 0)
		__builtin_trap();
	if (size < 2)
		return 0;
	answer_reset(&client->a);
	client->a.status = 100 + (data[0] | data[1] << 8) % 500;
	off = 2 + feed_headers(data + 2, size - 2);
	feed_body(data + off, size - off);
	check_outcome();
	return 0;
}
