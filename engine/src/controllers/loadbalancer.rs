//! MetalLB in layer 2 mode, as the lab installed it. Its controller gives
//! each LoadBalancer Service an address from the pool (the one it asks for
//! with `spec.loadBalancerIP` or the `loadBalancerIPs` annotation, else the
//! lowest free one) and takes it back when the Service goes or stops being
//! a LoadBalancer; its speakers elect, per address, the node that answers
//! for it. Each acts only while its pods run, as the real ones would, and
//! they report with MetalLB's Events.

use super::addresspool::{format_ipv4, parse_ipv4, AddressPool};
use super::endpointslice::SERVICE_NAME;
use super::services::is_ready;
use super::{key_of, Action, Controller, Ctx, Index, Informer, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use k8s_openapi::api::core::v1::{LoadBalancerIngress, LoadBalancerStatus, Service};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where MetalLB runs.
pub const NAMESPACE: &str = "metallb-system";
const CONTROLLER: Source = Source { component: "metallb-controller", host: None };
const SPEAKER: Source = Source { component: "metallb-speaker", host: None };
/// The annotation MetalLB writes naming the pool an address came from.
pub const ALLOCATED_FROM: &str = "metallb.universe.tf/ip-allocated-from-pool";
const REQUESTED_IPS: &str = "metallb.universe.tf/loadBalancerIPs";
const REQUESTED_POOL: &str = "metallb.universe.tf/address-pool";
/// Nodes so labelled announce no load balancer addresses.
const EXCLUDED: &str = "node.kubernetes.io/exclude-from-external-load-balancers";

type Name = (String, String);

/// Which LoadBalancer Service holds which address of the pool, and which
/// wait for one.
#[derive(Debug, Default)]
struct Balancers {
    holder: BTreeMap<u32, Name>,
    held: BTreeMap<Name, u32>,
    waiting: BTreeSet<Name>,
}

/// Whether MetalLB handles the Service: a LoadBalancer that names no other
/// load balancer class.
fn balanced(svc: &Service) -> bool {
    let spec = svc.spec.as_ref();
    spec.and_then(|s| s.type_.as_deref()) == Some("LoadBalancer")
        && spec.and_then(|s| s.load_balancer_class.as_deref()).is_none()
}

fn ingress_ip(svc: &Service) -> Option<u32> {
    let ingress = svc.status.as_ref()?.load_balancer.as_ref()?.ingress.as_ref()?;
    ingress.iter().find_map(|i| i.ip.as_deref().and_then(parse_ipv4))
}

impl Index for Balancers {
    const KINDS: &'static [Kind] = &[Kind::Service];

    fn apply(&mut self, object: &Object, deleted: bool) {
        let name = (object.namespace().to_string(), object.name().to_string());
        if let Some(ip) = self.held.remove(&name) {
            if self.holder.get(&ip) == Some(&name) {
                self.holder.remove(&ip);
            }
        }
        self.waiting.remove(&name);
        let Object::Service(svc) = object else { return };
        if deleted || !balanced(svc) {
            return;
        }
        match ingress_ip(svc) {
            Some(ip) => {
                self.holder.insert(ip, name.clone());
                self.held.insert(name, ip);
            }
            None => {
                self.waiting.insert(name);
            }
        }
    }
}

/// MetalLB's controller and speakers.
#[derive(Debug, Default)]
pub struct LoadBalancerController {
    pool: Option<AddressPool>,
    balancers: Informer<Balancers>,
    /// The node announcing each Service's address, as the speakers last
    /// elected it.
    announced: HashMap<Name, (String, u32)>,
}

impl LoadBalancerController {
    /// MetalLB with the preset's pool, or none when the lab has no MetalLB.
    pub fn new(pool: Option<AddressPool>) -> LoadBalancerController {
        LoadBalancerController { pool, ..LoadBalancerController::default() }
    }
}

/// The running pods of one MetalLB component, by node.
fn running(store: &Store, component: &str) -> BTreeSet<String> {
    let selector = Selector::from_map(&BTreeMap::from([
        ("app".to_string(), "metallb".to_string()),
        ("component".to_string(), component.to_string()),
    ]));
    store
        .select(Kind::Pod, Some(NAMESPACE), &selector)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| is_ready(p) && p.metadata.deletion_timestamp.is_none())
        .filter_map(|p| p.spec.as_ref()?.node_name.clone())
        .collect()
}

impl Controller for LoadBalancerController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        if self.pool.is_none() {
            return;
        }
        let object = &change.object;
        match &**object {
            Object::Service(svc) => {
                queue.push(key_of(object));
                let name = (object.namespace().to_string(), object.name().to_string());
                let gone = change.change == ChangeType::Deleted || !balanced(svc) || ingress_ip(svc).is_none();
                let last = self.balancers.last();
                if gone && last.is_some_and(|b| b.held.contains_key(&name)) {
                    // An address came free: whoever waits may have it now.
                    let waiting = last.into_iter().flat_map(|b| b.waiting.iter());
                    queue.extend(waiting.map(|(ns, n)| (Kind::Service, ns.clone(), n.clone())));
                }
            }
            Object::Pod(_) if object.namespace() == NAMESPACE => {
                let app = object.meta().labels.as_ref().and_then(|l| l.get("app")).map(String::as_str);
                if app == Some("metallb") {
                    queue.extend(
                        store
                            .list(Kind::Service, None)
                            .filter(|o| matches!(&***o, Object::Service(s) if balanced(s)))
                            .map(|o| key_of(o)),
                    );
                }
            }
            Object::EndpointSlice(_) => {
                // Ready endpoints are what a speaker waits for to announce.
                let service = object.meta().labels.as_ref().and_then(|l| l.get(SERVICE_NAME));
                if let Some(service) = service {
                    let found = store.get(Kind::Service, object.namespace(), service);
                    if found.is_some_and(|o| matches!(&**o, Object::Service(s) if balanced(s))) {
                        queue.push((Kind::Service, object.namespace().to_string(), service.clone()));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Some(pool) = self.pool.clone() else { return Action::AwaitChange };
        let name: Name = (key.1.clone(), key.2.clone());
        let Some(service) = ctx.api.store().get(Kind::Service, &key.1, &key.2).cloned() else {
            self.announced.remove(&name);
            return Action::AwaitChange;
        };
        let Object::Service(svc) = &*service else { return Action::AwaitChange };
        if !balanced(svc) {
            self.announced.remove(&name);
            let ours = svc.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(ALLOCATED_FROM))
                || ingress_ip(svc).is_some();
            if ours && !running(ctx.api.store(), "controller").is_empty() {
                write(ctx, svc, None, &pool);
            }
            return Action::AwaitChange;
        }
        if running(ctx.api.store(), "controller").is_empty() {
            // The controller is down: addresses stay as they are, and so do
            // the Services that wait for one.
            return Action::AwaitChange;
        }
        let taken: BTreeMap<u32, Name> = self.balancers.read(ctx.api.store()).holder.clone();
        let current = ingress_ip(svc).filter(|ip| pool.contains(*ip));
        let ip = match choose(svc, &name, current, &pool, &taken) {
            Ok(ip) => ip,
            Err(why) => {
                let message = format!("Failed to allocate IP for \"{}/{}\": {why}", name.0, name.1);
                ctx.events.record(ctx.api, ctx.now, &service, CONTROLLER, "Warning", "AllocationFailed", &message);
                if ingress_ip(svc).is_some() {
                    write(ctx, svc, None, &pool);
                }
                self.announced.remove(&name);
                self.balancers.read(ctx.api.store());
                return Action::AwaitChange;
            }
        };
        if current != Some(ip) {
            let message = format!("Assigned IP [\"{}\"]", format_ipv4(ip));
            ctx.events.record(ctx.api, ctx.now, &service, CONTROLLER, "Normal", "IPAllocated", &message);
        }
        let service = write(ctx, svc, Some(ip), &pool).unwrap_or(service);
        // Caught up with its own write, so a deletion seen next frees this address.
        self.balancers.read(ctx.api.store());
        self.announce(ctx, &service, name, ip);
        Action::AwaitChange
    }
}

/// The address the Service should have, or MetalLB's reason it gets none.
fn choose(
    svc: &Service,
    name: &Name,
    current: Option<u32>,
    pool: &AddressPool,
    taken: &BTreeMap<u32, Name>,
) -> Result<u32, String> {
    let annotations = svc.metadata.annotations.clone().unwrap_or_default();
    let wanted_pool = annotations.get(REQUESTED_POOL);
    let requested = annotations.get(REQUESTED_IPS).filter(|v| !v.is_empty());
    let spec_ip = svc.spec.as_ref().and_then(|s| s.load_balancer_ip.clone()).filter(|v| !v.is_empty());
    let wanted: Option<u32> = match (requested, spec_ip) {
        (Some(_), Some(_)) => {
            return Err(format!("service can not have both {REQUESTED_IPS} and svc.Spec.LoadBalancerIP"))
        }
        (Some(list), None) => {
            let ips: Vec<Option<u32>> = list.split(',').map(parse_ipv4).collect();
            match ips[..] {
                [Some(ip)] => Some(ip),
                _ if ips.iter().any(Option::is_none) => return Err(format!("invalid {REQUESTED_IPS}: {list:?}")),
                _ => {
                    return Err(format!(
                        "requested loadBalancer IP(s) {list:?} does not match the ipFamily of the service"
                    ))
                }
            }
        }
        (None, Some(ip)) => Some(parse_ipv4(&ip).ok_or_else(|| format!("invalid spec.loadBalancerIP {ip:?}"))?),
        (None, None) => None,
    };
    let pool_ok = wanted_pool.is_none_or(|p| p == pool.name());
    if let Some(ip) = current.filter(|ip| wanted.is_none_or(|w| w == *ip) && pool_ok) {
        return Ok(ip);
    }
    let holder = |ip: u32| taken.get(&ip).filter(|h| *h != name);
    if let Some(ip) = wanted {
        let text = format_ipv4(ip);
        if !pool.contains(ip) {
            return Err(format!("{text:?} is not allowed in config"));
        }
        if let Some((ns, other)) = holder(ip) {
            return Err(format!(
                "can't change sharing key for \"{}/{}\", address also in use by {ns}/{other}",
                name.0, name.1
            ));
        }
        if let Some(p) = wanted_pool.filter(|p| *p != pool.name()) {
            return Err(format!(
                "requested loadBalancer IP(s) [{text:?}] is not compatible with requested address pool {p}"
            ));
        }
        return Ok(ip);
    }
    if let Some(p) = wanted_pool.filter(|p| *p != pool.name()) {
        return Err(format!("unknown pool {p:?}"));
    }
    match pool.addresses().find(|ip| holder(*ip).is_none()) {
        Some(ip) => Ok(ip),
        None if wanted_pool.is_some() => Err(format!("no available IPs in pool {:?}", pool.name())),
        None => Err("no available IPs".into()),
    }
}

/// Writes the Service's address (`None`: clears MetalLB's state) when it
/// differs from what the Service says; returns the Service as written.
fn write(ctx: &mut Ctx, svc: &Service, ip: Option<u32>, pool: &AddressPool) -> Option<std::sync::Arc<Object>> {
    let mut updated = svc.clone();
    let annotations = updated.metadata.annotations.get_or_insert_with(Default::default);
    let status = updated.status.get_or_insert_with(Default::default);
    match ip {
        Some(ip) => {
            annotations.insert(ALLOCATED_FROM.into(), pool.name().into());
            status.load_balancer = Some(LoadBalancerStatus {
                ingress: Some(vec![LoadBalancerIngress {
                    ip: Some(format_ipv4(ip)),
                    ip_mode: Some("VIP".into()),
                    ..Default::default()
                }]),
            });
        }
        None => {
            annotations.remove(ALLOCATED_FROM);
            status.load_balancer = Some(LoadBalancerStatus::default());
        }
    }
    if annotations.is_empty() {
        updated.metadata.annotations = None;
    }
    if updated == *svc {
        return None;
    }
    ctx.api.update(Object::Service(Box::new(updated)), ctx.now).ok()
}

/// The speakers' layer 2 election: among the nodes whose speaker runs
/// (and, for `Local` traffic, that hold a ready endpoint), the one whose
/// name hashes lowest with the address answers for it, once the Service
/// has an endpoint that can serve. kube-proxy's routing asks the same.
pub fn elected(store: &Store, svc: &Service, address: &str) -> Option<String> {
    let namespace = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let selector = Selector::from_map(&BTreeMap::from([(SERVICE_NAME.to_string(), name)]));
    let endpoints: Vec<k8s_openapi::api::discovery::v1::Endpoint> = store
        .select(Kind::EndpointSlice, Some(&namespace), &selector)
        .into_iter()
        .filter_map(|o| match &**o {
            Object::EndpointSlice(s) => Some(s.endpoints.clone()),
            _ => None,
        })
        .flatten()
        .filter(|e| {
            let c = e.conditions.clone().unwrap_or_default();
            c.ready.unwrap_or(true) || c.serving == Some(true)
        })
        .collect();
    let local = svc.spec.as_ref().and_then(|s| s.external_traffic_policy.as_deref()) == Some("Local");
    let mut nodes: Vec<String> = running(store, "speaker")
        .into_iter()
        .filter(|n| {
            let Some(node) = store.get(Kind::Node, "", n).and_then(|o| o.as_node()) else { return false };
            let excluded = node.metadata.labels.as_ref().is_some_and(|l| l.contains_key(EXCLUDED));
            let unreachable = node
                .status
                .iter()
                .flat_map(|s| s.conditions.iter().flatten())
                .any(|c| c.type_ == "NetworkUnavailable" && c.status == "True");
            !excluded && !unreachable
        })
        .filter(|n| !local || endpoints.iter().any(|e| e.node_name.as_deref() == Some(n.as_str())))
        .collect();
    if endpoints.is_empty() || nodes.is_empty() {
        return None;
    }
    nodes.sort_by_cached_key(|n| Sha256::digest(format!("{n}#{address}").as_bytes()));
    Some(nodes.swap_remove(0))
}

impl LoadBalancerController {
    fn announce(&mut self, ctx: &mut Ctx, service: &Object, name: Name, ip: u32) {
        let Object::Service(svc) = service else { return };
        let Some(winner) = elected(ctx.api.store(), svc, &format_ipv4(ip)) else {
            self.announced.remove(&name);
            return;
        };
        if self.announced.get(&name) == Some(&(winner.clone(), ip)) {
            return;
        }
        let message = format!("announcing from node \"{winner}\" with protocol \"layer2\"");
        ctx.events.record(ctx.api, ctx.now, service, SPEAKER, "Normal", "nodeAssigned", &message);
        self.announced.insert(name, (winner, ip));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::PresetMetalLb;
    use serde_json::json;

    fn pool() -> AddressPool {
        AddressPool::new(&PresetMetalLb {
            pool: "first-pool".into(),
            addresses: vec!["192.168.1.11-192.168.1.12".into()],
        })
    }

    fn service(extra: serde_json::Value) -> Service {
        let mut value = json!({"metadata": {"name": "b", "namespace": "default"}, "spec": {"type": "LoadBalancer"}});
        if let (Some(v), Some(e)) = (value.as_object_mut(), extra.as_object()) {
            for (k, x) in e {
                v.insert(k.clone(), x.clone());
            }
        }
        serde_json::from_value(value).expect("fixture")
    }

    fn ip(text: &str) -> u32 {
        parse_ipv4(text).unwrap_or_default()
    }

    #[test]
    fn lowest_free_address_then_exhaustion() {
        let me = ("default".to_string(), "b".to_string());
        let mut taken = BTreeMap::new();
        assert_eq!(choose(&service(json!({})), &me, None, &pool(), &taken), Ok(ip("192.168.1.11")));
        taken.insert(ip("192.168.1.11"), ("default".to_string(), "a".to_string()));
        assert_eq!(choose(&service(json!({})), &me, None, &pool(), &taken), Ok(ip("192.168.1.12")));
        taken.insert(ip("192.168.1.12"), ("default".to_string(), "c".to_string()));
        assert_eq!(choose(&service(json!({})), &me, None, &pool(), &taken), Err("no available IPs".to_string()));
    }

    #[test]
    fn requested_addresses_must_be_free_and_in_the_pool() {
        let me = ("default".to_string(), "b".to_string());
        let taken = BTreeMap::from([(ip("192.168.1.11"), ("default".to_string(), "a".to_string()))]);
        let by_spec = service(json!({"spec": {"type": "LoadBalancer", "loadBalancerIP": "192.168.1.12"}}));
        assert_eq!(choose(&by_spec, &me, None, &pool(), &taken), Ok(ip("192.168.1.12")));
        let by_annotation = service(
            json!({"metadata": {"name": "b", "namespace": "default", "annotations": {REQUESTED_IPS: "192.168.1.11"}}}),
        );
        assert_eq!(
            choose(&by_annotation, &me, None, &pool(), &taken),
            Err("can't change sharing key for \"default/b\", address also in use by default/a".to_string())
        );
        let outside = service(json!({"spec": {"type": "LoadBalancer", "loadBalancerIP": "10.0.0.1"}}));
        assert_eq!(
            choose(&outside, &me, None, &pool(), &taken),
            Err("\"10.0.0.1\" is not allowed in config".to_string())
        );
    }
}
