//! Our kubectl against real kubectl v1.32, byte for byte: every line of
//! `golden/kubectl/cases.txt` was run through the real kubectl by
//! `golden/regen-kubectl.sh` into `golden/kubectl/expected.txt`; here each
//! runs through our terminal and must print the same.

use engine::{Cluster, MemFiles, Output, Shell};
use std::path::Path;

fn render(command: &str, out: &Output) -> String {
    let mut text = format!("$ kubectl {command}\n{}", out.stdout);
    for line in out.stderr.lines() {
        if line.is_empty() {
            text.push_str("!\n");
        } else {
            text.push_str(&format!("! {line}\n"));
        }
    }
    if out.exit_code != 0 {
        text.push_str(&format!("? {}\n", out.exit_code));
    }
    text
}

#[test]
fn matches_real_kubectl() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/kubectl");
    let cases = std::fs::read_to_string(dir.join("cases.txt")).expect("cases");
    let expected = std::fs::read_to_string(dir.join("expected.txt")).expect("expected output");
    let fixture = fixtures(&dir.join("files"));
    let expected = blocks(&expected);
    let mut failures = Vec::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
        // Each line starts from the fixtures again, as the script runs each
        // in a fresh copy of them.
        let files = fixture.clone();
        let out = shell.run(&format!("kubectl {line}"), &files);
        let actual = render(line, &out);
        match expected.get(count) {
            Some(e) if *e == actual => {}
            Some(e) => failures.push(format!("--- real kubectl\n{e}--- ours\n{actual}")),
            None => failures.push(format!("no golden for `{line}`: run golden/regen-kubectl.sh")),
        }
        count += 1;
    }
    assert_eq!(count, expected.len(), "cases.txt and expected.txt disagree: run golden/regen-kubectl.sh");
    assert!(failures.is_empty(), "{} of {count} differ:\n{}", failures.len(), failures.join("\n"));
    println!("{count} command lines match real kubectl byte for byte");
}

/// expected.txt cut into one block per command line.
fn blocks(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("$ kubectl ") || out.is_empty() {
            out.push(String::new());
        }
        if let Some(last) = out.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    out
}

/// The files each command line can read, as the regeneration script copies
/// them beside real kubectl.
fn fixtures(root: &Path) -> MemFiles {
    fn walk(root: &Path, dir: &Path, files: &MemFiles) {
        for entry in std::fs::read_dir(dir).expect("fixtures").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, files);
            } else if let (Ok(rel), Ok(text)) = (path.strip_prefix(root), std::fs::read_to_string(&path)) {
                files.insert(&rel.to_string_lossy(), &text);
            }
        }
    }
    let files = MemFiles::default();
    walk(root, root, &files);
    files
}
