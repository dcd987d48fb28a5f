//! The app saves a session as a journal (preset, seed and the ordered
//! inputs) and replays it on reload. That is only faithful if the engine
//! ends in the same state whether time passed in the page's small ticks,
//! with watches polled between them, or in one step per run of ticks.

use engine::{Cluster, MemFiles, Shell};

enum Input {
    Line(&'static str),
    Apply(&'static str),
    Step(i64),
}

const POD: &str =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n";

fn session() -> Vec<Input> {
    use Input::*;
    vec![
        Line("kubectl create deployment web --image=nginx --replicas=3"),
        Step(2_400),
        Line("kubectl get pods -w"),
        Apply(POD),
        Step(7_000),
        Line("kubectl scale deployment web --replicas=5"),
        Step(61_000),
        Line("kubectl run crash --image=busybox -- sh -c 'exit 1'"),
        Step(95_600),
        Line("kubectl delete pod demo"),
        Step(15_200),
    ]
}

/// Plays the inputs; `tick` is the largest step at a time (0 = whole).
fn play(inputs: &[Input], tick: i64) -> Shell {
    let mut shell = Shell::new(Cluster::new("default", 7).unwrap());
    let files = MemFiles::default();
    for input in inputs {
        match input {
            Input::Line(line) => drop(shell.run(line, &files)),
            Input::Apply(manifest) => drop(shell.cluster_mut().apply(manifest)),
            Input::Step(ms) if tick == 0 => shell.step(*ms),
            Input::Step(ms) => {
                let mut left = *ms;
                while left > 0 {
                    let dt = left.min(tick);
                    shell.step(dt);
                    drop(shell.poll());
                    left -= dt;
                }
            }
        }
    }
    shell
}

fn state(shell: &mut Shell) -> String {
    let out = shell.run("kubectl get all,events,endpointslices,leases -A -o yaml", &MemFiles::default());
    format!("{:?}\n{}{}", shell.cluster().now(), out.stdout, out.stderr)
}

#[test]
fn replaying_coalesced_steps_gives_the_state_the_ticks_gave() {
    let inputs = session();
    let mut live = play(&inputs, 200);
    let mut replayed = play(&inputs, 0);
    assert_eq!(live.cluster().view(), replayed.cluster().view());
    assert_eq!(live.cluster().events(), replayed.cluster().events());
    assert_eq!(state(&mut live), state(&mut replayed));
}
