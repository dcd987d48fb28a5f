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
    /// The nodes.
    pub nodes: Vec<PresetNode>,
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
}

const PRESETS: &[&str] = &[include_str!("../../presets/default.yaml"), include_str!("../../presets/single.yaml")];

impl Preset {
    /// Every bundled preset.
    pub fn all() -> Vec<Preset> {
        // The bundled files are checked by the test below, so none is skipped.
        PRESETS.iter().filter_map(|text| serde_yaml::from_str(text).ok()).collect()
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
        let default = Preset::named("default").map(|p| p.nodes.len());
        assert_eq!(default, Some(4));
    }
}
