//! Looking back: the cluster replayed to an earlier time must be the one
//! the live session had at that time, whichever way the slider went.

use engine::journal::{Input, LessonAt};
use engine::lesson::library;
use engine::rewind::Rewind;
use engine::{Cluster, MemFiles, Shell};

const POD: &str =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n";

/// A scripted free-play session as the page would journal it (ticks of
/// 200 ms summed into one step per run of ticks).
fn session() -> Vec<Input> {
    use Input::*;
    vec![
        Run("kubectl create deployment web --image=nginx --replicas=3".into()),
        Step(2_400),
        Apply(POD.into()),
        Step(7_000),
        Run("kubectl scale deployment web --replicas=5".into()),
        Run("kubectl get pods".into()),
        Step(61_000),
        Run("kubectl run crash --image=busybox -- sh -c 'exit 1'".into()),
        Step(95_600),
        Run("kubectl delete pod demo".into()),
        Run("kubectl delete deployment web".into()),
        Step(15_200),
        Run("sleep 20".into()),
        Step(4_000),
    ]
}

/// What a learner sees of a cluster: pods, events, the map.
fn seen(shell: &Shell) -> String {
    let mut shell = shell.clone();
    let files = MemFiles::default();
    let pods = shell.run("kubectl get pods -A -o wide", &files);
    let events = shell.run("kubectl get events -A", &files);
    format!(
        "{:?}\n{}{}{}{}{:?}",
        shell.cluster().now(),
        pods.stdout,
        pods.stderr,
        events.stdout,
        events.stderr,
        shell.cluster().view()
    )
}

/// Plays the session live in the page's 200 ms ticks, recording what was
/// seen after every input and every tick: (when it began, what was seen
/// once it was done; a line such as `kubectl delete` or `sleep` lets time
/// pass while it runs).
fn live(journal: &[Input]) -> Vec<(i64, String)> {
    let mut shell = Shell::new(Cluster::new("default", 1).unwrap());
    shell.attach_editor();
    let files = MemFiles::default();
    let mut seen_at = vec![(shell.cluster().now().0, seen(&shell))];
    for input in journal {
        if let Input::Step(ms) = input {
            let mut left = *ms;
            while left > 0 {
                let dt = left.min(200);
                shell.step(dt);
                drop(shell.poll());
                left -= dt;
                seen_at.push((shell.cluster().now().0, seen(&shell)));
            }
            continue;
        }
        let began = shell.cluster().now().0;
        match input {
            Input::Run(line) => drop(shell.run(line, &files)),
            Input::Apply(manifest) => drop(shell.cluster_mut().apply(manifest)),
            other => panic!("the script has no {other:?}"),
        }
        seen_at.push((began, seen(&shell)));
    }
    seen_at
}

/// What the live session showed at a time: after the last input begun at
/// or before it.
fn at(recorded: &[(i64, String)], ms: i64) -> &str {
    &recorded.iter().rev().find(|(t, _)| *t <= ms).unwrap().1
}

#[test]
fn the_past_is_what_the_live_session_showed_then() {
    let journal = session();
    let recorded = live(&journal);
    let start = recorded[0].0;
    let end = recorded.last().unwrap().0;
    let mut rewind = Rewind::new("default", 1, None).unwrap();
    assert_eq!(rewind.start_ms(), start);
    // Forward, back, forward again, landing inside steps, on inputs and
    // on the page's ticks: the cache steps on or starts again, never drifts.
    let moments: Vec<i64> = recorded.iter().step_by(61).map(|(t, _)| t - start).collect();
    let back: Vec<i64> = moments.iter().rev().step_by(3).copied().collect();
    let offsets: Vec<i64> = [0, 2_400, 9_400, 166_000].into_iter().chain(moments).chain(back).collect();
    for offset in offsets.iter().copied() {
        let ms = start + offset;
        let past = seen(rewind.seek(&journal, ms));
        let live = at(&recorded, ms);
        let differs = past.lines().zip(live.lines()).find(|(a, b)| a != b);
        assert_eq!(differs, None, "at +{offset} ms");
        assert_eq!(past, live, "at +{offset} ms");
    }
    assert_eq!(seen(rewind.seek(&journal, end)), recorded.last().unwrap().1, "at now");
}

#[test]
fn a_deleted_pod_is_there_again_in_the_past() {
    let journal = session();
    let mut rewind = Rewind::new("default", 1, None).unwrap();
    let start = rewind.start_ms();
    let before = rewind.run("kubectl get pods").map(|_| ()).err();
    assert_eq!(before, None);
    rewind.seek(&journal, start + 100_000);
    let then = rewind.run("kubectl get pods").unwrap().stdout;
    assert!(then.contains("demo "), "{then}");
    assert!(then.contains("web-"), "{then}");
    rewind.seek(&journal, i64::MAX);
    let now = rewind.run("kubectl get pods").unwrap().stdout;
    assert!(!now.contains("demo "), "{now}");
    // Refused, and the past untouched.
    assert_eq!(rewind.run("kubectl delete pod crash").unwrap_err(), "kubectl delete pod crash");
    rewind.seek(&journal, start + 100_000);
    assert_eq!(rewind.run("kubectl delete pod demo").unwrap_err(), "kubectl delete pod demo");
    assert!(rewind.run("kubectl get pods").unwrap().stdout.contains("demo "));
}

#[test]
fn odd_times_and_journals_never_panic() {
    let journal = session();
    let mut rewind = Rewind::new("default", 1, None).unwrap();
    let start = rewind.start_ms();
    let fresh = seen(&Shell::new(Cluster::new("default", 1).unwrap()));
    for ms in [i64::MIN, -1, 0, start - 1] {
        assert_eq!(seen(rewind.seek(&journal, ms)), fresh, "before the start ({ms})");
    }
    let end = seen(rewind.seek(&journal, i64::MAX)).clone();
    assert_eq!(seen(rewind.seek(&journal, i64::MAX - 1)), end);
    // A shorter journal (a new session) or an empty one.
    rewind.seek(&journal[..3], start + 50_000);
    assert_eq!(rewind.shell().cluster().now().0, start + 2_400);
    rewind.seek(&[], i64::MAX);
    assert_eq!(seen(rewind.shell()), fresh);
    // Steps of nothing or less.
    rewind.seek(&[Input::Step(0), Input::Step(-5), Input::Step(1_000)], start + 500);
    assert_eq!(rewind.shell().cluster().now().0, start + 500);
}

#[test]
fn a_lesson_session_looks_back_from_the_step_it_opened() {
    let id = library::ids()[2].to_string();
    let at = LessonAt { id: id.clone(), step: 1 };
    let mut rewind = Rewind::new("", 0, Some(&at)).unwrap();
    let start = rewind.start_ms();
    let journal =
        vec![Input::Step(5_000), Input::Solve, Input::Step(30_000), Input::Next, Input::Step(10_000), Input::Solve];
    let pods = |rewind: &mut Rewind, ms| {
        rewind.seek(&journal, ms);
        rewind.run("kubectl get pods -A").unwrap().stdout
    };
    let late = pods(&mut rewind, i64::MAX);
    let early = pods(&mut rewind, start);
    let lesson = library::load(&id).unwrap();
    let files = library::folder(&id);
    let run = engine::lesson::LessonRun::at(lesson, 1, &files).unwrap();
    let mut opened = run.shell().clone();
    assert_eq!(early, opened.run("kubectl get pods -A", &files).stdout);
    assert_eq!(pods(&mut rewind, i64::MAX), late);
}

#[test]
fn checkpoints_make_going_back_cheap_and_change_nothing() {
    use engine::rewind::{CHECKPOINT_MS, MAX_CHECKPOINTS};
    // Forty minutes of work, the last step still growing as time runs.
    let mut journal = Vec::new();
    for i in 0..40 {
        journal.push(Input::Run(match i % 4 {
            0 => format!("kubectl create deployment w{i} --image=nginx --replicas=2"),
            1 => format!("kubectl scale deployment w{} --replicas=4", i - 1),
            2 => format!("kubectl delete deployment w{} --wait=false", i - 2),
            _ => "kubectl get pods".to_string(),
        }));
        journal.push(Input::Step(CHECKPOINT_MS));
    }
    let mut rewind = Rewind::new("default", 1, None).unwrap();
    let start = rewind.start_ms();
    let end = start + 40 * CHECKPOINT_MS;
    rewind.seek(&journal[..journal.len() - 1], i64::MAX);
    rewind.seek(&journal, end);
    let kept = rewind.checkpoints();
    assert!((MAX_CHECKPOINTS / 2..=MAX_CHECKPOINTS).contains(&kept), "{kept} checkpoints");
    // Going back lands on what a replay from the start gives.
    for minutes_ago in [1, 7, 22, 39] {
        let ms = end - minutes_ago * CHECKPOINT_MS - 30_000;
        let back = seen(rewind.seek(&journal, ms));
        let fresh = seen(Rewind::new("default", 1, None).unwrap().seek(&journal, ms));
        assert_eq!(back, fresh, "{minutes_ago} minutes ago");
    }
    assert_eq!(rewind.checkpoints(), kept, "replaying from a checkpoint keeps no copies twice");
    // A shorter (different) journal drops the checkpoints past its end.
    let short = &journal[..10];
    let back = seen(rewind.seek(short, end));
    assert_eq!(back, seen(Rewind::new("default", 1, None).unwrap().seek(short, end)));
}

#[test]
fn a_big_cluster_keeps_few_checkpoints() {
    use engine::rewind::CHECKPOINT_MS;
    // Five minutes on 5,000 nodes: a copy a minute would be five copies of
    // some 25,000 objects; the bound allows two.
    let journal = vec![Input::Run("kubectl get nodes --no-headers | wc -l".into()), Input::Step(5 * CHECKPOINT_MS)];
    let mut rewind = Rewind::new("large", 1, None).unwrap();
    let end = rewind.start_ms() + 5 * CHECKPOINT_MS;
    rewind.seek(&journal, end);
    assert_eq!(rewind.checkpoints(), 2);
    let back = seen(rewind.seek(&journal, end - 90_000));
    assert_eq!(back, seen(Rewind::new("large", 1, None).unwrap().seek(&journal, end - 90_000)));
}
