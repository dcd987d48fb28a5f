//! The event recorder every component uses (client-go's `record` in
//! miniature): an Event per (object, type, reason, message), repeated ones
//! folded into one with a count, as `(x3 over 2m)` shows them.

use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rustc_hash::FxHashMap as HashMap;

/// Who reports: `default-scheduler`, `deployment-controller`, `kubelet` on a host.
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// The component's name.
    pub component: &'a str,
    /// The node, for node agents.
    pub host: Option<&'a str>,
}

/// The component names the cluster's reporters use.
pub const SCHEDULER: Source = Source { component: "default-scheduler", host: None };

/// A report's identity (object uid, component, type, reason, message),
/// hashed: a large cluster makes hundreds of thousands of Events, and the
/// texts themselves live in the Events already.
type Fold = u64;

fn fold_of(parts: [&str; 5]) -> Fold {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Remembers which Event each repeated report folds into.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    folded: HashMap<Fold, (String, String)>,
    seq: u64,
}

impl Recorder {
    /// Records that `reason` happened to `about`.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &mut self,
        api: &mut ApiServer,
        now: Time,
        about: &Object,
        source: Source,
        type_: &str,
        reason: &str,
        message: &str,
    ) {
        let uid = about.meta().uid.clone().unwrap_or_default();
        let namespace =
            if about.namespace().is_empty() { "default".to_string() } else { about.namespace().to_string() };
        let fold = fold_of([&uid, source.component, type_, reason, message]);
        if let Some((ns, name)) = self.folded.get(&fold) {
            if let Some(Object::Event(existing)) =
                api.store().get(crate::api::Kind::Event, ns, name).map(|o| (**o).clone())
            {
                let mut event = existing;
                event.count = Some(event.count.unwrap_or(1) + 1);
                event.last_timestamp = Some(now.to_k8s());
                api.put_raw(Object::Event(event), now);
                return;
            }
        }
        // Names as client-go makes them: the object's name and a timestamp in hex.
        self.seq += 1;
        let nanos = (now.0 as u128) * 1_000_000 + self.seq as u128 % 1_000_000;
        let name = format!("{}.{nanos:x}", about.name());
        let info = about.info();
        let event = Event {
            metadata: ObjectMeta { name: Some(name.clone()), namespace: Some(namespace.clone()), ..Default::default() },
            involved_object: ObjectReference {
                api_version: Some(info.api_version()),
                kind: Some(info.kind_name.into()),
                name: Some(about.name().into()),
                namespace: (!about.namespace().is_empty()).then(|| about.namespace().to_string()),
                resource_version: about.meta().resource_version.clone(),
                uid: Some(uid),
                ..Default::default()
            },
            reason: Some(reason.into()),
            message: Some(message.into()),
            source: Some(EventSource { component: Some(source.component.into()), host: source.host.map(String::from) }),
            first_timestamp: Some(now.to_k8s()),
            last_timestamp: Some(now.to_k8s()),
            count: Some(1),
            type_: Some(type_.into()),
            reporting_component: Some(source.component.into()),
            reporting_instance: Some(source.host.unwrap_or(source.component).into()),
            ..Default::default()
        };
        if api.create(Object::Event(Box::new(event)), now, false).is_ok() {
            self.folded.insert(fold, (namespace, name));
        }
    }
}
