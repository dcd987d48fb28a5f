//! Every manifest from the Kubernetes documentation in
//! `../shared/corpora/k8s-examples/` goes through `kubectl apply -f`: what
//! real kubectl accepted is accepted (the objects it named are created), and
//! what it refused is refused with its words. A few files real kubectl only
//! decodes but a real API server rejects are listed here with the server's
//! message.

use engine::{Cluster, Entry, Files, Shell};
use std::path::{Path, PathBuf};

struct Dir(PathBuf);

impl Files for Dir {
    fn read(&self, path: &str) -> Option<Entry> {
        std::fs::read_to_string(self.0.join(path)).ok().map(Entry::File)
    }
}

fn corpora() -> PathBuf {
    match std::env::var_os("KUBEPLAY_CORPORA") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora"),
    }
}

const INVALID_NAME: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/// Files that kubectl's client decodes but a real v1.32 cluster refuses,
/// with what it says.
fn server_rejects() -> Vec<(&'static str, String)> {
    vec![
        // A template with `$ITEM` left unexpanded: not a valid name.
        (
            "application/job/job-tmpl.yaml",
            format!("The Job \"process-item-$ITEM\" is invalid: metadata.name: Invalid value: \"process-item-$ITEM\": {INVALID_NAME}"),
        ),
        // No metadata.name: apply cannot fetch the live object.
        (
            "controllers/job-success-policy-example.yaml",
            "error: error when retrieving current configuration of:\nResource: \"batch/v1, Resource=jobs\", GroupVersionKind: \"batch/v1, Kind=Job\"\nName: \"\", Namespace: \"default\"\nfrom server for: \"controllers/job-success-policy-example.yaml\": resource name may not be empty".into(),
        ),
        // An old layout of nodeAffinity: a list where an object belongs.
        (
            "pods/pod-with-node-affinity.yaml",
            "Error from server (BadRequest): error when creating \"pods/pod-with-node-affinity.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal array into Go struct field NodeAffinity.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution of type v1.NodeSelector".into(),
        ),
        // Fields newer than v1.32: strict decoding refuses them.
        (
            "pods/emptydir-volume-mode.yaml",
            "Error from server (BadRequest): error when creating \"pods/emptydir-volume-mode.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.volumes[0].emptyDir.mode\"".into(),
        ),
        (
            "pods/inject/envars-file-container.yaml",
            "Error from server (BadRequest): error when creating \"pods/inject/envars-file-container.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].env[0].valueFrom.fileKeyRef\"".into(),
        ),
        (
            "pods/restart-policy/restart-all-containers.yaml",
            "Error from server (BadRequest): error when creating \"pods/restart-policy/restart-all-containers.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.initContainers[1].restartPolicyRules\"".into(),
        ),
        // No apiVersion: kubectl's own validation stops it (the client-only
        // decode in the table ran with --validate=false).
        (
            "pods/inject/pod-single-secret-env-variable.yaml",
            "error: error validating \"pods/inject/pod-single-secret-env-variable.yaml\": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false".into(),
        ),
    ]
}

fn apply(path: &str, prerequisites: &[String], files: &Dir) -> engine::Output {
    let mut cluster = Cluster::new("default", 1).expect("preset");
    for manifest in prerequisites {
        cluster.apply(manifest);
    }
    Shell::new(cluster).run(&format!("kubectl apply -f {path}"), files)
}

#[test]
fn kubernetes_documentation_manifests() {
    let dir = corpora().join("k8s-examples");
    let table = std::fs::read_to_string(dir.join("KUBECTL_CLIENT_DECODE.tsv"))
        .unwrap_or_else(|e| panic!("the corpus is needed at {} ({e}); set KUBEPLAY_CORPORA", dir.display()));
    let files = Dir(dir.clone());
    let rejects = server_rejects();
    let mut total = 0;
    let mut accepted = 0;
    let mut failures = Vec::new();
    for line in table.lines() {
        let Some((path, expected)) = line.split_once('\t') else { continue };
        let expected = expected.trim();
        total += 1;
        let mut out = apply(path, &[], &files);
        // The documentation has readers create a page's namespace or
        // PriorityClass first.
        let mut needs: Vec<String> = Vec::new();
        for (i, m) in out.stderr.match_indices("namespaces \"") {
            if let Some(ns) = out.stderr[i + m.len()..].split('"').next() {
                needs.push(format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"));
            }
        }
        for (i, m) in out.stderr.match_indices("no PriorityClass with name ") {
            if let Some(pc) = out.stderr[i + m.len()..].split(' ').next() {
                needs.push(format!(
                    "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata:\n  name: {pc}\nvalue: 1000000\n"
                ));
            }
        }
        if !needs.is_empty() {
            out = apply(path, &needs, &files);
        }
        let stderr = out.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some((_, message)) = rejects.iter().find(|(p, _)| *p == path) {
            if out.stderr.trim_end() != message {
                failures.push(format!("{path}: want the server's rejection\n  {message}\n  got {:?}", out.stderr));
            }
            continue;
        }
        if expected.starts_with("error:") {
            if stderr != expected {
                failures.push(format!("{path}: want {expected:?}\n  got {stderr:?}"));
            }
            continue;
        }
        let created: Vec<&str> = out.stdout.lines().filter_map(|l| l.strip_suffix(" created")).collect();
        let want: Vec<&str> = expected.split_whitespace().collect();
        if created == want && out.exit_code == 0 {
            accepted += 1;
        } else {
            failures
                .push(format!("{path}: want {want:?} created\n  stdout {:?}\n  stderr {:?}", out.stdout, out.stderr));
        }
    }
    let refused = rejects.len() + table.lines().filter(|l| l.contains("\terror:")).count();
    println!("k8s-examples: {accepted}/{total} accepted, {refused} refused as real Kubernetes refuses them");
    assert!(failures.is_empty(), "{} of {total} manifests differ:\n{}", failures.len(), failures.join("\n"));
}
