//! Cluster presets, kept as YAML files in `engine/presets/` so a teacher can
//! add one without touching Rust.

use serde::Deserialize;

/// A cluster shape.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preset {
    /// What `--preset` calls it.
    pub name: String,
    /// One line for listings.
    pub description: String,
    /// The version every node runs, e.g. `v1.32.4`.
    pub kubernetes_version: String,
    /// How long before the clock's start the cluster was built (`3d`).
    pub built_ago: String,
    /// The nodes written out one by one.
    pub nodes: Vec<PresetNode>,
    /// Groups of identical workers, numbered (`node-0001` …).
    #[serde(default)]
    pub node_groups: Vec<NodeGroup>,
    /// The StorageClasses the lab was given, with the provisioner addon
    /// each needs.
    #[serde(default)]
    pub storage_classes: Vec<PresetStorageClass>,
    /// MetalLB, when the lab installed it, with the addresses it hands to
    /// LoadBalancer Services.
    #[serde(default)]
    pub metallb: Option<PresetMetalLb>,
    /// ingress-nginx, when the lab installed it.
    #[serde(default)]
    pub ingress_nginx: Option<PresetIngressNginx>,
    /// Whether the lab has the monitoring stack of the Prometheus chapter
    /// (namespace `monitoring`, Prometheus on node port 30090).
    #[serde(default)]
    pub monitoring: bool,
}

/// ingress-nginx's controller, exposed on every node by a NodePort Service.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresetIngressNginx {
    /// The node port for HTTP.
    pub http_node_port: i32,
    /// The node port for HTTPS.
    pub https_node_port: i32,
}

/// MetalLB in layer 2 mode with one IPAddressPool.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresetMetalLb {
    /// The IPAddressPool's name.
    pub pool: String,
    /// Its addresses: ranges (`192.168.1.11-192.168.1.13`), CIDRs or single
    /// addresses, as an IPAddressPool lists them.
    pub addresses: Vec<String>,
}

/// A StorageClass a preset comes with.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresetStorageClass {
    /// The class's name (`local-path`).
    pub name: String,
    /// Marked as the cluster's default class.
    #[serde(default)]
    pub default: bool,
    /// Who makes its volumes (`rancher.io/local-path`).
    pub provisioner: String,
    /// `Delete` or `Retain`.
    pub reclaim_policy: String,
    /// `Immediate` or `WaitForFirstConsumer`.
    pub volume_binding_mode: String,
}

/// Many identical workers.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeGroup {
    /// How many.
    pub count: usize,
    /// Names are this prefix and a four-digit number.
    pub name_prefix: String,
    /// CPU capacity of each.
    pub cpu: String,
    /// Memory capacity of each.
    pub memory: String,
}

/// One node of a preset.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresetNode {
    /// Host name.
    pub name: String,
    /// InternalIP.
    pub ip: String,
    /// The block its pods get addresses from.
    #[serde(rename = "podCIDR")]
    pub pod_cidr: String,
    /// Runs the control-plane static pods.
    #[serde(default)]
    pub control_plane: bool,
    /// A control-plane node without the NoSchedule taint.
    #[serde(default)]
    pub schedulable: bool,
    /// CPU capacity (`"2"`).
    pub cpu: String,
    /// Memory capacity (`3Gi`).
    pub memory: String,
    /// Labels beyond the ones every kubelet sets: what a cloud provider or
    /// `--node-labels` adds (`topology.kubernetes.io/zone`, instance types).
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
}

const PRESETS: &[&str] = &[
    include_str!("../../presets/default.yaml"),
    include_str!("../../presets/ingress.yaml"),
    include_str!("../../presets/monitoring.yaml"),
    include_str!("../../presets/single.yaml"),
    include_str!("../../presets/large.yaml"),
    include_str!("../../presets/zones.yaml"),
];

impl Preset {
    /// Every bundled preset.
    pub fn all() -> Vec<Preset> {
        // The bundled files are checked by the test below, so none is skipped.
        PRESETS.iter().filter_map(|text| serde_yaml::from_str(text).ok()).collect()
    }

    /// Every node, the groups expanded: group workers get addresses from
    /// 10.10.0.0/16 and pod CIDRs from 100.64.0.0/10.
    pub fn all_nodes(&self) -> Vec<PresetNode> {
        let mut nodes = self.nodes.clone();
        let mut i = 0usize;
        for group in &self.node_groups {
            for n in 1..=group.count {
                nodes.push(PresetNode {
                    name: format!("{}{n:04}", group.name_prefix),
                    ip: format!("10.10.{}.{}", i / 250, i % 250 + 1),
                    pod_cidr: format!("100.{}.{}.0/24", 64 + i / 256, i % 256),
                    control_plane: false,
                    schedulable: false,
                    cpu: group.cpu.clone(),
                    memory: group.memory.clone(),
                    labels: Default::default(),
                });
                i += 1;
            }
        }
        nodes
    }

    /// The bundled preset called `name`.
    pub fn named(name: &str) -> Option<Preset> {
        Preset::all().into_iter().find(|p| p.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_preset_parses() {
        for text in PRESETS {
            let parsed: Result<Preset, _> = serde_yaml::from_str(text);
            assert!(parsed.is_ok(), "{parsed:?}");
        }
        assert_eq!(Preset::all().len(), PRESETS.len());
        let default = Preset::named("default").map(|p| p.all_nodes().len());
        assert_eq!(default, Some(4));
        let large = Preset::named("large").map(|p| p.all_nodes());
        assert_eq!(large.as_ref().map(Vec::len), Some(5001));
        let last = large.and_then(|nodes| nodes.last().cloned()).map(|n| (n.name, n.ip, n.pod_cidr));
        for preset in Preset::all() {
            let default: Vec<&str> =
                preset.storage_classes.iter().filter(|c| c.default).map(|c| c.name.as_str()).collect();
            assert_eq!(default, ["local-path"], "{}", preset.name);
        }
        assert_eq!(last, Some(("node-5000".into(), "10.10.19.250".into(), "100.83.135.0/24".into())));
        let pools: Vec<(String, Option<usize>)> = Preset::all()
            .iter()
            .map(|p| (p.name.clone(), p.metallb.as_ref().map(|m| crate::controllers::AddressPool::new(m).len())))
            .collect();
        let lab = [
            ("default".to_string(), Some(3)),
            ("ingress".to_string(), Some(3)),
            ("monitoring".to_string(), Some(3)),
            ("single".to_string(), None),
            ("large".to_string(), None),
            ("zones".to_string(), None),
        ];
        assert_eq!(pools, lab);
        let ingress: Vec<String> =
            Preset::all().into_iter().filter(|p| p.ingress_nginx.is_some()).map(|p| p.name).collect();
        assert_eq!(ingress, ["ingress"]);
        let zoned = Preset::named("zones").map(|p| p.all_nodes()).unwrap_or_default();
        let zone = |n: &PresetNode| n.labels.get("topology.kubernetes.io/zone").cloned();
        assert_eq!(zoned.len(), 12);
        assert!(zoned.iter().all(|n| zone(n).is_some()), "every node of `zones` has a zone");
        let zones: std::collections::BTreeSet<_> = zoned.iter().filter_map(zone).collect();
        assert_eq!(zones.len(), 3);
        let monitored: Vec<String> = Preset::all().into_iter().filter(|p| p.monitoring).map(|p| p.name).collect();
        assert_eq!(monitored, ["monitoring"]);
    }
}
