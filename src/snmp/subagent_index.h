/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SNMP subagent's state file: the stable row indexes of REDMON-MIB (group
 * id -> redmonGroupIndex, group + member name -> redmonMemberIndex, probe name
 * -> redmonProbeIndex) and the SNMPv3 engine boot counter.
 *
 * An index, once given, is never given to another key, even after its group
 * is gone: an NMS must never see md0's row become bond0's.  Keys are kept
 * forever, so a group that comes back gets its old index.  No net-snmp here.
 */
#ifndef REDMON_SUBAGENT_INDEX_H
#define REDMON_SUBAGENT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SUBAGENT_INDEX_MAX 2147483647 /* Integer32 (1..2147483647) */

struct subagent_index;

/*
 * Read the map from path; a missing file gives an empty map.  Lines that do
 * not parse are an error (-EINVAL, with file and line in err): redmon must not
 * hand out indexes that may already belong to someone.  *ret is set only on
 * success; the caller frees it with subagent_index_free().
 */
int subagent_index_load(const char *path, struct subagent_index **ret, char *err, size_t errlen);

/* The index of a group id, allocated if new: > 0, or -ENOMEM / -ERANGE. */
int subagent_index_group(struct subagent_index *x, const char *id);
/* The index of a member (by name) of the group with index group; as above. */
int subagent_index_member(struct subagent_index *x, int group, const char *name);
/* The index of a probe name; as above. */
int subagent_index_probe(struct subagent_index *x, const char *name);

/* Lookups that never allocate: the index, or 0 when the key has none. */
int subagent_index_find_group(const struct subagent_index *x, const char *id);
int subagent_index_find_member(const struct subagent_index *x, int group, const char *name);

/*
 * The SNMPv3 engine boot counter (RFC 3414 snmpEngineBoots) for this run: the
 * stored value plus one, counted once per map (so once per daemon start).
 */
uint32_t subagent_index_boots(struct subagent_index *x);

/* Whether something changed since the last load or save. */
bool subagent_index_dirty(const struct subagent_index *x);

/*
 * Write the map atomically (temporary file, fsync, rename).  0, or -errno with
 * a message in err; the map stays dirty on failure so a later save retries.
 */
int subagent_index_save(struct subagent_index *x, char *err, size_t errlen);

void subagent_index_free(struct subagent_index *x);

#endif
