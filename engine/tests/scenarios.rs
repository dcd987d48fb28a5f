//! Scenario tests kept as data: each `scenarios/*.scn` file is a terminal
//! session, commands after `$ `, then what they print (stderr lines after
//! `! `, a non-zero exit status as `? N`). Run with `UPDATE_SCENARIOS=1` to
//! rewrite the files from what the engine prints now, then review the diff.
//!
//! `-f` paths are read from `scenarios/files/`; what a scenario writes
//! (`kubectl cp`) stays in memory, seen only by that scenario.
//!
//! A scenario runs against the `default` preset, or the one a leading
//! comment line `# preset NAME` names; `# cluster NAME from PRESET` adds
//! another cluster beside it, reached with `--context NAME-admin@NAME` or
//! `kubectl config use-context`.

use engine::{Cluster, Output, Shell};
use std::path::{Path, PathBuf};

#[path = "common/dir.rs"]
mod dir;
use dir::Dir;

fn render(out: &Output) -> String {
    let mut text = out.stdout.clone();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str("\n[no newline at end of stdout]\n");
    }
    for line in out.stderr.split_inclusive('\n') {
        text.push_str("! ");
        text.push_str(line.strip_suffix('\n').unwrap_or(line));
        text.push('\n');
    }
    if !out.stderr.is_empty() && !out.stderr.ends_with('\n') {
        text.push_str("[no newline at end of stderr]\n");
    }
    if out.exit_code != 0 {
        text.push_str(&format!("? {}\n", out.exit_code));
    }
    text
}

/// Replays a scenario and returns the file as it should read.
fn replay(text: &str, files: &Dir) -> String {
    // The header is read before the first cluster is built, which it may name.
    let preset = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# preset "))
        .map_or("default", str::trim);
    let mut shell = Shell::new(Cluster::new(preset, 1).expect("a bundled preset"));
    let mut expected = String::new();
    let mut started = false;
    for line in text.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            started = true;
            expected.push_str(line);
            expected.push('\n');
            expected.push_str(&render(&shell.run(command, files)));
        } else if !started && line.starts_with('#') {
            // Leading comment lines describe the scenario.
            if let Some((name, preset)) = line.strip_prefix("# cluster ").and_then(|rest| rest.split_once(" from ")) {
                let cluster = Cluster::new(preset.trim(), 1).expect("a bundled preset");
                shell.add_cluster(name.trim(), cluster);
            }
            expected.push_str(line);
            expected.push('\n');
        }
    }
    expected
}

#[test]
fn scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let update = std::env::var_os("UPDATE_SCENARIOS").is_some();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenario folder")
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "scn"))
        // `SCENARIO=name` replays only that one while working on it.
        .filter(|p| std::env::var("SCENARIO").map_or(true, |only| p.file_stem().is_some_and(|s| *s == *only)))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no scenarios found in {}", dir.display());
    let mut failures = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).expect("readable scenario");
        let actual = replay(&text, &Dir::new(dir.join("files")));
        if actual != text {
            if update {
                std::fs::write(path, &actual).expect("writable scenario");
            } else {
                failures.push(format!("{}:\n{}", path.display(), first_difference(&text, &actual)));
            }
        }
    }
    println!("{} scenarios replayed", paths.len());
    assert!(failures.is_empty(), "scenarios differ (UPDATE_SCENARIOS=1 rewrites them):\n{}", failures.join("\n"));
}

fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    let i = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let context = |lines: &[&str]| lines[i.saturating_sub(2)..(i + 3).min(lines.len())].join("\n");
    format!("line {}\n--- expected\n{}\n--- actual\n{}", i + 1, context(&e), context(&a))
}
