/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The descriptors probes may keep open, split by need: see fd_shares.h. */
#include "fd_shares.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "redmon/grow.h"

struct share {
	const void *who;
	size_t want;
	size_t held; /* the last answer, once past registering */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* Guarded by lock. */
static struct share *shares;
static size_t n_shares, cap_shares;
static size_t total;
static bool total_known;

size_t fd_shares_total_for(size_t limit)
{
	size_t core = limit / 4 < FD_SHARES_CORE_MAX ? limit / 4 : FD_SHARES_CORE_MAX;

	return limit - core;
}

/* The soft limit, which main.c raised to the hard one before any probe. */
static size_t limit_now(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024; /* Linux's default soft limit */
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 20))
		return 1u << 20; /* the kernel's nr_open default: no more can be open */
	return (size_t)rl.rlim_cur;
}

static struct share *find(const void *who)
{
	for (size_t i = 0; i < n_shares; i++)
		if (shares[i].who == who)
			return &shares[i];
	return NULL;
}

/*
 * The most a probe may be given: every want up to it is met in full and
 * the others get it (SIZE_MAX: every want is met).  Sorts shares by want.
 */
static size_t water_level(void)
{
	size_t left = total;

	for (size_t i = 1; i < n_shares; i++) { /* insertion sort: a few probes */
		struct share s = shares[i];
		size_t j = i;

		for (; j > 0 && shares[j - 1].want > s.want; j--)
			shares[j] = shares[j - 1];
		shares[j] = s;
	}
	for (size_t i = 0; i < n_shares; i++) {
		size_t fair = left / (n_shares - i);

		if (shares[i].want > fair)
			return fair;
		left -= shares[i].want;
	}
	return SIZE_MAX;
}

size_t fd_shares_ask(const void *who, size_t want, bool registering)
{
	size_t level, others = 0, answer, room;
	struct share *s;

	pthread_mutex_lock(&lock);
	if (!total_known) {
		total = fd_shares_total_for(limit_now());
		total_known = true;
	}
	if (!find(who)) {
		if (!grow_one((void **)&shares, &cap_shares, n_shares, sizeof(*shares), 8)) {
			pthread_mutex_unlock(&lock);
			return 0; /* out of memory: keeping none is always safe */
		}
		shares[n_shares++] = (struct share){ .who = who };
	}
	find(who)->want = want;
	level = water_level();
	for (size_t i = 0; i < n_shares; i++)
		if (shares[i].who != who)
			others += shares[i].held;
	answer = want < level ? want : level;
	/* What the others hold is theirs until they ask again: never promised twice. */
	room = others < total ? total - others : 0;
	if (!registering && answer > room)
		answer = room;
	s = find(who);
	s->held = registering ? 0 : answer;
	pthread_mutex_unlock(&lock);
	return answer;
}

void fd_shares_leave(const void *who)
{
	struct share *s;

	pthread_mutex_lock(&lock);
	s = find(who);
	if (s)
		*s = shares[--n_shares];
	pthread_mutex_unlock(&lock);
}

void fd_shares_reset(size_t n)
{
	pthread_mutex_lock(&lock);
	free(shares);
	shares = NULL;
	n_shares = cap_shares = 0;
	total = n;
	total_known = n != 0;
	pthread_mutex_unlock(&lock);
}
