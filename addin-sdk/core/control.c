// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// The Control object of a channel (control.h).

#include "control.h"
#include "addin/adapter.h"

static void
refuse(const char *what, ProtobufCClosure done, void *data)
{
	addin_adapter_fail(done, data, ADDIN_EPERM,
	                   "an add-in may not %s the host", what);
}

static void
acquire(Addin__Wire__V1__Control_Service      *s,
        const Addin__Wire__V1__AcquireRequest *in,
        Addin__Wire__V1__AcquireReply_Closure done, void *data)
{
	(void) s;
	(void) in;
	addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EUNIMPL,
	                   "lifetime tokens are not served yet");
}

static void
revoke(Addin__Wire__V1__Control_Service     *s,
       const Addin__Wire__V1__RevokeRequest *in,
       Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	addin_adapter_fail((ProtobufCClosure) done, data, ADDIN_EUNIMPL,
	                   "lifetime tokens are not served yet");
}

static void
refuse_load(Addin__Wire__V1__Control_Service   *s,
            const Addin__Wire__V1__LoadRequest *in,
            Addin__Wire__V1__LoadReply_Closure done, void *data)
{
	(void) s;
	(void) in;
	refuse("load code into", (ProtobufCClosure) done, data);
}

static void
refuse_unload(Addin__Wire__V1__Control_Service     *s,
              const Addin__Wire__V1__UnloadRequest *in,
              Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	refuse("unload code from", (ProtobufCClosure) done, data);
}

static void
refuse_shutdown(Addin__Wire__V1__Control_Service       *s,
                const Addin__Wire__V1__ShutdownRequest *in,
                Addin__Wire__V1__Empty_Closure done, void *data)
{
	(void) s;
	(void) in;
	refuse("shut down", (ProtobufCClosure) done, data);
}

static void
ping(Addin__Wire__V1__Control_Service *s, const Addin__Wire__V1__Empty *in,
     Addin__Wire__V1__Empty_Closure done, void *data)
{
	Addin__Wire__V1__Empty empty = ADDIN__WIRE__V1__EMPTY__INIT;
	(void) s;
	(void) in;
	done(&empty, data);
}

void
addin__control_stats(addin__channel *ch, Addin__Wire__V1__ChannelStats *out)
{
	addin__channel_stats st;

	addin__channel_stats_get(ch, &st);
	addin__wire__v1__channel_stats__init(out);
	out->has_frames_in   = true;
	out->frames_in       = st.frames_in;
	out->has_frames_out  = true;
	out->frames_out      = st.frames_out;
	out->has_bad_frames  = true;
	out->bad_frames      = st.bad_frames;
	out->has_unknown_ids = true;
	out->unknown_ids     = st.unknown_ids;
	out->has_unexpected  = true;
	out->unexpected      = st.unexpected;
	out->has_calls_in    = true;
	out->calls_in        = st.calls_in;
	out->has_calls_out   = true;
	out->calls_out       = st.calls_out;
	out->has_faults_in   = true;
	out->faults_in       = st.faults_in;
	out->has_faults_out  = true;
	out->faults_out      = st.faults_out;
	out->has_timeouts    = true;
	out->timeouts        = st.timeouts;
	out->has_nested_in   = true;
	out->nested_in       = st.nested_in;
	out->has_exports     = true;
	out->exports         = addin__channel_exports(ch);
}

static void
stats(Addin__Wire__V1__Control_Service *s, const Addin__Wire__V1__Empty *in,
      Addin__Wire__V1__ChannelStats_Closure done, void *data)
{
	Addin__Wire__V1__ChannelStats out;
	(void) s;
	(void) in;
	addin__control_stats(addin__channel_serving_channel(), &out);
	done(&out, data);
}

static void
control_release(ProtobufCService *svc, void *arg)
{
	(void) arg;
	addin__free(svc);
}

addin_err
addin__control_export(addin__channel *ch, const addin__control_ops *ops,
                      const char *owner)
{
	Addin__Wire__V1__Control_Service *c;
	addin_err                         rv;

	if ((c = ADDIN__NEW(Addin__Wire__V1__Control_Service)) == NULL) {
		return addin__seterr(ADDIN_ENOMEM, NULL);
	}
	addin__wire__v1__control__init(c, NULL);
	c->acquire  = acquire;
	c->revoke   = revoke;
	c->load     = ops->load != NULL ? ops->load : refuse_load;
	c->unload   = ops->unload != NULL ? ops->unload : refuse_unload;
	c->shutdown = ops->shutdown != NULL ? ops->shutdown : refuse_shutdown;
	c->ping     = ping;
	c->stats    = stats;
	// The channel owns it: the export may outlive its creator while a
	// call on it is being served.
	rv = addin__channel_export_at(ch, 0, &c->base, control_release, NULL,
	                              owner);
	if (rv != ADDIN_OK) {
		addin__free(c);
	}
	return rv;
}
