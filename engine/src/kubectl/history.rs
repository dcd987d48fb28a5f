//! The template history `rollout history` and `rollout undo` read: a
//! Deployment's ReplicaSets (numbered by their revision annotation), a
//! DaemonSet's or StatefulSet's ControllerRevisions.

use crate::api::Kind;
use crate::cluster::Cluster;
use crate::controllers::deployment::{HASH_LABEL, REVISION};
use crate::object::Object;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use std::collections::BTreeMap;

/// One revision: its number, its annotations and its pod template.
pub struct Revision {
    pub number: i64,
    pub annotations: BTreeMap<String, String>,
    pub template: Option<PodTemplateSpec>,
}

/// The object's revisions, oldest first.
pub fn of(cluster: &Cluster, object: &Object) -> Vec<Revision> {
    let uid = object.meta().uid.clone().unwrap_or_default();
    let mut list: Vec<Revision> = cluster
        .api()
        .store()
        .owned_by(&uid)
        .into_iter()
        .filter_map(|o| match &**o {
            Object::ReplicaSet(rs) if object.kind() == Kind::Deployment => {
                let annotations = rs.metadata.annotations.clone().unwrap_or_default();
                let number = annotations.get(REVISION)?.parse().ok()?;
                let mut template = rs.spec.as_ref().and_then(|s| s.template.clone());
                if let Some(labels) =
                    template.as_mut().and_then(|t| t.metadata.as_mut()).and_then(|m| m.labels.as_mut())
                {
                    labels.remove(HASH_LABEL);
                }
                Some(Revision { number, annotations, template })
            }
            Object::ControllerRevision(cr) => {
                let data = cr.data.as_ref().map(|d| d.0.clone()).unwrap_or_default();
                let template = data.pointer("/spec/template").and_then(|t| serde_json::from_value(t.clone()).ok());
                let annotations = cr.metadata.annotations.clone().unwrap_or_default();
                Some(Revision { number: cr.revision, annotations, template })
            }
            _ => None,
        })
        .collect();
    list.sort_by_key(|r| r.number);
    list
}

/// The pod template a DaemonSet or StatefulSet runs now.
pub fn current_template(object: &Object) -> Option<&PodTemplateSpec> {
    match object {
        Object::DaemonSet(ds) => ds.spec.as_ref().map(|s| &s.template),
        Object::StatefulSet(sts) => sts.spec.as_ref().map(|s| &s.template),
        Object::Deployment(d) => d.spec.as_ref().map(|s| &s.template),
        _ => None,
    }
}

/// The revision `rollout undo` of a DaemonSet or StatefulSet goes back to:
/// `--to-revision`, or with 0 the one before the latest.
pub fn target(list: &[Revision], wanted: i64) -> Result<&Revision, String> {
    let found = if wanted == 0 {
        list.len().checked_sub(2).and_then(|i| list.get(i))
    } else {
        list.iter().find(|r| r.number == wanted)
    };
    found.ok_or_else(|| format!("error: unable to find specified revision {wanted} in history\n"))
}
