//! The Objects picture's model: ownership as kubectl shows it, status
//! cells from `kubectl get`'s printers, the YAML `kubectl get -o yaml`
//! prints, the name filter.

use engine::{Cluster, ObjectTree, TreeEntry};

fn cluster_with_workloads() -> Cluster {
    let mut cluster = Cluster::new("default", 3).expect("preset");
    for line in [
        "kubectl create deployment web --image=nginx --replicas=2",
        "kubectl create cronjob tick --image=busybox --schedule='*/1 * * * *' -- date",
        "kubectl run solo --image=nginx",
        "kubectl create configmap settings --from-literal=a=1",
        "kubectl expose deployment web --port=80",
        "kubectl create namespace empty",
    ] {
        let out = cluster.kubectl(line);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    }
    cluster.step(90_000);
    cluster
}

fn find<'a>(entries: &'a [TreeEntry], kind: &str, prefix: &str) -> Option<&'a TreeEntry> {
    entries.iter().find(|e| e.kind == kind && e.name.starts_with(prefix))
}

fn namespace<'a>(tree: &'a ObjectTree, name: &str) -> &'a engine::NamespaceBranch {
    tree.namespaces.iter().find(|n| n.name == name).expect("namespace listed")
}

fn cell<'a>(entry: &'a TreeEntry, header: &str) -> &'a str {
    entry.status.iter().find(|(h, _)| h == header).map(|(_, c)| c.as_str()).unwrap_or("")
}

#[test]
fn workloads_nest_as_kubectl_shows_ownership() {
    let cluster = cluster_with_workloads();
    let tree = cluster.object_tree();
    let default = namespace(&tree, "default");
    assert_eq!(default.status, "Active");
    let deployment = find(&default.workloads, "Deployment", "web").expect("deployment is a root");
    assert_eq!(cell(deployment, "READY"), "2/2");
    assert_eq!(deployment.children.len(), 1, "{deployment:?}");
    let rs = &deployment.children[0];
    assert_eq!(rs.kind, "ReplicaSet");
    assert!(rs.name.starts_with("web-"));
    assert_eq!(rs.status[0], ("DESIRED".to_string(), "2".to_string()));
    assert_eq!(rs.children.len(), 2);
    for pod in &rs.children {
        assert_eq!(pod.kind, "Pod");
        assert!(pod.name.starts_with(&rs.name));
        assert_eq!(cell(pod, "READY"), "1/1");
        assert_eq!(cell(pod, "STATUS"), "Running");
    }
    // Owned objects never show again as roots.
    assert!(find(&default.workloads, "ReplicaSet", "web").is_none());
    assert!(find(&default.workloads, "Pod", "web").is_none());
    // A bare pod is a root of its own.
    let solo = find(&default.workloads, "Pod", "solo").expect("bare pod");
    assert!(solo.children.is_empty());
    // CronJob → Job → Pod once the schedule has fired.
    let cron = find(&default.workloads, "CronJob", "tick").expect("cronjob");
    let job = cron.children.first().expect("a job ran");
    assert_eq!(job.kind, "Job");
    assert_eq!(job.children.first().map(|p| p.kind.as_str()), Some("Pod"));
    // The other kinds sit in groups, in api-resources order.
    let kinds: Vec<&str> = default.groups.iter().map(|g| g.kind.as_str()).collect();
    let at = |k: &str| kinds.iter().position(|x| *x == k).unwrap_or_else(|| panic!("{k} in {kinds:?}"));
    assert!(at("ConfigMap") < at("Service"));
    let services = &default.groups[at("Service")].entries;
    let web = services.iter().find(|s| s.name == "web").expect("service");
    assert_eq!(cell(web, "TYPE"), "ClusterIP");
    assert!(!kinds.contains(&"Event"));
    let grouped: usize = default.groups.iter().map(|g| g.entries.len()).sum();
    assert_eq!(default.size, default.workloads.iter().map(TreeEntry::size).sum::<usize>() + grouped);
    assert_eq!(deployment.size(), 4);
    // An empty namespace is still listed; cluster-scoped kinds on their own.
    assert!(namespace(&tree, "empty").workloads.is_empty());
    let cluster_kinds: Vec<&str> = tree.cluster.iter().map(|g| g.kind.as_str()).collect();
    assert!(cluster_kinds.contains(&"Node") && cluster_kinds.contains(&"Namespace"), "{cluster_kinds:?}");
    let node = &tree.cluster.iter().find(|g| g.kind == "Node").expect("nodes").entries[0];
    assert_eq!(cell(node, "STATUS"), "Ready");
    assert!(tree.namespaces.iter().all(|n| n.workloads.iter().all(|w| w.namespace == n.name)));
}

#[test]
fn status_cells_are_kubectl_gets_own() {
    let mut cluster = cluster_with_workloads();
    let tree = cluster.object_tree();
    let default = namespace(&tree, "default");
    let solo = find(&default.workloads, "Pod", "solo").expect("bare pod");
    let printed = cluster.kubectl("get pod solo").stdout;
    let row = printed.lines().nth(1).expect("a row");
    let cells: Vec<&str> = row.split_whitespace().collect();
    let ours: Vec<&str> = solo.status.iter().map(|(_, c)| c.as_str()).collect();
    assert_eq!(&cells[1..4], &ours[..], "{printed}");
    let headers: Vec<&str> = solo.status.iter().map(|(h, _)| h.as_str()).collect();
    assert_eq!(headers, ["READY", "STATUS", "RESTARTS"]);
}

#[test]
fn yaml_is_what_kubectl_get_o_yaml_prints() {
    let mut cluster = cluster_with_workloads();
    let pod = cluster.kubectl("get pods -l app=web -o name").stdout;
    let pod = pod.lines().next().expect("a web pod").trim_start_matches("pod/").to_string();
    let version = cluster.version();
    let cases = [
        ("Pod", "default", pod.as_str(), format!("get pod {pod} -n default -o yaml")),
        ("Deployment", "default", "web", "get deployment web -n default -o yaml".to_string()),
        ("ConfigMap", "default", "settings", "get configmap settings -o yaml".to_string()),
        // A cluster-scoped object ignores the namespace it is given.
        ("Namespace", "default", "empty", "get namespace empty -o yaml".to_string()),
    ];
    for (kind, ns, name, line) in cases {
        let ours = cluster.object_yaml(kind, ns, name).unwrap_or_else(|| panic!("{kind} {name}"));
        let kubectl = cluster.kubectl(&format!("kubectl {line}"));
        assert_eq!(kubectl.exit_code, 0, "{line}");
        assert_eq!(ours, kubectl.stdout, "{line}");
    }
    let yaml = cluster.object_yaml("Pod", "default", &pod).unwrap_or_default();
    assert!(yaml.contains("kind: Pod\n") && yaml.contains(&format!("  name: {pod}\n")));
    assert_eq!(cluster.object_yaml("Pod", "default", "gone"), None);
    assert_eq!(cluster.object_yaml("NoSuchKind", "default", "web"), None);
    // Reading changes nothing.
    assert_eq!(cluster.version(), version);
}

#[test]
fn filter_keeps_matches_and_the_way_to_them() {
    let cluster = cluster_with_workloads();
    let tree = cluster.object_tree();
    let names = |t: &ObjectTree| -> Vec<String> {
        fn walk(e: &TreeEntry, out: &mut Vec<String>) {
            out.push(format!("{}/{}", e.kind, e.name));
            e.children.iter().for_each(|c| walk(c, out));
        }
        let mut out = Vec::new();
        for ns in &t.namespaces {
            ns.workloads.iter().for_each(|e| walk(e, &mut out));
            ns.groups.iter().flat_map(|g| &g.entries).for_each(|e| walk(e, &mut out));
        }
        t.cluster.iter().flat_map(|g| &g.entries).for_each(|e| walk(e, &mut out));
        out
    };
    let pod = names(&tree).into_iter().find(|n| n.starts_with("Pod/web-")).expect("a web pod");
    let pod_name = pod.trim_start_matches("Pod/").to_string();
    let only = tree.filtered(&pod_name.to_uppercase());
    let kept = names(&only);
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept[0].starts_with("Deployment/web") && kept[1].starts_with("ReplicaSet/web-") && kept[2] == pod);
    assert_eq!(only.namespaces.len(), 1);
    assert_eq!(only.size(), 3);
    // An owner that matches keeps all it owns.
    let web = tree.filtered("web");
    assert!(names(&web).iter().filter(|n| n.starts_with("Pod/web-")).count() == 2);
    assert!(names(&web).contains(&"Service/web".to_string()));
    // A namespace's own name keeps everything in it.
    assert_eq!(tree.filtered("kube-system").namespaces[0].size, namespace(&tree, "kube-system").size);
    assert!(tree.filtered("no-such-thing").size() == 0);
    assert_eq!(tree.filtered("  ").size(), tree.size());
}
