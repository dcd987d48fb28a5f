//! ControllerRevisions, the template history DaemonSets and StatefulSets keep
//! (what `kubectl rollout history` lists for them).

use super::pods::owner_reference;
use super::Ctx;
use crate::api::Kind;
use crate::object::Object;
use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use std::collections::BTreeMap;

/// Makes sure the revision `name` of `owner`'s `template` exists, numbered
/// after the owner's latest.
pub fn ensure(
    ctx: &mut Ctx,
    owner: &Object,
    name: &str,
    mut labels: BTreeMap<String, String>,
    hash: &str,
    template: &PodTemplateSpec,
) {
    let ns = owner.namespace().to_string();
    let uid = owner.meta().uid.clone().unwrap_or_default();
    let latest = ctx
        .api
        .store()
        .owned_by(&uid)
        .into_iter()
        .filter_map(|o| match &**o {
            Object::ControllerRevision(cr) => Some(cr.revision),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    if let Some(Object::ControllerRevision(existing)) =
        ctx.api.store().get(Kind::ControllerRevision, &ns, name).map(|o| &**o)
    {
        // Back to an earlier template (a rollback): that revision becomes
        // the latest again, renumbered, as the controllers do.
        if existing.revision < latest {
            let mut renumbered = (**existing).clone();
            renumbered.revision = latest + 1;
            let _ = ctx.api.update(Object::ControllerRevision(Box::new(renumbered)), ctx.now);
        }
        return;
    }
    labels.insert(super::daemonset::REVISION_HASH.into(), hash.into());
    let cr = revision(owner, name, labels, template, latest + 1);
    let _ = ctx.api.create(Object::ControllerRevision(Box::new(cr)), ctx.now, false);
}

/// Revision `number` of `owner`'s `template`, named `name`.
pub fn revision(
    owner: &Object,
    name: &str,
    labels: BTreeMap<String, String>,
    template: &PodTemplateSpec,
    number: i64,
) -> ControllerRevision {
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            // The owner's annotations, its change-cause among them.
            annotations: owner.meta().annotations.clone(),
            owner_references: Some(vec![owner_reference(owner)]),
            ..Default::default()
        },
        data: Some(RawExtension(serde_json::json!({"spec": {"template": template}}))),
        revision: number,
    }
}
