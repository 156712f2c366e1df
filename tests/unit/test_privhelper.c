/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/privhelper.c: which commands may be registered, that a sealed list
 * only gives back what it has, and that a command runs the same in-process
 * and through the helper (output in several chunks, timeouts), with the
 * helper reaped at the end.  tests/integration/test_privhelper.py covers the
 * privilege drop and the refusals a taken-over daemon would meet.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The helper's side too (helper_add: what a request to add a command meets). */
#include "../../src/privhelper.c"

static const char *const id_u[] = { "/usr/bin/id", "-u", NULL };
static const char *const ppid[] = { "/bin/sh", "-c", "echo $PPID", NULL };
/* 228,894 bytes: seven chunks through the helper, in order. */
static const char *const big[] = { "/usr/bin/seq", "1", "40000", NULL };
static const char *const slow[] = { "/bin/sh", "-c", "sleep 5", NULL };

static void test_register_rules(void **state)
{
	static const char *const relative[] = { "id", NULL };
	const char *many[70];
	char dir[] = "/tmp/redmon-ph-XXXXXX", prog[64], why[512];
	const char *planted[] = { prog, NULL };
	struct privhelper *ph;
	int fd;

	(void)state;
	assert_int_equal(privhelper_new(&ph), 0);
	assert_int_equal(privhelper_register(ph, "t", relative, 0, 0, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "absolute"));
	for (size_t i = 0; i < 69; i++)
		many[i] = i ? "x" : "/bin/true";
	many[69] = NULL;
	assert_int_equal(privhelper_register(ph, "t", many, 0, 0, why, sizeof(why)), -EINVAL);
	assert_int_equal(privhelper_register(ph, "t", id_u, REDMON_CMD_TIMEOUT_MS_MAX + 1, 0, why,
					     sizeof(why)),
			 -EINVAL);

	/* A program in a directory anyone can write to: anyone could replace it. */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0777), 0);
	snprintf(prog, sizeof(prog), "%s/tool", dir);
	fd = open(prog, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(privhelper_register(ph, "t", planted, 0, 0, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, dir));
	/* The helper refuses it as well, whatever the daemon asks (-EPERM is -1: not "absent"). */
	{
		struct privhelper_req req = { .op = PRIVHELPER_OP_ADD, .argc = 1 };
		struct redmon_cmd_result res = { 0 };

		assert_int_equal(helper_add(ph, planted, &req, &res), -EPERM);
		assert_int_equal(ph->n, 0);
	}
	unlink(prog);
	rmdir(dir);

	/* The same command again is the same id; another probe's is its own. */
	assert_int_equal(privhelper_register(ph, "t", id_u, 0, 0, why, sizeof(why)), 0);
	assert_int_equal(privhelper_register(ph, "t", ppid, 0, 0, why, sizeof(why)), 1);
	assert_int_equal(privhelper_register(ph, "t", id_u, 0, 0, why, sizeof(why)), 0);
	assert_int_equal(privhelper_register(ph, "u", id_u, 0, 0, why, sizeof(why)), 2);

	/* Sealed: what is there is given back, nothing new is added. */
	assert_int_equal(privhelper_seal(ph), 0);
	assert_int_equal(privhelper_register(ph, "t", ppid, 0, 0, why, sizeof(why)), 1);
	assert_int_equal(privhelper_register(ph, "t", id_u, 1000, 0, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "fixed at start"));
	assert_int_equal(privhelper_register(ph, "t", big, 0, 0, why, sizeof(why)), -EPERM);
	privhelper_free(ph);
	privhelper_free(NULL);
}

struct ids {
	int ppid, big, slow;
};

static void register_all(struct privhelper *ph, struct ids *ids)
{
	char why[512];

	ids->ppid = privhelper_register(ph, "t", ppid, 0, 0, why, sizeof(why));
	ids->big = privhelper_register(ph, "t", big, 0, 300000, why, sizeof(why));
	ids->slow = privhelper_register(ph, "t", slow, 200, 0, why, sizeof(why));
	assert_true(ids->ppid >= 0 && ids->big >= 0 && ids->slow >= 0);
}

/* The same runs and results whoever runs them; the parent of the tool says who did. */
static void check_runs(struct privhelper *ph, const struct ids *ids, bool helper)
{
	struct redmon_cmd_result res;
	long parent;

	assert_int_equal(privhelper_run(ph, "t", ids->ppid, &res), 0);
	assert_int_equal(res.exit_status, 0);
	parent = strtol(res.out, NULL, 10);
	if (helper)
		assert_true(parent > 1 && parent != (long)getpid());
	else
		assert_int_equal(parent, (long)getpid());
	free(res.out);

	assert_int_equal(privhelper_run(ph, "t", ids->big, &res), 0);
	assert_int_equal(res.out_len, 228894);
	assert_int_equal(strlen(res.out), 228894);
	assert_memory_equal(res.out, "1\n2\n3\n", 6);
	assert_non_null(strstr(res.out, "\n19999\n20000\n20001\n"));
	assert_string_equal(res.out + 228894 - 12, "39999\n40000\n");
	free(res.out);

	assert_int_equal(privhelper_run(ph, "t", ids->slow, &res), -ETIMEDOUT);
	assert_true(res.timed_out);
	assert_non_null(strstr(res.err, "killed after 200 ms"));
	free(res.out);

	assert_int_equal(privhelper_run(ph, "other", ids->ppid, &res), -ENOENT);
	assert_null(res.out);
	assert_int_equal(privhelper_run(ph, "t", 99, &res), -ENOENT);
	assert_string_equal(res.err, "no command registered with id 99");
}

static void test_in_process(void **state)
{
	struct privhelper *ph;
	struct ids ids;

	(void)state;
	assert_int_equal(privhelper_new(&ph), 0);
	register_all(ph, &ids);
	check_runs(ph, &ids, false);
	privhelper_free(ph);
}

static void test_through_helper(void **state)
{
	struct privhelper *ph;
	struct ids ids;

	(void)state;
	if (geteuid() != 0)
		skip(); /* the helper bounds its capabilities: root only */
	assert_int_equal(privhelper_new(&ph), 0);
	assert_int_equal(privhelper_start(ph), 0);
	register_all(ph, &ids);
	assert_int_equal(privhelper_seal(ph), 0);
	check_runs(ph, &ids, true);
	privhelper_free(ph);
	/* The helper saw EOF, exited and was reaped. */
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* No command registered: the helper is not kept (nothing stays root). */
static void test_helper_without_commands(void **state)
{
	struct privhelper *ph;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(privhelper_new(&ph), 0);
	assert_int_equal(privhelper_start(ph), 0);
	assert_int_equal(privhelper_seal(ph), 0);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	privhelper_free(ph);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_rules),
		cmocka_unit_test(test_in_process),
		cmocka_unit_test(test_through_helper),
		cmocka_unit_test(test_helper_without_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
