//! What the page's YAML editor relies on: kubectl's complaints placed on
//! the manifest line they are about, and `kubectl diff` leaving the cluster
//! as it was.

use engine::{marks, Cluster, Mark};

/// Applies `manifest` to a fresh cluster and places the errors it printed.
fn placed(manifest: &str) -> (String, Vec<(usize, String)>) {
    let mut cluster = Cluster::new("default", 1).expect("the default preset builds");
    let out = cluster.apply(manifest);
    assert_ne!(out.exit_code, 0, "expected a failure, got {out:?}");
    let found = marks(manifest, &out.stderr).into_iter().map(|Mark { line, message }| (line, message)).collect();
    (out.stderr, found)
}

#[test]
fn errors_land_on_their_lines() {
    // (manifest, expected marks as (line, message))
    let cases: &[(&str, &[(usize, &str)])] = &[
        // A YAML syntax error: the parser's line.
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx\n   bad: [\n",
            &[(9, "did not find expected key")],
        ),
        // A missing field: the validation path's deepest written part.
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: \"\"\n",
            &[(8, "spec.containers[0].image: Required value")],
        ),
        // The second document of three, found by kind and name.
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: other\n    spec:\n      containers:\n      - name: c\n        image: nginx\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
            &[(17, "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`")],
        ),
        // An unknown field, in a list item.
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx\n    imagee: x\n",
            &[(9, "unknown field \"spec.containers[0].imagee\"")],
        ),
        // A value of the wrong type: Go's path has no indexes.
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: \"80\"\n",
            &[(10, "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32")],
        ),
        // A kind nobody serves.
        ("apiVersion: v1\nkind: Pood\nmetadata:\n  name: a\n", &[(2, "no matches for kind \"Pood\" in version \"v1\"")]),
    ];
    for (manifest, want) in cases {
        let (stderr, got) = placed(manifest);
        let want: Vec<(usize, String)> = want.iter().map(|(l, m)| (*l, m.to_string())).collect();
        assert_eq!(got, want, "for stderr {stderr:?}");
    }
}

#[test]
fn several_causes_each_get_their_line() {
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    image: \"\"\n  - name: c\n    image: nginx\n";
    let (stderr, got) = placed(manifest);
    let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![8, 9], "for stderr {stderr:?}");
}

#[test]
fn diff_shows_the_change_and_leaves_the_cluster_alone() {
    let mut cluster = Cluster::new("default", 1).expect("the default preset builds");
    let first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n";
    assert_eq!(cluster.apply(first).exit_code, 0);
    let (version, now) = (cluster.version(), cluster.now());
    let out = cluster.diff(&first.replace("fast", "slow"));
    assert_eq!(out.exit_code, 1, "{out:?}");
    assert!(out.stdout.starts_with("diff -u -N /tmp/LIVE-"), "{}", out.stdout);
    assert!(out.stdout.contains("\n-  mode: fast\n+  mode: slow\n"), "{}", out.stdout);
    assert_eq!((cluster.version(), cluster.now()), (version, now));
    // Nothing to change: nothing printed, exit 0.
    let same = cluster.diff(first);
    assert_eq!((same.exit_code, same.stdout.as_str()), (0, ""));
}

#[test]
fn every_template_applies_to_a_fresh_cluster() {
    let mut cluster = Cluster::new("default", 1).expect("the default preset builds");
    let mut kinds = Vec::new();
    for template in engine::templates::TEMPLATES {
        let out = cluster.apply(template.manifest);
        assert_eq!(out.exit_code, 0, "{} template: {out:?}", template.kind);
        assert!(out.stdout.ends_with(" created\n"), "{} template: {}", template.kind, out.stdout);
        assert!(template.manifest.contains(&format!("\nkind: {}\n", template.kind)), "{}", template.kind);
        kinds.push(template.kind);
    }
    // Each kind the issue names has its template.
    for kind in [
        "Pod",
        "Deployment",
        "Service",
        "ConfigMap",
        "Secret",
        "Ingress",
        "PersistentVolumeClaim",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "HorizontalPodAutoscaler",
        "Namespace",
        "ResourceQuota",
        "LimitRange",
        "PodDisruptionBudget",
    ] {
        assert!(kinds.contains(&kind), "no template for {kind}");
    }
}
