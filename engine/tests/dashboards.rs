//! The dashboards over a real monitored lab: every built-in panel has data,
//! variables resolve and chain, `$namespace` changes the series, the
//! JSON model round-trips, and the community dashboards in
//! `../shared/corpora/grafana/` import and draw where our metrics exist.

use engine::dashboards::layout::all_panels;
use engine::dashboards::query::{PanelData, Window};
use engine::dashboards::run::run;
use engine::dashboards::template::{resolve, VarState};
use engine::dashboards::{builtin, Dashboard};
use engine::{MemFiles, Shell};
use std::collections::BTreeMap;

const MIN: i64 = 60_000;

/// The monitored lab with php-apache under an HPA and load on it.
fn lab() -> Shell {
    let cluster = engine::Cluster::new("monitoring", 1).expect("preset");
    let mut shell = Shell::new(cluster);
    let files = MemFiles::default();
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../lessons/14-hpa/php-apache.yaml"))
        .expect("lesson 14's manifest");
    // The monitored lab's Prometheus already holds NodePort 30090.
    files.insert("php-apache.yaml", &manifest.replace("30090", "30190"));
    for line in [
        "kubectl apply -f php-apache.yaml",
        "kubectl autoscale deployment php-apache --cpu-percent=50 --min=1 --max=10",
        "traffic start load http://192.168.1.10:30190 --rate 20",
    ] {
        let out = shell.run(line, &files);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    }
    shell.step(20 * MIN);
    shell
}

fn panels_data(
    shell: &Shell,
    dash: &Dashboard,
    picked: &BTreeMap<String, Vec<String>>,
) -> (Vec<VarState>, Vec<(String, PanelData)>) {
    let cluster = shell.cluster();
    let storage = cluster.tsdb().expect("monitored");
    let now = cluster.now().0;
    let window = Window { from_ms: now - 15 * MIN, to_ms: now, max_data_points: 600 };
    let vars = resolve(dash, Some(storage), window.from_ms, window.to_ms, picked);
    let data = all_panels(dash)
        .into_iter()
        .filter(|p| !matches!(p.kind.as_str(), "text" | "row"))
        .map(|p| (p.title.clone(), run(cluster, p, &vars, window)))
        .collect();
    (vars, data)
}

#[test]
fn every_builtin_panel_draws_data() {
    let shell = lab();
    let dashboards = builtin::all();
    assert_eq!(dashboards.len(), builtin::SOURCES.len(), "every built-in parses");
    for (dash, (uid, _)) in dashboards.iter().zip(builtin::SOURCES) {
        assert_eq!(&dash.uid, uid);
        let (vars, data) = panels_data(&shell, dash, &BTreeMap::new());
        for v in &vars {
            assert!(v.values().iter().all(|x| !x.is_empty()), "{uid}: ${} resolved to {:?}", v.name, v.selected);
        }
        for (title, d) in data {
            assert!(d.errors.is_empty(), "{uid} / {title}: {:?}", d.errors);
            assert!(d.has_data(), "{uid} / {title} has no data");
        }
    }
}

#[test]
fn hpa_target_comes_from_a_chained_query_result() {
    let shell = lab();
    let dash = builtin::all().into_iter().find(|d| d.uid == "kubeplay-hpa").expect("hpa dashboard");
    let (vars, data) = panels_data(&shell, &dash, &BTreeMap::new());
    let target = vars.iter().find(|v| v.name == "target").expect("target variable");
    assert_eq!(target.selected, vec!["php-apache".to_string()]);
    let (_, chart) = data.iter().find(|(t, _)| t.starts_with("Replicas vs")).expect("the HPA chart");
    let names: Vec<&str> = chart.frames.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["CPU utilisation", "target", "current replicas", "desired replicas"]);
    let last = |name: &str| chart.frames.iter().find(|f| f.name == name).and_then(|f| f.points.last()).map(|p| p.1);
    assert_eq!(last("target"), Some(50.0));
    // Twenty requests a second push php-apache past its target: it scaled out.
    assert!(last("current replicas").unwrap_or(0.0) >= 2.0, "{:?}", last("current replicas"));
}

#[test]
fn namespace_variable_changes_the_series() {
    let shell = lab();
    let dash = builtin::all().into_iter().find(|d| d.uid == "kubeplay-namespace").expect("namespace dashboard");
    let pods_of = |ns: &str| {
        let picked = BTreeMap::from([("namespace".to_string(), vec![ns.to_string()])]);
        let (vars, data) = panels_data(&shell, &dash, &picked);
        let pod = vars.iter().find(|v| v.name == "pod").expect("pod variable");
        assert_eq!(pod.selected, vec!["$__all".to_string()]);
        let (_, cpu) = data.into_iter().find(|(t, _)| t.starts_with("CPU by pod")).expect("CPU panel");
        cpu.frames.into_iter().map(|f| f.name).collect::<Vec<_>>()
    };
    let system = pods_of("kube-system");
    let default = pods_of("default");
    assert!(system.iter().any(|p| p.starts_with("coredns-")), "{system:?}");
    assert!(!default.is_empty() && default.iter().all(|p| p.starts_with("php-apache-")), "{default:?}");
}

/// The cluster overview's heatmap has requests in its buckets, its alert
/// list every default rule, and the namespace view's logs panel lines of
/// the picked namespace's pods.
#[test]
fn builtin_heatmap_logs_and_alerts_show_the_lab() {
    let shell = lab();
    let all = builtin::all();
    let find = |uid: &str| all.iter().find(|d| d.uid == uid).cloned().unwrap_or_default();
    let (_, overview) = panels_data(&shell, &find("kubeplay-cluster"), &BTreeMap::new());
    let dash = find("kubeplay-cluster");
    let heat_panel = all_panels(&dash).into_iter().find(|p| p.kind == "heatmap").cloned().unwrap_or_default();
    let heat = overview.iter().find(|(t, _)| *t == heat_panel.title).map(|(_, d)| d.clone()).unwrap_or_default();
    let map = engine::dashboards::heatmap::build(&heat_panel, &heat);
    assert!(map.ordinal && map.rows.len() > 5, "le buckets: {:?}", map.rows);
    assert_eq!(map.rows.last().map(|r| r.label.as_str()), Some("+Inf"));
    let filled = map.counts.iter().flatten().filter(|v| **v > 1e-9).count();
    assert!(filled > 10, "requests land in buckets ({filled} cells)");
    let rules = overview.iter().find_map(|(_, d)| d.alerts.clone()).unwrap_or_default();
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    for name in ["NodeDown", "PodCrashLooping", "HighNodeCPU"] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let picked = BTreeMap::from([("namespace".to_string(), vec!["default".to_string()])]);
    let (_, ns) = panels_data(&shell, &find("kubeplay-namespace"), &picked);
    let lines = ns.iter().find_map(|(_, d)| d.logs.clone()).map(|l| l.lines).unwrap_or_default();
    assert!(!lines.is_empty(), "php-apache's pods logged");
    assert!(lines.iter().all(|l| l.labels.get("namespace").map(String::as_str) == Some("default")));
}

#[test]
fn builtins_round_trip_through_export() {
    for (uid, json) in builtin::SOURCES {
        let dash = Dashboard::import(json).expect("built-in");
        let again = Dashboard::import(&dash.export()).expect("exported");
        assert_eq!(dash, again, "{uid}");
        // Nothing we do not model is lost: the export equals the source as JSON.
        let source = numbers_as_floats(serde_json::from_str(json).expect("json"));
        let exported = numbers_as_floats(serde_json::from_str(&dash.export()).expect("json"));
        assert_eq!(source, exported, "{uid}");
    }
}

/// `1` and `1.0` are the same number to Grafana; serde_json tells them apart.
fn numbers_as_floats(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => n.as_f64().map_or(Value::Null, |f| serde_json::json!(f)),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_floats).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_floats(v))).collect()),
        other => other,
    }
}

#[test]
fn odd_json_imports_without_failing() {
    let dash = Dashboard::import(
        r#"{"dashboard": {"title": "odd", "refresh": false, "schemaVersion": "x",
            "panels": [{"type": "worldmap-panel", "title": "Map", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}, "mystery": [1,2]},
                       17,
                       {"type": "stat", "fieldConfig": {"defaults": {"decimals": "two", "unit": 5}}, "targets": [{"expr": "up", "refId": "A"}]}],
            "templating": {"list": [{"name": "x", "type": "adhoc"}]}}}"#,
    )
    .expect("forgiving import");
    assert_eq!(dash.title, "odd");
    assert_eq!(dash.refresh, None);
    assert_eq!(dash.panels.len(), 2, "the bare number is dropped, the rest kept");
    assert_eq!(dash.panels[0].kind, "worldmap-panel");
    assert!(dash.export().contains("\"mystery\""));
    assert_eq!(dash.panels[1].field_config.defaults.decimals, None);
    assert!(Dashboard::import("[1, 2]").is_err());
    assert!(Dashboard::import("not json").is_err());
}

/// The community dashboards, from the shared corpora as `corpus.rs` finds them.
#[test]
fn community_dashboards_import_and_draw() {
    let corpora = match std::env::var_os("KUBEPLAY_CORPORA") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora"),
    };
    let dir = corpora.join("grafana");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus is needed at {} ({e}); set KUBEPLAY_CORPORA", dir.display()));
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5, "the four dotdc views and Node Exporter Full");
    let shell = lab();
    // (file, least panels that must draw data)
    let want: BTreeMap<&str, usize> = BTreeMap::from([
        ("k8s-views-global.json", 22),
        ("k8s-views-namespaces.json", 15),
        ("k8s-views-nodes.json", 28),
        ("k8s-views-pods.json", 13),
        ("node-exporter-full.json", 37),
    ]);
    let report = std::env::var("DASHBOARD_REPORT").is_ok();
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let dash = Dashboard::import(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Dashboard::import(&dash.export()).as_ref(), Ok(&dash), "{name} round trip");
        let (_, data) = panels_data(&shell, &dash, &BTreeMap::new());
        let with = data.iter().filter(|(_, d)| d.has_data()).count();
        if report {
            for (title, d) in &data {
                if !d.has_data() {
                    println!("{name}: EMPTY {title} {:?}", d.errors);
                }
            }
            println!("{name}: {with}/{} panels with data", data.len());
        }
        let least = want.get(name.as_str()).copied().unwrap_or(1);
        assert!(with >= least, "{name}: {with} of {} panels have data, want at least {least}", data.len());
    }
}

/// Lesson 23 builds "My lab" step by step: each dashboard it saves draws
/// data on every panel, once saved in the lab's Grafana and read back, and
/// its `$namespace` picks the namespace's pods by their `{{pod}}` names.
#[test]
fn lesson_23_dashboards_draw_once_saved_in_the_lab() {
    let mut shell = lab();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../lessons/23-grafana");
    for file in ["panel.json", "legend.json", "gauge.json", "variable.json", "refresh.json"] {
        let json = std::fs::read_to_string(format!("{dir}/{file}")).expect("lesson file");
        let uid = shell.cluster_mut().save_dashboard(&json).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(uid, "my-lab", "{file} replaces the same dashboard");
        let saved = shell.cluster().dashboards().list().to_vec();
        assert_eq!(saved.len(), 1, "{file}: one saved dashboard");
        for (title, d) in panels_data(&shell, &saved[0], &BTreeMap::new()).1 {
            assert!(d.errors.is_empty(), "{file} / {title}: {:?}", d.errors);
            assert!(d.has_data(), "{file} / {title} has no data");
        }
    }
    let dash = shell.cluster().dashboards().list()[0].clone();
    let names = |ns: &str| -> Vec<String> {
        let picked = BTreeMap::from([("namespace".to_string(), vec![ns.to_string()])]);
        let (_, data) = panels_data(&shell, &dash, &picked);
        data[0].1.frames.iter().map(|f| f.name.clone()).collect()
    };
    let system = names("kube-system");
    assert!(system.iter().any(|n| n.starts_with("coredns-")), "{system:?}");
    let default = names("default");
    assert!(!default.is_empty() && default.iter().all(|n| n.starts_with("php-apache-")), "{default:?}");
}
