//! `-o yaml` byte for byte: each pair in `golden/yaml/` is one object as real
//! kubectl printed it in JSON and in YAML (`golden/regen-yaml.sh` makes them).

use std::path::Path;

#[test]
fn yaml_matches_real_kubectl() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/yaml");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("golden folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".json").map(String::from))
        .collect();
    names.sort();
    assert!(names.len() >= 8, "golden pairs present");
    for name in names {
        let json = std::fs::read_to_string(dir.join(format!("{name}.json"))).expect("json golden");
        let want = std::fs::read_to_string(dir.join(format!("{name}.yaml"))).expect("yaml golden");
        let value: serde_json::Value = serde_json::from_str(&json).expect("golden json parses");
        assert_eq!(engine::to_yaml(&value), want, "{name}");
    }
}
