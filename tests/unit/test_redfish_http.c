/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/redfish/redfish_http.c against a real HTTPS service on loopback:
 * tests/integration/redfish_server.py (Python's http.server and ssl, a
 * self-signed certificate it makes with openssl) serving the mockup tree of
 * tests/corpus/redfish/dmtf-rackmount1-psu-absent-predictive, with its
 * faults switched through faults.json and every request it saw read back
 * from requests.jsonl.  Checked: the session login, keep-alive, one new
 * login after a 401, Basic when there is no SessionService, the logout; each
 * failure (status, timeout, TLS, truncated body, invalid JSON, body over the
 * cap, a redirect never followed) as one printable line that never holds the
 * password.  Run from the repository root (as tests/run.py does).
 *
 * This binary links no libcurl: it loads it as the plugin does
 * (plugins/lib/curl_dl.c), the first client doing it; the loader's
 * own failures (a library that is not there, one without curl's functions)
 * are tested with names given to curl_dl_load().
 */
#include "cmocka_all.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "../../plugins/lib/curl_dl.h"
#include "../../plugins/redfish/redfish_http.h"

extern char **environ;

#define CASE	 "tests/corpus/redfish/dmtf-rackmount1-psu-absent-predictive"
#define USER	 "monitor"
#define PASSWORD "Sw0rdf1sh-not-in-any-line"
#define PSU_PATH "/redfish/v1/Chassis/1U/PowerSubsystem/PowerSupplies/Bay1"
#define SESSIONS "/redfish/v1/SessionService/Sessions"

static char dir[] = "/tmp/rfhttp.XXXXXX";
static char url[64], ca[128];
static pid_t server = -1;
/* Every reason the client gave: none may hold the password. */
static char reasons[64][600];
static size_t n_reasons;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[256], tmp[270];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(rename(tmp, path), 0); /* the server never reads half a file */
}

/* The faults of the next requests (redfish_server.py's faults.json); the request log emptied. */
/*
 * Each faults() starts an epoch: the server logs it with each request, and
 * requests() leaves out those of an earlier one (the last test's session
 * DELETE, logged after its answer, can land after the log was cleared).
 */
static unsigned epoch;

static void faults(const char *json)
{
	char path[256], doc[1024];

	epoch++;
	if (strcmp(json, "{}") == 0)
		snprintf(doc, sizeof(doc), "{\"epoch\": %u}", epoch);
	else
		snprintf(doc, sizeof(doc), "{\"epoch\": %u, %s", epoch, json + 1);
	write_file("faults.json", doc, 0644);
	snprintf(path, sizeof(path), "%s/requests.jsonl", dir);
	unlink(path);
}

static int start_server(void **state)
{
	char pwfile[128], port_path[128], port[16] = "";
	char *argv[] = { "python3",
			 "tests/integration/redfish_server.py",
			 "--tree",
			 CASE,
			 "--dir",
			 dir,
			 "--user",
			 USER,
			 "--password-file",
			 pwfile,
			 NULL };
	uint64_t deadline = now_ms() + 30000;
	FILE *f;

	(void)state;
	signal(SIGPIPE,
	       SIG_IGN); /* as the daemon: a peer gone mid-write is an error, not a death */
	if (!mkdtemp(dir))
		return -1;
	snprintf(pwfile, sizeof(pwfile), "%s/password", dir);
	write_file("password", PASSWORD "\n", 0600);
	if (posix_spawnp(&server, "python3", NULL, NULL, argv, environ) != 0)
		return -1;
	snprintf(port_path, sizeof(port_path), "%s/port", dir);
	while (!(f = fopen(port_path, "r")) && now_ms() < deadline &&
	       waitpid(server, NULL, WNOHANG) == 0)
		sleep_ms(20);
	if (!f)
		return -1;
	if (!fgets(port, sizeof(port), f))
		port[0] = 0;
	fclose(f);
	snprintf(url, sizeof(url), "https://127.0.0.1:%s", port);
	snprintf(ca, sizeof(ca), "%s/cert.pem", dir);
	return port[0] ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int stop_server(void **state)
{
	(void)state;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* --- the client ---------------------------------------------------------------- */

static struct redfish_http_options options(void)
{
	return (struct redfish_http_options){
		.url = url,
		.username = USER,
		.password = PASSWORD,
		.ca_file = ca,
		.tls_verify = true,
		.timeout_ms = 5000,
	};
}

static struct redfish_http *client_with(const struct redfish_http_options *o)
{
	struct redfish_http *c = NULL;
	char why[300];

	assert_int_equal(redfish_http_new(o, &c, why, sizeof(why)), 0);
	return c;
}

static struct redfish_http *client(void)
{
	struct redfish_http_options o = options();

	return client_with(&o);
}

/* A reason: one line, printable, never the password; kept for the final check. */
static void reason_check(const char *why)
{
	print_message("  reason: %s\n", why);
	assert_true(why[0]);
	for (const char *p = why; *p; p++)
		assert_true(*p >= 0x20 && *p <= 0x7e);
	assert_null(strstr(why, PASSWORD));
	if (n_reasons < sizeof(reasons) / sizeof(reasons[0]))
		snprintf(reasons[n_reasons++], sizeof(reasons[0]), "%s", why);
}

/* get() that must fail: its reason, checked. */
static const char *get_fails(struct redfish_http *c, const char *path)
{
	static char why[600];
	json_t *j;

	why[0] = 0;
	j = redfish_http_source(c)->get(redfish_http_source(c), path, why, sizeof(why));
	assert_null(j);
	reason_check(why);
	return why;
}

/* get() that must work: the resource's Id. */
static void get_ok(struct redfish_http *c, const char *path, const char *id)
{
	char why[600] = "";
	json_t *j = redfish_http_source(c)->get(redfish_http_source(c), path, why, sizeof(why));

	if (!j)
		fail_msg("GET %s: %s", path, why);
	assert_string_equal(json_string_value(json_object_get(j, "Id")), id);
	json_decref(j);
}

/* --- the server's request log ------------------------------------------------- */

struct req {
	char method[8], path[128], host[64], auth[8];
	long status, port;
};

/* The requests the server logged so far (at most max). */
static size_t requests(struct req *r, size_t max)
{
	char path[256], line[1024];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/requests.jsonl", dir);
	f = fopen(path, "r");
	while (f && n < max && fgets(line, sizeof(line), f)) {
		json_t *j = json_loads(line, 0, NULL);

		assert_non_null(j);
		if ((unsigned)json_integer_value(json_object_get(j, "epoch")) != epoch) {
			json_decref(j); /* a request of an earlier test */
			continue;
		}
		memset(&r[n], 0, sizeof(r[n]));
		snprintf(r[n].method, sizeof(r[n].method), "%s",
			 json_string_value(json_object_get(j, "method")));
		snprintf(r[n].path, sizeof(r[n].path), "%s",
			 json_string_value(json_object_get(j, "path")));
		snprintf(r[n].host, sizeof(r[n].host), "%s",
			 json_string_value(json_object_get(j, "host")));
		snprintf(r[n].auth, sizeof(r[n].auth), "%s",
			 json_string_value(json_object_get(j, "auth")));
		r[n].status = (long)json_integer_value(json_object_get(j, "status"));
		r[n].port = (long)json_integer_value(json_object_get(j, "port"));
		json_decref(j);
		n++;
	}
	if (f)
		fclose(f);
	return n;
}

/*
 * Wait until the server logged n requests (it logs after answering: the
 * client can be faster), then fill r.  Fails the test after 5 s.
 */
static size_t requests_wait(struct req *r, size_t max, size_t n)
{
	uint64_t deadline = now_ms() + 5000;
	size_t got;

	while ((got = requests(r, max)) < n && now_ms() < deadline)
		sleep_ms(10);
	if (got < n)
		fail_msg("the server logged %zu requests, expected %zu", got, n);
	return got;
}

static void req_is(const struct req *r, const char *method, const char *path, const char *auth,
		   long status)
{
	assert_string_equal(r->method, method);
	assert_string_equal(r->path, path);
	if (auth)
		assert_string_equal(r->auth, auth);
	assert_int_equal(r->status, status);
}

/* --- behaviours ---------------------------------------------------------------- */

/* A session: one login, the token on each GET, one connection, a DELETE at free. */
static void test_session_keepalive_logout(void **state)
{
	struct redfish_http *c;
	struct req r[16];

	(void)state;
	faults("{}");
	c = client();
	assert_string_equal(redfish_http_auth(c), "none");
	get_ok(c, "/redfish/v1", "RootService");
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	get_ok(c, PSU_PATH, "Bay1");
	assert_string_equal(redfish_http_auth(c), "session");
	redfish_http_free(c);
	requests_wait(r, 16, 5);
	req_is(&r[0], "POST", SESSIONS, NULL, 201);
	req_is(&r[1], "GET", "/redfish/v1", "token", 200);
	req_is(&r[2], "GET", "/redfish/v1/Chassis/1U", "token", 200);
	req_is(&r[3], "GET", PSU_PATH, "token", 200);
	assert_string_equal(r[4].method, "DELETE");
	assert_true(strncmp(r[4].path, SESSIONS "/", strlen(SESSIONS "/")) == 0);
	assert_int_equal(r[4].status, 204);
	/* Keep-alive: the same client port for every request. */
	for (int i = 1; i < 5; i++)
		assert_int_equal(r[i].port, r[0].port);
	assert_int_equal(requests(r, 16), 5);
}

/* The session ends on the service's side (a BMC reset): one login again, one retry. */
static void test_relogin_after_401(void **state)
{
	struct redfish_http *c;
	struct req r[16];

	(void)state;
	faults("{}");
	c = client();
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	faults("{\"drop_sessions\": 1}");
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	requests_wait(r, 16, 3);
	req_is(&r[0], "GET", "/redfish/v1/Chassis/1U", "bad", 401);
	req_is(&r[1], "POST", SESSIONS, NULL, 201);
	req_is(&r[2], "GET", "/redfish/v1/Chassis/1U", "token", 200);
	/* A second 401 right after the new login is an error, not a loop. */
	faults("{\"drop_sessions\": 1, \"paths\": {\"/redfish/v1/Chassis/1U\": \"401\"}}");
	assert_non_null(strstr(get_fails(c, "/redfish/v1/Chassis/1U"), "HTTP 401"));
	requests_wait(r, 16, 3);
	assert_int_equal(requests(r, 16), 3); /* GET 401, POST, GET 401: no more */
	redfish_http_free(c);
}

static void basic_fallback(int status)
{
	char f[64];
	struct redfish_http *c;
	struct req r[16];

	snprintf(f, sizeof(f), "{\"no_sessions\": %d}", status);
	faults(f);
	c = client();
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	assert_string_equal(redfish_http_auth(c), "basic");
	get_ok(c, PSU_PATH, "Bay1");
	redfish_http_free(c); /* no session: no DELETE */
	requests_wait(r, 16, 3);
	req_is(&r[0], "POST", SESSIONS, NULL, status);
	req_is(&r[1], "GET", "/redfish/v1/Chassis/1U", "basic", 200);
	req_is(&r[2], "GET", PSU_PATH, "basic", 200);
	sleep_ms(100);
	assert_int_equal(requests(r, 16), 3);
}

static void test_basic_when_no_sessions(void **state)
{
	(void)state;
	basic_fallback(405);
	basic_fallback(404);
}

static void test_wrong_password(void **state)
{
	struct redfish_http_options o = options();
	struct redfish_http *c;
	const char *why;

	(void)state;
	faults("{}");
	o.password = "not-" PASSWORD;
	c = client_with(&o);
	why = get_fails(c, "/redfish/v1/Chassis/1U");
	assert_non_null(strstr(why, "log in"));
	assert_non_null(strstr(why, "HTTP 401: user " USER " refused"));
	assert_null(strstr(why, "not-"));
	redfish_http_free(c);
}

static void test_status_503(void **state)
{
	struct redfish_http *c = client();
	const char *why;

	(void)state;
	faults("{\"paths\": {\"" PSU_PATH "\": \"503\"}}");
	why = get_fails(c, PSU_PATH);
	assert_non_null(strstr(why, "GET "));
	assert_non_null(strstr(why, PSU_PATH ": HTTP 503: the service is busy"));
	get_ok(c, "/redfish/v1/Chassis/1U", "1U"); /* the rest still answers */
	redfish_http_free(c);
}

/* A service that does not answer: given up at the timeout, whole request. */
static void test_hang_times_out(void **state)
{
	struct redfish_http_options o = options();
	struct redfish_http *c;
	uint64_t t0;

	(void)state;
	o.timeout_ms = 800;
	c = client_with(&o);
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	faults("{\"paths\": {\"" PSU_PATH "\": \"hang\"}, \"hang_s\": 4}");
	t0 = now_ms();
	assert_non_null(strstr(get_fails(c, PSU_PATH), "no answer within 800 ms"));
	assert_true(now_ms() - t0 < 2500);
	get_ok(c, "/redfish/v1/Chassis/1U", "1U"); /* a new connection, the same session */
	redfish_http_free(c);
}

static void test_truncated_body(void **state)
{
	struct redfish_http *c = client();

	(void)state;
	faults("{\"paths\": {\"" PSU_PATH "\": \"truncate\"}}");
	assert_non_null(strstr(get_fails(c, PSU_PATH), "body truncated: connection closed after"));
	redfish_http_free(c);
}

static void test_invalid_json(void **state)
{
	struct redfish_http *c = client();

	(void)state;
	faults("{\"paths\": {\"" PSU_PATH "\": \"invalid_json\"}}");
	assert_non_null(strstr(get_fails(c, PSU_PATH), "invalid JSON at line 1"));
	redfish_http_free(c);
}

/* 5 MiB, announced by Content-Length or not: refused at the 4 MiB cap, never read whole. */
static void test_body_over_cap(void **state)
{
	struct redfish_http *c = client();

	(void)state;
	faults("{\"paths\": {\"" PSU_PATH "\": \"big\"}}");
	assert_non_null(strstr(get_fails(c, PSU_PATH), "body over 4194304 bytes"));
	faults("{\"paths\": {\"" PSU_PATH "\": \"big_nolength\"}}");
	assert_non_null(strstr(get_fails(c, PSU_PATH), "body over 4194304 bytes"));
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	redfish_http_free(c);
}

/* A redirect to another host (localhost is not 127.0.0.1 to a client): never followed. */
static void test_redirect_not_followed(void **state)
{
	struct redfish_http *c;
	struct req r[16];
	char want[128];
	size_t n;

	(void)state;
	faults("{\"no_sessions\": 405, \"paths\": {\"" PSU_PATH "\": \"redirect\"}}");
	c = client(); /* Basic: credentials on every request, the worst case */
	snprintf(want, sizeof(want), "HTTP 302: a redirect to https://localhost:%s, not followed",
		 strrchr(url, ':') + 1);
	assert_non_null(strstr(get_fails(c, PSU_PATH), want));
	requests_wait(r, 16, 2);
	sleep_ms(200); /* time for a request the client should never make */
	n = requests(r, 16);
	assert_int_equal(n, 2);
	req_is(&r[0], "POST", SESSIONS, NULL, 405);
	req_is(&r[1], "GET", PSU_PATH, "basic", 302);
	for (size_t i = 0; i < n; i++)
		assert_null(strstr(r[i].host, "localhost"));
	/* A Location with control bytes: still one printable line. */
	faults("{\"paths\": {\"" PSU_PATH "\": \"redirect_ctl\"}}");
	assert_non_null(strstr(get_fails(c, PSU_PATH), "a redirect to https://evil?[31m.example?"));
	redfish_http_free(c);
}

/* No CA for the self-signed certificate, or a name it does not carry: TLS refuses. */
static void test_tls_failures(void **state)
{
	struct redfish_http_options o = options();
	struct redfish_http *c;
	char other[64];

	(void)state;
	faults("{}");
	o.ca_file = NULL;
	c = client_with(&o);
	assert_non_null(strstr(get_fails(c, "/redfish/v1"), ": TLS: "));
	redfish_http_free(c);
	/* The certificate names IP:127.0.0.1 only. */
	snprintf(other, sizeof(other), "https://localhost:%s", strrchr(url, ':') + 1);
	o = options();
	o.url = other;
	c = client_with(&o);
	get_fails(c, "/redfish/v1");
	redfish_http_free(c);
	/* tls_verify = no: the same service answers (the documented insecure choice). */
	o = options();
	o.ca_file = NULL;
	o.tls_verify = false;
	c = client_with(&o);
	get_ok(c, "/redfish/v1/Chassis/1U", "1U");
	redfish_http_free(c);
}

/* A proxy in the environment is not the daemon's business: ignored. */
static int proxy_env_unset(void **state)
{
	(void)state;
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	return 0;
}

static void test_proxy_env_ignored(void **state)
{
	struct redfish_http *c;

	(void)state;
	faults("{}");
	setenv("https_proxy", "http://127.0.0.1:9", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:9", 1);
	c = client();
	get_ok(c, "/redfish/v1/Chassis/1U", "1U"); /* through 127.0.0.1:9 it would fail */
	redfish_http_free(c);
}

/* What the login answer must hold: a usable token. */
static void test_login_without_token(void **state)
{
	struct redfish_http *c = client();

	(void)state;
	faults("{\"login_token\": \"none\"}");
	assert_non_null(strstr(get_fails(c, "/redfish/v1"), "no X-Auth-Token in the answer"));
	faults("{\"login_token\": \"bad\"}");
	assert_non_null(strstr(get_fails(c, "/redfish/v1"), "not printable or too long"));
	redfish_http_free(c);
}

static void test_connection_refused(void **state)
{
	struct redfish_http_options o = options();
	struct redfish_http *c;

	(void)state;
	o.url = "https://127.0.0.1:9"; /* discard: nothing listens on loopback */
	c = client_with(&o);
	get_fails(c, "/redfish/v1");
	redfish_http_free(c);
}

/* Only scheme://host[:port]: credentials and paths have options of their own. */
static void test_url_and_path_checks(void **state)
{
	static const char *bad[] = { "https://u:p@127.0.0.1",
				     "https://127.0.0.1/redfish",
				     "ftp://127.0.0.1",
				     "https://127.0.0.1:0",
				     "https://127.0.0.1:99999",
				     "https://127.0.0.1?x",
				     "https://",
				     "https://bmc\n.example",
				     "https://[::1",
				     "127.0.0.1" };
	static const char *good[] = { "https://bmc.example", "https://bmc.example:8443/",
				      "https://[fe80::1]:443", "http://10.0.0.1" };
	struct redfish_http_options o = options();
	struct redfish_http *c = NULL;
	char why[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.url = bad[i];
		assert_int_equal(redfish_http_new(&o, &c, why, sizeof(why)), -EINVAL);
		reason_check(why);
	}
	/* A password put in the url is not repeated in the reason. */
	o.url = "https://monitor:" PASSWORD "@127.0.0.1/redfish?token=abc";
	assert_int_equal(redfish_http_new(&o, &c, why, sizeof(why)), -EINVAL);
	reason_check(why);
	assert_null(strstr(why, "token=abc"));
	assert_non_null(strstr(why, "url https://127.0.0.1 (and more): expected"));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o.url = good[i];
		assert_int_equal(redfish_http_new(&o, &c, why, sizeof(why)), 0);
		redfish_http_free(c);
	}
	o = options();
	o.username = "";
	assert_int_equal(redfish_http_new(&o, &c, why, sizeof(why)), -EINVAL);
	c = client();
	assert_string_equal(redfish_http_url(c), url);
	assert_non_null(strstr(get_fails(c, "redfish/v1"), "not a path this client sends"));
	get_fails(c, "/redfish/v1/a b");
	get_fails(c, "/redfish/v1/a\r\nX-Evil: 1");
	get_fails(c, "//evil.example/redfish/v1");
	redfish_http_free(c);
}

static bool curl_in_process(void)
{
	void *lib = dlopen(CURL_DL_SONAME, RTLD_NOW | RTLD_NOLOAD);

	if (lib)
		dlclose(lib);
	return lib != NULL;
}

/* First: libcurl comes into the process with the first client, not before. */
static void test_curl_loaded_by_first_client(void **state)
{
	struct redfish_http *c;

	(void)state;
	assert_false(curl_in_process());
	c = client();
	assert_true(curl_in_process());
	redfish_http_free(c);
	assert_true(curl_in_process()); /* RTLD_NODELETE: never unloaded */
}

/* A library that is not there, one that is not libcurl: a reason, the table untouched. */
static void test_curl_loader_failures(void **state)
{
	struct curl_dl t, before;
	const struct curl_dl *got;
	char why[300];

	(void)state;
	memset(&t, 0xa5, sizeof(t));
	before = t;
	assert_int_equal(curl_dl_load("libcurl-not-here.so.4", &t, why, sizeof(why)), -ENOENT);
	reason_check(why);
	assert_non_null(strstr(why, "libcurl-not-here.so.4 not found: "));
	assert_memory_equal(&t, &before, sizeof(t));
	assert_int_equal(curl_dl_load("libjansson.so.4", &t, why, sizeof(why)), -ELIBBAD);
	reason_check(why);
	assert_string_equal(why, "libjansson.so.4 has no curl_global_init: not the libcurl this "
				 "was built for");
	assert_memory_equal(&t, &before, sizeof(t));
	/* The real one: every function found, the same as the process's table. */
	assert_int_equal(curl_dl_load(CURL_DL_SONAME, &t, why, sizeof(why)), 0);
	got = curl_dl_get(why, sizeof(why));
	assert_non_null(got);
	assert_memory_equal(&t, got, sizeof(t));
	assert_string_equal(t.easy_strerror(CURLE_OK), "No error");
}

/* Last: no reason of the whole run held the password. */
static void test_no_password_anywhere(void **state)
{
	(void)state;
	assert_true(n_reasons >= 15);
	for (size_t i = 0; i < n_reasons; i++)
		assert_null(strstr(reasons[i], PASSWORD));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_curl_loaded_by_first_client),
		cmocka_unit_test(test_curl_loader_failures),
		cmocka_unit_test(test_session_keepalive_logout),
		cmocka_unit_test(test_relogin_after_401),
		cmocka_unit_test(test_basic_when_no_sessions),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_status_503),
		cmocka_unit_test(test_hang_times_out),
		cmocka_unit_test(test_truncated_body),
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_body_over_cap),
		cmocka_unit_test(test_redirect_not_followed),
		cmocka_unit_test(test_tls_failures),
		cmocka_unit_test_teardown(test_proxy_env_ignored, proxy_env_unset),
		cmocka_unit_test(test_login_without_token),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_url_and_path_checks),
		cmocka_unit_test(test_no_password_anywhere),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
