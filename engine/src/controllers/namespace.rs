//! The namespace controller: a namespace being deleted stays Terminating
//! while everything in it is deleted, then goes.

use super::{Action, Controller, Ctx, Key};
use crate::api::{Kind, RESOURCES};
use crate::object::Object;
use crate::store::{Change, Store};

#[derive(Debug, Default)]
pub struct NamespaceController;

impl Controller for NamespaceController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let object = &change.object;
        if let Object::Namespace(ns) = &**object {
            if ns.metadata.deletion_timestamp.is_some() {
                queue.push((Kind::Namespace, String::new(), object.name().to_string()));
            }
            return;
        }
        let ns = object.namespace();
        if !ns.is_empty() && store.get(Kind::Namespace, "", ns).is_some_and(|n| n.meta().deletion_timestamp.is_some()) {
            queue.push((Kind::Namespace, String::new(), ns.to_string()));
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(object) = ctx.api.get(Kind::Namespace, "", &key.2) else {
            return Action::AwaitChange;
        };
        if object.meta().deletion_timestamp.is_none() {
            return Action::AwaitChange;
        }
        let mut remaining = 0;
        for info in RESOURCES.iter().filter(|r| r.namespaced && r.kind != Kind::Event) {
            let names: Vec<(String, bool)> = ctx
                .api
                .store()
                .list(info.kind, Some(&key.2))
                .map(|o| (o.name().to_string(), o.meta().deletion_timestamp.is_some()))
                .collect();
            remaining += names.len();
            for (name, already) in names {
                if !already {
                    let _ = ctx.api.delete(info.kind, &key.2, &name, None, ctx.now);
                }
            }
        }
        if remaining == 0 {
            let events: Vec<String> =
                ctx.api.store().list(Kind::Event, Some(&key.2)).map(|o| o.name().to_string()).collect();
            for name in events {
                let _ = ctx.api.delete(Kind::Event, &key.2, &name, Some(0), ctx.now);
            }
            if let Object::Namespace(mut ns) = (*object).clone() {
                if let Some(spec) = ns.spec.as_mut() {
                    spec.finalizers = None;
                }
                let _ = ctx.api.update(Object::Namespace(ns), ctx.now);
            }
        }
        Action::AwaitChange
    }
}
