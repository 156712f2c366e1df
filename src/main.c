/* SPDX-License-Identifier: GPL-2.0-or-later */
/* redmon: command line and subcommand dispatch. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "agg.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "privdrop.h"
#include "runtime.h"
#include "sink.h"
#include "status.h"

static void usage(FILE *out)
{
	fputs("Usage: redmon COMMAND [OPTIONS]\n"
	      "\n"
	      "Watches redundant hardware (RAID arrays, ...) and says how many more\n"
	      "failures each group can take.\n"
	      "\n"
	      "Commands:\n"
	      "  status        scan once and print every redundancy group\n"
	      "  check         scan once, Nagios/Icinga plugin output and exit code\n"
	      "  daemon        run the monitoring service\n"
	      "  test-alert    send a test event through every sink and say how each did\n"
	      "\n"
	      "Options:\n"
	      "  -c, --config FILE        configuration file (default: none)\n"
	      "  -o SECTION.KEY=VALUE     set a configuration key (repeatable)\n"
	      "      --root DIR           read /proc and /sys under DIR (captured trees)\n"
	      "      --plugin-dir DIR     load probe plugins from DIR\n"
	      "      --json               status: print JSON (docs/json.md)\n"
	      "      --check-config       daemon: validate the configuration and exit\n"
	      "      --sink NAME          test-alert: only through this sink\n"
	      "      --user USER          daemon: run as USER after start (over [daemon] user)\n"
	      "      --watch              status: redraw the table on every change\n"
	      "      --no-color           status: no colour (also NO_COLOR=1)\n"
	      "  -v, --verbose            log more (repeatable)\n"
	      "  -h, --help               this text\n"
	      "      --version            print the version\n",
	      out);
}

enum { OPT_ROOT = 256, OPT_PLUGIN_DIR, OPT_VERSION, OPT_USER, OPT_SINK };

/* What the command line says; the flags are set by getopt_long() itself. */
static struct cli cli;

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR },
	{ "json", no_argument, &cli.json, 1 },
	{ "check-config", no_argument, &cli.check_config, 1 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "user", required_argument, NULL, OPT_USER },
	{ "watch", no_argument, &cli.watch, 1 },
	{ "no-color", no_argument, &cli.no_color, 1 },
	{ "sink", required_argument, NULL, OPT_SINK },
	{ 0 },
};

/* Into cli; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, const char **sink)
{
	int c;

	cli.overrides = calloc((size_t)argc, sizeof(char *));
	if (!cli.overrides)
		return 1;
	while ((c = getopt_long(argc, argv, "c:o:vh", long_options, NULL)) != -1) {
		switch (c) {
		case 0: /* a flag, set */
			break;
		case 'c':
			cli.config_file = optarg;
			break;
		case 'o':
			cli.overrides[cli.n_overrides++] = optarg;
			break;
		case OPT_ROOT:
			cli.root = optarg;
			break;
		case OPT_PLUGIN_DIR:
			cli.plugin_dir = optarg;
			break;
		case OPT_USER:
			cli.user = optarg;
			break;
		case OPT_SINK:
			*sink = optarg;
			break;
		case 'v':
			cli.verbosity++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("redmon %s\n", REDMON_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	cli.command = argv[optind];
	return -1;
}

/* Probes keep sysfs attributes open between scans (poll() needs it): as many fds as allowed. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int cmd_scan_once(struct runtime *rt, bool nagios)
{
	struct agg *agg = NULL;
	int code = 0;

	if (!nagios && rt->cli->watch && !rt->cli->json)
		return status_watch(rt, status_use_color(rt->cli->no_color, stdout));
	if (agg_new(&agg, rt->cfg->progress_step) < 0 || runtime_agg_configure(rt->cfg, agg) < 0) {
		agg_free(agg);
		log_err("out of memory");
		return nagios ? 3 : 1;
	}
	runtime_scan_once(rt, agg);
	if (nagios)
		code = check_print(agg, stdout);
	else if (!rt->cli->json)
		status_print_table(agg, status_use_color(rt->cli->no_color, stdout), stdout);
	else
		code = status_print_json(agg, rt->host, rt->root, stdout) < 0 ? 1 : 0;
	agg_free(agg);
	if (fflush(stdout) != 0)
		code = nagios ? 3 : 1;
	return code;
}

/* `redmon test-alert`: a test event through every sink (or one), no spools; 0: all worked. */
static int cmd_test_alert(struct runtime *rt, const char *only)
{
	struct sink_env env = { .host = rt->host };
	struct event ev = {
		.type = EV_TEST,
		.sink = only,
		.message = "test alert (redmon test-alert): alerts from this host reach you",
	};
	struct sink_set *set = NULL;
	char err[CFG_ERR_MAX];
	int rc;

	signal(SIGPIPE, SIG_IGN); /* a hook that does not read its input must not kill us */
	rc = loop_new(&env.loop);
	if (rc < 0)
		snprintf(err, sizeof(err), "%s", strerror(-rc));
	if (rc < 0 || sink_set_open(rt->cfg, &env, &set, err, sizeof(err)) < 0) {
		fprintf(stderr, "redmon: %s\n", err);
		loop_free(env.loop);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &ev.time);
	rc = sink_set_test(set, only, &ev, stdout);
	if (rc == -ENOENT)
		fprintf(stderr, "redmon: no sink named '%s'\n", only);
	sink_set_free(set);
	loop_free(env.loop);
	return rc == 0 ? 0 : rc == -ENOENT ? 2 : 1;
}

/*
 * daemon --check-config: every problem the daemon would refuse to start on,
 * one line each naming where it is (file:line, or -o section.key), then one
 * line naming what was checked: "redmon: FILE: OK" or "redmon: FILE: N errors".
 */
static int cmd_check_config(void)
{
	const char *what = cli.config_file ? cli.config_file : "no configuration file";
	struct cfg_report rep = { 0 };
	struct runtime rt;
	char err[CFG_ERR_MAX];
	unsigned n;

	/* A file that cannot be read, or no plugin that loads: logged already. */
	if (runtime_open(&rt, &cli) < 0) {
		fprintf(stderr, "redmon: %s: 1 error\n", what);
		return 1;
	}
	cfg_report_add_lines(&rep, rt.cfg->problems.text);
	if (privdrop_check_config(rt.cfg, err, sizeof(err)) < 0)
		cfg_report_add_lines(&rep, err);
	if (cfg_check_probes(rt.cfg, &rt.plugins, err, sizeof(err)) < 0)
		cfg_report_add_lines(&rep, err);
	if (daemon_check_config(&rt, rt.cfg, err, sizeof(err)) < 0)
		cfg_report_add_lines(&rep, err);
	/* The sinks are not opened: their programs are checked here. */
	if (sink_check_programs(rt.cfg, err, sizeof(err)) < 0)
		cfg_report_add_lines(&rep, err);
	/* Out of memory loses the text, never the count. */
	n = rep.n > rt.cfg->problems.n ? rep.n : rt.cfg->problems.n;
	runtime_close(&rt);
	/* On stderr whatever [daemon] log says: the one running the check reads it. */
	log_setup(LOG_TARGET_STDERR, LOG_NOTICE + cli.verbosity);
	runtime_log_errors(rep.text);
	if (n)
		fprintf(stderr, "redmon: %s: %u error%s\n", what, n, n == 1 ? "" : "s");
	else
		printf("redmon: %s: OK\n", what);
	cfg_report_free(&rep);
	return n ? 1 : 0;
}

/*
 * Started with fd 0, 1 or 2 closed (`redmon status >&-`), the next open()
 * would take it, and a JSON Lines file or epoll would receive what is
 * printed or logged.  /dev/null fills the gaps first.
 */
static int fill_std_fds(void)
{
	for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", (fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) | O_NOCTTY);
		if (n < 0)
			return -errno;
		if (n != fd) { /* the lowest free fd: fd itself, as lower ones are open */
			close(n);
			return -EBADF;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct runtime rt;
	const char *only_sink = NULL;
	int code;
	bool nagios;

	if (fill_std_fds() < 0)
		return 1;
	/*
	 * One malloc arena, set before any thread exists: glibc would give each
	 * probe thread its own (freed memory is not reused across arenas), each
	 * keeping its own high-water mark of scan data.  The lock contention is
	 * small: probes spend their time in read(2), not in malloc.
	 */
	mallopt(M_ARENA_MAX, 1);
	/*
	 * A scan's big arrays (1000 groups: a 200 KiB groups array, arena blocks
	 * up to 1 MiB) stay mmap'd and go back to the kernel when freed.  Left
	 * dynamic, glibc raises the threshold to the size of the first such
	 * block freed, and every later one comes from the heap, where the hole
	 * it leaves behind pins its pages (md at N = 1000: 870 KiB of RssAnon).
	 * Setting it also pins the trim threshold (128 KiB) instead of letting
	 * it grow to twice the mmap one.  Cost: a few mmap/munmap and the page
	 * faults of those arrays per scan, against a scan of thousands of reads.
	 */
	mallopt(M_MMAP_THRESHOLD, 128 << 10);
	code = parse_args(argc, argv, &only_sink);
	if (code >= 0) {
		/* A Nagios plugin's usage error is UNKNOWN (3), never CRITICAL (2). */
		for (int i = 1; code == 2 && i < argc; i++) {
			if (strcmp(argv[i], "check") == 0) {
				printf("REDMON UNKNOWN - usage error (see redmon --help)\n");
				code = 3;
			}
		}
		goto out;
	}
	nagios = strcmp(cli.command, "check") == 0;
	if (!nagios && strcmp(cli.command, "status") != 0 && strcmp(cli.command, "daemon") != 0 &&
	    strcmp(cli.command, "test-alert") != 0) {
		fprintf(stderr, "redmon: unknown command '%s'\n", cli.command);
		usage(stderr);
		code = 2;
		goto out;
	}
	log_setup(LOG_TARGET_STDERR, LOG_NOTICE + cli.verbosity);
	raise_fd_limit();
	if (cli.check_config && strcmp(cli.command, "daemon") == 0) {
		code = cmd_check_config();
		goto out;
	}
	if (runtime_open(&rt, &cli) < 0) {
		/* A Nagios plugin that cannot run says UNKNOWN, and why, on stdout. */
		if (nagios)
			printf("REDMON UNKNOWN - %s\n",
			       log_last_error() ? log_last_error() : "cannot start");
		code = nagios ? 3 : 1;
		goto out;
	}
	if (strcmp(cli.command, "daemon") == 0)
		code = daemon_run(&rt);
	else if (strcmp(cli.command, "test-alert") == 0)
		code = cmd_test_alert(&rt, only_sink);
	else
		code = cmd_scan_once(&rt, nagios);
	runtime_close(&rt);
out:
	free(cli.overrides);
	return code;
}
