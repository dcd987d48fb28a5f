//! What containers write into their volumes, kept as long as Kubernetes
//! keeps what the data belongs to: an emptyDir's with its pod (shared by the
//! pod's containers, surviving their restarts), a claim's with the
//! PersistentVolume it is bound to (surviving the pod), a hostPath's with
//! the node. The writable layer of each container is `fs.rs`'s.

use crate::api::Kind;
use crate::object::Object;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Container, Pod, Volume};
use std::collections::BTreeMap;

/// What a volume's data belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum VolumeKey {
    /// A pod's own volume (emptyDir, or any kind the playground does not
    /// back otherwise): the pod by namespace, name and uid, and the volume.
    Pod { namespace: String, pod: String, uid: String, volume: String },
    /// A PersistentVolume by name and uid: one made again under the same
    /// name starts empty, as a new disk would.
    Persistent { name: String, uid: String },
    /// A directory on a node.
    Host { node: String, path: String },
}

/// Every volume's files, by path inside the volume (no leading slash).
#[derive(Clone, Debug, Default)]
pub struct Volumes {
    data: BTreeMap<VolumeKey, BTreeMap<String, String>>,
}

impl Volumes {
    /// The files of one volume.
    pub fn files(&self, key: &VolumeKey) -> Option<&BTreeMap<String, String>> {
        self.data.get(key)
    }

    /// Writes one file.
    pub fn write(&mut self, key: VolumeKey, path: &str, text: &str) {
        self.data.entry(key).or_default().insert(path.to_string(), text.to_string());
    }

    /// Drops the data of pods and volumes the store no longer has.
    pub fn retain(&mut self, store: &Store) {
        let same = |kind: Kind, ns: &str, name: &str, uid: &str| {
            store.get(kind, ns, name).is_some_and(|o| o.meta().uid.as_deref() == Some(uid))
        };
        self.data.retain(|key, _| match key {
            VolumeKey::Pod { namespace, pod, uid, .. } => same(Kind::Pod, namespace, pod, uid),
            VolumeKey::Persistent { name, uid } => same(Kind::PersistentVolume, "", name, uid),
            VolumeKey::Host { .. } => true,
        });
    }
}

/// What backs one of a container's mounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Backing {
    /// Files the container may write, kept in [`Volumes`]; `prefix` is the
    /// subPath inside the volume (empty for the whole volume).
    Data { key: VolumeKey, prefix: String },
    /// Files Kubernetes projects from the API (ConfigMap, Secret, downward
    /// API): read-only whatever the mount says.
    Projected,
}

/// One mount of a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Where it is mounted, without a trailing slash.
    pub path: String,
    /// Whether writes are refused.
    pub read_only: bool,
    /// What it shows.
    pub backing: Backing,
}

impl Mount {
    /// Whether `path` is the mount point or lies beneath it.
    pub fn covers(&self, path: &str) -> bool {
        path == self.path || path.strip_prefix(&self.path).is_some_and(|rest| rest.starts_with('/'))
    }

    /// Where `path` (covered by this mount) lives inside a data volume.
    pub fn inner(&self, path: &str) -> Option<(VolumeKey, String)> {
        let Backing::Data { key, prefix } = &self.backing else { return None };
        let rest = path.strip_prefix(&self.path).unwrap_or_default().trim_start_matches('/');
        let inner = match (prefix.is_empty(), rest.is_empty()) {
            (true, _) => rest.to_string(),
            (false, true) => prefix.clone(),
            (false, false) => format!("{prefix}/{rest}"),
        };
        Some((key.clone(), inner))
    }
}

/// The container's mounts, deepest last, each resolved to what backs it.
pub fn mounts(store: &Store, pod: &Pod, container: &Container) -> Vec<Mount> {
    let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_deref()).unwrap_or_default();
    let mut mounts: Vec<Mount> = container
        .volume_mounts
        .iter()
        .flatten()
        .filter_map(|m| {
            let volume = volumes.iter().find(|v| v.name == m.name)?;
            let path = m.mount_path.trim_end_matches('/').to_string();
            let (backing, locked) = backing(store, pod, volume);
            let backing = match backing {
                Backing::Data { key, .. } => {
                    let prefix = m.sub_path.clone().unwrap_or_default().trim_matches('/').to_string();
                    Backing::Data { key, prefix }
                }
                projected => projected,
            };
            Some(Mount { path, read_only: locked || m.read_only == Some(true), backing })
        })
        .collect();
    mounts.sort_by_key(|m| m.path.len());
    mounts
}

/// What backs a pod volume, and whether the volume itself is read-only.
fn backing(store: &Store, pod: &Pod, volume: &Volume) -> (Backing, bool) {
    let projected = volume.config_map.is_some()
        || volume.secret.is_some()
        || volume.projected.is_some()
        || volume.downward_api.is_some();
    if projected {
        return (Backing::Projected, true);
    }
    let meta = &pod.metadata;
    let own = VolumeKey::Pod {
        namespace: meta.namespace.clone().unwrap_or_default(),
        pod: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        volume: volume.name.clone(),
    };
    let data = |key| Backing::Data { key, prefix: String::new() };
    if let Some(host) = &volume.host_path {
        let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
        return (data(VolumeKey::Host { node, path: host.path.trim_end_matches('/').to_string() }), false);
    }
    if let Some(source) = &volume.persistent_volume_claim {
        let ns = meta.namespace.as_deref().unwrap_or_default();
        let read_only = source.read_only == Some(true);
        let bound = match store.get(Kind::PersistentVolumeClaim, ns, &source.claim_name).map(|o| &**o) {
            Some(Object::PersistentVolumeClaim(c)) => c.spec.as_ref().and_then(|s| s.volume_name.clone()),
            _ => None,
        };
        let volume = bound.and_then(|name| store.get(Kind::PersistentVolume, "", &name).cloned());
        if let Some(pv) = volume {
            let key =
                VolumeKey::Persistent { name: pv.name().to_string(), uid: pv.meta().uid.clone().unwrap_or_default() };
            return (data(key), read_only);
        }
        return (data(own), read_only);
    }
    (data(own), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(path: &str, prefix: &str) -> Mount {
        let key = VolumeKey::Host { node: "w1".into(), path: "/srv".into() };
        Mount { path: path.into(), read_only: false, backing: Backing::Data { key, prefix: prefix.into() } }
    }

    #[test]
    fn paths_map_into_the_volume() {
        let cases = [
            ("/data", "", "/data/a.txt", Some("a.txt")),
            ("/data", "", "/data/sub/a.txt", Some("sub/a.txt")),
            ("/data", "site", "/data/a.txt", Some("site/a.txt")),
            ("/data", "site", "/data", Some("site")),
            ("/data", "", "/database/a.txt", None),
        ];
        for (at, prefix, path, want) in cases {
            let m = mount(at, prefix);
            let got = m.covers(path).then(|| m.inner(path).map(|(_, p)| p)).flatten();
            assert_eq!(got.as_deref(), want, "{path} under {at}");
        }
    }
}
