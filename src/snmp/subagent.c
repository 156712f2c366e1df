/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SNMP subagent inside `redmon daemon` (subagent.h, docs/snmp.md).
 *
 * Event loop.  net-snmp keeps its sockets and timers to itself; as in
 * keepalived's core/snmp.c, the daemon's loop drives them.  Before every
 * wait, prepare() runs net-snmp's timers (snmp_timeout, run_alarms), syncs
 * the tables, sends what is due, then asks snmp_select_info2() for the
 * sockets and the next timeout: the sockets are watched by the daemon's loop
 * (one syscall less per request than an epoll set of our own, which counts
 * in a bulk walk), and the timeout bounds the loop's wait.  A socket that
 * net-snmp closed and reopened under the same number is gone from epoll (the
 * kernel drops closed fds), and a number it closed may be reused by a probe
 * at once: so every watch is dropped when the master goes (net-snmp says so
 * before it closes) or one of our sessions closes, and the whole set is
 * added again at the next wait, as it is once a second anyway.
 *
 * Master.  The subagent starts even when snmpd is not up, reconnects every
 * ping_interval after it restarts, and re-registers REDMON-MIB (net-snmp does
 * that on its own once the ping interval is set, which must happen after
 * init_agent()).  net-snmp tells us of a connect or a disconnect through its
 * INDEX_START and INDEX_STOP callbacks.
 *
 * Notifications: subagent_notify.c; the [snmp] settings: snmp_settings.c;
 * REDMON-MIB and the requests: subagent_mib.c.
 */
#include "subagent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "../bus.h"
#include "../log.h"
#include "../loop.h"
#include "agentx_stream.h"
#include "subagent_index.h"
#include "subagent_int.h"

#include <net-snmp/library/large_fd_set.h> /* not in net-snmp-includes.h */

#define APP_NAME	   "redmon"
#define FULL_FD_REFRESH_MS 1000
#define SAVE_RETRY_MS	   60000 /* the state file could not be written */

static bool netsnmp_started;

/* --- the master --------------------------------------------------------- */

/*
 * Every byte from a master on a Unix socket is read by master_read() (from
 * on_snmp_fd() or recv_master()), not by net-snmp's transport: Get and
 * GetNext, the bulk of a walk, are answered straight from the tables
 * (agentx_stream.h says why); the other PDUs reach net-snmp through
 * recv_master(), which its transport calls instead of its own recv.  That recv also asked the kernel
 * for the socket's own name (getsockname) with every message, to hand it
 * along with the PDU; on the connected socket that name never changes, so
 * it is asked once per connection.
 */
static struct sockaddr_un agentx_local_name;
static const oid unix_domain[] = { TRANSPORT_DOMAIN_LOCAL }; /* RFC 3419 */

#define MASTER_READ_MAX 16384 /* one read; a walk's requests are ~60 bytes each */

/* One master connection at a time per process, as net-snmp has. */
static struct agentx_stream master_stream;
static struct agentx_out master_answer;
static struct subagent *master_owner;

static bool send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* agentx_answer_fn: a Get or GetNext answered from the tables, on the socket at fd. */
static bool answer_walk(void *ctx, const struct agentx_header *h, const uint8_t *payload)
{
	int fd = *(const int *)ctx;

	if (!master_owner || !master_owner->mib ||
	    !subagent_mib_agentx_answer(master_owner->mib, h, payload,
					(uint32_t)netsnmp_get_agent_uptime(), &master_answer))
		return false;
	if (!send_all(fd, (const uint8_t *)master_answer.b.p, master_answer.b.len)) {
		/* Half an answer would garble the stream: end it; net-snmp reconnects. */
		log_warn("SNMP: cannot answer the AgentX master: %s; reconnecting",
			 strerror(errno));
		shutdown(fd, SHUT_RDWR);
	}
	return true;
}

/* Read what the master sent and answer its walk requests: 0, or -errno as recv(2) gave it. */
static int master_read(int fd)
{
	ssize_t n = agentx_stream_read(&master_stream, fd, MASTER_READ_MAX);

	if (n > 0 && agentx_stream_split(&master_stream, answer_walk, &fd) < 0)
		return -ENOMEM;
	return n == 0 ? -ECONNRESET : n < 0 ? (int)n : 0;
}

/*
 * The transport's recv: net-snmp's share of the stream, read first if none
 * is waiting (net-snmp also reads by itself, while it waits for the answer
 * to a ping).  Nothing for it yet: an empty packet, which it skips.
 */
static int recv_master(netsnmp_transport *t, void *buf, int size, void **opaque, int *olength)
{
	struct sockaddr_un *to;
	size_t n;

	*opaque = NULL;
	*olength = 0;
	if (!t || t->sock < 0 || size <= 0)
		return -1;
	if (!master_stream.give.len) {
		int rc = master_read(t->sock);

		if (rc < 0 && rc != -EAGAIN && !master_stream.give.len)
			return rc == -ECONNRESET ? 0 : -1; /* the end: net-snmp disconnects */
	}
	n = agentx_stream_take(&master_stream, buf, (size_t)size);
	if (!n) {
		t->flags |= NETSNMP_TRANSPORT_FLAG_EMPTY_PKT;
		return 0;
	}
	to = malloc(sizeof(*to)); /* the library frees it with the PDU */
	if (to) {
		*to = agentx_local_name;
		*opaque = to;
		*olength = sizeof(*to);
	}
	return (int)n;
}

/* The master session's transport when recv_master() reads it, else NULL. */
static netsnmp_transport *master_transport(const struct subagent *s)
{
	void *sp = s->master.sess ? snmp_sess_pointer(s->master.sess) : NULL;
	netsnmp_transport *t = sp ? snmp_sess_transport(sp) : NULL;

	return t && t->f_recv == recv_master && t->sock >= 0 ? t : NULL;
}

/* The master session's transport takes recv_master when it is a Unix socket. */
static void master_recv_setup(struct subagent *s, netsnmp_session *sess)
{
	void *sp = snmp_sess_pointer(sess);
	netsnmp_transport *t = sp ? snmp_sess_transport(sp) : NULL;
	socklen_t len = sizeof(agentx_local_name);

	agentx_stream_reset(&master_stream); /* a new connection: a new stream */
	master_owner = s;
	if (!t || t->sock < 0 || t->f_recv == recv_master ||
	    netsnmp_oid_equals(t->domain, t->domain_length, unix_domain, OID_LENGTH(unix_domain)) !=
		    0)
		return;
	memset(&agentx_local_name, 0, sizeof(agentx_local_name));
	if (getsockname(t->sock, (struct sockaddr *)&agentx_local_name, &len) != 0)
		return; /* the library's own recv then, and net-snmp answers every request */
	t->f_recv = recv_master;
}

static int on_master_up(int major, int minor, void *serverarg, void *clientarg)
{
	struct subagent *s = clientarg;
	netsnmp_session *sess = serverarg;

	(void)major;
	(void)minor;
	s->master.sess = sess;
	s->master_cb = sess->callback;
	/*
	 * net-snmp pings the master synchronously, with the library's default
	 * timeout and retries (1 s, 5): a hung master would stall our loop for
	 * 6 s per ping.  Requests on the session take these instead.
	 */
	sess->timeout = AGENTX_TIMEOUT_US;
	sess->retries = AGENTX_RETRIES;
	s->master.inflight_req = 0;
	s->master.retry_at = 0;
	s->fds_dirty = true;
	master_recv_setup(s, sess);
	if (s->mib)
		subagent_mib_attach(s->mib, sess);
	if (s->master_lost_at)
		log_notice(
			"SNMP: AgentX master back after %.1f s; %zu queued notification%s to send",
			(double)(subagent_now_ms() - s->master_lost_at) / 1000, s->master.q.n,
			s->master.q.n == 1 ? "" : "s");
	else
		log_info("SNMP: connected to the AgentX master");
	subagent_dest_report_dropped(&s->master);
	s->master_lost_at = 0;
	return 0;
}

static int on_master_down(int major, int minor, void *serverarg, void *clientarg)
{
	struct subagent *s = clientarg;

	(void)major;
	(void)minor;
	(void)serverarg;
	if (s->closing)
		return 0;
	s->master.sess = NULL;
	agentx_stream_reset(&master_stream); /* what is left of that connection is gone with it */
	s->master.inflight_req = 0;	     /* sent again after the reconnect */
	subagent_forget_fds(s);		     /* net-snmp closes them after this returns */
	s->master_lost_at = subagent_now_ms();
	log_warn("SNMP: lost the AgentX master; reconnecting every %u s, notifications are queued",
		 s->cfg.ping_s);
	return 0;
}

/* net-snmp's log lines go to ours; a line may come in pieces. */
static int on_snmp_log(int major, int minor, void *serverarg, void *clientarg)
{
	static char line[1024];
	static size_t len;
	const struct snmp_log_message *m = serverarg;
	const char *p = m->msg;

	(void)major;
	(void)minor;
	(void)clientarg;
	while (p && *p) {
		size_t n = strcspn(p, "\n");
		size_t take = n < sizeof(line) - 1 - len ? n : sizeof(line) - 1 - len;

		memcpy(line + len, p, take);
		len += take;
		line[len] = 0;
		p += n;
		if (*p == '\n') {
			if (len)
				log_msg(m->priority < LOG_ERR ? LOG_ERR : m->priority, "snmp: %s",
					line);
			len = 0;
			p++;
		}
	}
	return 0;
}

/* Drop every watch now; the next prepare() adds what net-snmp still has. */
void subagent_forget_fds(struct subagent *s)
{
	for (size_t i = 0; i < s->n_fds; i++)
		loop_del(s->loop, s->fds[i]);
	s->n_fds = 0;
	s->fds_dirty = true;
}

/* --- the event loop ----------------------------------------------------- */

static void on_snmp_fd(void *ctx, int fd, uint32_t revents);
static void master_drain(struct subagent *s);

static bool has_fd(const int *v, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == fd)
			return true;
	}
	return false;
}

/* The fds set in a large fd set below numfds, read a word at a time. */
static size_t fds_of(const netsnmp_large_fd_set *set, int numfds, int *out, size_t max)
{
	const unsigned long *w = (const unsigned long *)set->lfs_setptr;
	const int bits = (int)(8 * sizeof(*w));
	size_t n = 0;

	for (int i = 0; i * bits < numfds && n < max; i++) {
		for (unsigned long v = w[i]; v && n < max; v &= v - 1) {
			int fd = i * bits + __builtin_ctzl(v);

			if (fd < numfds)
				out[n++] = fd;
		}
	}
	return n;
}

/*
 * Make the loop watch exactly net-snmp's sockets; returns the longest wait in
 * ms net-snmp allows (-1: none).
 */
static int sync_fds(struct subagent *s, uint64_t now)
{
	netsnmp_large_fd_set set;
	struct timeval tv = { 0, 0 };
	int numfds = 0, block = 1, timeout;
	bool full = s->fds_dirty || now >= s->next_full_refresh;
	int next[sizeof(s->fds) / sizeof(*s->fds)];
	size_t n;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	snmp_select_info2(&numfds, &set, &tv, &block);
	n = fds_of(&set, numfds, next, sizeof(next) / sizeof(next[0]));
	netsnmp_large_fd_set_cleanup(&set);
	for (size_t i = 0; i < s->n_fds; i++) {
		if (full || !has_fd(next, n, s->fds[i]))
			loop_del(s->loop, s->fds[i]);
	}
	for (size_t j = 0; j < n; j++) {
		int rc;

		if (!full && has_fd(s->fds, s->n_fds, next[j]))
			continue;
		rc = loop_add(s->loop, next[j], EPOLLIN, on_snmp_fd, s);
		if (rc < 0)
			log_warn("SNMP: cannot watch fd %d: %s", next[j], strerror(-rc));
	}
	memcpy(s->fds, next, n * sizeof(*next));
	s->n_fds = n;
	s->fds_dirty = false;
	if (full)
		s->next_full_refresh = now + FULL_FD_REFRESH_MS;
	if (block)
		return -1;
	timeout = (int)(tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000);
	return timeout < 0 ? 0 : timeout;
}

static void maybe_sync(struct subagent *s)
{
	int rc = s->mib ? subagent_mib_sync(s->mib) : 0; /* test-alert serves no tables */

	if (rc < 0 && !s->sync_failed_logged)
		log_err("SNMP: cannot update the tables: %s", strerror(-rc));
	s->sync_failed_logged = rc < 0;
}

static void maybe_save(struct subagent *s, uint64_t now)
{
	char err[512];

	if (!s->idx || !subagent_index_dirty(s->idx) || now < s->save_retry_at)
		return;
	if (subagent_index_save(s->idx, err, sizeof(err)) < 0) {
		log_err("SNMP: %s; indexes given since the last save may change at the next "
			"start",
			err);
		s->save_retry_at = now + SAVE_RETRY_MS;
	}
}

static int min_timeout(int a, int64_t b)
{
	if (b < 0)
		return a;
	if (b > 86400000)
		b = 86400000;
	return a < 0 || b < a ? (int)b : a;
}

/* Before every wait of the daemon's loop: see the comment at the top. */
static int prepare(void *ctx)
{
	struct subagent *s = ctx;
	uint64_t now = subagent_now_ms();
	int timeout;

	/*
	 * Only walk requests answered since the last time (no net-snmp code
	 * ran, nothing was scanned or sent): net-snmp's timers and sockets are
	 * as they were, and its deadline still stands.  Half the user time of a
	 * GetNext went here.
	 */
	if (!s->changed && now < s->quiet_until)
		return s->quiet_until == UINT64_MAX ? -1 : (int)(s->quiet_until - now);
	s->changed = false;
	master_drain(s); /* what a read of net-snmp's own left for it */
	snmp_timeout();
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	maybe_sync(s);
	now = subagent_now_ms();
	maybe_save(s, now);
	if (s->cfg.heartbeat_ms && now >= s->next_heartbeat) {
		netsnmp_variable_list *vars = subagent_mib_heartbeat_vars(s->mib);

		if (vars)
			subagent_notify(s, bus_last_seq(s->bus), vars);
		s->next_heartbeat = now + s->cfg.heartbeat_ms;
	}
	subagent_dests_flush(s, now);
	timeout = sync_fds(s, now);
	if (s->cfg.heartbeat_ms)
		timeout = min_timeout(timeout, (int64_t)(s->next_heartbeat - now));
	if (s->master.q.n && s->master.sess && !s->master.inflight_req)
		timeout = min_timeout(timeout, (int64_t)s->master.retry_at - (int64_t)now);
	for (size_t i = 0; i < s->n_dests; i++) {
		const struct dest *d = &s->dests[i];

		if (d->q.n && !d->inflight_req)
			timeout = min_timeout(timeout, (int64_t)d->retry_at - (int64_t)now);
	}
	if (s->idx && subagent_index_dirty(s->idx))
		timeout = min_timeout(timeout, (int64_t)s->save_retry_at - (int64_t)now);
	s->quiet_until = timeout < 0 ? UINT64_MAX : now + (uint64_t)timeout;
	return timeout;
}

/* net-snmp reads fd, which the loop found readable, or which has bytes for it. */
static void netsnmp_read_fd(int fd)
{
	netsnmp_large_fd_set set;

	netsnmp_large_fd_set_init(&set, FD_SETSIZE);
	NETSNMP_LARGE_FD_SET(fd, &set);
	snmp_read2(&set);
	netsnmp_large_fd_set_cleanup(&set);
}

/* net-snmp takes its share of the master's stream, while it is the same connection. */
static void master_drain(struct subagent *s)
{
	const netsnmp_transport *t;

	while (master_stream.give.len && (t = master_transport(s)) != NULL)
		netsnmp_read_fd(t->sock);
}

static void on_snmp_fd(void *ctx, int fd, uint32_t revents)
{
	struct subagent *s = ctx;
	const netsnmp_transport *t = master_transport(s);
	int rc;

	(void)revents;
	/* Answer from rows that include a scan done earlier in this round. */
	maybe_sync(s);
	if (!t || t->sock != fd) {
		s->changed = true;
		netsnmp_read_fd(fd);
		return;
	}
	rc = master_read(fd);
	if (rc < 0 && rc != -EAGAIN && !master_stream.give.len)
		netsnmp_read_fd(fd); /* it reads the end, or the error, and disconnects */
	if (rc < 0 || master_stream.give.len)
		s->changed = true; /* net-snmp ran, or is about to */
	master_drain(s);
}

/* --- lifecycle ---------------------------------------------------------- */

/*
 * init_snmp() connects to the master if it is there.  It also loads net-snmp's
 * default MIB modules, which a subagent does not need and which Debian does
 * not ship: every missing one would be an error line in our log.  An empty
 * MIBS in the environment loads none; the caller's value comes back after.
 */
static void init_snmp_quietly(void)
{
	const char *old = getenv("MIBS");
	char *saved = old ? strdup(old) : NULL;

	setenv("MIBS", "", 1);
	init_snmp(APP_NAME);
	if (saved)
		setenv("MIBS", saved, 1);
	else
		unsetenv("MIBS");
	free(saved);
}

/* One net-snmp per process: started once, with our settings, never from files. */
static int netsnmp_start(struct subagent *s)
{
	const struct snmp_setup *st = &s->cfg;

	if (netsnmp_started)
		return -EALREADY;
	snmp_disable_log();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_snmp_log, NULL);
	snmp_enable_calllog();
	/* net-snmp's own debug output (docs/snmp.md), e.g. REDMON_SNMP_DEBUG=agentx,trap */
	if (getenv("REDMON_SNMP_DEBUG")) {
		debug_register_tokens(getenv("REDMON_SNMP_DEBUG"));
		snmp_set_do_debugging(1);
	}
	/* No config files of net-snmp's, no persistent files, no MIB files: [snmp] says it all. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_ERRORS, 0);
	netsnmp_ds_set_int(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_MIB_WARNINGS, 0);
	if (!st->no_master) {
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
		if (st->agentx_socket)
			netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
					      st->agentx_socket);
		/* We say once that the master is away, not every ping. */
		netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID,
				       NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS, 1);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
				       on_master_up, s);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
				       on_master_down, s);
	}
	if (init_agent(APP_NAME) != 0)
		return -EIO;
	/* After init_agent(): its AgentX config init resets it to the default (15 s). */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)st->ping_s);
	init_snmp_quietly();
	netsnmp_started = true;
	return 0;
}

static int ensure_state_dir(const char *path)
{
	char *dir = strdup(path), *slash;
	int rc = 0;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			rc = -errno;
	}
	free(dir);
	return rc;
}

void subagent_close(struct subagent *s)
{
	if (!s)
		return;
	/* A last chance for what is queued, if the master is there. */
	if (s->master.sess && s->master.q.n)
		log_notice("SNMP: %zu notification%s not yet acknowledged by the AgentX master at "
			   "exit",
			   s->master.q.n, s->master.q.n == 1 ? "" : "s");
	if (s->idx && subagent_index_dirty(s->idx))
		maybe_save(s, UINT64_MAX);
	if (s->prepare_set)
		loop_set_prepare(s->loop, NULL, NULL);
	subagent_forget_fds(s);
	s->closing = true;
	for (size_t i = 0; i < s->n_dests; i++)
		subagent_dest_close(&s->dests[i]);
	if (s->master.sess && s->master_cb) {
		/*
		 * Leave the master as if the connection had dropped: net-snmp's own
		 * disconnect handling, then close the socket, which tells the master.
		 * snmp_shutdown() would instead wait for the answer to an AgentX
		 * Close, up to seconds when the master is stopping too (as at system
		 * shutdown), and net-snmp then trips over its own callback locks.
		 */
		netsnmp_session *ms = s->master.sess;

		s->master_cb(NETSNMP_CALLBACK_OP_DISCONNECT, ms, 0, NULL, NULL);
		snmp_close(ms);
		s->master.sess = NULL;
	}
	if (netsnmp_started) {
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
					 on_master_up, s, 1);
		snmp_unregister_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
					 on_master_down, s, 1);
		snmp_shutdown(APP_NAME); /* AgentX Close: the master drops our registrations */
	}
	subagent_mib_free(s->mib);
	s->mib = NULL;
	master_owner = NULL;
	agentx_stream_free(&master_stream);
	strbuf_free(&master_answer.b);
	subagent_dests_free(s->dests, s->n_dests);
	subagent_queue_free(&s->master.q);
	subagent_index_free(s->idx);
	subagent_settings_free(&s->cfg);
	free(s);
}

int subagent_open(const struct config *cfg, struct loop *loop, const struct agg *agg,
		  const struct bus *bus, struct subagent **ret)
{
	struct subagent *s;
	struct timespec started;
	char err[1024];
	int rc;

	*ret = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->bus = bus;
	s->master.s = s;
	s->master.kind = DEST_MASTER;
	rc = subagent_settings_load(cfg, &s->cfg, err, sizeof(err));
	if (rc < 0) {
		log_err("%s", rc == -ENOMEM ? "[snmp]: out of memory" : err);
	} else if (s->cfg.enabled && netsnmp_started) {
		log_err("SNMP: net-snmp was started before in this process; restart redmon");
		rc = -EALREADY;
	}
	if (rc < 0 || !s->cfg.enabled) {
		subagent_settings_free(&s->cfg);
		free(s);
		return rc;
	}
	ensure_state_dir(s->cfg.state_file);
	rc = subagent_index_load(s->cfg.state_file, &s->idx, err, sizeof(err));
	if (rc < 0) {
		/* Guessing would risk giving a group another group's row. */
		log_err("SNMP: %s", err);
		goto fail;
	}
	rc = subagent_dests_build(s, &s->cfg, &s->dests, &s->n_dests);
	if (rc == 0)
		rc = netsnmp_start(s);
	if (rc < 0)
		goto fail;
	clock_gettime(CLOCK_REALTIME, &started);
	rc = subagent_mib_new(agg, bus, s->idx, &started, &s->mib);
	if (rc < 0) {
		log_err("SNMP: cannot register REDMON-MIB: %s", strerror(-rc));
		goto fail;
	}
	if (s->master.sess)
		subagent_mib_attach(s->mib, s->master.sess);
	s->next_heartbeat = subagent_now_ms() + s->cfg.heartbeat_ms;
	s->fds_dirty = true;
	loop_set_prepare(loop, prepare, s);
	s->prepare_set = true;
	if (s->cfg.no_master)
		log_notice("SNMP: no AgentX master (agentx_socket = none): notifications go to "
			   "%zu direct target%s only",
			   s->n_dests, s->n_dests == 1 ? "" : "s");
	else if (!s->master.sess)
		log_notice("SNMP: AgentX master %s is not up yet; trying every %u s",
			   s->cfg.agentx_socket ? s->cfg.agentx_socket : "(net-snmp's default)",
			   s->cfg.ping_s);
	else
		log_notice("SNMP: serving REDMON-MIB through the AgentX master %s",
			   s->cfg.agentx_socket ? s->cfg.agentx_socket : "(net-snmp's default)");
	*ret = s;
	return 0;
fail:
	if (rc != -EALREADY && rc != -EINVAL && rc != -ENOMEM)
		log_err("SNMP: cannot start: %s", strerror(-rc));
	subagent_close(s);
	return rc;
}

void subagent_reload(struct subagent **sp, const struct config *cfg, struct loop *loop,
		     const struct agg *agg, const struct bus *bus)
{
	struct subagent *s = *sp;
	struct snmp_setup st;
	struct dest *dests;
	size_t n;
	char err[1024];

	if (!s) {
		struct subagent *fresh = NULL;

		if (subagent_open(cfg, loop, agg, bus, &fresh) == 0)
			*sp = fresh;
		return;
	}
	s->changed = true;
	if (subagent_settings_load(cfg, &st, err, sizeof(err)) < 0) {
		/* subagent_check_config() passed moments ago: a file changed since. */
		log_err("SNMP: %s; keeping the running [snmp] settings", err);
		subagent_settings_free(&st);
		return;
	}
	if (!st.enabled || st.no_master != s->cfg.no_master ||
	    !subagent_same_str(st.agentx_socket, s->cfg.agentx_socket) ||
	    strcmp(st.state_file, s->cfg.state_file) != 0)
		log_warn("SNMP: [snmp] enabled, agentx_socket and state_file take effect when "
			 "redmon restarts");
	if (subagent_dests_build(s, &st, &dests, &n) < 0) {
		log_err("SNMP: out of memory applying [snmp]; keeping the running settings");
		subagent_settings_free(&st);
		return;
	}
	subagent_dests_free(s->dests, s->n_dests);
	s->dests = dests;
	s->n_dests = n;
	/* What needs a restart keeps its running value. */
	st.enabled = s->cfg.enabled;
	st.no_master = s->cfg.no_master;
	free(st.agentx_socket);
	st.agentx_socket = s->cfg.agentx_socket;
	s->cfg.agentx_socket = NULL;
	free(st.state_file);
	st.state_file = s->cfg.state_file;
	s->cfg.state_file = NULL;
	subagent_settings_free(&s->cfg);
	s->cfg = st;
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)s->cfg.ping_s);
	s->next_heartbeat = subagent_now_ms() + s->cfg.heartbeat_ms;
	s->fds_dirty = true;
}

/* --- test-alert ------------------------------------------------------------ */

/* What the master route says after the test: ok, or why not, on one line of out. */
static unsigned test_report_master(const struct subagent *s, FILE *out)
{
	const char *where = s->cfg.agentx_socket ? s->cfg.agentx_socket : "(net-snmp's default)";

	if (s->cfg.no_master)
		return 0;
	if (!s->master.sess && s->master.q.n) {
		fprintf(out,
			"snmp: FAILED: no AgentX master at %s (is snmpd running, with `master "
			"agentx` and that agentXSocket, and may we open it?)\n",
			where);
		return 1;
	}
	if (s->master.q.n) {
		fprintf(out,
			"snmp: FAILED: the AgentX master at %s did not acknowledge redmonTest\n",
			where);
		return 1;
	}
	if (s->master.refused != SNMP_ERR_NOERROR) {
		fprintf(out,
			"snmp: FAILED: the AgentX master at %s refused redmonTest (error %ld)\n",
			where, s->master.refused);
		return 1;
	}
	fprintf(out, "snmp: ok (redmonTest acknowledged by the AgentX master at %s)\n", where);
	return 0;
}

/* The direct targets' lines: traps are sent or not, INFORMs acknowledged or not. */
static unsigned test_report_dests(const struct subagent *s, FILE *out)
{
	unsigned failed = 0;

	for (size_t i = 0; i < s->n_dests; i++) {
		const struct dest *d = &s->dests[i];
		/* addr, not the spec: a v2c spec carries the community. */
		const char *kind = d->kind == DEST_TRAP_V2C ? "trap_v2c" : "inform_v3";

		if (d->kind == DEST_TRAP_V2C && d->sess)
			fprintf(out, "snmp %s %s: ok (sent; a trap is not acknowledged)\n", kind,
				d->t.addr);
		else if (d->kind == DEST_INFORM_V3 && !d->q.n && d->refused == SNMP_ERR_NOERROR)
			fprintf(out, "snmp %s %s: ok (acknowledged)\n", kind, d->t.addr);
		else
			fprintf(out, "snmp %s %s: FAILED: %s\n", kind, d->t.addr,
				d->kind == DEST_TRAP_V2C ? "cannot open a session to it"
				: d->q.n		 ? "no acknowledgement"
							 : "refused");
		failed += !(d->kind == DEST_TRAP_V2C ? d->sess != NULL
						     : !d->q.n && d->refused == SNMP_ERR_NOERROR);
	}
	return failed;
}

/*
 * v3 traps carry our engine's boots and time, which the running daemon owns
 * (a test with other values would make the receiver reject the daemon's next
 * traps): test-alert leaves those targets out, and says so.
 */
static void test_skip_trap_v3(struct snmp_setup *st, FILE *out)
{
	size_t n = 0;

	for (size_t i = 0; i < st->n_targets; i++) {
		if (st->targets[i].kind == DEST_TRAP_V3) {
			fprintf(out,
				"snmp trap_v3 %s: not tested (its engine boots and time are the "
				"daemon's)\n",
				st->targets[i].addr);
			subagent_target_free(&st->targets[i]);
		} else {
			st->targets[n++] = st->targets[i];
		}
	}
	st->n_targets = n;
}

/* Run the loop until every acknowledged destination answered, or the time is up. */
static void test_wait(struct subagent *s)
{
	uint64_t wait_ms = (uint64_t)(AGENTX_RETRIES + 1) * AGENTX_TIMEOUT_US / 1000;
	uint64_t inform_ms = (uint64_t)(s->cfg.inform_retries + 1) * s->cfg.inform_timeout_ms;
	uint64_t deadline = subagent_now_ms() + (inform_ms > wait_ms ? inform_ms : wait_ms) + 1000;

	for (;;) {
		bool pending = s->master.sess && s->master.q.n;

		for (size_t i = 0; i < s->n_dests; i++)
			pending = pending || (s->dests[i].q.n && !s->dests[i].down_logged);
		if (!pending || subagent_now_ms() >= deadline || loop_run_once(s->loop, 100) < 0)
			return;
	}
}

int subagent_test(const struct config *cfg, struct loop *loop, const struct event *ev, FILE *out)
{
	struct subagent *s = calloc(1, sizeof(*s));
	netsnmp_variable_list *vars;
	char err[1024] = "out of memory"; /* what fails without a message of its own */
	unsigned failed;
	int rc;

	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->master.s = s;
	s->master.kind = DEST_MASTER;
	rc = subagent_settings_load(cfg, &s->cfg, err, sizeof(err));
	if (rc == 0 && !s->cfg.enabled)
		rc = -ENOENT;
	if (rc == 0) {
		s->cfg.heartbeat_ms = 0;
		test_skip_trap_v3(&s->cfg, out);
		rc = subagent_dests_build(s, &s->cfg, &s->dests, &s->n_dests);
	}
	if (rc == 0 && s->cfg.no_master && !s->n_dests) {
		fprintf(out, "snmp: nothing to test: agentx_socket = none and no trap_v2c or "
			     "inform_v3 target\n");
		subagent_close(s);
		return 0;
	}
	if (rc == 0 && (rc = netsnmp_start(s)) < 0)
		snprintf(err, sizeof(err), "cannot start net-snmp: %s", strerror(-rc));
	vars = rc == 0 ? subagent_mib_test_vars(ev) : NULL;
	if (rc == 0 && !vars)
		rc = -ENOMEM;
	if (rc < 0) {
		if (rc != -ENOENT)
			fprintf(out, "snmp: FAILED: %s\n", err);
		subagent_close(s);
		return rc == -ENOENT ? rc : 1;
	}
	loop_set_prepare(loop, prepare, s);
	s->prepare_set = true;
	subagent_notify(s, ev->seq, vars);
	test_wait(s);
	failed = test_report_master(s, out) + test_report_dests(s, out);
	subagent_close(s);
	return (int)failed;
}
