// SPDX-License-Identifier: GPL-2.0-or-later
/* libfreeipmi session, SDR cache and sensor reads: see ipmi_reader.h. */
#include "ipmi_reader.h"

#include <errno.h>
#include <freeipmi/freeipmi.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipmi_fan.h"
#include "../lib/psu_util.h"
#include "redmon/grow.h"

/* One PSU- or fan-related sensor: its SDR record bytes and what they say. */
struct sdr_entry {
	uint8_t rec[IPMI_SDR_MAX_RECORD_LENGTH];
	unsigned int len;
	uint8_t share_offset; /* for shared compact records, else 0 */
	struct ipmi_sensor s; /* fixed fields; status/bitmask filled per poll */
};

struct ipmi_reader {
	struct ipmi_conn conn;
	ipmi_ctx_t ipmi;
	ipmi_sensor_read_ctx_t srd;
	bool open;
	bool have_sdr;
	uint32_t sdr_add_ts, sdr_erase_ts;
	struct sdr_entry *ents;
	size_t n_ents;
	struct ipmi_reader_stats stats;
};

struct workaround {
	const char *word;
	unsigned int flag;
};

static const struct workaround lan_workarounds[] = {
	{ "authcap", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_AUTHENTICATION_CAPABILITIES },
	{ "intel20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION },
	{ "supermicro20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUPERMICRO_2_0_SESSION },
	{ "sun20", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION },
	{ "opensesspriv", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE },
	{ "integritycheckvalue",
	  IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE },
	{ "nochecksumcheck", IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_NO_CHECKSUM_CHECK },
	{ NULL, 0 },
};

static const struct workaround inband_workarounds[] = {
	{ "assumeio", IPMI_WORKAROUND_FLAGS_INBAND_ASSUME_IO_BASE_ADDRESS },
	{ "spinpoll", IPMI_WORKAROUND_FLAGS_INBAND_SPIN_POLL },
	{ NULL, 0 },
};

int ipmi_parse_workarounds(const char *s, bool lan, unsigned int *ret)
{
	struct strv rest = strv_c(s), item;
	unsigned int flags = 0;

	while (strv_next_item(&rest, ", ", &item)) {
		const struct workaround *w = lan ? lan_workarounds : inband_workarounds;

		while (w->word && !strv_eq(item, w->word))
			w++;
		if (!w->word)
			return -EINVAL;
		flags |= w->flag;
	}
	*ret = flags;
	return 0;
}

int ipmi_reader_new(const struct ipmi_conn *conn, struct ipmi_reader **ret)
{
	struct ipmi_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->conn = *conn;
	*ret = r;
	return 0;
}

static void session_close(struct ipmi_reader *r)
{
	if (r->srd)
		ipmi_sensor_read_ctx_destroy(r->srd);
	r->srd = NULL;
	if (r->ipmi) {
		if (r->open)
			ipmi_ctx_close(r->ipmi);
		ipmi_ctx_destroy(r->ipmi);
	}
	r->ipmi = NULL;
	r->open = false;
}

/* -errno for a libfreeipmi context error. */
static int ctx_errno(ipmi_ctx_t ipmi)
{
	switch (ipmi_ctx_errnum(ipmi)) {
	case IPMI_ERR_SESSION_TIMEOUT:
	case IPMI_ERR_CONNECTION_TIMEOUT:
	case IPMI_ERR_MESSAGE_TIMEOUT:
	case IPMI_ERR_DRIVER_TIMEOUT:
	case IPMI_ERR_BMC_BUSY:
	case IPMI_ERR_DRIVER_BUSY:
		return -ETIMEDOUT;
	case IPMI_ERR_USERNAME_INVALID:
	case IPMI_ERR_PASSWORD_INVALID:
	case IPMI_ERR_K_G_INVALID:
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
	case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
	case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
	case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
	case IPMI_ERR_PERMISSION:
		return -EACCES;
	case IPMI_ERR_DEVICE_NOT_FOUND:
	case IPMI_ERR_DEVICE_NOT_SUPPORTED:
		return -ENODEV;
	case IPMI_ERR_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* The kernel's IPMI device node, or NULL. */
static const char *inband_node(void)
{
	static const char *const nodes[] = { "/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0" };

	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (access(nodes[i], F_OK) == 0)
			return nodes[i];
	}
	return NULL;
}

static int session_open(struct ipmi_reader *r, char *err, size_t errlen)
{
	const struct ipmi_conn *c = &r->conn;
	/* Retransmit a few times within the session timeout. */
	unsigned int retrans = c->timeout_ms / 4 ? c->timeout_ms / 4 : 1;
	/*
	 * In-band means the kernel's IPMI driver (ipmi_si + ipmi_devintf): its
	 * device node is opened directly.  freeipmi's own KCS/SSIF drivers need
	 * SMBIOS/ACPI probing (ipmi_ctx_find_inband), which pokes I/O ports
	 * and, in 1.6.10, leaks on every call.
	 */
	const char *node = c->lan ? NULL : inband_node();
	int rc;

	r->ipmi = ipmi_ctx_create();
	if (!r->ipmi)
		return -ENOMEM;
	if (!c->lan && !node) {
		snprintf(err, errlen,
			 "no in-band IPMI device (/dev/ipmi0: load ipmi_si and ipmi_devintf)");
		session_close(r);
		return -ENODEV;
	}
	if (c->lan)
		rc = ipmi_ctx_open_outofband_2_0(r->ipmi, c->host, c->username, c->password, NULL,
						 0, c->privilege, c->cipher_suite, c->timeout_ms,
						 retrans, c->workaround, IPMI_FLAGS_DEFAULT);
	else
		rc = ipmi_ctx_open_inband(r->ipmi, IPMI_DEVICE_OPENIPMI, 0, 0, 0, node,
					  c->workaround, IPMI_FLAGS_DEFAULT);
	if (rc < 0) {
		rc = ctx_errno(r->ipmi);
		if (c->lan)
			snprintf(err, errlen, "cannot open an IPMI 2.0 session to %s: %s", c->host,
				 ipmi_ctx_errormsg(r->ipmi));
		else
			snprintf(err, errlen, "cannot open %s: %s", node,
				 ipmi_ctx_errormsg(r->ipmi));
		session_close(r);
		return !c->lan && rc == -EIO ? -ENODEV : rc;
	}
	r->open = true;
	r->srd = ipmi_sensor_read_ctx_create(r->ipmi);
	if (!r->srd) {
		session_close(r);
		return -ENOMEM;
	}
	r->stats.opens++;
	return 0;
}

/* Get SDR Repository Info: the two timestamps that say whether the SDR changed. */
static int sdr_timestamps(struct ipmi_reader *r, uint32_t *add, uint32_t *erase, char *err,
			  size_t errlen)
{
	fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_sdr_repository_info_rs);
	uint64_t a = 0, e = 0;
	int rc = 0;

	if (!rs)
		return -ENOMEM;
	if (ipmi_cmd_get_sdr_repository_info(r->ipmi, rs) < 0) {
		rc = ctx_errno(r->ipmi);
		snprintf(err, errlen, "Get SDR Repository Info: %s", ipmi_ctx_errormsg(r->ipmi));
	} else if (fiid_obj_get(rs, "most_recent_addition_timestamp", &a) < 0 ||
		   fiid_obj_get(rs, "most_recent_erase_timestamp", &e) < 0) {
		rc = -EIO;
		snprintf(err, errlen, "Get SDR Repository Info: malformed answer");
	}
	fiid_obj_destroy(rs);
	if (rc == 0) {
		*add = (uint32_t)a;
		*erase = (uint32_t)e;
	}
	return rc;
}

/*
 * One full or compact sensor record into entries: a compact record may stand
 * for share_count sensors (IPMI 2.0 section 43.2: sensor number, entity
 * instance and ID string suffix step with the share offset).
 */
static int take_record(ipmi_sdr_ctx_t sdr, const uint8_t *buf, int len, struct sdr_entry **v,
		       size_t *n, size_t *cap)
{
	uint16_t rid;
	uint8_t rtype, stype, ertype, snum, eid, einst, etype;
	uint8_t share = 1, mod_type = 0, mod_off = 0, einst_share = 0;
	char id[IPMI_SDR_MAX_ID_STRING_LENGTH + 1];

	if (ipmi_sdr_parse_record_id_and_type(sdr, buf, (unsigned)len, &rid, &rtype) < 0)
		return 0;
	if (rtype != IPMI_SDR_FORMAT_FULL_SENSOR_RECORD &&
	    rtype != IPMI_SDR_FORMAT_COMPACT_SENSOR_RECORD)
		return 0;
	if (ipmi_sdr_parse_sensor_type(sdr, buf, (unsigned)len, &stype) < 0 ||
	    ipmi_sdr_parse_event_reading_type_code(sdr, buf, (unsigned)len, &ertype) < 0 ||
	    ipmi_sdr_parse_sensor_number(sdr, buf, (unsigned)len, &snum) < 0 ||
	    ipmi_sdr_parse_entity_id_instance_type(sdr, buf, (unsigned)len, &eid, &einst, &etype) <
		    0)
		return 0;
	memset(id, 0, sizeof(id));
	if (ipmi_sdr_parse_id_string(sdr, buf, (unsigned)len, id, sizeof(id) - 1) < 0)
		id[0] = '\0';
	if (!ipmi_sensor_relevant(stype, ertype) && !ipmi_fan_relevant(stype, ertype, id))
		return 0;
	if (rtype == IPMI_SDR_FORMAT_COMPACT_SENSOR_RECORD &&
	    ipmi_sdr_parse_sensor_record_sharing(sdr, buf, (unsigned)len, &share, &mod_type,
						 &mod_off, &einst_share) < 0)
		share = 1;
	if (share == 0)
		share = 1;
	for (unsigned int k = 0; k < share; k++) {
		struct sdr_entry *e;

		if (*n >= 4096) /* beyond any BMC: a broken or hostile SDR */
			return -E2BIG;
		if (!grow_one((void **)v, cap, *n, sizeof(**v), 16))
			return -ENOMEM;
		e = &(*v)[(*n)++];
		memset(e, 0, sizeof(*e));
		memcpy(e->rec, buf, (size_t)len);
		e->len = (unsigned)len;
		e->share_offset = (uint8_t)k;
		e->s.record_id = rid;
		e->s.number = (uint8_t)(snum + k);
		e->s.type = stype;
		e->s.ertype = ertype;
		e->s.entity_id = eid;
		e->s.entity_instance = (uint8_t)(einst + (einst_share ? k : 0));
		if (share > 1) {
			unsigned int m = mod_off + k;

			if (mod_type == IPMI_SDR_ID_STRING_INSTANCE_MODIFIER_TYPE_ALPHA)
				snprintf(e->s.name, sizeof(e->s.name), "%.14s%c", id,
					 (char)('A' + (m % 26)));
			else
				snprintf(e->s.name, sizeof(e->s.name), "%.13s%u", id, m % 1000);
		} else {
			snprintf(e->s.name, sizeof(e->s.name), "%s", id);
		}
	}
	return 0;
}

/*
 * Fetch the SDR through freeipmi's cache code into a private temporary file,
 * keep the PSU- and fan-related records in memory, and remove the file: nothing is
 * left on disk and a restart always starts from the BMC's current SDR.
 */
static int load_sdr(struct ipmi_reader *r, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATH_MAX], dirbuf[PATH_MAX];
	ipmi_sdr_ctx_t sdr;
	struct sdr_entry *v = NULL;
	size_t n = 0, cap = 0;
	uint16_t count = 0;
	char *d;
	int rc = 0;

	if (!tmp || !*tmp || strlen(tmp) >= sizeof(dirbuf) - 32)
		tmp = "/tmp";
	snprintf(dirbuf, sizeof(dirbuf), "%s/redmon-sdr-XXXXXX", tmp);
	d = mkdtemp(dirbuf);
	if (!d) {
		snprintf(err, errlen, "cannot create a directory for the SDR cache: %s",
			 strerror(errno));
		return -errno;
	}
	sdr = ipmi_sdr_ctx_create();
	if (!sdr) {
		rmdir(d);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/sdr", d);
	if (ipmi_sdr_cache_create(sdr, r->ipmi, path, IPMI_SDR_CACHE_CREATE_FLAGS_OVERWRITE, NULL,
				  NULL) < 0) {
		rc = ipmi_ctx_errnum(r->ipmi) != IPMI_ERR_SUCCESS ? ctx_errno(r->ipmi) : -EIO;
		snprintf(err, errlen, "reading the SDR: %s", ipmi_sdr_ctx_errormsg(sdr));
		goto out;
	}
	if (ipmi_sdr_cache_open(sdr, NULL, path) < 0) {
		rc = -EIO;
		snprintf(err, errlen, "opening the SDR cache: %s", ipmi_sdr_ctx_errormsg(sdr));
		goto out;
	}
	ipmi_sdr_cache_most_recent_addition_timestamp(sdr, &r->sdr_add_ts);
	ipmi_sdr_cache_most_recent_erase_timestamp(sdr, &r->sdr_erase_ts);
	if (ipmi_sdr_cache_record_count(sdr, &count) < 0)
		count = 0;
	for (uint16_t i = 0; i < count && rc == 0; i++, ipmi_sdr_cache_next(sdr)) {
		uint8_t buf[IPMI_SDR_MAX_RECORD_LENGTH];
		int len = ipmi_sdr_cache_record_read(sdr, buf, sizeof(buf));

		if (len > 0)
			rc = take_record(sdr, buf, len, &v, &n, &cap);
	}
	ipmi_sdr_cache_close(sdr);
	if (rc < 0) {
		snprintf(err, errlen, "keeping the SDR: %s", strerror(-rc));
		free(v);
		goto out;
	}
	free(r->ents);
	r->ents = v;
	r->n_ents = n;
	r->have_sdr = true;
	r->stats.sdr_loads++;
out:
	ipmi_sdr_ctx_destroy(sdr);
	unlink(path);
	rmdir(d);
	return rc;
}

static int read_sensors(struct ipmi_reader *r, struct ipmi_sensor **ret_v, size_t *ret_n, char *err,
			size_t errlen)
{
	struct ipmi_sensor *v = calloc(r->n_ents ? r->n_ents : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_ents; i++) {
		struct sdr_entry *e = &r->ents[i];
		double *reading = NULL;
		uint16_t bitmask = 0;
		uint8_t raw = 0;
		int rc;

		v[i] = e->s;
		rc = ipmi_sensor_read(r->srd, e->rec, e->len, e->share_offset, &raw, &reading,
				      &bitmask);
		if (rc >= 0) {
			/*
			 * 0 is normal for discrete sensors: no reading, bitmask
			 * valid.  A threshold sensor with a full record (a fan's
			 * tachometer) has its reading decoded.
			 */
			v[i].status = IPMI_READ_OK;
			v[i].bitmask = bitmask;
			v[i].has_reading = reading != NULL;
			v[i].reading = reading ? *reading : 0.0;
			free(reading);
			continue;
		}
		free(reading);
		switch (ipmi_sensor_read_ctx_errnum(r->srd)) {
		case IPMI_SENSOR_READ_ERR_SENSOR_READING_UNAVAILABLE:
		case IPMI_SENSOR_READ_ERR_SENSOR_SCANNING_DISABLED:
		case IPMI_SENSOR_READ_ERR_SENSOR_READING_CANNOT_BE_OBTAINED:
			v[i].status = IPMI_READ_UNAVAILABLE;
			break;
		default:
			/* A dead session fails the whole poll; else only this sensor. */
			rc = ctx_errno(r->ipmi);
			if (rc == -ETIMEDOUT) {
				snprintf(err, errlen, "reading sensor %s: %s", e->s.name,
					 ipmi_sensor_read_ctx_errormsg(r->srd));
				free(v);
				return rc;
			}
			v[i].status = IPMI_READ_ERROR;
			break;
		}
	}
	*ret_v = v;
	*ret_n = r->n_ents;
	return 0;
}

int ipmi_reader_poll(struct ipmi_reader *r, struct ipmi_sensor **ret_v, size_t *ret_n, char *err,
		     size_t errlen)
{
	uint64_t t0 = psu_now_ms();
	uint32_t add = 0, erase = 0;
	int rc;

	err[0] = '\0';
	if (!r->open) {
		rc = session_open(r, err, errlen);
		if (rc < 0)
			goto out;
	}
	rc = sdr_timestamps(r, &add, &erase, err, errlen);
	if (rc == 0 && (!r->have_sdr || add != r->sdr_add_ts || erase != r->sdr_erase_ts))
		rc = load_sdr(r, err, errlen);
	if (rc == 0)
		rc = read_sensors(r, ret_v, ret_n, err, errlen);
	if (rc < 0 && rc != -ENOMEM)
		session_close(r); /* reopen next time: the BMC may have reset */
out:
	r->stats.last_poll_ms = psu_now_ms() - t0;
	return rc;
}

void ipmi_reader_stats(const struct ipmi_reader *r, struct ipmi_reader_stats *ret)
{
	*ret = r->stats;
}

void ipmi_reader_free(struct ipmi_reader *r)
{
	if (!r)
		return;
	session_close(r);
	free(r->ents);
	/* The password does not linger in freed memory. */
	explicit_bzero(r->conn.password, sizeof(r->conn.password));
	free(r);
}
