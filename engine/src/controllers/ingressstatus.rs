//! ingress-nginx's status sync: every Ingress of its class gets, as its
//! address, the InternalIP of each node where a ready controller pod runs
//! (the bare-metal install publishes no Service address), so `kubectl get
//! ingress` shows where to send requests; the address goes when no
//! controller runs.

use super::services::is_ready;
use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::object::Object;
use crate::store::{Change, Store};
use k8s_openapi::api::networking::v1::{IngressLoadBalancerIngress, IngressLoadBalancerStatus, IngressStatus};

/// Where the controller runs.
const NAMESPACE: &str = "ingress-nginx";

#[derive(Debug, Default)]
pub struct IngressStatusController;

impl Controller for IngressStatusController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let object = &change.object;
        match &**object {
            Object::Ingress(_) => queue.push(key_of(object)),
            Object::Pod(_) if object.namespace() == NAMESPACE => {
                queue.extend(store.list(Kind::Ingress, None).map(|o| key_of(o)));
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let store = ctx.api.store();
        let Some(Object::Ingress(ingress)) = store.get(Kind::Ingress, &key.1, &key.2).map(|o| &**o) else {
            return Action::AwaitChange;
        };
        if !crate::network::ingress::served(store, ingress) {
            return Action::AwaitChange;
        }
        let mut addresses: Vec<String> = store
            .list(Kind::Pod, Some(NAMESPACE))
            .filter_map(|o| o.as_pod())
            .filter(|p| {
                let component = p.metadata.labels.as_ref().and_then(|l| l.get("app.kubernetes.io/component"));
                component.is_some_and(|c| c == "controller") && is_ready(p) && p.metadata.deletion_timestamp.is_none()
            })
            .filter_map(|p| p.status.as_ref()?.host_ip.clone())
            .collect();
        addresses.sort();
        addresses.dedup();
        let load_balancer = IngressLoadBalancerStatus {
            ingress: (!addresses.is_empty()).then(|| {
                addresses
                    .into_iter()
                    .map(|ip| IngressLoadBalancerIngress { ip: Some(ip), ..Default::default() })
                    .collect()
            }),
        };
        let mut updated = (**ingress).clone();
        updated.status = Some(IngressStatus { load_balancer: Some(load_balancer) });
        if updated != **ingress {
            let _ = ctx.api.update(Object::Ingress(Box::new(updated)), ctx.now);
        }
        Action::AwaitChange
    }
}
