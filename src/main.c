/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redmon: command line and subcommand dispatch.  Built twice: redmond runs
 * every command; the light redmon (REDMON_CLI_ONLY) links neither net-snmp
 * nor libcurl and execs redmond for the commands that need them
 * (src/full_exec.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
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
#include "ask.h"
#include "daemon.h"
#include "full_exec.h"
#include "log.h"
#include "loop.h"
#include "privdrop.h"
#include "runtime.h"
#include "settings.h"
#include "sink.h"
#include "snmp_dl.h"
#include "status.h"

/* Options, each a bit: which commands take it, and which one the command line gave. */
enum {
	OPT_CONFIG = 1u << 0,
	OPT_SET = 1u << 1,
	OPT_ROOT = 1u << 2,
	OPT_PLUGIN_DIR = 1u << 3,
	OPT_JSON = 1u << 4,
	OPT_CHECK_CONFIG = 1u << 5,
	OPT_SINK = 1u << 6,
	OPT_USER = 1u << 7,
	OPT_WATCH = 1u << 8,
	OPT_NO_COLOR = 1u << 9,
	OPT_TEST = 1u << 10,
	OPT_VERBOSE = 1u << 11,
	OPT_SORT = 1u << 12,
	OPT_EXPECT = 1u << 13,
	OPT_EXCLUDE = 1u << 14,
	OPT_EMPTY = 1u << 15,
	OPT_TIMEOUT = 1u << 16,
	OPT_SCAN = 1u << 17,
	OPT_COMMENT = 1u << 18,
};

/* The help line of each option, in the order usage prints them. */
static const struct {
	unsigned bit;
	const char *text;
} option_help[] = {
	{ OPT_CONFIG, "  -c, --config FILE        configuration file (default: $REDMON_CONF, else\n"
		      "                           /etc/redmon/redmon.conf where it exists)\n" },
	{ OPT_SET, "  -o SECTION.KEY=VALUE     set a configuration key (repeatable)\n" },
	{ OPT_ROOT, "      --root DIR           read /proc and /sys under DIR (captured trees)\n" },
	{ OPT_PLUGIN_DIR, "      --plugin-dir DIR     load probe plugins from DIR\n" },
	{ OPT_JSON, "      --json               print JSON (redmon-alerts(7))\n" },
	{ OPT_TEST, "      --test               exit 0 ok, 1 degraded or critical, 2 failed, 4 "
		    "unknown\n" },
	{ OPT_SORT, "      --sort name|worst    groups by name (md2 before md10), or the worst "
		    "first\n" },
	{ OPT_WATCH, "      --watch              redraw the table on every change (a terminal "
		     "only)\n" },
	{ OPT_NO_COLOR, "      --no-color           no colour (also NO_COLOR=1)\n" },
	{ OPT_EXPECT, "      --expect GROUP       the group must exist (repeatable; as [group.ID] "
		      "required = yes)\n" },
	{ OPT_EXCLUDE, "      --exclude PATTERN    leave out the groups whose id matches (a "
		       "shell pattern; repeatable)\n" },
	{ OPT_EMPTY, "      --empty STATE        the state when no group is found: ok, "
		     "warning, critical or unknown (default)\n" },
	{ OPT_TIMEOUT, "  -t, --timeout SECONDS    give up, UNKNOWN, after this long (default: "
		       "no limit)\n" },
	{ OPT_SCAN, "      --scan               scan here, not the running daemon's view\n" },
	{ OPT_COMMENT, "      --comment TEXT       why (shown in status and in the alerts)\n" },
	{ OPT_CHECK_CONFIG, "      --check-config       validate the configuration and exit\n" },
	{ OPT_USER, "      --user USER          run as USER after start (over [daemon] user)\n" },
	{ OPT_SINK, "      --sink NAME          only through this sink\n" },
	{ OPT_VERBOSE, "  -v, --verbose            log more (repeatable)\n" },
};

#define SCAN_OPTS (OPT_CONFIG | OPT_SET | OPT_ROOT | OPT_PLUGIN_DIR | OPT_VERBOSE)

static int cmd_status(void);
static int cmd_check(void);
static int cmd_tell(void);
#ifdef REDMON_CLI_ONLY
/* The light redmon: these commands are redmond's, exec'd (their code is not linked here). */
#define FULL_COMMAND(run) NULL
#else
#define FULL_COMMAND(run) run
static int cmd_daemon(void);
static int cmd_test_alert(void);
#endif

/* A command's options, and what runs it (NULL: exec redmond, the full program). */
static const struct command {
	const char *name, *summary;
	unsigned opts;
	const char *args; /* the words after the command, as usage shows them */
	int n_args;
	int (*run)(void);
} commands[] = {
	{ "status", "print every redundancy group (the daemon's view, else a scan)",
	  SCAN_OPTS | OPT_JSON | OPT_TEST | OPT_WATCH | OPT_NO_COLOR | OPT_SORT | OPT_SCAN, NULL, 0,
	  cmd_status },
	{ "check", "Nagios/Icinga plugin output and exit code (the daemon's view, else a scan)",
	  SCAN_OPTS | OPT_EXPECT | OPT_EXCLUDE | OPT_EMPTY | OPT_TIMEOUT | OPT_SCAN, NULL, 0,
	  cmd_check },
	/* said to the running daemon over its socket */
	{ "ack", "acknowledge a group's trouble: no reminders until it changes again",
	  OPT_CONFIG | OPT_COMMENT, "GROUP", 1, cmd_tell },
	{ "maintenance",
	  "hold a group's alerts for DURATION (0: end it now); events still recorded",
	  OPT_CONFIG | OPT_COMMENT, "GROUP DURATION", 2, cmd_tell },
	{ "forget", "drop a group that vanished for good: its alerts resolve", OPT_CONFIG, "GROUP",
	  1, cmd_tell },
	/* the SNMP subagent, the webhook and SMTP sinks */
	{ "daemon", "run the monitoring service", SCAN_OPTS | OPT_CHECK_CONFIG | OPT_USER, NULL, 0,
	  FULL_COMMAND(cmd_daemon) },
	/* every sink and SNMP; the plugins check [probe.*] of the config */
	{ "test-alert", "send a test event through every sink and SNMP, say how each did",
	  SCAN_OPTS | OPT_SINK, NULL, 0, FULL_COMMAND(cmd_test_alert) },
	{ "help", "print a command's options (redmon help COMMAND)", 0, NULL, 0, NULL },
};

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static void usage(FILE *out)
{
	fputs("Usage: redmon COMMAND [OPTIONS]\n"
	      "\n"
	      "Watches redundant hardware (RAID arrays, ...) and says how many more\n"
	      "failures each group can take.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "Options (redmon help COMMAND, or COMMAND --help, lists a command's own):\n",
	      out);
	for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++)
		fputs(option_help[i].text, out);
	fputs("  -h, --help               this text\n"
	      "      --version            print the version\n",
	      out);
}

/* One command's usage: what it does and the options it takes. */
static void command_usage(const struct command *c, FILE *out)
{
	fprintf(out, "Usage: redmon %s [OPTIONS]%s%s\n\n%s.\n\nOptions:\n", c->name,
		c->args ? " " : "", c->args ? c->args : "", c->summary);
	for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++) {
		if (c->opts & option_help[i].bit)
			fputs(option_help[i].text, out);
	}
	fputs("  -h, --help               this text\n", out);
}

/* The long name of an option bit, for errors. */
static const char *option_name(unsigned bit)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ OPT_CONFIG, "-c/--config" },	 { OPT_SET, "-o" },
		{ OPT_ROOT, "--root" },		 { OPT_PLUGIN_DIR, "--plugin-dir" },
		{ OPT_JSON, "--json" },		 { OPT_CHECK_CONFIG, "--check-config" },
		{ OPT_SINK, "--sink" },		 { OPT_USER, "--user" },
		{ OPT_WATCH, "--watch" },	 { OPT_NO_COLOR, "--no-color" },
		{ OPT_TEST, "--test" },		 { OPT_VERBOSE, "-v/--verbose" },
		{ OPT_SORT, "--sort" },		 { OPT_EXPECT, "--expect" },
		{ OPT_EXCLUDE, "--exclude" },	 { OPT_EMPTY, "--empty" },
		{ OPT_TIMEOUT, "-t/--timeout" }, { OPT_SCAN, "--scan" },
		{ OPT_COMMENT, "--comment" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].bit == bit)
			return names[i].name;
	}
	return "?";
}

enum {
	LONG_ROOT = 256,
	LONG_PLUGIN_DIR,
	LONG_VERSION,
	LONG_USER,
	LONG_SINK,
	LONG_SORT,
	LONG_EXPECT,
	LONG_EXCLUDE,
	LONG_EMPTY,
	LONG_COMMENT,
};

/* What the command line says; the flags are set by getopt_long() itself. */
static struct cli cli;
/* check: --exclude, --empty; -t in seconds (0: none). */
static struct check_opts check_opts = { .empty = 3 };
static unsigned check_timeout_s;
/* status, check: --scan; ack, maintenance: --comment; the words after the command. */
static int scan_here;
static const char *comment;
static char **cmd_args;
/* test-alert --sink: only through this one (NULL: every sink). */
static const char *only_sink;
/* The -o strings --expect made, freed at exit. */
static char **expect_made;
static size_t n_expect_made;

static const struct option long_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "root", required_argument, NULL, LONG_ROOT },
	{ "plugin-dir", required_argument, NULL, LONG_PLUGIN_DIR },
	{ "json", no_argument, &cli.json, 1 },
	{ "check-config", no_argument, &cli.check_config, 1 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, LONG_VERSION },
	{ "user", required_argument, NULL, LONG_USER },
	{ "watch", no_argument, &cli.watch, 1 },
	{ "no-color", no_argument, &cli.no_color, 1 },
	{ "test", no_argument, &cli.test, 1 },
	{ "sink", required_argument, NULL, LONG_SINK },
	{ "sort", required_argument, NULL, LONG_SORT },
	{ "expect", required_argument, NULL, LONG_EXPECT },
	{ "exclude", required_argument, NULL, LONG_EXCLUDE },
	{ "empty", required_argument, NULL, LONG_EMPTY },
	{ "timeout", required_argument, NULL, 't' },
	{ "scan", no_argument, &scan_here, 1 },
	{ "comment", required_argument, NULL, LONG_COMMENT },
	{ 0 },
};

/* The option bits the flags getopt_long() set stand for. */
static unsigned flags_given(void)
{
	return (cli.json ? OPT_JSON : 0) | (cli.check_config ? OPT_CHECK_CONFIG : 0) |
	       (cli.watch ? OPT_WATCH : 0) | (cli.no_color ? OPT_NO_COLOR : 0) |
	       (cli.test ? OPT_TEST : 0) | (scan_here ? OPT_SCAN : 0);
}

/* An option the command does not take, or two that cannot go together: 2 after saying why. */
static int check_options(const struct command *c, unsigned given)
{
	unsigned stray = given & ~c->opts;

	if (stray) {
		fprintf(stderr, "redmon: %s does not apply to '%s' (redmon help %s)\n",
			option_name(stray & -stray), c->name, c->name);
		return 2;
	}
	if ((given & OPT_WATCH) && (given & (OPT_JSON | OPT_TEST))) {
		fprintf(stderr, "redmon: --watch redraws a table: not with %s\n",
			given & OPT_JSON ? "--json" : "--test");
		return 2;
	}
	return -1;
}

/* Into cli; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv)
{
	const struct command *cmd;
	unsigned given = 0;
	bool help = false;
	int c;

	cli.overrides = calloc((size_t)argc, sizeof(char *));
	check_opts.exclude = calloc((size_t)argc, sizeof(char *));
	expect_made = calloc((size_t)argc, sizeof(char *));
	if (!cli.overrides || !check_opts.exclude || !expect_made)
		return 1;
	while ((c = getopt_long(argc, argv, "c:o:vht:", long_options, NULL)) != -1) {
		switch (c) {
		case 0: /* a flag, set */
			break;
		case 'c':
			cli.config_file = optarg;
			given |= OPT_CONFIG;
			break;
		case 'o':
			cli.overrides[cli.n_overrides++] = optarg;
			given |= OPT_SET;
			break;
		case LONG_ROOT:
			cli.root = optarg;
			given |= OPT_ROOT;
			break;
		case LONG_PLUGIN_DIR:
			cli.plugin_dir = optarg;
			given |= OPT_PLUGIN_DIR;
			break;
		case LONG_USER:
			cli.user = optarg;
			given |= OPT_USER;
			break;
		case LONG_SINK:
			only_sink = optarg;
			given |= OPT_SINK;
			break;
		case LONG_SORT:
			if (strcmp(optarg, "name") != 0 && strcmp(optarg, "worst") != 0) {
				fprintf(stderr, "redmon: --sort takes name or worst, not '%s'\n",
					optarg);
				return 2;
			}
			cli.sort =
				strcmp(optarg, "worst") == 0 ? STATUS_SORT_WORST : STATUS_SORT_NAME;
			given |= OPT_SORT;
			break;
		case LONG_EXPECT:
			/* The command-line form of [group.ID] required = yes: checked as it is. */
			if (asprintf(&cli.overrides[cli.n_overrides], "group.%s.required=yes",
				     optarg) < 0)
				return 1;
			expect_made[n_expect_made++] = cli.overrides[cli.n_overrides++];
			given |= OPT_EXPECT;
			break;
		case LONG_COMMENT:
			comment = optarg;
			given |= OPT_COMMENT;
			break;
		case LONG_EXCLUDE:
			check_opts.exclude[check_opts.n_exclude++] = optarg;
			given |= OPT_EXCLUDE;
			break;
		case LONG_EMPTY: {
			static const char *const states[] = { "ok", "warning", "critical",
							      "unknown" };

			check_opts.empty = -1;
			for (int i = 0; i < 4; i++)
				check_opts.empty =
					strcmp(optarg, states[i]) == 0 ? i : check_opts.empty;
			if (check_opts.empty < 0) {
				fprintf(stderr,
					"redmon: --empty takes ok, warning, critical or "
					"unknown, not '%s'\n",
					optarg);
				return 2;
			}
			given |= OPT_EMPTY;
			break;
		}
		case 't': {
			char *end;
			unsigned long t = strtoul(optarg, &end, 10);

			if (!*optarg || *end || t == 0 || t > 3600) {
				fprintf(stderr,
					"redmon: -t takes seconds from 1 to 3600, not '%s'\n",
					optarg);
				return 2;
			}
			check_timeout_s = (unsigned)t;
			given |= OPT_TIMEOUT;
			break;
		}
		case 'v':
			cli.verbosity++;
			given |= OPT_VERBOSE;
			break;
		case 'h':
			help = true;
			break;
		case LONG_VERSION:
			printf("redmon %s\n", REDMON_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	cmd = optind < argc ? command_find(argv[optind]) : NULL;
	/* redmon help [COMMAND], redmon COMMAND --help, redmon --help */
	if (cmd && strcmp(cmd->name, "help") == 0 && optind + 2 >= argc && !given) {
		cmd = optind + 1 < argc ? command_find(argv[optind + 1]) : NULL;
		if (!cmd && optind + 1 < argc) {
			fprintf(stderr, "redmon: unknown command '%s'\n", argv[optind + 1]);
			usage(stderr);
			return 2;
		}
		help = true;
	}
	if (help) {
		if (cmd && strcmp(cmd->name, "help") != 0)
			command_usage(cmd, stdout);
		else
			usage(stdout);
		return 0;
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cli.command = argv[optind];
	if (!cmd || strcmp(cmd->name, "help") == 0) {
		fprintf(stderr, "redmon: unknown command '%s'\n", cli.command);
		usage(stderr);
		return 2;
	}
	if (argc - optind - 1 != cmd->n_args) {
		fprintf(stderr, "redmon: usage: redmon %s [OPTIONS]%s%s (redmon help %s)\n",
			cmd->name, cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->name);
		return 2;
	}
	cmd_args = &argv[optind + 1];
	return check_options(cmd, given | flags_given());
}

/* The service's configuration: what every command reads when no -c names one. */
#define DEFAULT_CONFIG "/etc/redmon/redmon.conf"

/*
 * No -c: $REDMON_CONF (set but empty: no file, the defaults), else the
 * service's file where it exists, so `redmon check` sees what the daemon
 * sees.  Said on stderr (a Nagios plugin's stdout stays one status line).
 */
static void default_config(void)
{
	const char *env = getenv("REDMON_CONF");

	if (cli.config_file)
		return;
	if (env) {
		if (*env)
			fprintf(stderr, "redmon: reading %s (REDMON_CONF)\n", env);
		cli.config_file = *env ? env : NULL;
		return;
	}
	if (access(DEFAULT_CONFIG, F_OK) == 0) {
		fprintf(stderr, "redmon: reading %s\n", DEFAULT_CONFIG);
		cli.config_file = DEFAULT_CONFIG;
	}
}

/* check -t: the line a Nagios plugin owes even when it gives up, written from the signal. */
static char timeout_line[96];
static size_t timeout_len;

static void on_check_timeout(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, timeout_line, timeout_len) < 0)
		_exit(3);
	_exit(3);
}

/* A controller tool or a probe that hangs must not hang NRPE: UNKNOWN after -t seconds. */
static void arm_check_timeout(void)
{
	int n;

	if (!check_timeout_s)
		return;
	n = snprintf(timeout_line, sizeof(timeout_line),
		     "REDMON UNKNOWN - no result within %u s (-t)\n", check_timeout_s);
	timeout_len = n > 0 && (size_t)n < sizeof(timeout_line) ? (size_t)n : 0;
	signal(SIGALRM, on_check_timeout);
	alarm(check_timeout_s);
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

	if (!nagios && rt->cli->watch) {
		/* Redrawn with cursor moves: into a file or a pipe it is garbage. */
		if (!isatty(STDOUT_FILENO)) {
			fprintf(stderr,
				"redmon: --watch needs a terminal; for a pipe or a file use "
				"status (--json) once, or the daemon's JSON sink\n");
			return 2;
		}
		return status_watch(rt, status_use_color(rt->cli->no_color, stdout));
	}
	if (agg_new(&agg, rt->cfg->progress_step) < 0 || runtime_agg_configure(rt->cfg, agg) < 0) {
		agg_free(agg);
		log_err("out of memory");
		return nagios ? 3 : 1;
	}
	runtime_scan_once(rt, agg);
	if (nagios)
		code = check_print(agg, &check_opts, stdout);
	else if (!rt->cli->json)
		status_print_table(agg, rt->cli->sort, status_use_color(rt->cli->no_color, stdout),
				   stdout);
	else
		code = status_print_json(agg, rt->cli->sort, rt->host, rt->root, "scan", stdout) < 0
			       ? 1
			       : 0;
	if (!nagios && rt->cli->test && code == 0)
		code = status_test_code(agg);
	agg_free(agg);
	if (fflush(stdout) != 0)
		code = nagios ? 3 : 1;
	return code;
}

/* --expect GROUP as given (the -o each made is for the command's own scan). */
static json_t *expect_list(void)
{
	json_t *list = json_array();

	for (size_t i = 0; i < n_expect_made; i++) {
		const char *id = expect_made[i] + strlen("group.");

		json_array_append_new(list, json_stringn(id, strlen(id) - strlen(".required=yes")));
	}
	return list;
}

/* The request of status or check, for the daemon; NULL on ENOMEM. */
static json_t *view_request(bool nagios)
{
	char root[PATH_MAX];
	json_t *req, *excl = json_array();

	for (size_t i = 0; i < check_opts.n_exclude; i++)
		json_array_append_new(excl, json_string(check_opts.exclude[i]));
	if (nagios)
		req = json_pack("{s:s, s:o, s:o, s:i}", "command", "check", "expect", expect_list(),
				"exclude", excl, "empty", check_opts.empty);
	else
		req = json_pack("{s:s, s:s, s:b, s:b, s:b}", "command", "status", "format",
				cli.json ? "json" : "table", "worst", cli.sort == STATUS_SORT_WORST,
				"color", status_use_color(cli.no_color, stdout), "test", cli.test);
	if (!nagios)
		json_decref(excl);
	/* Another tree than the daemon's: it says so, and we scan it here. */
	if (req && cli.root)
		json_object_set_new(req, "root",
				    json_string(realpath(cli.root, root) ? root : cli.root));
	return req;
}

/*
 * status and check: the running daemon's view (its damping, its memory, and
 * no controller tool run per check), unless --scan, -o or --plugin-dir ask
 * for this command's own scan.  -1: scan here.
 */
static int cmd_ask_view(bool nagios)
{
	char path[PATH_MAX], why[PATH_MAX + 128];
	int code;

	if (scan_here || cli.plugin_dir || cli.n_overrides > n_expect_made || cli.watch ||
	    ask_socket_path(&cli, path, sizeof(path)) != 0)
		return -1;
	/*
	 * A daemon answers in milliseconds; one that does not within half of -t
	 * (5 s without it: NRPE gives a check 10) is taken as absent, and the
	 * scan here has the rest.
	 */
	code = ask_daemon(path, view_request(nagios),
			  check_timeout_s ? (int)check_timeout_s * 500 : 5000, true, why,
			  sizeof(why));
	if (code < 0)
		fprintf(stderr, "redmon: %s: scanning here\n", why);
	else if (!nagios && !cli.json) /* check's stdout is the plugin output; JSON says "source" */
		fprintf(stderr, "redmon: the daemon's view (%s)\n", path);
	return code;
}

/* ack, maintenance, forget: said to the running daemon, which alone keeps them. */
static int cmd_tell(void)
{
	char path[PATH_MAX], why[PATH_MAX + 128];
	uint64_t ms = 0;
	json_t *req;
	int rc = ask_socket_path(&cli, path, sizeof(path)), code;

	if (rc != 0) {
		fprintf(stderr, "redmon: %s\n",
			rc > 0 ? "[daemon] socket is empty: no daemon to tell"
			       : "bad configuration");
		return rc > 0 ? 1 : 2;
	}
	if (strcmp(cli.command, "maintenance") == 0 &&
	    opt_parse_duration_ms(cmd_args[1], 0, 366ull * 24 * 3600 * 1000, &ms) < 0) {
		fprintf(stderr,
			"redmon: maintenance takes a duration (30m, 2h, 1d; 0 ends it), not '%s'\n",
			cmd_args[1]);
		return 2;
	}
	req = json_pack("{s:s, s:s}", "command", cli.command, "group", cmd_args[0]);
	if (req && comment)
		json_object_set_new(req, "comment", json_string(comment));
	if (req && strcmp(cli.command, "maintenance") == 0)
		json_object_set_new(req, "duration_ms", json_integer((json_int_t)ms));
	code = ask_daemon(path, req, 10000, false, why, sizeof(why));
	if (code < 0) {
		fprintf(stderr, "redmon: %s: %s needs the running daemon\n", why, cli.command);
		return 1;
	}
	return code;
}

/*
 * runtime_open() for a command: 0, else the exit code after saying why (a
 * Nagios plugin that cannot run says UNKNOWN, and why, on stdout).
 */
static int open_runtime(struct runtime *rt, bool nagios)
{
	if (runtime_open(rt, &cli) == 0)
		return 0;
	if (nagios)
		printf("REDMON UNKNOWN - %s\n",
		       log_last_error() ? log_last_error() : "cannot start");
	return nagios ? 3 : 1;
}

static int scan_command(bool nagios)
{
	struct runtime rt;
	int code = open_runtime(&rt, nagios);

	if (code)
		return code;
	code = cmd_scan_once(&rt, nagios);
	runtime_close(&rt);
	return code;
}

/* status and check: the daemon's view, else a scan here. */
static int cmd_status(void)
{
	int code = cmd_ask_view(false);

	return code >= 0 ? code : scan_command(false);
}

static int cmd_check(void)
{
	int code;

	arm_check_timeout();
	code = cmd_ask_view(true);
	return code >= 0 ? code : scan_command(true);
}

#ifndef REDMON_CLI_ONLY
/* `redmon test-alert`: a test event through every sink (or one), no spools; 0: all worked. */
static int test_alert(struct runtime *rt, const char *only)
{
	struct sink_env env = { .host = rt->host };
	struct event ev = {
		.type = EV_TEST,
		.sink = only,
		.message = "test alert (redmon test-alert): alerts from this host reach you",
	};
	struct sink_set *set = NULL;
	char err[CFG_ERR_MAX];
	int rc, snmp;

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
	/* SNMP (redmonTest) when enabled, as if it were a sink named "snmp". */
	snmp = only && strcmp(only, "snmp") != 0 ? -ENOENT
						 : snmp_dl_test(rt->cfg, env.loop, &ev, stdout);
	if (rc == -ENOENT && snmp == -ENOENT)
		fprintf(stderr, "redmon: no sink named '%s'%s\n", only,
			strcmp(only, "snmp") == 0 ? " ([snmp] is not enabled)" : "");
	sink_set_free(set);
	loop_free(env.loop);
	if (rc == -ENOENT && snmp == -ENOENT)
		return 2;
	/* -ENOENT of one side alone: --sink named the other. */
	return (rc != 0 && rc != -ENOENT) || (snmp != 0 && snmp != -ENOENT) ? 1 : 0;
}

static int cmd_test_alert(void)
{
	struct runtime rt;
	int code = open_runtime(&rt, false);

	if (code)
		return code;
	code = test_alert(&rt, only_sink);
	runtime_close(&rt);
	return code;
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

static int cmd_daemon(void)
{
	struct runtime rt;
	int code;

	if (cli.check_config)
		return cmd_check_config();
	code = open_runtime(&rt, false);
	if (code)
		return code;
	code = daemon_run(&rt);
	runtime_close(&rt);
	return code;
}
#endif

/* A command of redmond's, not linked into the light redmon: exec it, same arguments. */
static int exec_full(char **argv)
{
	char path[PATH_MAX];
	int rc = full_exec(argv, path, sizeof(path));

	fprintf(stderr, "redmon: %s needs %s, which cannot run: %s\n", cli.command, path,
		strerror(-rc));
	return 1;
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
	const struct command *cmd;
	int code;

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
	code = parse_args(argc, argv);
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
	cmd = command_find(cli.command);
	if (!cmd->run) {
		code = exec_full(argv);
		goto out;
	}
	default_config();
	log_setup(LOG_TARGET_STDERR, LOG_NOTICE + cli.verbosity);
	raise_fd_limit();
	code = cmd->run();
out:
	free(cli.overrides);
	for (size_t i = 0; i < n_expect_made; i++)
		free(expect_made[i]);
	free(expect_made);
	free(check_opts.exclude);
	return code;
}
