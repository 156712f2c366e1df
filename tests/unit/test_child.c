/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugins/lib/child.c: a tool runs by absolute path with a fixed environment
 * and no fd of ours, its whole process group dies at the timeout or the
 * output cap, and nothing it started is left behind.  The shell scripts here
 * are the test's own programs, given to the runner as argv.
 */
#include "cmocka_all.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../plugins/lib/child.h"

static int run_sh(const char *script, uint32_t timeout_ms, uint32_t out_max,
		  struct redmon_cmd_result *res)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };

	return child_run(argv, timeout_ms, out_max, res);
}

/* The runner reaped its child: we have none left. */
static void assert_no_child(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* pid is gone, or a zombie of someone else's (killed, waiting for init). */
static bool dead(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char path[64], buf[256];
		FILE *f;
		char *paren;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return true;
		buf[0] = 0;
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		paren = strrchr(buf, ')');
		if (paren && (paren[2] == 'Z' || paren[2] == 'X'))
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = 10000000 }, NULL);
	}
	return false;
}

static void test_exit_status_and_output(void **state)
{
	struct redmon_cmd_result res;

	(void)state;
	assert_int_equal(run_sh("echo hello; exit 7", 5000, 0, &res), 0);
	assert_int_equal(res.exit_status, 7);
	assert_int_equal(res.term_signal, 0);
	assert_false(res.timed_out);
	assert_false(res.truncated);
	assert_int_equal(res.out_len, 6);
	assert_string_equal(res.out, "hello\n");
	assert_string_equal(res.err, "");
	child_result_free(&res);
	assert_null(res.out);
	assert_no_child();
}

static void test_signal_reported(void **state)
{
	struct redmon_cmd_result res;

	(void)state;
	assert_int_equal(run_sh("kill -TERM $$", 5000, 0, &res), 0);
	assert_int_equal(res.exit_status, -1);
	assert_int_equal(res.term_signal, SIGTERM);
	assert_false(res.timed_out);
	child_result_free(&res);
	assert_no_child();
}

static void test_stderr_kept_and_capped(void **state)
{
	struct redmon_cmd_result res;

	(void)state;
	assert_int_equal(run_sh("echo 'no such controller' >&2; exit 1", 5000, 0, &res), 0);
	assert_int_equal(res.exit_status, 1);
	assert_string_equal(res.err, "no such controller\n");
	assert_string_equal(res.out, "");
	assert_int_equal(res.out_len, 0);
	child_result_free(&res);

	/* 8 KiB of stderr: the first bytes kept, the rest drained (no hang on a full pipe). */
	assert_int_equal(
		run_sh("i=0; while [ $i -lt 1024 ]; do echo 1234567 >&2; i=$((i+1)); done; "
		       "echo done",
		       5000, 0, &res),
		0);
	assert_int_equal(res.exit_status, 0);
	assert_string_equal(res.out, "done\n");
	assert_int_equal(strlen(res.err), REDMON_CMD_ERR_MAX - 1);
	assert_memory_equal(res.err, "1234567\n1234567\n", 16);
	child_result_free(&res);
	assert_no_child();
}

static void test_output_cap_kills(void **state)
{
	struct redmon_cmd_result res;

	(void)state;
	assert_int_equal(run_sh("while :; do echo 0123456789; done", 5000, 1000, &res), -EFBIG);
	assert_true(res.truncated);
	assert_false(res.timed_out);
	assert_int_equal(res.out_len, 1000);
	assert_int_equal(strlen(res.out), 1000);
	assert_memory_equal(res.out, "0123456789\n0123456789\n", 22);
	assert_int_equal(res.term_signal, SIGKILL);
	assert_non_null(strstr(res.err, "more than 1000 bytes"));
	child_result_free(&res);
	assert_no_child();
}

/* The grandchild keeps the pipes open: only killing the whole group ends the run. */
static void test_timeout_kills_grandchild(void **state)
{
	struct redmon_cmd_result res;
	struct timespec t0, t1;
	long ms;
	pid_t grandchild;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run_sh("sleep 100 & echo $!; sleep 100", 300, 0, &res), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 300 && ms < 3000);
	assert_true(res.timed_out);
	assert_int_equal(res.term_signal, SIGKILL);
	assert_non_null(strstr(res.err, "killed after 300 ms"));
	assert_non_null(res.out);
	grandchild = (pid_t)strtol(res.out, NULL, 10);
	assert_true(grandchild > 1);
	assert_true(dead(grandchild));
	child_result_free(&res);
	assert_no_child();
}

/* A tool that exits leaving a background process with the pipes closed: killed too. */
static void test_leftover_group_killed(void **state)
{
	struct redmon_cmd_result res;
	pid_t grandchild;

	(void)state;
	assert_int_equal(run_sh("sleep 100 >/dev/null 2>&1 & echo $!", 5000, 0, &res), 0);
	assert_int_equal(res.exit_status, 0);
	grandchild = (pid_t)strtol(res.out, NULL, 10);
	assert_true(grandchild > 1);
	assert_true(dead(grandchild));
	child_result_free(&res);
	assert_no_child();
}

static void test_fixed_environment(void **state)
{
	const char *argv[] = { "/usr/bin/env", NULL };
	struct redmon_cmd_result res;

	(void)state;
	setenv("REDMON_TEST_SECRET", "leak", 1);
	setenv("LD_PRELOAD", "/nonexistent.so", 1);
	assert_int_equal(child_run(argv, 5000, 0, &res), 0);
	unsetenv("LD_PRELOAD");
	assert_int_equal(res.exit_status, 0);
	assert_string_equal(res.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLC_ALL=C\n");
	child_result_free(&res);
	assert_no_child();
}

/* stdin is /dev/null; no fd of ours (even one without O_CLOEXEC) reaches the tool; cwd "/". */
static void test_fds(void **state)
{
	struct redmon_cmd_result res;
	int leak = open("/dev/null", O_RDONLY);

	(void)state;
	assert_true(leak > 2);
	assert_int_equal(chdir("/tmp"), 0);
	assert_int_equal(run_sh("readlink /proc/$$/fd/0; ls /proc/$$/fd; pwd", 5000, 0, &res), 0);
	close(leak);
	assert_string_equal(res.out, "/dev/null\n0\n1\n2\n/\n");
	child_result_free(&res);
	assert_no_child();
}

static void test_not_found_and_relative(void **state)
{
	const char *missing[] = { "/nonexistent/storcli64", "show", NULL };
	const char *relative[] = { "sh", "-c", "true", NULL };
	struct redmon_cmd_result res;

	(void)state;
	assert_int_equal(child_run(missing, 5000, 0, &res), -ENOENT);
	assert_null(res.out);
	assert_non_null(strstr(res.err, "/nonexistent/storcli64"));
	assert_int_equal(child_run(relative, 5000, 0, &res), -EINVAL);
	assert_non_null(strstr(res.err, "not an absolute path"));
	assert_int_equal(child_run(NULL, 5000, 0, &res), -EINVAL);
	assert_int_equal(run_sh("true", REDMON_CMD_TIMEOUT_MS_MAX + 1, 0, &res), -EINVAL);
	assert_no_child();
}

static void test_find_tool(void **state)
{
	char dir[] = "/tmp/redmon-child-XXXXXX", path[256], cwd[4096];
	char buf[256];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mytool", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
	assert_true(fd >= 0);
	close(fd);

	/* Found on PATH, by absolute path. */
	setenv("PATH", "/nonexistent:relative/bin::/usr/bin:/bin", 1);
	assert_int_equal(child_find_tool("sh", NULL, buf, sizeof(buf)), 0);
	assert_true(strcmp(buf, "/usr/bin/sh") == 0 || strcmp(buf, "/bin/sh") == 0);
	assert_int_equal(child_find_tool("no-such-tool-redmon", NULL, buf, sizeof(buf)), -ENOENT);

	/* Relative PATH entries (and "", the working directory) are never searched. */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	setenv("PATH", ".::mytool-dir", 1);
	assert_int_equal(child_find_tool("mytool", NULL, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(child_find_tool("./mytool", NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(chdir(cwd), 0);

	/* A configured path wins, and must be absolute and executable. */
	assert_int_equal(child_find_tool("sh", path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, path);
	assert_int_equal(child_find_tool("sh", "bin/sh", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(child_find_tool("sh", "/nonexistent/sh", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(child_find_tool("sh", path, buf, sizeof(buf)), -EACCES);
	assert_int_equal(child_find_tool("sh", path, buf, 8), -ENAMETOOLONG);
	unlink(path);
	rmdir(dir);
	setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status_and_output),
		cmocka_unit_test(test_signal_reported),
		cmocka_unit_test(test_stderr_kept_and_capped),
		cmocka_unit_test(test_output_cap_kills),
		cmocka_unit_test(test_timeout_kills_grandchild),
		cmocka_unit_test(test_leftover_group_killed),
		cmocka_unit_test(test_fixed_environment),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_not_found_and_relative),
		cmocka_unit_test(test_find_tool),
	};

	/* The daemon ignores SIGPIPE; the tool must not inherit that. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
