//! The resource quota controller: a ResourceQuota's status holds its hard
//! limits and what the namespace uses of each, kept current as objects come
//! and go.

use super::{Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::apiserver::namespace_usage;
use crate::object::Object;
use crate::store::{Change, Store};
use k8s_openapi::api::core::v1::ResourceQuotaStatus;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

#[derive(Debug, Default)]
pub struct ResourceQuotaController;

impl Controller for ResourceQuotaController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let ns = change.object.namespace();
        if ns.is_empty() || change.object.kind() == Kind::Event {
            return;
        }
        // Anything in a namespace with quotas (there are few) may change usage.
        queue.extend(
            store
                .list(Kind::ResourceQuota, Some(ns))
                .map(|o| (Kind::ResourceQuota, ns.to_string(), o.name().to_string())),
        );
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::ResourceQuota, &key.1, &key.2) else { return Action::AwaitChange };
        let Object::ResourceQuota(quota) = &*current else { return Action::AwaitChange };
        let hard = quota.spec.as_ref().and_then(|s| s.hard.clone()).unwrap_or_default();
        let usage = namespace_usage(ctx.api.store(), &key.1);
        let used = hard
            .iter()
            .map(|(res, limit)| {
                let binary = limit.0.ends_with('i');
                let amount = usage.get(res).copied().unwrap_or(crate::quantity::Amount { milli: 0, binary });
                (res.clone(), Quantity(amount.to_string()))
            })
            .collect();
        let status = ResourceQuotaStatus { hard: Some(hard), used: Some(used) };
        if quota.status.as_ref() != Some(&status) {
            let mut updated = quota.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::ResourceQuota(updated), ctx.now);
        }
        Action::AwaitChange
    }
}
