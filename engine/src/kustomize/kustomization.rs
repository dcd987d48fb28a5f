//! The `kustomization.yaml` file: the fields this kustomize understands,
//! read strictly so that a misspelt field is an error, as in kustomize.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Kustomization {
    // Accepted so that strict decoding takes them; nothing depends on them.
    #[serde(rename = "apiVersion")]
    _api_version: Option<serde::de::IgnoredAny>,
    #[serde(rename = "kind")]
    _kind: Option<serde::de::IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<serde::de::IgnoredAny>,
    pub resources: Option<Vec<String>>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    pub namespace: Option<String>,
    pub common_labels: Option<BTreeMap<String, String>>,
    pub labels: Option<Vec<Label>>,
    pub common_annotations: Option<BTreeMap<String, String>>,
    pub images: Option<Vec<Image>>,
    pub replicas: Option<Vec<Replica>>,
    pub config_map_generator: Option<Vec<Generator>>,
    pub secret_generator: Option<Vec<Generator>>,
    pub generator_options: Option<GeneratorOptions>,
    pub patches: Option<Vec<Patch>>,
    pub patches_strategic_merge: Option<Vec<String>>,
    pub patches_json6902: Option<Vec<Patch>>,
}

/// One entry of `labels`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Label {
    pub pairs: BTreeMap<String, String>,
    #[serde(default)]
    pub include_selectors: bool,
    #[serde(default)]
    pub include_templates: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replica {
    pub name: String,
    pub count: i64,
}

/// A `configMapGenerator` or `secretGenerator` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Generator {
    pub name: String,
    pub namespace: Option<String>,
    pub behavior: Option<String>,
    pub literals: Option<Vec<String>>,
    pub files: Option<Vec<String>>,
    pub envs: Option<Vec<String>>,
    pub env: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub options: Option<GeneratorOptions>,
}

#[derive(Debug, Default, Deserialize, Clone)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorOptions {
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: Option<BTreeMap<String, String>>,
    pub disable_name_suffix_hash: Option<bool>,
    pub immutable: Option<bool>,
}

/// A `patches` (or `patchesJson6902`) entry.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Patch {
    pub path: Option<String>,
    pub patch: Option<String>,
    pub target: Option<Target>,
    /// `allowNameChange`, `allowKindChange`: accepted, names may always change.
    #[serde(rename = "options")]
    _options: Option<serde::de::IgnoredAny>,
}

/// Which resources a patch applies to; every given field must match.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

impl Kustomization {
    /// Reads the file, in kustomize's words when it cannot.
    pub fn parse(text: &str) -> Result<Kustomization, String> {
        let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        if value.is_null() {
            return Ok(Kustomization::default());
        }
        let json = serde_json::to_value(&value).map_err(|e| e.to_string())?;
        serde_json::from_value(json).map_err(|e| {
            let text = e.to_string();
            match text.strip_prefix("unknown field `").and_then(|rest| rest.split_once('`')) {
                Some((field, _)) => format!("json: unknown field \"{field}\""),
                None => text,
            }
        })
    }
}
