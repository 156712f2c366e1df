/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agg.h"
#include "marks.h"
#include "errbuf.h"
#include "json.h"
#include "log.h"
#include "loop_timer.h"
#include "redmon/fnv1a.h"
#include "spool.h"

#define STATE_FILE	"state.json"
#define STATE_MAX_BYTES (64u << 20)
#define DUMP_FLAGS	(JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

struct state {
	char *dir;
	int dirfd;
	int lockfd;
	int markfd; /* STATE_MARK_FILE, open for writing in place; -1 when there is none */
	struct state_id id;
	uint64_t saved_seq; /* the bus's seq at the last save */
	uint64_t reserved;  /* the sequence a restart continues after (state.json or the mark) */
	uint64_t mark;	    /* what the mark says */
	unsigned failures;  /* saves failed in a row: the episode save_failed() logs */
	int error;	    /* the -errno of the last failure logged */
	bool unreserved;    /* the mark could not take the last reservation either */
	bool unres_logged;  /* ... and that was logged in this episode */
	bool removed;	    /* the directory was removed and could not be opened again */
};

uint64_t state_hash(const char *s)
{
	return redmon_fnv1a_str(REDMON_FNV1A_BASIS, s);
}

static int body_checksum(json_t *body, char *buf, size_t len)
{
	char *text = json_dumps(body, DUMP_FLAGS);

	if (!text)
		return -ENOMEM;
	snprintf(buf, len, "fnv1a64:%016" PRIx64, state_hash(text));
	free(text);
	return 0;
}

/*
 * What the daemon knows of a group's scrubs beyond what its probe says again
 * at the next scan: when it first saw the group, when it saw a check end,
 * and which scrub events it announced.  The source's own time is kept too,
 * for the last scrub shown before that scan.
 */
static json_t *scrub_to_state(const struct group *g)
{
	return json_pack("{s:I, s:I, s:I, s:b, s:b}", "first_seen", (json_int_t)g->scrub_first_seen,
			 "seen_end", (json_int_t)g->scrub_seen_end, "source_time",
			 (json_int_t)g->scrub_time, "overdue", g->scrub_overdue, "found_errors",
			 g->scrub_errors);
}

static json_t *probe_to_json(const struct agg *a, const struct agg_probe *p)
{
	json_t *groups = json_array();

	for (size_t j = 0; groups && j < p->groups.n; j++) {
		const struct group *g = &p->groups.groups[j];
		json_t *e = json_object();
		struct timespec since;

		/* The group object shows a clamped margin; the raw one tells failed from critical. */
		json_object_set_new(e, "margin_raw",
				    g->margin == REDMON_MARGIN_UNKNOWN ? json_null()
								       : json_integer(g->margin));
		if (agg_since(a, g->id, &since))
			json_object_set_new(e, "since_ms",
					    json_integer((json_int_t)since.tv_sec * 1000 +
							 since.tv_nsec / 1000000));
		json_object_set_new(e, "group", group_to_json(g));
		json_object_set_new(e, "scrub", scrub_to_state(g));
		json_array_append_new(groups, e);
	}
	/* json_pack() takes the "o" references, also when it fails (jansson >= 2.11). */
	return json_pack("{s:o, s:b, s:o, s:o}", "name", json_text(p->name), "failed", p->failed,
			 "error", json_text(p->failed ? p->error : NULL), "groups", groups);
}

json_t *state_to_json(const struct agg *a, const struct state_id *id, uint64_t seq,
		      uint64_t seq_reserved, const struct timespec *now)
{
	json_t *probes = json_array(), *body;
	char ts[40], sum[40];

	for (size_t i = 0; probes && i < agg_probe_count(a); i++)
		json_array_append_new(probes, probe_to_json(a, agg_probe_at(a, i)));
	format_utc_ms(now, ts, sizeof(ts));
	body = json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:o}", "saved", ts, "host",
			 json_text(id->host), "root", json_text(id->root), "sinks",
			 json_text(id->sinks), "seq", (json_int_t)seq, "seq_reserved",
			 (json_int_t)seq_reserved, "probes", probes);
	/* The operator's marks (ack, maintenance, vanished groups): only when there are. */
	if (body && marks_at(agg_marks(a), 0) &&
	    json_object_set_new(body, "marks", marks_to_json(agg_marks(a))) < 0) {
		json_decref(body);
		return NULL;
	}
	if (!body || body_checksum(body, sum, sizeof(sum)) < 0) {
		json_decref(body);
		return NULL;
	}
	return json_pack("{s:s, s:i, s:s, s:o}", "format", STATE_FORMAT, "version", STATE_VERSION,
			 "checksum", sum, "state", body);
}

/* What is wrong with a saved file, into why: -EBADMSG. */
#define bad(why, len, ...) errbuf_set(why, len, -EBADMSG, __VA_ARGS__)

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Strings unescaped while reading one group or probe: a list, freed together. */
struct strpool {
	struct strpool *next;
	char text[];
};

static void strpool_free(struct strpool *p)
{
	for (struct strpool *next; p; p = next) {
		next = p->next;
		free(p);
	}
}

/*
 * Undo json_text() ("\\", "\xNN") into a new string of *pool: NULL when
 * malformed, holding a NUL or out of memory.
 */
static char *text_unescape(const char *s, struct strpool **pool)
{
	struct strpool *p = malloc(sizeof(*p) + strlen(s) + 1);
	char *o;

	if (!p)
		return NULL;
	p->next = *pool;
	*pool = p;
	for (o = p->text; *s; o++) {
		if (*s != '\\') {
			*o = *s++;
		} else if (s[1] == '\\') {
			*o = '\\';
			s += 2;
		} else if (s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0 &&
			   (hexval(s[2]) | hexval(s[3]))) {
			*o = (char)(hexval(s[2]) * 16 + hexval(s[3]));
			s += 4;
		} else {
			return NULL;
		}
	}
	*o = 0;
	return p->text;
}

/* String field key of o, unescaped into pool: 0 (NULL: null, if nullable), else -EBADMSG. */
static int get_text(json_t *o, const char *key, bool nullable, struct strpool **pool,
		    const char **ret)
{
	json_t *v = json_object_get(o, key);
	const char *s;

	if (v && json_is_null(v) && nullable) {
		*ret = NULL;
		return 0;
	}
	s = json_is_string(v) ? text_unescape(json_string_value(v), pool) : NULL;
	if (!s)
		return -EBADMSG;
	*ret = s;
	return 0;
}

/* An integer field within [min, max]; null gives null_value when nullable. */
static int get_int(json_t *o, const char *key, int64_t min, int64_t max, bool nullable,
		   int64_t null_value, int64_t *ret)
{
	json_t *v = json_object_get(o, key);

	if (v && json_is_null(v) && nullable) {
		*ret = null_value;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return -EBADMSG;
	*ret = json_integer_value(v);
	return 0;
}

static int member_from_json(json_t *m, struct redmon_member *rm, struct strpool **pool)
{
	const char *role;

	if (!json_is_object(m) || get_text(m, "name", false, pool, &rm->name) < 0 ||
	    get_text(m, "role", false, pool, &role) < 0 ||
	    get_text(m, "state", true, pool, &rm->state) < 0)
		return -EBADMSG;
	for (rm->role = 0; strcmp(role_name(rm->role), role) != 0; rm->role++) {
		if (rm->role + 1 == REDMON_ROLE_COUNT_)
			return -EBADMSG;
	}
	/* Optional fields: absent, or text. */
	if ((json_object_get(m, "device") && get_text(m, "device", false, pool, &rm->device) < 0) ||
	    (json_object_get(m, "serial") && get_text(m, "serial", false, pool, &rm->serial) < 0) ||
	    (json_object_get(m, "location") &&
	     get_text(m, "location", false, pool, &rm->location) < 0) ||
	    (json_object_get(m, "reason") && get_text(m, "reason", false, pool, &rm->reason) < 0))
		return -EBADMSG;
	return 0;
}

/*
 * A group's "scrub" object (absent from state files before scrub ages: the
 * group then counts as first seen at the next scan).  0 or -EBADMSG.
 */
static int scrub_from_state(json_t *o, int64_t *first_seen, int64_t *seen_end, int64_t *source_time)
{
	if (!json_is_object(o) ||
	    get_int(o, "first_seen", 0, INT64_MAX, false, 0, first_seen) < 0 ||
	    get_int(o, "seen_end", 0, INT64_MAX, false, 0, seen_end) < 0 ||
	    get_int(o, "source_time", 0, INT64_MAX, false, 0, source_time) < 0 ||
	    !json_is_boolean(json_object_get(o, "overdue")) ||
	    !json_is_boolean(json_object_get(o, "found_errors")))
		return -EBADMSG;
	return 0;
}

/* A group's spof reasons read at most; any more (a plugin may report many) are left out. */
#define SPOF_SAVED_MAX 1024

/*
 * A saved group's spof (NULL: absent, as files of older versions have it):
 * an array of strings into rg, *ret the array to free.  0, -EBADMSG, -ENOMEM.
 */
static int spof_from_json(json_t *v, struct redmon_group *rg, const char ***ret,
			  struct strpool **pool)
{
	size_t n = json_array_size(v);
	const char **a;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return -EBADMSG;
	if (n > SPOF_SAVED_MAX)
		n = SPOF_SAVED_MAX;
	if (!n)
		return 0;
	a = calloc(n, sizeof(*a));
	if (!a)
		return -ENOMEM;
	*ret = a;
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(v, i);

		if (!json_is_string(s) || !(a[i] = text_unescape(json_string_value(s), pool)))
			return -EBADMSG;
	}
	rg->spof = a;
	rg->n_spof = n;
	return 0;
}

/* One saved group into snap, checked against the health rule; 0 or -EBADMSG/-ENOMEM. */
static int group_from_json(json_t *e, const char *probe, struct snapshot *snap, struct agg *a,
			   char *why, size_t len)
{
	json_t *g = json_object_get(e, "group"), *members = json_object_get(g, "members");
	json_t *pv = json_object_get(g, "progress");
	struct redmon_group rg = { .progress = json_is_number(pv) ? json_number_value(pv) : -1 };
	struct redmon_member *rm = NULL;
	const char **spof = NULL;
	struct strpool *pool = NULL;
	const char *id, *gprobe, *health, *activity;
	int64_t margin, nominal, total, ok, failed, spares, since = -1;
	int64_t first_seen = 0, seen_end = 0;
	json_t *scrub = json_object_get(e, "scrub");
	struct group *added;
	int rc = -EBADMSG;

	if (!json_is_object(g) || !json_is_array(members) ||
	    get_text(g, "id", false, &pool, &id) < 0 ||
	    get_text(g, "probe", false, &pool, &gprobe) < 0 ||
	    get_text(g, "name", false, &pool, &rg.name) < 0 ||
	    get_text(g, "kind", true, &pool, &rg.kind) < 0 ||
	    get_text(g, "type", true, &pool, &rg.type) < 0 ||
	    get_text(g, "health", false, &pool, &health) < 0 ||
	    get_text(g, "activity", false, &pool, &activity) < 0 ||
	    get_text(g, "reason", true, &pool, &rg.reason) < 0 ||
	    get_int(e, "margin_raw", INT32_MIN + 1, INT32_MAX, true, REDMON_MARGIN_UNKNOWN,
		    &margin) < 0 ||
	    get_int(g, "margin_nominal", 0, INT32_MAX, false, 0, &nominal) < 0 ||
	    get_int(g, "members_total", 0, INT32_MAX, true, -1, &total) < 0 ||
	    get_int(g, "members_ok", 0, INT32_MAX, true, -1, &ok) < 0 ||
	    get_int(g, "members_failed", 0, INT32_MAX, false, 0, &failed) < 0 ||
	    get_int(g, "spares", 0, INT32_MAX, false, 0, &spares) < 0 ||
	    (json_object_get(e, "since_ms") &&
	     get_int(e, "since_ms", 0, INT64_MAX, false, 0, &since) < 0) ||
	    (json_object_get(g, "scrub_found") &&
	     get_text(g, "scrub_found", true, &pool, &rg.scrub_found) < 0) ||
	    (scrub && scrub_from_state(scrub, &first_seen, &seen_end, &rg.scrub_time) < 0)) {
		bad(why, len, "a group of probe %s has a missing or malformed field", probe);
		goto out;
	}
	if (!json_is_number(pv) && !json_is_null(pv)) {
		bad(why, len, "group %s: bad progress", id);
		goto out;
	}
	if (strcmp(gprobe, probe) != 0) {
		bad(why, len, "group %s is filed under probe %s", id, probe);
		goto out;
	}
	rg.margin = (int32_t)margin;
	rg.margin_nominal = (int32_t)nominal;
	rg.members_total = (int)total;
	rg.members_ok = (int)ok;
	rg.members_failed = (int)failed;
	rg.spares = (int)spares;
	rg.n_members = json_array_size(members);
	for (rg.activity = 0; strcmp(activity_name(rg.activity), activity) != 0; rg.activity++) {
		if (rg.activity + 1 == REDMON_ACTIVITY_COUNT_) {
			bad(why, len, "group %s: unknown activity", id);
			goto out;
		}
	}
	rm = calloc(rg.n_members ? rg.n_members : 1, sizeof(*rm));
	if (!rm) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < rg.n_members; i++) {
		if (member_from_json(json_array_get(members, i), &rm[i], &pool) < 0) {
			bad(why, len, "group %s: member %zu is malformed", id, i);
			goto out;
		}
	}
	rg.members = rm;
	/* Optional (files of older versions lack it): the reasons announced already. */
	rc = spof_from_json(json_object_get(g, "spof"), &rg, &spof, &pool);
	if (rc < 0) {
		if (rc == -EBADMSG)
			bad(why, len, "group %s: bad spof", id);
		goto out;
	}
	rc = snapshot_add(snap, probe, &rg);
	if (rc == -EINVAL)
		rc = bad(why, len, "group %s does not validate", id);
	if (rc < 0)
		goto out;
	added = &snap->groups[snap->n - 1];
	added->scrub_first_seen = first_seen;
	added->scrub_seen_end = seen_end;
	added->scrub_last = added->scrub_time > 0 ? added->scrub_time : seen_end;
	added->scrub_age_s = -1; /* until the next scan dates it */
	added->scrub_overdue = json_is_true(json_object_get(scrub, "overdue"));
	added->scrub_errors = json_is_true(json_object_get(scrub, "found_errors"));
	if (strcmp(added->id, id) != 0) {
		rc = bad(why, len, "group id %s does not match its probe and name", id);
	} else if (strcmp(health_name(added->health), health) != 0) {
		rc = bad(why, len, "group %s: health %s does not follow from its margin", id,
			 health);
	} else if (since >= 0) {
		struct timespec t = { .tv_sec = since / 1000, .tv_nsec = (since % 1000) * 1000000 };

		rc = agg_set_since(a, id, &t);
	}
out:
	free(rm);
	free(spof);
	strpool_free(pool);
	return rc;
}

static int probe_from_json(json_t *p, struct agg *a, char *why, size_t len)
{
	json_t *groups = json_object_get(p, "groups"), *e;
	struct strpool *pool = NULL;
	struct snapshot snap = { 0 };
	const char *name, *error;
	size_t i;
	int rc = -EBADMSG;

	if (!json_is_object(p) || !json_is_array(groups) ||
	    !json_is_boolean(json_object_get(p, "failed")) ||
	    get_text(p, "name", false, &pool, &name) < 0 ||
	    get_text(p, "error", true, &pool, &error) < 0) {
		bad(why, len, "a probe entry is malformed");
		goto out;
	}
	json_array_foreach(groups, i, e)
	{
		rc = group_from_json(e, name, &snap, a, why, len);
		if (rc < 0)
			goto out;
	}
	if (snapshot_sort(&snap) > 0)
		rc = bad(why, len, "probe %s lists a group twice", name);
	else
		rc = agg_restore_probe(a, name, &snap, json_is_true(json_object_get(p, "failed")),
				       error);
out:
	snapshot_free(&snap);
	strpool_free(pool);
	return rc;
}

static bool same_text(json_t *body, const char *key, const char *want)
{
	json_t *v = json_text(want);
	bool same = json_equal(json_object_get(body, key), v);

	json_decref(v);
	return same;
}

/* The operator's marks of a saved state into a's (a bad entry is logged and left out). */
static int marks_restore(json_t *body, struct agg *a)
{
	json_t *j = json_object_get(body, "marks");
	struct marks *m;
	unsigned bad = 0;
	int rc;

	if (!j)
		return 0;
	m = agg_marks_edit(a);
	if (!m)
		return -ENOMEM;
	rc = marks_from_json(m, j, &bad);
	if (bad)
		log_warn("state: %u damaged acknowledgement or maintenance entr%s left out", bad,
			 bad == 1 ? "y" : "ies");
	return rc;
}

int state_from_json(json_t *doc, const struct state_id *id, struct agg *a, uint64_t *ret_seq,
		    char *why, size_t len)
{
	json_t *body = json_object_get(doc, "state"), *p;
	json_t *probes = json_object_get(body, "probes");
	const char *sum = json_string_value(json_object_get(doc, "checksum"));
	const char *format = json_string_value(json_object_get(doc, "format"));
	const char *const keys[] = { "host", "root", "sinks" };
	const char *const mine[] = { id->host, id->root, id->sinks };
	const char *const what[] = { "host name", "root directory", "set of sinks" };
	int64_t seq, reserved;
	struct agg *tmp;
	char want[40];
	size_t i;
	int rc;

	/* A sequence number is worth keeping even from a file we do not trust. */
	if (get_int(body, "seq_reserved", 0, STATE_SEQ_MAX, false, 0, &reserved) == 0)
		*ret_seq = (uint64_t)reserved;
	if (!format || strcmp(format, STATE_FORMAT) != 0)
		return bad(why, len, "not a redmon state file");
	if (!json_is_integer(json_object_get(doc, "version")) ||
	    json_integer_value(json_object_get(doc, "version")) != STATE_VERSION)
		return bad(why, len, "unsupported version (expected %d)", STATE_VERSION);
	if (!json_is_object(body) || !sum)
		return bad(why, len, "no state or checksum");
	rc = body_checksum(body, want, sizeof(want));
	if (rc < 0)
		return rc;
	if (strcmp(sum, want) != 0)
		return bad(why, len, "checksum mismatch (file says %.40s, content gives %s)", sum,
			   want);
	if (get_int(body, "seq", 0, STATE_SEQ_MAX, false, 0, &seq) < 0 ||
	    get_int(body, "seq_reserved", seq, STATE_SEQ_MAX, false, 0, &reserved) < 0 ||
	    !json_is_array(probes))
		return bad(why, len,
			   "seq or seq_reserved missing or out of range (0 <= seq <= seq_reserved "
			   "<= %" PRIu64 "), or no probes",
			   STATE_SEQ_MAX);
	*ret_seq = (uint64_t)reserved;
	for (i = 0; i < 3; i++) {
		if (!same_text(body, keys[i], mine[i]))
			return errbuf_set(why, len, -ESTALE, "saved for another %s", what[i]);
	}
	/* All or nothing: a file that fails half-way leaves a untouched. */
	rc = agg_new(&tmp, 0); /* only its probes and times are taken */
	if (rc < 0)
		return rc;
	json_array_foreach(probes, i, p)
	{
		rc = probe_from_json(p, tmp, why, len);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = marks_restore(body, tmp); /* moved into a with the probes */
	if (rc == 0)
		agg_take_restored(a, tmp);
	agg_free(tmp);
	return rc;
}

/*
 * openat() of a plain file: the fd, or -errno; -EPERM for a symlink, FIFO or
 * hard link.  Files here are opened as root in a directory the service user
 * owns, who could plant a symlink (to /etc/shadow), a hard link to root's
 * file or a FIFO that blocks a read forever: so O_NOFOLLOW, O_NONBLOCK, and
 * only a regular file with one link.  Creating goes through write_file_atomic().
 */
static int open_plain(int dirfd, const char *name, int flags, mode_t mode)
{
	int fd = openat(dirfd, name, O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | flags, mode), rc = 0;
	struct stat sb;

	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &sb) < 0)
		rc = -errno;
	else if (!S_ISREG(sb.st_mode) || sb.st_nlink != 1)
		rc = -EPERM;
	if (rc == 0)
		return fd;
	close(fd);
	return rc;
}

/* Why open_plain() failed, for the log. */
static const char *plain_error(int rc)
{
	return rc == -EPERM ? "not a regular file with one link (a symlink, a FIFO or a hard "
			      "link): not opened"
			    : strerror(-rc);
}

/* All of dirfd/name, a plain file of at most max bytes, in a new NUL-terminated buffer. */
static int read_plain(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len)
{
	int fd = open_plain(dirfd, name, O_RDONLY, 0);
	int rc;

	if (fd < 0)
		return fd;
	rc = read_fd_all(fd, max, ret, ret_len);
	close(fd);
	return rc;
}

/*
 * The sequence mark: one fixed-length line, "redmon-seq 1 <20 digits>
 * fnv1a64:<16 hex>\n", the sequence a restart must continue after.  Created
 * while there is room, it is later only overwritten in place (pwrite of the
 * same length, fdatasync): on ext4, xfs or tmpfs that allocates nothing, so
 * it takes the reservations state.json cannot take on a full disk.  A torn
 * line fails its checksum.
 */
#define MARK_HEAD "redmon-seq 1 "
#define MARK_LEN  (sizeof(MARK_HEAD) - 1 + 20 + 1 + 24 + 1)

static void mark_format(uint64_t value, char buf[MARK_LEN + 1])
{
	char head[sizeof(MARK_HEAD) + 20];

	snprintf(head, sizeof(head), MARK_HEAD "%020" PRIu64, value);
	snprintf(buf, MARK_LEN + 1, "%s fnv1a64:%016" PRIx64 "\n", head, state_hash(head));
}

/*
 * 0 and *ret for a well-formed mark; -EBADMSG for a torn or edited one;
 * -ERANGE above STATE_SEQ_MAX, which redmon never writes.
 */
static int mark_parse(const char *text, size_t len, uint64_t *ret)
{
	const size_t digits = sizeof(MARK_HEAD) - 1, end = digits + 20;
	char head[sizeof(MARK_HEAD) + 20], tail[MARK_LEN + 1];
	uint64_t v;

	if (len != MARK_LEN || memcmp(text, MARK_HEAD, digits) != 0)
		return -EBADMSG;
	memcpy(head, text, end);
	head[end] = 0;
	snprintf(tail, sizeof(tail), " fnv1a64:%016" PRIx64 "\n", state_hash(head));
	if (memcmp(text + end, tail, MARK_LEN - end) != 0 ||
	    strspn(head + digits, "0123456789") != 20)
		return -EBADMSG;
	errno = 0;
	v = strtoull(head + digits, NULL, 10);
	if (errno || v > STATE_SEQ_MAX)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Overwrite the mark in place with value, durably; 0 or -errno. */
static int mark_write(struct state *st, uint64_t value)
{
	char buf[MARK_LEN + 1];
	ssize_t n;

	mark_format(value, buf);
	n = pwrite(st->markfd, buf, MARK_LEN, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != MARK_LEN)
		return -EIO; /* torn: a restart sees a bad checksum and takes the time */
	if (fdatasync(st->markfd) < 0)
		return -errno;
	st->mark = value;
	return 0;
}

/* Open the mark for writing in place, (re)made with the reservation when missing or invalid. */
static int mark_open(struct state *st)
{
	char buf[MARK_LEN + 1];
	ssize_t n;
	int fd, rc;

	if (st->markfd >= 0)
		return 0;
	fd = open_plain(st->dirfd, STATE_MARK_FILE, O_RDWR, 0);
	if (fd >= 0) {
		n = pread(fd, buf, sizeof(buf), 0);
		if (n == (ssize_t)MARK_LEN && mark_parse(buf, MARK_LEN, &st->mark) == 0) {
			st->markfd = fd;
			return 0;
		}
		close(fd);
	} else if (fd != -ENOENT && fd != -EPERM) {
		return fd; /* -EPERM: not a plain file, replaced below */
	}
	mark_format(st->reserved, buf);
	rc = write_file_atomic(st->dirfd, STATE_MARK_FILE, buf, MARK_LEN, 0640);
	if (rc < 0)
		return rc;
	fd = open_plain(st->dirfd, STATE_MARK_FILE, O_RDWR, 0);
	if (fd < 0)
		return fd;
	st->markfd = fd;
	st->mark = st->reserved;
	return 0;
}

/*
 * At start, after state.json: continue after the mark when a run reserved
 * there.  A mark that does not validate may have been torn while it said
 * more: the time in ms is beyond any number an earlier run can have used.
 */
static void mark_load(struct state *st, uint64_t *seq)
{
	uint64_t v = 0, was = *seq;
	size_t len;
	char *text;
	int rc;

	rc = read_plain(st->dirfd, STATE_MARK_FILE, 4096, &text, &len);
	if (rc == -ENOENT)
		return;
	if (rc == 0) {
		rc = mark_parse(text, len, &v);
		free(text);
	}
	if (rc < 0) {
		v = (uint64_t)wall_ms();
		log_err("state: %s/%s is not valid (%s): the sequence continues from the time "
			"in ms (%llu)",
			st->dir, STATE_MARK_FILE,
			rc == -EBADMSG	? "torn or edited"
			: rc == -ERANGE ? "out of range: above " STATE_SEQ_MAX_TEXT
					  ", a number redmon never writes"
					: plain_error(rc),
			(unsigned long long)(v > was ? v : was));
	}
	if (v <= was)
		return;
	*seq = st->saved_seq = st->reserved = v;
	if (rc == 0)
		log_notice("state: %s/%s reserved the sequence up to %llu while %s could not be "
			   "saved: it continues after that",
			   st->dir, STATE_MARK_FILE, (unsigned long long)v, STATE_FILE);
}

static int state_write(struct state *st, const struct agg *a, uint64_t seq, uint64_t reserved)
{
	struct timespec now;
	json_t *doc;
	char *text;
	int rc;

	clock_gettime(CLOCK_REALTIME, &now);
	doc = state_to_json(a, &st->id, seq, reserved, &now);
	text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_ENSURE_ASCII) : NULL;
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	rc = write_file_atomic(st->dirfd, STATE_FILE, text, strlen(text), 0640);
	free(text);
	return rc;
}

/*
 * Rename state.json to state.json.corrupt-<time>[-<n>], never over another
 * file nor through a planted symlink: 0 and the name in aside, or -errno.
 */
static int move_aside(struct state *st, char *aside, size_t len)
{
	long long now = (long long)time(NULL);

	for (int n = 0; n < 100; n++) {
		if (n == 0)
			snprintf(aside, len, STATE_FILE ".corrupt-%lld", now);
		else
			snprintf(aside, len, STATE_FILE ".corrupt-%lld-%d", now, n);
		if (renameat2(st->dirfd, STATE_FILE, st->dirfd, aside, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* Read and apply state.json; logs.  A bad file is moved aside and redmon starts fresh. */
static void state_load(struct state *st, struct agg *a, uint64_t *ret_seq)
{
	json_error_t jerr;
	char why[512], aside[64];
	uint64_t seq = 0;
	size_t len;
	char *text;
	json_t *doc;
	int rc;

	rc = read_plain(st->dirfd, STATE_FILE, STATE_MAX_BYTES, &text, &len);
	if (rc == -ENOENT) {
		log_notice("state: no %s/%s yet: starting fresh", st->dir, STATE_FILE);
		return;
	}
	if (rc < 0) {
		snprintf(why, sizeof(why), "cannot read: %s", plain_error(rc));
	} else {
		doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
		free(text);
		rc = doc ? state_from_json(doc, &st->id, a, &seq, why, sizeof(why)) : -EBADMSG;
		if (!doc)
			snprintf(why, sizeof(why), "not JSON (%s at line %d): torn or damaged",
				 jerr.text, jerr.line);
		json_decref(doc);
	}
	*ret_seq = st->saved_seq = st->reserved = seq;
	if (rc == -ENOMEM) {
		log_err("state: out of memory reading %s/%s: starting fresh", st->dir, STATE_FILE);
		return;
	}
	if (rc == 0) {
		log_notice("state: restored %s/%s (sequence %llu)", st->dir, STATE_FILE,
			   (unsigned long long)seq);
		return;
	}
	if (rc == -ESTALE) {
		log_notice("state: %s/%s was %s: every group is announced afresh (sequence %llu "
			   "continues)",
			   st->dir, STATE_FILE, why, (unsigned long long)seq);
		return;
	}
	/*
	 * The sequence must not go back, and a torn file may not say where it
	 * was: the time in ms is beyond any number a past run can have used.
	 */
	if (seq < (uint64_t)wall_ms())
		seq = (uint64_t)wall_ms();
	*ret_seq = st->saved_seq = st->reserved = seq;
	rc = move_aside(st, aside, sizeof(aside));
	if (rc < 0) /* then no file of that name was made */
		log_err("state: %s/%s is not valid (%s) and cannot be moved aside (%s): not "
			"trusted; starting fresh, the sequence from %llu",
			st->dir, STATE_FILE, why, strerror(-rc), (unsigned long long)seq);
	else
		log_err("state: %s/%s is not valid (%s): moved to %s, not trusted; starting fresh, "
			"the sequence from %llu",
			st->dir, STATE_FILE, why, aside, (unsigned long long)seq);
}

/* The lock of a state directory, held: the fd, -EBUSY (another daemon's) or -errno. */
static int lock_dir(int dirfd)
{
	/* Read-only is enough for flock(), and works on a lock file root left. */
	int fd = open_plain(dirfd, "lock", O_RDONLY | O_CREAT, 0640), rc;

	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
	close(fd);
	return rc;
}

/*
 * The state directory removed while we run (rm -r, a cleanup script): what
 * is saved through the old fd vanishes with it, and a restart would begin
 * the sequence at 1 again (receivers keyed on host:seq take repeats for
 * duplicates).  Open it again by its path, made again when we may (still
 * root, or its parent is ours) or as the administrator made it again; the
 * lock and the mark follow.  0 when the directory in use is there.
 */
static int dir_again(struct state *st)
{
	struct stat sb;
	int dirfd, lockfd;

	if (fstat(st->dirfd, &sb) < 0)
		return -errno;
	if (sb.st_nlink > 0)
		return 0;
	dirfd = open_dir_made(st->dir, 0750, true);
	lockfd = dirfd < 0 ? dirfd : lock_dir(dirfd);
	if (lockfd < 0) {
		if (dirfd >= 0)
			close(dirfd);
		st->removed = true;
		return lockfd;
	}
	close(st->dirfd);
	close(st->lockfd);
	if (st->markfd >= 0)
		close(st->markfd);
	st->dirfd = dirfd;
	st->lockfd = lockfd;
	st->markfd = -1; /* made again by the next save */
	st->removed = false;
	log_notice("state: %s was removed while redmon runs: it is there again; saving there",
		   st->dir);
	return 0;
}

int state_open(const char *dir, const struct state_id *id, struct agg *a, uint64_t *ret_seq,
	       struct state **ret)
{
	struct state *st = calloc(1, sizeof(*st));
	int rc;

	if (!st || !(st->dir = strdup(dir))) {
		free(st);
		return -ENOMEM;
	}
	st->id = *id;
	st->dirfd = st->lockfd = st->markfd = -1;
	/* A link in the way is followed only if root's: the service user owns the directory. */
	st->dirfd = open_dir_made(dir, 0750, true);
	rc = st->dirfd < 0 ? st->dirfd : 0;
	if (rc == 0) {
		st->lockfd = lock_dir(st->dirfd);
		rc = st->lockfd < 0 ? st->lockfd : 0;
	}
	if (rc == -EBUSY)
		log_err("state: %s is in use by another redmon daemon", dir);
	else if (rc == -EPERM)
		log_err("state: cannot use %s: its lock is %s", dir, plain_error(rc));
	else if (rc < 0)
		log_err("state: cannot use %s: %s", dir,
			rc == -ELOOP ? "a symbolic link on the way is neither root's nor ours"
				     : strerror(-rc));
	if (rc < 0) {
		state_close(st);
		return rc;
	}
	*ret_seq = 0;
	state_load(st, a, ret_seq);
	mark_load(st, ret_seq);
	rc = mark_open(st);
	if (rc < 0)
		log_warn("state: cannot open %s/%s for writing: %s: while %s cannot be saved, "
			 "sequence numbers cannot be reserved",
			 dir, STATE_MARK_FILE, strerror(-rc), STATE_FILE);
	*ret = st;
	return 0;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "?";
}

/* A save failed, the old file untouched: logged once per episode, again when the error changes. */
static void save_failed(struct state *st, int rc)
{
	if ((st->failures++ == 0 || rc != st->error) && st->removed)
		log_err("state: %s was removed while redmon runs and cannot be made again: %s "
			"(%s): nothing is saved, a restart would begin the sequence again at 1; "
			"alerts still go out; make it again for the user redmon runs as and saving "
			"resumes at the next scan",
			st->dir, strerror(-rc), errno_name(-rc));
	else if (st->failures == 1 || rc != st->error)
		log_err("state: cannot save %s/%s: %s (%s): the file keeps the state saved before; "
			"alerts still go out; retrying at each scan",
			st->dir, STATE_FILE, strerror(-rc), errno_name(-rc));
	st->error = rc;
}

/*
 * state.json cannot take the reservation: the mark takes it.  When that
 * fails too the events still go out, unreserved: logged once per episode.
 */
static void reserve_in_mark(struct state *st, uint64_t reserved)
{
	int rc = dir_again(st);

	if (rc == 0)
		rc = mark_open(st);
	if (rc == 0)
		rc = mark_write(st, reserved);
	if (rc == 0) {
		st->reserved = reserved;
		st->unreserved = false;
		return;
	}
	if (!st->unres_logged && !st->removed) /* else save_failed() said what is lost */
		log_err("state: cannot reserve the sequence past %llu in %s/%s either: %s (%s): "
			"alerts still go out, but a restart before a save succeeds can number "
			"events again from %llu",
			(unsigned long long)st->reserved, st->dir, STATE_MARK_FILE, strerror(-rc),
			errno_name(-rc), (unsigned long long)st->reserved + 1);
	st->unreserved = st->unres_logged = true;
}

/* complete: a is between scans, not half-way through one (a reservation). */
static void save(struct state *st, const struct agg *a, uint64_t seq, uint64_t reserved,
		 bool complete)
{
	int rc = dir_again(st);

	if (rc == 0)
		rc = state_write(st, a, seq, reserved);
	if (rc < 0) {
		save_failed(st, rc);
		if (reserved > st->reserved)
			reserve_in_mark(st, reserved);
		return;
	}
	if (st->failures)
		log_notice("state: saved %s/%s again, after %u failed attempt%s: the state is "
			   "current",
			   st->dir, STATE_FILE, st->failures, st->failures == 1 ? "" : "s");
	st->failures = 0;
	st->error = 0;
	st->unreserved = st->unres_logged = false;
	if (complete)
		st->saved_seq = seq;
	st->reserved = reserved;
	/*
	 * The mark is a floor beside state.json: lower it to what state.json
	 * now says durably, so a clean stop continues without a gap.  Failing
	 * that costs a gap, never a reused number.  A mark that could not be
	 * made at start (no room) is made now.
	 */
	if (st->markfd < 0)
		mark_open(st);
	else if (st->mark > reserved)
		mark_write(st, reserved);
}

/* The reservation for seq: STATE_SEQ_RESERVE ahead, never past STATE_SEQ_MAX (a start reads it). */
static uint64_t ahead(uint64_t seq)
{
	if (seq >= STATE_SEQ_MAX - STATE_SEQ_RESERVE)
		return seq > STATE_SEQ_MAX ? seq : STATE_SEQ_MAX;
	return seq + STATE_SEQ_RESERVE;
}

void state_save(struct state *st, const struct agg *a, uint64_t seq, bool final)
{
	if (!st)
		return;
	save(st, a, seq, final ? seq : ahead(seq), true);
	if (final && st->removed)
		log_err("state: stopping with %s removed: nothing saved; the next start begins the "
			"sequence again at 1",
			st->dir);
	else if (final && st->failures)
		log_err("state: stopping without saving %s/%s: the next start diffs against the "
			"state saved before and continues the sequence after %llu",
			st->dir, STATE_FILE, (unsigned long long)st->reserved);
}

void state_reserve(struct state *st, const struct agg *a, uint64_t seq)
{
	/* Unreserved: logged; the next scan's save tries again. */
	if (!st || seq <= st->reserved || st->unreserved)
		return;
	/* While saves fail the mark reserves, without rendering the state per event. */
	if (st->failures)
		reserve_in_mark(st, ahead(seq));
	else
		save(st, a, seq, ahead(seq), false);
}

bool state_dirty(const struct state *st, uint64_t seq)
{
	return st && seq != st->saved_seq;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	if (st->lockfd >= 0)
		close(st->lockfd);
	if (st->markfd >= 0)
		close(st->markfd);
	if (st->dirfd >= 0)
		close(st->dirfd);
	free(st->dir);
	free(st);
}
