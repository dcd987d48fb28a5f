//! Our kubectl against real kubectl v1.32, byte for byte: every line of
//! `golden/kubectl/cases.txt` was run through the real kubectl by
//! `golden/regen-kubectl.sh` into `golden/kubectl/expected.txt`; here each
//! runs through our terminal and must print the same.

use engine::{Cluster, NoFiles, Output, Shell};
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
    let mut actual = String::new();
    let mut count = 0;
    for line in cases.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
        let out = shell.run(&format!("kubectl {line}"), &NoFiles);
        actual.push_str(&render(line, &out));
        count += 1;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    if let Some(i) = (0..e.len().max(a.len())).find(|i| e.get(*i) != a.get(*i)) {
        let context = |lines: &[&str]| lines[i.saturating_sub(3)..(i + 3).min(lines.len())].join("\n");
        panic!("line {}\n--- real kubectl\n{}\n--- ours\n{}", i + 1, context(&e), context(&a));
    }
    println!("{count} command lines match real kubectl byte for byte");
}
