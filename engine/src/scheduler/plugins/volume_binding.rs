//! The VolumeBinding plugin: a pod's claims must exist and, unless their
//! class waits for the first consumer, be bound already (PreFilter); a node
//! must suit the volumes they are bound to, and offer a way to bind the
//! claims that wait (Filter); once a node is chosen, waiting claims are
//! bound to a static volume there or marked with the node for their
//! provisioner (PreBind).

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::controllers::storage::{
    best_available, claim_class, claim_reference, delay_binding, is_bind_completed, set_annotation, storage_class,
    volume_class, volume_fits_node, BOUND_BY_CONTROLLER, NO_PROVISIONER, SELECTED_NODE,
};
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};

pub const NAME: &str = "VolumeBinding";
/// A claim Immediate binding should have bound already.
pub const UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";
/// A bound claim's volume cannot be used from the node.
pub const NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
/// A waiting claim has neither a volume nor a provisioner on the node.
pub const BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
/// A bound claim's volume is gone.
pub const PV_NOT_EXIST: &str = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";

/// The pod's claims as PreFilter sorts them.
#[derive(Clone, Debug, Default)]
pub struct PodVolumes {
    /// Volumes of claims already bound (`None`: the volume is gone).
    bound: Vec<Option<PersistentVolume>>,
    /// Claims waiting for their first consumer, each with the static volumes
    /// of its class and whether its class can provision.
    waiting: Vec<Waiting>,
}

#[derive(Clone, Debug)]
struct Waiting {
    claim: PersistentVolumeClaim,
    candidates: Vec<PersistentVolume>,
    provisionable: bool,
}

/// PreFilter: the pod's claims, or why no node can help.
pub fn prefilter(store: &Store, pod: &Pod) -> Result<PodVolumes, String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let mut volumes = PodVolumes::default();
    let mut immediate = false;
    for volume in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let Some(source) = &volume.persistent_volume_claim else { continue };
        let name = &source.claim_name;
        let claim = match store.get(Kind::PersistentVolumeClaim, ns, name).map(|o| &**o) {
            Some(Object::PersistentVolumeClaim(c)) => c,
            _ => return Err(format!("persistentvolumeclaim {name:?} not found")),
        };
        let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
        if claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Lost") {
            return Err(format!(
                "persistentvolumeclaim {name:?} bound to non-existent persistentvolume {volume_name:?}"
            ));
        }
        if claim.metadata.deletion_timestamp.is_some() {
            return Err(format!("persistentvolumeclaim {name:?} is being deleted"));
        }
        if !volume_name.is_empty() && is_bind_completed(claim) {
            let pv = match store.get(Kind::PersistentVolume, "", &volume_name).map(|o| &**o) {
                Some(Object::PersistentVolume(pv)) => Some((**pv).clone()),
                _ => None,
            };
            volumes.bound.push(pv);
        } else if volume_name.is_empty() && delay_binding(store, claim) {
            let class = claim_class(claim);
            // Volumes are few next to pods, and only pods with waiting
            // claims look at them.
            let candidates = store
                .list(Kind::PersistentVolume, None)
                .filter_map(|o| match &**o {
                    Object::PersistentVolume(pv) if volume_class(pv) == class => Some((**pv).clone()),
                    _ => None,
                })
                .collect();
            let provisionable = storage_class(store, &class).is_some_and(|sc| sc.provisioner != NO_PROVISIONER);
            volumes.waiting.push(Waiting { claim: *claim.clone(), candidates, provisionable });
        } else {
            immediate = true;
        }
    }
    if immediate {
        return Err(UNBOUND_IMMEDIATE.into());
    }
    Ok(volumes)
}

impl PodVolumes {
    /// No claims: nothing for Filter or PreBind to do.
    pub fn is_empty(&self) -> bool {
        self.bound.is_empty() && self.waiting.is_empty()
    }
}

/// Filter: why the node cannot serve the pod's volumes, if it cannot.
pub fn filter(volumes: &PodVolumes, node: &Node) -> Option<&'static str> {
    for pv in &volumes.bound {
        match pv {
            None => return Some(PV_NOT_EXIST),
            Some(pv) if !volume_fits_node(pv, node) => return Some(NODE_CONFLICT),
            Some(_) => {}
        }
    }
    for waiting in &volumes.waiting {
        if !waiting.provisionable && waiting.static_match(node).is_none() {
            return Some(BIND_CONFLICT);
        }
    }
    None
}

/// PreBind: each waiting claim gets a static volume that suits the node,
/// or the node, for its provisioner to make one there.
pub fn prebind(api: &mut ApiServer, volumes: &PodVolumes, node: &Node, now: Time) {
    let node_name = node.metadata.name.clone().unwrap_or_default();
    for waiting in &volumes.waiting {
        let claim = &waiting.claim;
        match waiting.static_match(node).cloned() {
            Some(mut pv) => {
                // The PersistentVolume controller sees the volume point at
                // the claim and completes the binding.
                set_annotation(&mut pv.metadata, BOUND_BY_CONTROLLER, "yes");
                pv.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_reference(claim));
                let _ = api.update(Object::PersistentVolume(Box::new(pv)), now);
            }
            None => {
                let mut marked = claim.clone();
                set_annotation(&mut marked.metadata, SELECTED_NODE, &node_name);
                let _ = api.update(Object::PersistentVolumeClaim(Box::new(marked)), now);
            }
        }
    }
}

impl Waiting {
    /// The static volume the claim would get on `node`.
    fn static_match(&self, node: &Node) -> Option<&PersistentVolume> {
        best_available(self.candidates.iter(), &self.claim, Some(node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Time;
    use k8s_openapi::api::core::v1::{PersistentVolumeClaimVolumeSource, PodSpec, Volume};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn pod(claims: &[&str]) -> Pod {
        Pod {
            metadata: ObjectMeta { name: Some("web".into()), namespace: Some("default".into()), ..Default::default() },
            spec: Some(PodSpec {
                volumes: Some(
                    claims
                        .iter()
                        .map(|c| Volume {
                            name: c.to_string(),
                            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                                claim_name: c.to_string(),
                                read_only: None,
                            }),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            status: None,
        }
    }

    fn claim(name: &str, class: &str, volume: Option<&str>) -> Object {
        let mut pvc = PersistentVolumeClaim {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some("default".into()), ..Default::default() },
            spec: Some(k8s_openapi::api::core::v1::PersistentVolumeClaimSpec {
                storage_class_name: Some(class.into()),
                volume_name: volume.map(String::from),
                ..Default::default()
            }),
            status: None,
        };
        if volume.is_some() {
            set_annotation(&mut pvc.metadata, crate::controllers::storage::BIND_COMPLETED, "yes");
        }
        Object::PersistentVolumeClaim(Box::new(pvc))
    }

    fn class(name: &str, mode: &str) -> Object {
        Object::StorageClass(Box::new(k8s_openapi::api::storage::v1::StorageClass {
            metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
            provisioner: "rancher.io/local-path".into(),
            volume_binding_mode: Some(mode.into()),
            ..Default::default()
        }))
    }

    #[test]
    fn prefilter_reasons_read_like_kube_scheduler() {
        let mut store = Store::default();
        store.put(class("local-path", "WaitForFirstConsumer"), Time(0));
        store.put(class("fast", "Immediate"), Time(0));
        store.put(claim("waits", "local-path", None), Time(0));
        store.put(claim("unbound", "fast", None), Time(0));
        store.put(claim("bound", "fast", Some("pv-1")), Time(0));
        let cases: &[(&str, &[&str], Result<usize, &str>)] = &[
            ("no claims", &[], Ok(0)),
            ("missing claim", &["data"], Err("persistentvolumeclaim \"data\" not found")),
            ("unbound immediate claim", &["unbound"], Err(UNBOUND_IMMEDIATE)),
            ("first consumer waits", &["waits"], Ok(1)),
            ("bound", &["bound", "waits"], Ok(1)),
        ];
        for (name, claims, want) in cases {
            let got = prefilter(&store, &pod(claims)).map(|v| v.waiting.len());
            assert_eq!(got, want.map_err(String::from), "{name}");
        }
        let bound = prefilter(&store, &pod(&["bound"])).map(|v| v.bound.len());
        assert_eq!(bound, Ok(1));
        let volumes = prefilter(&store, &pod(&["bound"])).ok();
        assert_eq!(volumes.map(|v| filter(&v, &Node::default())), Some(Some(PV_NOT_EXIST)));
    }
}
