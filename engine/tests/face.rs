//! The engine's public face: determinism, rejected requests, the change log,
//! and the native `kubeplay shell` binary.

use engine::{ChangeType, Cluster, Kind, Shell};
use std::io::Write;
use std::process::{Command, Stdio};

fn run_binary(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubeplay starts");
    child.stdin.take().expect("piped stdin").write_all(stdin.as_bytes()).expect("stdin accepts the script");
    let out = child.wait_with_output().expect("kubeplay exits");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn shell_binary_prints_the_node_table() {
    let (stdout, stderr, code) = run_binary(&["shell"], "kubectl get nodes\n");
    assert_eq!(
        stdout,
        "NAME     STATUS   ROLES           AGE     VERSION\n\
         m-k8s    Ready    control-plane   3d      v1.32.4\n\
         w1-k8s   Ready    <none>          2d23h   v1.32.4\n\
         w2-k8s   Ready    <none>          2d23h   v1.32.4\n\
         w3-k8s   Ready    <none>          2d23h   v1.32.4\n"
    );
    assert_eq!((stderr.as_str(), code), ("", 0));
}

#[test]
fn shell_binary_runs_a_pod_through_simulated_time() {
    let (stdout, _, _) = run_binary(&["shell"], "kubectl run web --image=nginx\nsleep 20\nkubectl get pods\n");
    assert_eq!(
        stdout,
        "pod/web created\nNAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          20s\n"
    );
}

#[test]
fn shell_binary_reads_files_relative_to_the_working_directory() {
    let dir = std::env::temp_dir().join(format!("kubeplay-face-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n",
    )
    .expect("write manifest");
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(["shell", "--preset", "single", "--seed", "7"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().expect("stdin").write_all(b"kubectl apply -f pod.yaml\nkubectl get nodes -o name\n")?;
            c.wait_with_output()
        })
        .expect("kubeplay runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "pod/web created\nnode/m-k8s\n");
}

#[test]
fn shell_binary_rejects_bad_arguments() {
    let (_, stderr, code) = run_binary(&["shell", "--preset", "nope"], "");
    assert_eq!(
        (stderr.as_str(), code),
        ("kubeplay: unknown preset \"nope\" (known: default, ingress, monitoring, single, large, zones)\n", 2)
    );
    let (_, stderr, code) = run_binary(&["bogus"], "");
    let usage = "Usage: kubeplay shell [--preset NAME] [--seed N] [--openmetrics-out FILE]\n       kubeplay bench [--nodes N] [--deployments D] [--replicas R]\n       kubeplay bench promql [--nodes N] [--cpus C] [--runs R] [--against-prometheus]\n       kubeplay bench tsdb [--nodes N] [--hours H]\n       kubeplay bench schedule [--nodes N] [--pods M]\n       kubeplay bench rewind [--minutes M]\n       kubeplay bench tick [--speed S] [--ticks T]\n       kubeplay bench dashboard [--nodes N] [UID]\n\nPresets:\n";
    assert_eq!((stderr.get(..usage.len()), code), (Some(usage), 2));
    let listed: Vec<&str> = stderr[usage.len()..].lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(listed, ["default", "ingress", "monitoring", "single", "large", "zones"]);
}

#[test]
fn shell_binary_writes_what_prometheus_stored_as_openmetrics() {
    let path = std::env::temp_dir().join(format!("kubeplay-face-{}.om", std::process::id()));
    let file = path.to_string_lossy().into_owned();
    let (_, stderr, code) = run_binary(&["shell", "--preset", "monitoring", "--openmetrics-out", &file], "sleep 60\n");
    assert_eq!((stderr.as_str(), code), ("", 0));
    let text = std::fs::read_to_string(&path).expect("the file was written");
    let _ = std::fs::remove_file(&path);
    assert!(text.ends_with("# EOF\n"), "{}", &text[text.len().saturating_sub(200)..]);
    let up = text.lines().filter(|l| l.starts_with("up{")).count();
    assert!(up >= 4 * 20, "every target's `up` at every scrape of the minute: {up}");
    assert!(text.lines().any(|l| l.starts_with("node_cpu_seconds_total{") && l.contains("kubernetes_node=\"w1-k8s\"")));
    let (_, stderr, code) = run_binary(&["shell", "--openmetrics-out", &file], "");
    assert_eq!(
        (stderr.as_str(), code),
        ("kubeplay: --openmetrics-out: the cluster has no Prometheus (try --preset monitoring)\n", 1)
    );
}

#[test]
fn same_seed_and_inputs_replay_the_same_history() {
    let history = |seed: u64| {
        let mut cluster = Cluster::new("default", seed).expect("preset");
        for i in 0..5 {
            cluster.kubectl(&format!("kubectl run web-{i} --image=nginx"));
            cluster.step(1_500);
        }
        cluster.step(30_000);
        cluster
            .changes_since(0)
            .iter()
            .map(|c| format!("{} {:?} {:?} {:?}", c.version, c.time, c.change, c.object.name()))
            .collect::<Vec<_>>()
            .join("\n")
            + &cluster.kubectl("get pods -o wide").stdout
    };
    assert_eq!(history(42), history(42));
    assert_ne!(history(42), history(43));
}

#[test]
fn a_rejected_request_changes_nothing() {
    let mut cluster = Cluster::new("default", 1).expect("preset");
    let before = cluster.version();
    let listing = cluster.kubectl("get pods -A -o json").stdout;
    for line in [
        "run Bad_Name --image=nginx",
        "run web --image=nginx -n missing",
        "run web --image=nginx --restart=Sometimes",
        "delete pod nope",
        "get nope",
    ] {
        let out = cluster.kubectl(line);
        assert_eq!(out.exit_code, 1, "{line}");
    }
    let out = cluster.apply("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers: []\n");
    assert_eq!(out.stderr, "The Pod \"x\" is invalid: spec.containers: Required value\n");
    assert_eq!(cluster.version(), before);
    assert_eq!(cluster.kubectl("get pods -A -o json").stdout, listing);
}

#[test]
fn the_change_log_tells_the_pods_story() {
    let mut cluster = Cluster::new("default", 1).expect("preset");
    let start = cluster.version();
    cluster.kubectl("run web --image=nginx");
    cluster.step(10_000);
    cluster.kubectl("delete pod web");
    let story: Vec<ChangeType> = cluster
        .changes_since(start)
        .iter()
        .filter(|c| c.object.kind() == Kind::Pod && c.object.name() == "web")
        .map(|c| c.change)
        .collect();
    use ChangeType::*;
    // created, bound, ContainerCreating, sandbox ready, Running, deletion
    // requested, containers stopped, removed.
    assert_eq!(story, [Added, Modified, Modified, Modified, Modified, Modified, Modified, Deleted]);
    assert!(cluster.get(Kind::Pod, "default", "web").is_none());
}

#[test]
fn the_view_matches_kubectl() {
    let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
    shell.run("kubectl run web --image=nginx", &engine::NoFiles);
    let view = shell.cluster().view();
    assert_eq!(view.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(), ["m-k8s", "w1-k8s", "w2-k8s", "w3-k8s"]);
    assert_eq!(view.nodes[0].roles, "control-plane");
    let web = view.pods.iter().find(|p| p.name == "web").expect("web pod in view");
    assert_eq!((web.status.as_str(), web.ready.as_str()), ("ContainerCreating", "0/1"));
    assert!(web.node.as_deref().is_some_and(|n| n.starts_with('w')), "scheduled to a worker");
    shell.cluster_mut().step(30_000);
    let view = shell.cluster().view();
    let web = view.pods.iter().find(|p| p.name == "web").expect("web pod in view");
    assert_eq!((web.status.as_str(), web.phase.as_str()), ("Running", "Running"));
    assert_eq!(view.pods.iter().filter(|p| p.namespace == "kube-system").count(), 16);
}

#[test]
fn nothing_typed_breaks_the_engine() {
    let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
    let lines = [
        "",
        " ",
        "'",
        "\"",
        "\\",
        "k",
        "kubectl",
        "kubectl -",
        "kubectl --",
        "kubectl get -o",
        "kubectl get pods -o",
        "kubectl get pods -l",
        "kubectl get pods -l '='",
        "kubectl get pods -l 'a in ('",
        "kubectl get /",
        "kubectl get pod/",
        "kubectl get ,,,",
        "kubectl delete pod/ --grace-period=-5",
        "kubectl delete pods --all --grace-period=x",
        "kubectl run x --image=",
        "kubectl run x --image=nginx --port=99999999999",
        "kubectl create",
        "kubectl create job",
        "kubectl create job x --from=cronjob/",
        "kubectl patch",
        "kubectl patch pod",
        "kubectl patch pod x -p '['",
        "kubectl patch pod x --type=json -p '[{}]'",
        "kubectl apply -f",
        "sleep 99999999999999999999",
        "sleep -1",
        "sleep 1e400",
        "alias =",
        "alias a=",
        "unalias",
        "kubectl get pods --sort-by=",
        "kubectl version --client=maybe",
        "kubectl get nodes -A --show-labels -L a,b,c",
        "kubectl create deployment x --image=nginx --replicas=-3",
        "kubectl create cronjob c --image=busybox --schedule='61 * * * *'",
        "echo é✓|grep ✓ && ✓ || ✓; ✓",
        "echo \\é|wc -l",
        "$(",
        "${",
        "$((((",
        "X=$(X) && echo $X",
        "kubectl get pods | head -n",
        "kubectl get pods | head -n -1",
        "kubectl get pods | cut -f",
        "kubectl get pods | awk",
        "kubectl get pods | awk '{print $0, $99999999999999999999, NF}'",
        "echo '%%%' | base64 -d",
        "|||",
        "&&",
        ";;",
    ];
    let nested = format!("echo {}x{}", "$(echo ".repeat(5000), ")".repeat(5000));
    for line in lines.iter().copied().chain([nested.as_str()]) {
        let out = shell.run(line, &engine::NoFiles);
        assert!(out.exit_code >= 0, "{line}");
    }
    for manifest in [
        "", "---", "...", "[]", "42", "null", "kind: Pod", "apiVersion: v1\nkind: Pod\nmetadata: []\n",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: b\n    resources:\n      limits:\n        cpu: lots\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 2\n  selector:\n    matchExpressions:\n    - key: a\n      operator: Bogus\n  template:\n    metadata:\n      labels:\n        a: b\n    spec:\n      containers:\n      - name: c\n        image: nginx\n",
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: l\nspec:\n  limits:\n  - type: Container\n    maxLimitRequestRatio:\n      cpu: \"0\"\n",
    ] {
        shell.cluster_mut().apply(manifest);
    }
    shell.cluster_mut().step(120_000);
    assert!(shell.run("kubectl get all -A", &engine::NoFiles).stdout.contains("coredns"));
}

#[test]
fn contexts_switch_between_clusters_that_share_one_clock() {
    let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
    shell.add_cluster("prod", Cluster::new("default", 2).expect("preset"));
    let files = engine::NoFiles;
    let contexts = shell.run("kubectl config get-contexts -o name", &files).stdout;
    assert_eq!(contexts, "kubernetes-admin@kubernetes\nprod-admin@prod\n");
    assert_eq!(
        shell.run("kubectl config use-context prod-admin@prod", &files).stdout,
        "Switched to context \"prod-admin@prod\".\n"
    );
    assert_eq!(shell.run("kubectl create deployment web --image=nginx", &files).exit_code, 0);
    shell.run("sleep 30", &files);
    let here = shell.run("kubectl get deploy web --no-headers", &files).stdout;
    assert!(here.starts_with("web   1/1"), "{here}");
    // The other cluster never saw it, and its clock moved on as well.
    let there = shell.run("kubectl --context=kubernetes-admin@kubernetes get deploy web", &files);
    assert_eq!(there.stderr, "Error from server (NotFound): deployments.apps \"web\" not found\n");
    let nodes = shell.run("kubectl --context=kubernetes-admin@kubernetes get nodes --no-headers", &files).stdout;
    assert!(nodes.lines().all(|l| l.contains("Ready")), "{nodes}");
    assert_eq!(shell.cluster().now(), {
        shell.run("kubectl config use-context kubernetes-admin@kubernetes", &files);
        shell.cluster().now()
    });
}

#[test]
fn tab_completes_commands_flags_kinds_and_names() {
    let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
    let files = engine::NoFiles;
    shell.run("kubectl create deployment web --image=nginx", &files);
    shell.run("kubectl create deployment worker --image=busybox", &files);
    shell.run("alias kgp='kubectl get pods'", &files);
    shell.run("kubectl run solo --image=nginx", &files);
    let complete = |line: &str| shell.complete(line).candidates;
    assert_eq!(complete("kub"), ["kubectl"]);
    assert_eq!(complete("kubectl ro"), ["rollout"]);
    assert_eq!(complete("kubectl rollout st"), ["status"]);
    assert_eq!(complete("kubectl get dep"), ["deployments"]);
    assert_eq!(complete("kubectl get deploy w"), ["web", "worker"]);
    assert_eq!(complete("k describe deployments.apps we"), ["web"]);
    assert_eq!(complete("kubectl get deploy/wo"), ["deploy/worker"]);
    assert_eq!(complete("kubectl get pods -n kube-system core").len(), 2);
    assert_eq!(complete("kubectl get pods --all-n"), ["--all-namespaces"]);
    assert_eq!(complete("kubectl scale deploy web --rep"), ["--replicas"]);
    assert_eq!(complete("kubectl cordon w"), ["w1-k8s", "w2-k8s", "w3-k8s"]);
    assert_eq!(complete("kubectl get nodes | gr"), ["grep"]);
    assert_eq!(complete("kubectl version --cl"), ["--client"]);
    assert!(complete("echo hel").is_empty());
    assert_eq!(shell.complete("kubectl get deploy wor").start, 19);
    // A flag's value is not the resource type, and is itself completed.
    assert_eq!(complete("kubectl get -o wide deploy w"), ["web", "worker"]);
    assert_eq!(complete("kubectl get pods -n kube-"), ["kube-node-lease", "kube-public", "kube-system"]);
    assert_eq!(complete("kubectl get pods -o y"), ["yaml"]);
    // Commands that take a pod offer pods; after `--` comes the container's command.
    assert_eq!(complete("kubectl logs so"), ["solo"]);
    assert_eq!(complete("kubectl exec -it so"), ["solo"]);
    assert_eq!(complete("kubectl logs solo -c s"), ["solo"]);
    assert!(complete("kubectl exec solo -- so").is_empty());
    assert_eq!(complete("kubectl top n"), ["node"]);
    assert_eq!(complete("kubectl top node w3"), ["w3-k8s"]);
    assert_eq!(complete("kubectl explain deploy"), ["deployments"]);
    assert_eq!(complete("kubectl cp so"), ["solo:"]);
    assert!(complete("kubectl explain pods so").is_empty());
    assert_eq!(complete("node r"), ["remove"]);
    assert_eq!(complete("node remove w"), ["w1-k8s", "w2-k8s", "w3-k8s"]);
    assert_eq!(complete("node add w4-k8s --c"), ["--cpu"]);
}

#[test]
fn exec_it_opens_a_shell_with_the_containers_prompt_until_exit() {
    let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
    let files = engine::NoFiles;
    shell.run("kubectl run web --image=nginx", &files);
    shell.run("kubectl run box --image=busybox -- sleep 3600", &files);
    shell.run("sleep 20", &files);
    assert_eq!(shell.prompt(), "root@m-k8s:~# ");
    assert_eq!(shell.run("kubectl exec -it web -- bash", &files).exit_code, 0);
    assert_eq!(shell.prompt(), "root@web:/# ");
    assert_eq!(shell.run("hostname", &files).stdout, "web\n");
    assert_eq!(shell.run("kubectl get pods", &files).stderr, "bash: kubectl: command not found\n");
    shell.run("exit", &files);
    assert_eq!(shell.prompt(), "root@m-k8s:~# ");
    shell.run("kubectl exec -ti box -- sh", &files);
    assert_eq!(shell.prompt(), "/ # ");
    shell.run("exit", &files);
    // Without a terminal the shell reads nothing and ends at once.
    assert_eq!(shell.run("kubectl exec box -- sh", &files).exit_code, 0);
    assert_eq!(shell.prompt(), "root@m-k8s:~# ");
}

#[test]
fn kubectl_edit_opens_the_editor_and_saves_what_it_returns() {
    let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
    let files = engine::NoFiles;
    shell.run("kubectl create deployment web --image=nginx", &files);
    // Without an editor the object is expected on standard input.
    assert!(shell.run("kubectl edit deploy web", &files).stderr.contains("pipe the edited object in"));
    shell.attach_editor();
    let out = shell.run("kubectl edit deploy web", &files);
    assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", ""));
    let text = shell.editing().map(String::from).unwrap_or_default();
    assert!(
        text.starts_with("# ") && text.contains("kind: Deployment\n") && text.contains("  replicas: 1\n"),
        "{text}"
    );
    let saved = shell.finish_edit(Some(&text.replace("  replicas: 1\n", "  replicas: 3\n")), &files);
    assert_eq!(saved.stdout, "deployment.apps/web edited\n");
    assert!(shell.editing().is_none());
    let replicas = shell.run("kubectl get deploy web -o jsonpath={.spec.replicas}", &files);
    assert_eq!(replicas.stdout, "3");
    shell.run("kubectl edit deploy web", &files);
    assert_eq!(shell.finish_edit(None, &files).stdout, "Edit cancelled, no changes made.\n");
    assert!(shell.run("kubectl edit deploy nope", &files).stderr.contains("not found"));
    assert!(shell.editing().is_none());
}

#[test]
fn a_rejected_endpoints_object_changes_nothing() {
    let mut cluster = Cluster::new("default", 1).expect("preset");
    let before = cluster.version();
    let out = cluster.apply(
        "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\nsubsets:\n- addresses:\n  - ip: 127.0.0.1\n  ports:\n  - port: 0\n",
    );
    assert_eq!(
        out.stderr,
        "The Endpoints \"db\" is invalid: \n* subsets[0].addresses[0].ip: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)\n* subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n\n"
    );
    let out = cluster.apply("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: db-1\naddressType: IPv5\nendpoints: []\n");
    assert_eq!(out.exit_code, 1, "{}", out.stderr);
    assert_eq!(cluster.version(), before);
}
