//! kube-controller-manager: one file per controller. A controller is a
//! level-triggered reconcile of one key, fed by a work queue that the change
//! log fills; it writes only through the API server and says, with an
//! [`Action`], whether it wants to look again later. The reason a key was
//! queued is deliberately not passed on, so reconcilers stay idempotent.

mod addresspool;
mod cronjob;
pub(crate) mod daemonset;
pub(crate) mod deployment;
mod disruption;
pub(crate) mod endpoints;
pub(crate) mod endpointslice;
mod garbagecollector;
mod gohash;
mod horizontalpodautoscaler;
mod hpametrics;
mod hpanormalize;
mod ingressstatus;
mod job;
pub(crate) mod loadbalancer;
mod namespace;
mod nodelifecycle;
pub(crate) mod persistentvolume;
mod podgc;
pub(crate) mod pods;
pub(crate) mod provisioner;
mod replicacalculator;
mod replicaset;
mod replicationcontroller;
mod resourcequota;
pub(crate) mod revisions;
pub(crate) mod services;
mod slicer;
mod statefulset;
pub(crate) mod storage;
mod tainteviction;
pub(crate) mod volumeprotection;

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::events::Recorder;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Millis, Time};
use crate::timers::{Timer, Timers};
use std::collections::{HashSet, VecDeque};

/// What a controller works on: one object, by kind, namespace and name.
pub type Key = (Kind, String, String);

/// What a reconcile asks for next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Nothing until something changes.
    AwaitChange,
    /// Look again after this long even if nothing changes (waiting out
    /// minReadySeconds, a back-off, a deadline).
    RequeueAfter(Millis),
}

/// What a reconcile may use.
pub struct Ctx<'a> {
    /// The only way to write.
    pub api: &'a mut ApiServer,
    /// The virtual clock's now.
    pub now: Time,
    /// For Events.
    pub events: &'a mut Recorder,
    /// Requests arriving from outside the cluster (what metrics include).
    pub traffic: &'a [crate::network::load::Source],
}

/// One controller.
pub trait Controller: std::fmt::Debug {
    /// Which keys a change should queue.
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>);
    /// Brings the world in line with the key's object.
    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action;
}

#[derive(Debug, Default, Clone)]
struct Queue {
    order: VecDeque<Key>,
    queued: HashSet<Key>,
}

impl Queue {
    fn push(&mut self, key: Key) {
        if self.queued.insert(key.clone()) {
            self.order.push_back(key);
        }
    }

    fn pop(&mut self) -> Option<Key> {
        let key = self.order.pop_front()?;
        self.queued.remove(&key);
        Some(key)
    }
}

pub use addresspool::AddressPool;

/// Every controller with its queue, and the manager's place in the log.
#[derive(Debug)]
pub struct Manager {
    controllers: Vec<Box<dyn Controller>>,
    queues: Vec<Queue>,
    cursor: u64,
    /// The MetalLB pool the lab installed, if any.
    pool: Option<AddressPool>,
}

impl Default for Manager {
    fn default() -> Manager {
        Manager::new(None)
    }
}

impl Manager {
    /// Every controller, MetalLB's with `pool` when the lab installed it.
    pub fn new(pool: Option<AddressPool>) -> Manager {
        let controllers: Vec<Box<dyn Controller>> = vec![
            Box::<deployment::DeploymentController>::default(),
            Box::<replicaset::ReplicaSetController>::default(),
            Box::<replicationcontroller::ReplicationControllerController>::default(),
            Box::<daemonset::DaemonSetController>::default(),
            Box::<statefulset::StatefulSetController>::default(),
            Box::<disruption::DisruptionController>::default(),
            Box::<endpoints::EndpointsController>::default(),
            Box::<endpointslice::EndpointSliceController>::default(),
            Box::<job::JobController>::default(),
            Box::<cronjob::CronJobController>::default(),
            Box::<garbagecollector::GarbageCollector>::default(),
            Box::<namespace::NamespaceController>::default(),
            Box::<resourcequota::ResourceQuotaController>::default(),
            Box::<nodelifecycle::NodeLifecycleController>::default(),
            Box::<tainteviction::TaintEvictionController>::default(),
            // The provisioner before the binder, so a volume made for a
            // claim is there when the binder next looks at the claim.
            Box::<provisioner::Provisioner>::default(),
            Box::<persistentvolume::PersistentVolumeController>::default(),
            Box::<volumeprotection::VolumeProtection>::default(),
            Box::new(loadbalancer::LoadBalancerController::new(pool.clone())),
            Box::<horizontalpodautoscaler::HorizontalPodAutoscalerController>::default(),
            Box::<ingressstatus::IngressStatusController>::default(),
            Box::<podgc::PodGarbageCollector>::default(),
        ];
        let queues = vec![Queue::default(); controllers.len()];
        Manager { controllers, queues, cursor: 0, pool }
    }
}

impl Clone for Manager {
    fn clone(&self) -> Manager {
        // Controllers keep no state that survives a restart: a fresh manager
        // reading the same log converges to the same place (an informer
        // relists the store the first time it is read). The autoscaler's
        // recent recommendations are the exception, as in Kubernetes, where
        // a restarted controller manager forgets them too.
        Manager { queues: self.queues.clone(), cursor: self.cursor, ..Manager::new(self.pool.clone()) }
    }
}

impl Manager {
    /// How far it has read the change log.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Queues what new changes touch, then works every queue empty. Returns
    /// whether any reconcile ran.
    pub fn sync(
        &mut self,
        api: &mut ApiServer,
        events: &mut Recorder,
        timers: &mut Timers,
        now: Time,
        traffic: &[crate::network::load::Source],
    ) -> bool {
        self.watch(api.store());
        let mut ran = false;
        for (index, controller) in self.controllers.iter_mut().enumerate() {
            while let Some(key) = self.queues[index].pop() {
                ran = true;
                let mut ctx = Ctx { api: &mut *api, now, events: &mut *events, traffic };
                if let Action::RequeueAfter(after) = controller.reconcile(&key, &mut ctx) {
                    timers.at(now.plus(after.max(1)), Timer::Controller { index, key });
                }
            }
        }
        ran
    }

    /// A controller's requeue timer came due.
    pub fn requeue(&mut self, index: usize, key: Key) {
        if let Some(queue) = self.queues.get_mut(index) {
            queue.push(key);
        }
    }

    fn watch(&mut self, store: &Store) {
        let mut keys = Vec::new();
        for change in store.changes_since(self.cursor) {
            self.cursor = change.version;
            for (index, controller) in self.controllers.iter().enumerate() {
                controller.watch(change, store, &mut keys);
                for key in keys.drain(..) {
                    self.queues[index].push(key);
                }
            }
        }
    }
}

/// An object's own key.
pub fn key_of(object: &Object) -> Key {
    (object.kind(), object.namespace().to_string(), object.name().to_string())
}

/// The key of an object's controlling owner of `kind`, if it has one.
pub fn controller_key(change: &Change, kind: Kind) -> Option<Key> {
    let object = &change.object;
    let owner = object
        .meta()
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true) && o.kind == crate::api::info(kind).kind_name)?;
    Some((kind, object.namespace().to_string(), owner.name.clone()))
}

/// Indexes a controller keeps over some kinds, fed object by object.
pub(crate) trait Index: Default {
    /// The kinds it indexes.
    const KINDS: &'static [Kind];
    /// Takes in an object's new state, or its deletion.
    fn apply(&mut self, object: &Object, deleted: bool);
}

/// A controller's cache (client-go's informer): listed from the store when
/// first read, then brought up to date from the change log each time it is
/// read, so a reconcile never sees it older than the store.
#[derive(Debug, Default)]
pub(crate) struct Informer<I> {
    index: I,
    cursor: Option<u64>,
}

impl<I: Index> Informer<I> {
    /// The indexes as of the store's latest change.
    pub(crate) fn read(&mut self, store: &Store) -> &I {
        let missed = |cursor: u64| store.changes_since(cursor).next().is_some_and(|c| c.version > cursor + 1);
        match self.cursor {
            Some(cursor) if !missed(cursor) => {
                for change in store.changes_since(cursor) {
                    if I::KINDS.contains(&change.object.kind()) {
                        self.index.apply(&change.object, change.change == crate::store::ChangeType::Deleted);
                    }
                }
            }
            _ => {
                self.index = I::default();
                for kind in I::KINDS {
                    for object in store.list(*kind, None) {
                        self.index.apply(object, false);
                    }
                }
            }
        }
        self.cursor = Some(store.version());
        &self.index
    }

    /// The indexes as last read, if ever (for `watch`, which may not
    /// change the controller).
    pub(crate) fn last(&self) -> Option<&I> {
        self.cursor.map(|_| &self.index)
    }
}
