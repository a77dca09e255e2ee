// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// Generated views and adapters in one process: host code written against
// the generated host views (checks.c) calls add-ins written against the
// generated add-in views, through the generated adapters and by direct
// connect, for every mapped type; and the adapters keep their protocol
// when the other side misbehaves.

#define _GNU_SOURCE // memmem

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addin/adapter.h"
#include "addin_test.h"
#include "calculator/v1/calculator.view.h"
#include "checks.h"
#include "pipeline_fixture.h"

static const gen_segments calculator_segs = {
    .contract      = GEN_CALCULATOR_CONTRACT,
    .host_adapter  = GEN_CALCULATOR_HOST_ADAPTER,
    .addin_adapter = GEN_CALCULATOR_ADDIN_ADAPTER,
    .addin         = GEN_CALCULATOR_ADDIN,
};

static const gen_segments alltypes_segs = {
    .contract      = GEN_ALLTYPES_CONTRACT,
    .host_adapter  = GEN_ALLTYPES_HOST_ADAPTER,
    .addin_adapter = GEN_ALLTYPES_ADDIN_ADAPTER,
    .addin         = GEN_ALLTYPES_ADDIN,
};

static const gen_segments presence_segs = {
    .contract      = GEN_PRESENCE_CONTRACT,
    .host_adapter  = GEN_PRESENCE_HOST_ADAPTER,
    .addin_adapter = GEN_PRESENCE_ADDIN_ADAPTER,
    .addin         = GEN_PRESENCE_ADDIN,
};

static void
calculator_at(bool direct)
{
	gen_pipeline p;

	ADDIN_PASS(gen_pipeline_open(
	    &p, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, direct));
	check_calculator(calculator_v1_calculator_from_object(p.obj));
	gen_pipeline_close(&p);
}

static void
test_calculator_inproc(void)
{
	calculator_at(false);
}

static void
test_calculator_direct(void)
{
	calculator_at(true);
}

static void
alltypes_at(bool direct)
{
	gen_pipeline p;

	ADDIN_PASS(gen_pipeline_open(&p, &alltypes_segs,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, direct));
	check_all_types(alltypes_v1_all_types_from_object(p.obj));
	check_faults(alltypes_v1_all_types_from_object(p.obj), direct);
	gen_pipeline_close(&p);
}

static void
test_alltypes_inproc(void)
{
	alltypes_at(false);
}

static void
test_alltypes_direct(void)
{
	alltypes_at(true);
}

static void
presence_at(bool direct)
{
	gen_pipeline p;

	ADDIN_PASS(gen_pipeline_open(&p, &presence_segs,
	                             PRESENCE_V1_PRESENCE_VIEW_ID,
	                             PRESENCE_V1_PRESENCE_VIEW_HASH, direct));
	check_presence(presence_v1_presence_from_object(p.obj));
	gen_pipeline_close(&p);
}

static void
test_presence_inproc(void)
{
	presence_at(false);
}

static void
test_presence_direct(void)
{
	presence_at(true);
}

// Calls from several threads at once through one object.
static void *
calc_thread(void *arg)
{
	calculator_v1_calculator *calc = arg;
	const double              v[]  = {1, 2};
	for (int i = 0; i < 2000; i++) {
		double r = 0;
		if (calculator_v1_calculator_operate(calc, "+", v, 2, &r) !=
		        ADDIN_OK ||
		    r != 3) {
			return (void *) 1;
		}
	}
	return NULL;
}

static void
test_threads(void)
{
	gen_pipeline p;
	pthread_t    t[4];

	ADDIN_PASS(gen_pipeline_open(
	    &p, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, false));
	for (int i = 0; i < 4; i++) {
		ADDIN_CHECK(pthread_create(
		                &t[i], NULL, calc_thread,
		                calculator_v1_calculator_from_object(p.obj)) ==
		            0);
	}
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		ADDIN_CHECK(r == NULL);
	}
	gen_pipeline_close(&p);
}

static void
test_view_cast(void)
{
	gen_pipeline p;

	ADDIN_PASS(gen_pipeline_open(
	    &p, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, false));
	ADDIN_CHECK(calculator_v1_calculator_from_object(p.obj) != NULL);
	ADDIN_CHECK(alltypes_v1_all_types_from_object(p.obj) == NULL);
	ADDIN_CHECK(calculator_v1_calculator_from_object(NULL) == NULL);
	ADDIN_CHECK(calculator_v1_calculator_as_object(
	                calculator_v1_calculator_from_object(p.obj)) == p.obj);
	// Through a foreign view's thunk the object refuses the call.
	ADDIN_FAIL(alltypes_v1_all_types_ping(
	               (alltypes_v1_all_types *) (void *) p.obj),
	           ADDIN_EMISMATCH);
	// release drops a reference like addin_object_unref.
	calculator_v1_calculator_release(
	    calculator_v1_calculator_from_object(addin_object_ref(p.obj)));
	calculator_v1_calculator_release(NULL);
	gen_pipeline_close(&p);
}

// An add-in that leaves ops out: they fail with ADDIN_EUNIMPL, by direct
// connect (the thunk checks) and through the adapters (the add-in-side
// adapter checks).
static addin_err
only_name(void *self, char **ret_name)
{
	(void) self;
	*ret_name = addin_strdup("partial");
	return *ret_name != NULL ? ADDIN_OK : ADDIN_ENOMEM;
}

static const calculator_v1_calculator_ops partial_ops = {
    .get_name = only_name,
};

static void
test_missing_op(void)
{
	gen_pipeline             p;
	addin_object_impl        impl = ADDIN_OBJECT_IMPL_INIT;
	addin_object            *direct, *adapted;
	ProtobufCService        *svc;
	const void              *ops;
	void                    *hself;
	char                    *name;
	double                   r;
	calculator_v1_operation *o;
	size_t                   n;

	ADDIN_PASS(gen_pipeline_open(
	    &p, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, true));
	impl.view_id = CALCULATOR_V1_CALCULATOR_VIEW_ID;
	impl.ops     = &partial_ops;
	ADDIN_PASS(addin_object_create(&impl, &direct));

	ADDIN_PASS(p.addin_adapter->bind(&partial_ops, NULL, &svc));
	ADDIN_PASS(p.host_adapter->wrap(svc, &ops, &hself));
	impl.ops  = ops;
	impl.self = hself;
	ADDIN_PASS(addin_object_create(&impl, &adapted));

	addin_object *objs[] = {direct, adapted};
	for (int i = 0; i < 2; i++) {
		calculator_v1_calculator *c =
		    calculator_v1_calculator_from_object(objs[i]);
		ADDIN_PASS(calculator_v1_calculator_get_name(c, &name));
		ADDIN_CHECK_STR(name, "partial");
		addin_free(name);
		ADDIN_FAIL(
		    calculator_v1_calculator_operate(c, "+", NULL, 0, &r),
		    ADDIN_EUNIMPL);
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "Operate");
		ADDIN_CHECK_CONTAINS(addin_errmsg(), "not implemented");
		ADDIN_FAIL(calculator_v1_calculator_get_operations(c, &o, &n),
		           ADDIN_EUNIMPL);
	}
	addin_object_unref(direct);
	addin_object_unref(adapted);
	p.host_adapter->unwrap(hself);
	p.addin_adapter->unbind(svc);
	gen_pipeline_close(&p);
}

// A contract that misbehaves, as a broken proxy might, or fails.
enum {
	SILENT,
	WRONG_REPLY,
	FAIL_WITHOUT_ERROR,
	NULL_AFTER_ERROR,
	FAIL_WITH_ERROR,
	FAIL_WITH_OK,
	FAIL_WITH_UNKNOWN,
	FAIL_THEN_NOISE,
};

struct bad_service {
	ProtobufCService base;
	int              mode;
};

static void
bad_invoke(ProtobufCService *service, unsigned method_index,
           const ProtobufCMessage *input, ProtobufCClosure closure, void *data)
{
	struct bad_service *bad = (struct bad_service *) service;

	(void) method_index;
	switch (bad->mode) {
	case SILENT: return;
	case WRONG_REPLY: closure(input, data); return;
	case FAIL_WITHOUT_ERROR:
		addin_set_error(ADDIN_OK, NULL);
		closure(NULL, data);
		return;
	case NULL_AFTER_ERROR:
		// The thread's error does not travel: only a fault does.
		addin_set_error(ADDIN_EPEERDIED, "add-in process died");
		closure(NULL, data);
		return;
	case FAIL_WITH_ERROR:
		addin_adapter_fail(closure, data, ADDIN_EPEERDIED,
		                   "add-in process died");
		return;
	case FAIL_WITH_OK:
		addin_adapter_fail(closure, data, ADDIN_OK, "not a success");
		return;
	case FAIL_WITH_UNKNOWN:
		addin_adapter_fail(closure, data, (addin_err) 4242, NULL);
		return;
	default: {
		// After answering, a library call that fails records its own
		// error on this thread.  The call's failure travelled with the
		// call and is not overwritten (with the thread's last error as
		// the carrier, host code saw "resource busy" here).
		const void *ops;
		void       *self;
		addin_adapter_fail(closure, data, ADDIN_EBUSY,
		                   "busy: come back later");
		ADDIN_FAIL(addin_object_enter(NULL, "x", &ops, &self),
		           ADDIN_EINVAL);
		return;
	}
	}
}

static void
test_bad_contract(void)
{
	gen_pipeline       p;
	struct bad_service bad;
	addin_object_impl  impl = ADDIN_OBJECT_IMPL_INIT;
	addin_object      *obj;
	const void        *ops;
	void              *hself;
	char              *name = NULL;
	static const struct {
		int         mode;
		addin_err   rv;
		const char *msg;
	} cases[] = {
	    {SILENT, ADDIN_EPROTO, "did not answer"},
	    {WRONG_REPLY, ADDIN_EPROTO, "GetNameRequest"},
	    {FAIL_WITHOUT_ERROR, ADDIN_EREMOTE,
	     "calculator.v1.Calculator.GetName failed without saying why"},
	    {NULL_AFTER_ERROR, ADDIN_EREMOTE,
	     "calculator.v1.Calculator.GetName failed without saying why"},
	    {FAIL_WITH_ERROR, ADDIN_EPEERDIED, "add-in process died"},
	    {FAIL_WITH_OK, ADDIN_EREMOTE, "not a success"},
	    {FAIL_WITH_UNKNOWN, ADDIN_EREMOTE, "the add-in reported an error"},
	    {FAIL_THEN_NOISE, ADDIN_EBUSY, "busy: come back later"},
	};

	ADDIN_PASS(gen_pipeline_open(
	    &p, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, true));
	memset(&bad, 0, sizeof(bad));
	bad.base.descriptor = p.contract->descriptor;
	bad.base.invoke     = bad_invoke;
	ADDIN_PASS(p.host_adapter->wrap(&bad.base, &ops, &hself));
	impl.view_id = CALCULATOR_V1_CALCULATOR_VIEW_ID;
	impl.ops     = ops;
	impl.self    = hself;
	ADDIN_PASS(addin_object_create(&impl, &obj));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bad.mode = cases[i].mode;
		ADDIN_FAIL(
		    calculator_v1_calculator_get_name(
		        calculator_v1_calculator_from_object(obj), &name),
		    cases[i].rv);
		ADDIN_CHECK_CONTAINS(addin_errmsg(), cases[i].msg);
		ADDIN_CHECK(name == NULL);
	}
	addin_object_unref(obj);
	p.host_adapter->unwrap(hself);
	gen_pipeline_close(&p);
}

static void
test_wrong_contract(void)
{
	gen_pipeline calc, all;
	const void  *ops;
	void        *hself = NULL;

	ADDIN_PASS(gen_pipeline_open(
	    &calc, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, false));
	ADDIN_PASS(gen_pipeline_open(&all, &alltypes_segs,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, false));
	ADDIN_FAIL(calc.host_adapter->wrap(all.service, &ops, &hself),
	           ADDIN_EMISMATCH);
	ADDIN_CHECK_CONTAINS(addin_errmsg(), "alltypes.v1.AllTypes");
	ADDIN_CHECK(hself == NULL);
	ADDIN_FAIL(calc.host_adapter->wrap(NULL, &ops, &hself), ADDIN_EINVAL);
	ADDIN_FAIL(calc.addin_adapter->bind(NULL, NULL, &calc.service),
	           ADDIN_EINVAL);
	gen_pipeline_close(&all);
	gen_pipeline_close(&calc);
}

// The add-in-side service as a proxy's stub will call it: every failure
// is a fault carried by the closure (addin/adapter.h).
struct answer {
	int       calls;
	bool      reply; // an ordinary reply
	addin_err rv;
	char      msg[ADDIN_ADAPTER_MSG_MAX];
};

static void
record(const ProtobufCMessage *reply, void *data)
{
	struct answer *a = data;
	const char    *why;
	a->calls++;
	a->rv    = addin_adapter_fault(reply, &why);
	a->reply = a->rv == ADDIN_OK;
	snprintf(a->msg, sizeof(a->msg), "%s", a->reply ? "" : why);
}

static void
test_stub_side(void)
{
	gen_pipeline                      p;
	struct answer                     a = {0, false, ADDIN_OK, ""};
	ProtobufCService                 *svc;
	const ProtobufCMessageDescriptor *operate_in;
	ProtobufCMessage                 *msg;

	ADDIN_PASS(gen_pipeline_open(
	    &p, &calculator_segs, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	    CALCULATOR_V1_CALCULATOR_VIEW_HASH, false));
	svc = p.service;
	ADDIN_CHECK(svc->descriptor == p.contract->descriptor);
	ADDIN_CHECK_STR(svc->descriptor->name, "calculator.v1.Calculator");

	// An unknown method.
	svc->invoke(svc, 99, NULL, record, &a);
	ADDIN_CHECK(a.calls == 1 && !a.reply);
	ADDIN_CHECK(a.rv == ADDIN_EUNIMPL);
	ADDIN_CHECK_STR(a.msg, "calculator.v1.Calculator has no method 99");

	// A request of another method's type.
	operate_in = svc->descriptor->methods[2].input;
	msg        = calloc(1, operate_in->sizeof_message);
	ADDIN_CHECK(msg != NULL);
	protobuf_c_message_init(operate_in, msg);
	svc->invoke(svc, 0, msg, record, &a);
	ADDIN_CHECK(a.calls == 2 && !a.reply);
	ADDIN_CHECK(a.rv == ADDIN_EPROTO);
	ADDIN_CHECK_CONTAINS(a.msg, "GetNameRequest");

	// The right type: the add-in's code and message come back as the
	// fault.
	svc->invoke(svc, 2, msg, record, &a); // operation "" is unknown
	ADDIN_CHECK(a.calls == 3 && !a.reply);
	ADDIN_CHECK(a.rv == ADDIN_ENOTFOUND);
	ADDIN_CHECK_STR(a.msg, "unknown operation ''");
	free(msg);
	gen_pipeline_close(&p);
}

// Discovery reads metadata from the files; check that each segment carries
// its record with the right kind, ids and hash.
static bool
has_record(const char *path, const char *kind, const char *key,
           const char *value)
{
	FILE  *f = fopen(path, "rb");
	char  *buf, *head, *kv;
	long   len;
	size_t hlen, kvlen;
	bool   ok;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0) {
		if (f != NULL) {
			fclose(f);
		}
		return false;
	}
	rewind(f);
	buf = malloc((size_t) len);
	if (buf == NULL || fread(buf, 1, (size_t) len, f) != (size_t) len) {
		free(buf);
		fclose(f);
		return false;
	}
	fclose(f);
	hlen  = (size_t) asprintf(&head, "BULKHEAD-SEGMENT%c1%ckind%c%s%c", 0,
	                          0, 0, kind, 0);
	kvlen = (size_t) asprintf(&kv, "%s%c%s%c", key, 0, value, 0);
	char *rec = memmem(buf, (size_t) len, head, hlen);
	ok = rec != NULL && memmem(rec, (size_t) len - (size_t) (rec - buf),
	                           kv, kvlen) != NULL;
	free(head);
	free(kv);
	free(buf);
	return ok;
}

static void
test_metadata(void)
{
	const char *id   = CALCULATOR_V1_CALCULATOR_CONTRACT_ID;
	const char *hash = CALCULATOR_V1_CALCULATOR_CONTRACT_HASH;

	ADDIN_CHECK(strlen(hash) == 64);
	ADDIN_CHECK(strspn(hash, "0123456789abcdef") == 64);
	ADDIN_CHECK(has_record(GEN_CALCULATOR_CONTRACT, "contract",
	                       "contract-hash", hash));
	ADDIN_CHECK(
	    has_record(GEN_CALCULATOR_CONTRACT, "contract", "contract", id));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_HOST_ADAPTER, "host-adapter",
	                       "host-view", id));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_HOST_ADAPTER, "host-adapter",
	                       "host-view-hash", hash));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_ADDIN_ADAPTER, "addin-adapter",
	                       "addin-view-hash", hash));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_ADDIN_ADAPTER, "addin-adapter",
	                       "contract", id));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_ADDIN, "addin", "name",
	                       "Test Calculator"));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_ADDIN, "addin",
	                       "addin-view-hash", hash));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_ADDIN, "addin", "q.operations",
	                       "+ - * / neg"));
	ADDIN_CHECK(
	    has_record(GEN_CALCULATOR_ADDIN, "addin", "version", "1.0.0"));
	ADDIN_CHECK(has_record(GEN_CALCULATOR_ADDIN, "addin", "description",
	                       "A calculator for the generated-view tests"));
	ADDIN_CHECK(has_record(GEN_ALLTYPES_ADDIN, "addin", "publisher",
	                       "The Bulkhead Authors"));
	ADDIN_CHECK(
	    has_record(GEN_ALLTYPES_ADDIN, "addin", "version", "1.0.0"));
	ADDIN_CHECK(has_record(GEN_ALLTYPES_ADDIN, "addin", "description",
	                       "Echoes every mapped type"));
	ADDIN_CHECK(has_record(GEN_PRESENCE_ADDIN, "addin", "description",
	                       "Echoes proto2 optional fields"));
	ADDIN_CHECK(!has_record(GEN_CALCULATOR_ADDIN, "addin",
	                        "addin-view-hash",
	                        ALLTYPES_V1_ALL_TYPES_VIEW_HASH));
}

static void
test_mismatch(void)
{
	gen_pipeline p;
	gen_segments mixed = calculator_segs;

	// An add-in of another view under the calculator's adapters.
	mixed.addin = GEN_ALLTYPES_ADDIN;
	ADDIN_FAIL(
	    gen_pipeline_open(&p, &mixed, CALCULATOR_V1_CALCULATOR_VIEW_ID,
	                      CALCULATOR_V1_CALCULATOR_VIEW_HASH, false),
	    ADDIN_EMISMATCH);
	// Direct connect needs the very same view.
	ADDIN_FAIL(gen_pipeline_open(&p, &calculator_segs,
	                             CALCULATOR_V1_CALCULATOR_VIEW_ID,
	                             ALLTYPES_V1_ALL_TYPES_VIEW_HASH, true),
	           ADDIN_EMISMATCH);
}

ADDIN_TEST_LIST = {
    {"a calculator add-in answers the host view through the generated "
     "adapters in process",
     test_calculator_inproc},
    {"a calculator add-in answers the host view by direct connect",
     test_calculator_direct},
    {"every alltypes mapping survives the adapters in process",
     test_alltypes_inproc},
    {"every alltypes mapping survives direct connect", test_alltypes_direct},
    {"proto2 presence and defaults survive the adapters in process",
     test_presence_inproc},
    {"proto2 presence survives direct connect", test_presence_direct},
    {"four threads call one object through the adapters at once",
     test_threads},
    {"a host view object is only its own view's", test_view_cast},
    {"an op the add-in leaves out fails with ADDIN_EUNIMPL at every level",
     test_missing_op},
    {"the host adapter turns a misbehaving contract into clear errors",
     test_bad_contract},
    {"the host adapter refuses the contract of another service",
     test_wrong_contract},
    {"the add-in adapter answers unknown methods and wrong requests with "
     "errors",
     test_stub_side},
    {"every segment carries its metadata record with ids and hashes",
     test_metadata},
    {"segments of different views do not make a pipeline", test_mismatch},
    {NULL, NULL},
};
