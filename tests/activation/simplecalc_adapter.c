// SPDX-License-Identifier: MIT
// Copyright 2026 The Bulkhead Authors
//
// A hand-written add-in-side adapter: contract calculator.v1 -> the
// simplecalc add-in view.  It shows where versions meet: the host speaks
// calculator.v1, the add-in knows only "add two numbers", and this adapter
// maps one onto the other (Operate("+", [a, b]) -> add(a, b)).

#include <string.h>

#include "addin/adapter.h"
#include "calculator/v1/calculator.pb-c.h"
#include "calculator/v1/calculator.view.h"
#include "simplecalc.h"

ADDIN_SEGMENT_RECORD(
    simplecalc_adapter_record,
    ADDIN_KV("kind", "addin-adapter") ADDIN_KV("name", "simplecalc adapter")
        ADDIN_KV("version", "1.0.0")
            ADDIN_KV("contract", CALCULATOR_V1_CALCULATOR_CONTRACT_ID)
                ADDIN_KV("contract-hash",
                         CALCULATOR_V1_CALCULATOR_CONTRACT_HASH)
                    ADDIN_KV("addin-view", SIMPLECALC_VIEW_ID)
                        ADDIN_KV("addin-view-hash", SIMPLECALC_VIEW_HASH));

typedef struct adapter {
	Calculator__V1__Calculator_Service svc; // first
	const simplecalc_ops              *ops;
	void                              *self;
} adapter;

static void
get_name(Calculator__V1__Calculator_Service   *s,
         const Calculator__V1__GetNameRequest *in,
         Calculator__V1__GetNameReply_Closure done, void *data)
{
	adapter                     *a = (adapter *) s;
	Calculator__V1__GetNameReply out =
	    CALCULATOR__V1__GET_NAME_REPLY__INIT;
	char     *name = NULL;
	addin_err rv;
	(void) in;
	addin_set_error(ADDIN_OK, NULL);
	if ((rv = a->ops->name(a->self, &name)) != ADDIN_OK) {
		// The add-in's message, when it set one for rv.
		addin_adapter_fail((ProtobufCClosure) done, data, rv, NULL);
		return;
	}
	out.name = name;
	done(&out, data);
	addin_free(name);
}

static void
get_operations(Calculator__V1__Calculator_Service         *s,
               const Calculator__V1__GetOperationsRequest *in,
               Calculator__V1__GetOperationsReply_Closure done, void *data)
{
	Calculator__V1__GetOperationsReply out =
	    CALCULATOR__V1__GET_OPERATIONS_REPLY__INIT;
	Calculator__V1__Operation  plus    = CALCULATOR__V1__OPERATION__INIT;
	Calculator__V1__Operation *list[1] = {&plus};
	char                       sym[] = "+", desc[] = "addition";
	(void) s;
	(void) in;
	plus.name        = sym;
	plus.arity       = 2;
	plus.description = desc;
	out.n_operations = 1;
	out.operations   = list;
	done(&out, data);
}

static void
operate(Calculator__V1__Calculator_Service   *s,
        const Calculator__V1__OperateRequest *in,
        Calculator__V1__OperateReply_Closure done, void *data)
{
	adapter                     *a   = (adapter *) s;
	Calculator__V1__OperateReply out = CALCULATOR__V1__OPERATE_REPLY__INIT;
	addin_err                    rv;

	if (strcmp(in->operation, "+") != 0 || in->n_operands != 2) {
		addin_adapter_fail((ProtobufCClosure) done, data,
		                   ADDIN_ENOTFOUND,
		                   "this calculator only adds two numbers");
		return;
	}
	addin_set_error(ADDIN_OK, NULL);
	rv = a->ops->add(a->self, in->operands[0], in->operands[1],
	                 &out.result);
	if (rv != ADDIN_OK) {
		addin_adapter_fail((ProtobufCClosure) done, data, rv, NULL);
		return;
	}
	done(&out, data);
}

static addin_err
bind(const void *ops, void *self, struct ProtobufCService **ret)
{
	adapter *a = addin_alloc(sizeof(*a));
	if (a == NULL) {
		return ADDIN_ENOMEM;
	}
	calculator__v1__calculator__init(&a->svc, NULL);
	a->svc.get_name       = get_name;
	a->svc.get_operations = get_operations;
	a->svc.operate        = operate;
	a->ops                = ops;
	a->self               = self;
	*ret                  = &a->svc.base;
	return ADDIN_OK;
}

static void
unbind(struct ProtobufCService *svc)
{
	addin_free(svc);
}

extern ADDIN_API const addin_addin_adapter_def addin_entry_addin_adapter;
const addin_addin_adapter_def                  addin_entry_addin_adapter = {
                     .abi_version   = ADDIN_ABI_VERSION,
                     .contract_id   = CALCULATOR_V1_CALCULATOR_CONTRACT_ID,
                     .contract_hash = CALCULATOR_V1_CALCULATOR_CONTRACT_HASH,
                     .view_id       = SIMPLECALC_VIEW_ID,
                     .view_hash     = SIMPLECALC_VIEW_HASH,
                     .descriptor    = &calculator__v1__calculator__descriptor,
                     .bind          = bind,
                     .unbind        = unbind,
};
