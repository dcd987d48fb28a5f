//! The garbage collector: follows ownerReferences. A dependent whose owners
//! are all gone is deleted; an owner being deleted in the foreground waits
//! for its dependents; an orphaning owner lets its dependents go first.
//! Pods bound to a node that no longer exists are the pod GC's (`podgc.rs`).

use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::RESOURCES;
use crate::apiserver::{Propagation, FOREGROUND, ORPHAN};
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

#[derive(Debug, Default)]
pub struct GarbageCollector;

/// The key an ownerReference points at, for a dependent in `namespace`.
fn owner_key(owner: &OwnerReference, namespace: &str) -> Option<Key> {
    let group = owner.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let info = RESOURCES.iter().find(|r| r.kind_name == owner.kind && r.group == group)?;
    let ns = if info.namespaced { namespace } else { "" };
    Some((info.kind, ns.to_string(), owner.name.clone()))
}

fn holds(object: &Object, finalizer: &str) -> bool {
    object.meta().finalizers.iter().flatten().any(|f| f == finalizer)
}

impl Controller for GarbageCollector {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let object = &change.object;
        let uid = object.meta().uid.clone().unwrap_or_default();
        let deleting = change.change == ChangeType::Deleted || object.meta().deletion_timestamp.is_some();
        if deleting {
            queue.extend(store.owned_by(&uid).into_iter().map(|d| key_of(d)));
        }
        if holds(object, FOREGROUND) || holds(object, ORPHAN) {
            queue.push(key_of(object));
        }
        if change.change == ChangeType::Deleted {
            // An owner waiting in the foreground may now be free to go.
            for owner in object.meta().owner_references.iter().flatten() {
                queue.extend(owner_key(owner, object.namespace()));
            }
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(object) = ctx.api.get(key.0, &key.1, &key.2) else {
            return Action::AwaitChange;
        };
        let uid = object.meta().uid.clone().unwrap_or_default();
        let deleting = object.meta().deletion_timestamp.is_some();
        if deleting && holds(&object, ORPHAN) {
            for dependent in ctx.api.store().owned_by(&uid).into_iter().map(|d| (**d).clone()).collect::<Vec<_>>() {
                let mut freed = dependent;
                if let Some(refs) = freed.meta_mut().owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                }
                let _ = ctx.api.update(freed, ctx.now);
            }
            let mut owner = (*object).clone();
            owner.meta_mut().finalizers.get_or_insert_with(Vec::new).retain(|f| f != ORPHAN);
            let _ = ctx.api.update(owner, ctx.now);
            return Action::AwaitChange;
        }
        if deleting && holds(&object, FOREGROUND) {
            let dependents: Vec<Key> = ctx.api.store().owned_by(&uid).into_iter().map(|d| key_of(d)).collect();
            if dependents.is_empty() {
                let mut owner = (*object).clone();
                owner.meta_mut().finalizers.get_or_insert_with(Vec::new).retain(|f| f != FOREGROUND);
                let _ = ctx.api.update(owner, ctx.now);
            } else {
                for (kind, ns, name) in dependents {
                    let _ = ctx.api.delete_with(kind, &ns, &name, None, Propagation::Foreground, ctx.now);
                }
            }
            return Action::AwaitChange;
        }
        // A dependent: is any owner still there (with the same uid)?
        let refs = object.meta().owner_references.clone().unwrap_or_default();
        if refs.is_empty() || deleting {
            return Action::AwaitChange;
        }
        let alive: Vec<&OwnerReference> = refs
            .iter()
            .filter(|r| {
                owner_key(r, object.namespace())
                    .and_then(|(kind, ns, name)| ctx.api.store().get(kind, &ns, &name).cloned())
                    .is_some_and(|o| o.meta().uid.as_deref() == Some(r.uid.as_str()))
            })
            .collect();
        if alive.is_empty() {
            let _ = ctx.api.delete(key.0, &key.1, &key.2, None, ctx.now);
        } else if alive.len() < refs.len() {
            let keep: Vec<OwnerReference> = alive.into_iter().cloned().collect();
            let mut updated = (*object).clone();
            updated.meta_mut().owner_references = Some(keep);
            let _ = ctx.api.update(updated, ctx.now);
        }
        Action::AwaitChange
    }
}
