//! Static pods: manifests in a node's `/etc/kubernetes/manifests` that its
//! kubelet runs by itself, without the scheduler, showing each to the API
//! as a mirror pod (`NAME-NODE`). Deleting the mirror with kubectl does not
//! stop the pod: the kubelet puts the mirror back. Removing the file does.

use super::{Kubelets, PodKey};
use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::runtime::images;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Pod, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use std::collections::BTreeMap;

/// The annotation that marks a mirror pod, holding its manifest's hash.
pub const MIRROR: &str = "kubernetes.io/config.mirror";

/// What the kubelet writes on the mirror of a pod from its manifest folder.
pub fn mirror_annotations(hash: &str, seen: Time) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("kubernetes.io/config.hash".to_string(), hash.to_string()),
        (MIRROR.to_string(), hash.to_string()),
        ("kubernetes.io/config.seen".to_string(), seen.rfc3339()),
        ("kubernetes.io/config.source".to_string(), "file".to_string()),
    ])
}

/// Where the manifests of a pod created from a file came from.
fn file_of(pod: &Pod) -> Option<String> {
    let annotations = pod.metadata.annotations.as_ref()?;
    annotations.get("kubernetes.io/config.source").filter(|s| *s == "file")?;
    let labels = pod.metadata.labels.as_ref();
    let name = labels.and_then(|l| l.get("component")).cloned().or_else(|| pod.metadata.name.clone())?;
    Some(format!("{name}.yaml"))
}

/// The manifest a running static pod was made from, as the file would read.
pub(super) fn manifest_of(pod: &Pod, node: &str) -> Option<(String, String)> {
    let file = file_of(pod)?;
    let name = pod.metadata.name.as_deref()?.strip_suffix(&format!("-{node}"))?;
    let mut spec = serde_json::to_value(pod.spec.as_ref()?).ok()?;
    if let Some(spec) = spec.as_object_mut() {
        // What the kubelet and the API server added to the mirror is not in
        // the file kubeadm wrote.
        for added in [
            "nodeName",
            "tolerations",
            "dnsPolicy",
            "enableServiceLinks",
            "preemptionPolicy",
            "restartPolicy",
            "schedulerName",
            "serviceAccountName",
            "terminationGracePeriodSeconds",
            "securityContext",
        ] {
            spec.remove(added);
        }
        for container in spec.get_mut("containers").and_then(|c| c.as_array_mut()).into_iter().flatten() {
            if let Some(container) = container.as_object_mut() {
                container.remove("terminationMessagePath");
                container.remove("terminationMessagePolicy");
            }
        }
    }
    let manifest = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "labels": pod.metadata.labels,
            "name": name,
            "namespace": pod.metadata.namespace,
        },
        "spec": spec,
        "status": {},
    });
    Some((file, crate::codec::to_yaml(&manifest)))
}

/// The mirror pod for a manifest, or `None` when the file is not a Pod
/// manifest (the kubelet only logs that).
fn mirror(node: &str, node_uid: &str, text: &str, now: Time) -> Option<Pod> {
    let document = crate::codec::documents(text).ok()?.into_iter().next()?;
    let Object::Pod(mut pod) = crate::codec::to_object(document).ok()? else { return None };
    let name = pod.metadata.name.clone()?;
    let hash = images::digest(text)[7..39].to_string();
    pod.metadata.name = Some(format!("{name}-{node}"));
    pod.metadata.namespace.get_or_insert_with(|| "default".into());
    pod.metadata.annotations.get_or_insert_with(BTreeMap::new).extend(mirror_annotations(&hash, now));
    pod.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "v1".into(),
        kind: "Node".into(),
        name: node.to_string(),
        uid: node_uid.to_string(),
        controller: Some(true),
        ..Default::default()
    }]);
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.node_name = Some(node.to_string());
    // A static pod stays on its node whatever the node's taints.
    let everything =
        Toleration { operator: Some("Exists".into()), effect: Some("NoExecute".into()), ..Default::default() };
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    if !tolerations.contains(&everything) {
        tolerations.push(everything);
    }
    Some(*pod)
}

impl Kubelets {
    /// The files of a node's static pod folder.
    pub fn manifests(&self, node: &str) -> Vec<(String, String)> {
        self.nodes
            .get(node)
            .map(|a| a.manifests.iter().map(|(f, t)| (f.clone(), t.clone())).collect())
            .unwrap_or_default()
    }

    /// Writes a file into a node's static pod folder: its pod starts (or
    /// starts over, if the file had one).
    pub fn put_manifest(&mut self, api: &mut ApiServer, node: &str, file: &str, text: &str, now: Time) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        if agent.manifests.get(file).is_some_and(|t| t == text) {
            // The kubelet acts on what changed; the same text changes nothing.
            return true;
        }
        agent.manifests.insert(file.to_string(), text.to_string());
        if let Some(old) = agent.mirrors.remove(file) {
            // The old pod goes at once, so the new one may take its name.
            agent.forget(&old);
            let _ = api.delete(Kind::Pod, &old.0, &old.1, Some(0), now);
        }
        self.create_mirror(api, node, file, now);
        true
    }

    /// Removes a file from a node's static pod folder: its pod stops.
    pub fn remove_manifest(&mut self, api: &mut ApiServer, node: &str, file: &str, now: Time) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        if agent.manifests.remove(file).is_none() {
            return false;
        }
        if let Some(key) = agent.mirrors.remove(file) {
            let _ = api.delete(Kind::Pod, &key.0, &key.1, None, now);
        }
        true
    }

    /// Shows the static pod of `file` to the API.
    pub(super) fn create_mirror(&mut self, api: &mut ApiServer, node: &str, file: &str, now: Time) -> Option<PodKey> {
        let agent = self.nodes.get_mut(node)?;
        let text = agent.manifests.get(file)?;
        let node_uid = api.store().get(Kind::Node, "", node).and_then(|n| n.meta().uid.clone()).unwrap_or_default();
        let pod = mirror(node, &node_uid, text, now)?;
        let created = api.create(Object::Pod(Box::new(pod)), now, false).ok()?;
        let key = (created.namespace().to_string(), created.name().to_string());
        agent.mirrors.insert(file.to_string(), key.clone());
        Some(key)
    }

    /// Whether a deleted pod is the mirror of a static pod whose file is
    /// still there: then only the mirror goes, and comes back.
    pub(super) fn mirror_file(&self, node: &str, key: &PodKey) -> Option<String> {
        let agent = self.nodes.get(node)?;
        agent.mirrors.iter().find(|(file, k)| *k == key && agent.manifests.contains_key(*file)).map(|(f, _)| f.clone())
    }
}
