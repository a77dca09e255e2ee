// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The policy's encoding: addin__sandbox_policy <-> the protobuf-c message
// of policy.proto, and the runner's strict checks of what it decoded.

#include <string.h>

#include "frame.h"
#include "policy.pb-c.h"
#include "sandbox_policy.h"

typedef Addin__Sandbox__V1__Policy pb_policy;
typedef Addin__Sandbox__V1__Limits pb_limits;

#define PB_NONE       ADDIN__SANDBOX__V1__LEVEL__NONE
#define PB_RESTRICTED ADDIN__SANDBOX__V1__LEVEL__RESTRICTED
#define PB_STRICT     ADDIN__SANDBOX__V1__LEVEL__STRICT

// ---------------------------------------------------------------- encode

// level_to_pb maps a level to the message's (an invalid one to 0, which
// the runner refuses).
static Addin__Sandbox__V1__Level
level_to_pb(addin__sandbox_level l)
{
	switch (l) {
	case ADDIN__SANDBOX_RESTRICTED: return PB_RESTRICTED;
	case ADDIN__SANDBOX_STRICT: return PB_STRICT;
	case ADDIN__SANDBOX_NONE: return PB_NONE;
	default: return ADDIN__SANDBOX__V1__LEVEL__LEVEL_UNSET;
	}
}

// limits_to_pb fills @l from @in, every field present.
static void
limits_to_pb(const addin__sandbox_limits *in, pb_limits *l)
{
	l->has_memory_bytes = true;
	l->memory_bytes     = in->memory_bytes;
	l->has_cpu_seconds  = true;
	l->cpu_seconds      = in->cpu_seconds;
	l->has_processes    = true;
	l->processes        = in->processes;
	l->has_open_files   = true;
	l->open_files       = in->open_files;
	l->has_file_size    = true;
	l->file_size        = in->file_size;
	l->has_cpu_percent  = true;
	l->cpu_percent      = in->cpu_percent;
	l->has_core_dumps   = true;
	l->core_dumps       = in->core_dumps;
}

addin_err
addin__sandbox_policy_encode(const addin__sandbox_policy *p, uint8_t **ret_buf,
                             size_t *ret_len)
{
	pb_policy m = ADDIN__SANDBOX__V1__POLICY__INIT;
	pb_limits l = ADDIN__SANDBOX__V1__LIMITS__INIT;
	char     *read[ADDIN__SANDBOX_MAX_PATHS];
	char     *need[ADDIN__SANDBOX_MAX_PATHS];
	uint8_t  *buf;
	size_t    len;

	limits_to_pb(&p->limits, &l);
	m.has_version       = true;
	m.version           = ADDIN__SANDBOX_POLICY_VERSION;
	m.has_level         = true;
	m.level             = level_to_pb(p->level);
	m.has_namespaces    = true;
	m.namespaces        = p->namespaces;
	m.has_uid           = true;
	m.uid               = p->uid;
	m.has_gid           = true;
	m.gid               = p->gid;
	m.limits            = &l;
	m.has_network       = true;
	m.network           = p->network;
	m.has_cgroup_memory = true;
	m.cgroup_memory     = p->cgroup_memory;
	m.has_cgroup_pids   = true;
	m.cgroup_pids       = p->cgroup_pids;
	m.scratch           = p->scratch;
	m.ipc               = p->ipc;
	for (size_t i = 0; i < p->n_read; i++) {
		read[i] = p->read[i];
	}
	for (size_t i = 0; i < p->n_need; i++) {
		need[i] = p->need[i];
	}
	m.n_read  = p->n_read;
	m.read    = read;
	m.n_need  = p->n_need;
	m.need    = need;
	m.has_end = true;
	m.end     = true;

	len = addin__sandbox__v1__policy__get_packed_size(&m);
	if (len > ADDIN__SANDBOX_POLICY_MAX) {
		return addin__seterr(ADDIN_ELIMIT,
		                     "sandbox policy: %zu bytes, more than %d",
		                     len, ADDIN__SANDBOX_POLICY_MAX);
	}
	if ((buf = addin__alloc(len > 0 ? len : 1)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, "sandbox policy: encode");
	}
	if (addin__sandbox__v1__policy__pack(&m, buf) != len) {
		addin__free(buf);
		return addin__seterr(ADDIN_EINTERNAL,
		                     "sandbox policy: packed size changed");
	}
	*ret_buf = buf;
	*ret_len = len;
	return ADDIN_OK;
}

// ---------------------------------------------------------------- decode

static addin_err
bad(const char *why)
{
	return addin__seterr(ADDIN_ECORRUPT, "sandbox policy: %s", why);
}

// canonical: are @len bytes at @buf exactly what packing @m writes?  That
// refuses a field given twice (protobuf-c keeps the last, or merges),
// fields out of order and numbers padded with zero groups.
static addin_err
canonical(const ProtobufCMessage *m, const uint8_t *buf, size_t len)
{
	uint8_t  *again;
	addin_err rv = ADDIN_OK;

	if (protobuf_c_message_get_packed_size(m) != len) {
		return bad("not in the one encoding the host writes (a field "
		           "repeated, out of order or padded)");
	}
	if ((again = addin__alloc(len > 0 ? len : 1)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, "sandbox policy: decode");
	}
	if (protobuf_c_message_pack(m, again) != len ||
	    memcmp(again, buf, len) != 0) {
		rv = bad("not in the one encoding the host writes (a field "
		         "repeated, out of order or padded)");
	}
	addin__free(again);
	return rv;
}

// The level, namespaces and ids.
static addin_err
take_scalars(const pb_policy *m, addin__sandbox_policy *p)
{
	if (!m->has_level) {
		return bad("no level");
	}
	switch (m->level) {
	case PB_RESTRICTED: p->level = ADDIN__SANDBOX_RESTRICTED; break;
	case PB_STRICT: p->level = ADDIN__SANDBOX_STRICT; break;
	case PB_NONE: p->level = ADDIN__SANDBOX_NONE; break;
	default:
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox policy: unknown level %d",
		                     (int) m->level);
	}
	if (!m->has_namespaces || (m->namespaces & ~ADDIN__NS_ALL) != 0) {
		return bad("no or a bad namespace set");
	}
	// (uid_t) -1 would mean "unchanged" to setresuid.
	if (!m->has_uid || !m->has_gid || m->uid == UINT32_MAX ||
	    m->gid == UINT32_MAX) {
		return bad("no uid or gid, or one out of range");
	}
	if (!m->has_network || !m->has_cgroup_memory || !m->has_cgroup_pids) {
		return bad("no network or cgroup flag");
	}
	p->namespaces    = m->namespaces;
	p->uid           = m->uid;
	p->gid           = m->gid;
	p->network       = m->network;
	p->cgroup_memory = m->cgroup_memory;
	p->cgroup_pids   = m->cgroup_pids;
	return ADDIN_OK;
}

static addin_err
take_limits(const pb_limits *l, addin__sandbox_limits *ret)
{
	if (l == NULL) {
		return bad("no limits");
	}
	if (!l->has_memory_bytes || !l->has_cpu_seconds || !l->has_processes ||
	    !l->has_open_files || !l->has_file_size || !l->has_cpu_percent ||
	    !l->has_core_dumps) {
		return bad("a limit is missing");
	}
	ret->memory_bytes = l->memory_bytes;
	ret->cpu_seconds  = l->cpu_seconds;
	ret->processes    = l->processes;
	ret->open_files   = l->open_files;
	ret->file_size    = l->file_size;
	ret->cpu_percent  = l->cpu_percent;
	ret->core_dumps   = l->core_dumps;
	return ADDIN_OK;
}

// path_error turns a grant's refusal into the decoder's.
static addin_err
path_error(addin_err rv)
{
	if (rv == ADDIN_ENOMEM || rv == ADDIN_OK) {
		return rv;
	}
	return bad(rv == ADDIN_ELIMIT ? "too many paths" : "bad path");
}

static addin_err
take_paths(const pb_policy *m, addin__sandbox_policy *p)
{
	addin_err rv = ADDIN_OK;

	if (m->n_read > ADDIN__SANDBOX_MAX_PATHS ||
	    m->n_need > ADDIN__SANDBOX_MAX_PATHS) {
		return bad("too many paths");
	}
	if (m->scratch != NULL) {
		rv = addin__sandbox_policy_set_scratch(p, m->scratch);
	}
	if (rv == ADDIN_OK && m->ipc != NULL) {
		rv = addin__sandbox_policy_set_ipc(p, m->ipc);
	}
	for (size_t i = 0; rv == ADDIN_OK && i < m->n_read; i++) {
		rv = addin__sandbox_policy_add_read(p, m->read[i]);
	}
	for (size_t i = 0; rv == ADDIN_OK && i < m->n_need; i++) {
		rv = addin__sandbox_policy_add_need(p, m->need[i]);
	}
	return path_error(rv);
}

// check_and_take: everything of @m (decoded from @len bytes at @buf), in
// the order that gives the most useful message, into @p.
static addin_err
check_and_take(const pb_policy *m, const uint8_t *buf, size_t len,
               addin__sandbox_policy *p)
{
	addin_err rv;

	if (!m->has_version) {
		return bad("no format version");
	}
	if (m->version != ADDIN__SANDBOX_POLICY_VERSION) {
		return addin__seterr(ADDIN_EVERSION,
		                     "sandbox policy: format version %u, this "
		                     "runner reads %d",
		                     (unsigned) m->version,
		                     ADDIN__SANDBOX_POLICY_VERSION);
	}
	if (!m->has_end || !m->end) {
		return bad("cut short (no end mark)");
	}
	if (m->base.n_unknown_fields != 0 ||
	    (m->limits != NULL && m->limits->base.n_unknown_fields != 0)) {
		return bad("unknown field");
	}
	if ((rv = canonical(&m->base, buf, len)) != ADDIN_OK ||
	    (rv = take_scalars(m, p)) != ADDIN_OK ||
	    (rv = take_limits(m->limits, &p->limits)) != ADDIN_OK) {
		return rv;
	}
	return take_paths(m, p);
}

addin_err
addin__sandbox_policy_decode(const uint8_t *buf, size_t len,
                             addin__sandbox_policy *ret_p)
{
	addin__sandbox_policy p;
	ProtobufCMessage     *m;
	const char           *why;
	addin_err             rv;

	if (len > ADDIN__SANDBOX_POLICY_MAX) {
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox policy: %zu bytes, more than %d",
		                     len, ADDIN__SANDBOX_POLICY_MAX);
	}
	if (addin__unpack_untrusted(&addin__sandbox__v1__policy__descriptor,
	                            len, buf, &m, &why) != ADDIN_OK) {
		return addin__seterr(ADDIN_ECORRUPT,
		                     "sandbox policy: does not decode: %s",
		                     why);
	}
	addin__sandbox_policy_init(&p, ADDIN__SANDBOX_NONE);
	rv = check_and_take((const pb_policy *) m, buf, len, &p);
	protobuf_c_message_free_unpacked(m, &addin__pb_allocator);
	if (rv != ADDIN_OK) {
		addin__sandbox_policy_fini(&p);
		return rv;
	}
	*ret_p = p;
	return ADDIN_OK;
}
