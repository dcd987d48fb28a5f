//! Pod lifecycle timelines as the app draws them: a crash loop, an init
//! container ahead of its app, a rolling update and a drain, each read back
//! as spans and marks on the simulated clock.

use engine::timeline::{ContainerState, PodTimeline, Span};
use engine::{Cluster, Owner, Time};

fn cluster() -> Cluster {
    Cluster::new("default", 7).expect("bundled preset")
}

/// A lane as short words: `W:ContainerCreating R T:Error(1) W:CrashLoopBackOff`.
fn words(spans: &[Span]) -> Vec<String> {
    spans
        .iter()
        .map(|s| match s.state {
            ContainerState::Waiting => format!("W:{}", s.reason),
            ContainerState::Running => "R".to_string(),
            ContainerState::Terminated => format!("T:{}({})", s.reason, s.exit_code.unwrap_or_default()),
        })
        .collect()
}

fn reasons(line: &PodTimeline) -> Vec<&str> {
    line.marks.iter().map(|m| m.reason.as_str()).collect()
}

/// Spans follow one another without gaps or overlaps, the last one open.
fn contiguous(spans: &[Span]) {
    for pair in spans.windows(2) {
        assert_eq!(pair[0].end, Some(pair[1].start), "{spans:?}");
        assert!(pair[0].start < pair[1].start, "{spans:?}");
    }
}

#[test]
fn a_crash_loop_alternates_running_ended_and_backing_off_with_restarts() {
    let mut c = cluster();
    c.kubectl("kubectl run crash --image=busybox:1.36 -- sh -c 'echo crashing; exit 1'");
    c.step(80_000);
    let line = c.pod_timeline("default", "crash").expect("recorded");
    assert_eq!(line.containers.len(), 1);
    let lane = &line.containers[0];
    assert_eq!(lane.name, "crash");
    assert!(!lane.init);
    assert_eq!(lane.restarts, 4, "as kubectl get pod says at 80s");
    contiguous(&lane.spans);
    let w = words(&lane.spans);
    assert_eq!(w[0], "W:ContainerCreating");
    // After the first start: ran, ended with exit code 1, backed off, again.
    let cycle = ["R", "T:Error(1)", "W:CrashLoopBackOff"];
    let runs = w.windows(3).filter(|win| *win == cycle).count();
    assert!(runs >= 4, "{w:?}");
    // The restart count on each span grows run by run.
    let counts: Vec<i32> =
        lane.spans.iter().filter(|s| s.state == ContainerState::Running).map(|s| s.restarts).collect();
    assert_eq!(counts, vec![0, 1, 2, 3, 4], "{w:?}");
    let marks = reasons(&line);
    assert_eq!(marks.iter().filter(|r| **r == "Restarted").count(), 4, "{marks:?}");
    assert!(marks.contains(&"BackOff"), "{marks:?}");
    assert_eq!(marks.first(), Some(&"Scheduled"), "{marks:?}");
    let phases: Vec<&str> = line.phases.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(phases, vec!["Pending", "Running"], "a crash loop stays in phase Running");
    // With no readiness probe the pod is Ready exactly while it runs: five
    // brief runs, five brief Ready spans.
    let ready = line.readiness.iter().filter(|s| s.reason == "Ready").count();
    assert_eq!(ready, 5, "{:?}", line.readiness);
    assert_eq!(line.readiness.last().map(|s| s.reason.as_str()), Some("NotReady"));
}

#[test]
fn an_init_container_runs_to_completion_before_the_app_starts() {
    let mut c = cluster();
    let out = c.apply(
        "apiVersion: v1
kind: Pod
metadata:
  name: warm
spec:
  initContainers:
  - name: setup
    image: busybox:1.36
    command: ['sh', '-c', 'sleep 5']
  containers:
  - name: web
    image: nginx:1.27
",
    );
    assert_eq!(out.stderr, "");
    c.step(30_000);
    let line = c.pod_timeline("default", "warm").expect("recorded");
    let names: Vec<(&str, bool)> = line.containers.iter().map(|l| (l.name.as_str(), l.init)).collect();
    assert_eq!(names, vec![("setup", true), ("web", false)]);
    let setup = &line.containers[0];
    let web = &line.containers[1];
    let setup_words = words(&setup.spans);
    assert_eq!(setup_words.last().map(String::as_str), Some("T:Completed(0)"), "{setup_words:?}");
    assert!(setup_words.contains(&"R".to_string()), "{setup_words:?}");
    let web_words = words(&web.spans);
    assert_eq!(web_words, vec!["W:PodInitializing", "R"], "{web_words:?}");
    let done = setup.spans.last().expect("spans").start;
    let up = web.spans.last().expect("spans").start;
    assert!(done <= up, "the app starts only once setup has completed: {done:?} {up:?}");
    assert!(up.since(setup.spans[0].start) >= 5_000, "setup slept 5s first");
    assert!(web.ready);
    let ready: Vec<&str> = line.readiness.iter().map(|s| s.reason.as_str()).collect();
    assert_eq!(ready, vec!["NotReady", "Ready"]);
}

fn deployment(image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: {image}
"
    )
}

#[test]
fn a_rolling_update_shows_old_pods_ending_as_new_ones_become_ready() {
    let mut c = cluster();
    c.apply(&deployment("nginx:1.26"));
    c.step(30_000);
    let updated = c.now();
    c.apply(&deployment("nginx:1.27"));
    c.step(60_000);
    let owner = Owner { kind: "Deployment".into(), name: "web".into() };
    let lines = c.workload_timeline("default", &owner, Time(0));
    assert_eq!(lines.len(), 6, "three old pods and three new: {:?}", lines.iter().map(|l| &l.name).collect::<Vec<_>>());
    let (old, new): (Vec<_>, Vec<_>) = lines.iter().partition(|l| l.created < updated);
    assert_eq!((old.len(), new.len()), (3, 3));
    for line in &old {
        let phases: Vec<&str> = line.phases.iter().map(|s| s.reason.as_str()).collect();
        assert!(phases.ends_with(&["Terminating"]) || phases.contains(&"Terminating"), "{phases:?}");
        assert!(line.deleted.is_some(), "{} still exists", line.name);
        assert!(reasons(line).contains(&"Killing"), "{:?}", reasons(line));
        // Every span of a deleted pod ends where it did.
        assert!(line.containers[0].spans.iter().all(|s| s.end.is_some()));
    }
    for line in &new {
        assert!(line.deleted.is_none());
        assert_eq!(line.readiness.last().map(|s| s.reason.as_str()), Some("Ready"));
    }
    // maxUnavailable 0: each old pod starts terminating only once a new one
    // is ready, so the k-th old pod ends after the k-th new one is ready.
    let mut ready_at: Vec<Time> = new.iter().map(|l| l.readiness.last().expect("ready").start).collect();
    let mut terminating_at: Vec<Time> =
        old.iter().map(|l| l.phases.iter().find(|s| s.reason == "Terminating").expect("terminating").start).collect();
    ready_at.sort();
    terminating_at.sort();
    for (ready, ending) in ready_at.iter().zip(&terminating_at) {
        assert!(ready <= ending, "ready {ready:?} before ending {ending:?}");
    }
    // Past the window: only the pods alive since then.
    let recent = c.workload_timeline("default", &owner, c.now());
    assert_eq!(recent.len(), 3);
}

#[test]
fn a_drain_reads_as_pods_evicted_from_one_node_and_started_on_others() {
    let mut c = cluster();
    c.apply(&deployment("nginx:1.27"));
    c.step(30_000);
    let owner = Owner { kind: "Deployment".into(), name: "web".into() };
    let before = c.workload_timeline("default", &owner, Time(0));
    let node = before[0].node.clone().expect("bound");
    let on_node = before.iter().filter(|l| l.node.as_deref() == Some(&node)).count();
    let out = c.kubectl(&format!("kubectl drain {node} --ignore-daemonsets --delete-emptydir-data"));
    assert!(out.stdout.contains("drained"), "{out:?}");
    c.step(30_000);
    let after = c.workload_timeline("default", &owner, Time(0));
    assert_eq!(after.len(), 3 + on_node);
    let gone: Vec<&PodTimeline> = after.iter().filter(|l| l.deleted.is_some()).collect();
    assert_eq!(gone.len(), on_node);
    assert!(gone.iter().all(|l| l.node.as_deref() == Some(node.as_str())));
    let alive: Vec<&PodTimeline> = after.iter().filter(|l| l.deleted.is_none()).collect();
    assert!(alive.iter().all(|l| l.node.as_deref() != Some(node.as_str())));
    assert!(alive.iter().all(|l| l.readiness.last().is_some_and(|s| s.reason == "Ready")));
}

#[test]
fn unknown_pods_have_no_timeline() {
    let c = cluster();
    assert!(c.pod_timeline("default", "nope").is_none());
    assert!(c.pod_timeline("", "").is_none());
    let owner = Owner { kind: "Deployment".into(), name: "nope".into() };
    assert!(c.workload_timeline("default", &owner, Time(0)).is_empty());
}
