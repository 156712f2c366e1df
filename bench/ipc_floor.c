/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The floor of one AgentX round trip: snmpd's master sends the subagent one
 * GetNext per varbind of a walk and waits for the answer.  A responder that
 * does nothing but epoll_wait, recv and send over a unix stream socket costs
 * this much CPU per round trip; redmon's CPU per varbind cannot go below it.
 *
 *   ipc_floor [round trips]   prints "<responder us per round trip> <round trips per s>"
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PDU 48 /* about an AgentX GetNext or Response of one varbind */

static int responder(int fd, int n, int report)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int ep = epoll_create1(0);
	struct rusage ru;
	char b[256];
	double us;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		if (epoll_wait(ep, &out, 1, -1) != 1 || recv(fd, b, sizeof(b), 0) <= 0 ||
		    send(fd, b, PDU, 0) != PDU)
			return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	us /= n;
	return write(report, &us, sizeof(us)) == sizeof(us) ? 0 : 1;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000, sv[2], rep[2], status;
	struct timespec t0, t1;
	char b[256] = { 0 };
	double us, secs;
	pid_t pid;

	if (n <= 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(rep) < 0)
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(responder(sv[1], n, rep[1]));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		if (send(sv[0], b, PDU, 0) != PDU || recv(sv[0], b, sizeof(b), 0) <= 0)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (waitpid(pid, &status, 0) != pid || status != 0 ||
	    read(rep[0], &us, sizeof(us)) != sizeof(us))
		return 1;
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%.2f %.0f\n", us, n / secs);
	return 0;
}
