//! `promtool query` against real promtool 2.42: `golden/promtool/cases.tsv`
//! (tab-separated arguments, `URL` for the server) was run by
//! `golden/regen-promtool.sh` against a real Prometheus holding
//! `fixture.om`, and `expected.txt` holds what promtool printed. Ours runs
//! the same arguments over the same samples and must print the same bytes.

use engine::promql::{Labels, Storage, METRIC_NAME};
use engine::promtool;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/promtool");

/// The fixture's OpenMetrics lines (`name{a="b",…} value seconds`) as a
/// store; comments and `# EOF` are skipped.
fn fixture() -> Storage {
    let text = std::fs::read_to_string(format!("{DIR}/fixture.om")).unwrap_or_default();
    let mut storage = Storage::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (series, rest) = match line.find('}') {
            Some(i) => (&line[..=i], line[i + 1..].trim()),
            None => line.split_once(' ').unwrap_or((line, "")),
        };
        let mut labels = Labels::new();
        let (name, body) = series.split_once('{').unwrap_or((series, ""));
        labels.insert(METRIC_NAME.to_string(), name.to_string());
        for pair in body.trim_end_matches('}').split("\",").filter(|p| !p.is_empty()) {
            if let Some((k, v)) = pair.split_once("=\"") {
                labels.insert(k.to_string(), v.trim_end_matches('"').to_string());
            }
        }
        let mut parts = rest.split_whitespace();
        let value: f64 = parts.next().and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
        let secs: f64 = parts.next().and_then(|t| t.parse().ok()).unwrap_or(0.0);
        storage.append(&labels, (secs * 1000.0).round() as i64, value);
    }
    storage
}

#[test]
fn promtool_query_prints_what_promtool_prints() {
    let storage = fixture();
    let expected = std::fs::read_to_string(format!("{DIR}/expected.txt")).unwrap_or_default();
    assert!(!expected.is_empty(), "tests/golden/promtool/expected.txt is missing: run regen-promtool.sh");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut blocks: Vec<(String, Vec<&str>)> = Vec::new();
    for line in expected.lines() {
        match (line.strip_prefix("$ "), blocks.last_mut()) {
            (Some(head), _) => blocks.push((head.to_string(), Vec::new())),
            (None, Some((_, body))) => body.push(line),
            (None, None) => {}
        }
    }
    for (head, body) in blocks {
        let args: Vec<String> = head.split('\t').map(String::from).collect();
        let (mut stdout, mut stderr, mut code) = (String::new(), String::new(), -1);
        for line in body {
            if let Some(c) = line.strip_prefix("? ") {
                code = c.parse().unwrap_or(-1);
            } else if let Some(e) = line.strip_prefix("! ") {
                stderr.push_str(e);
                stderr.push('\n');
            } else {
                stdout.push_str(line);
                stdout.push('\n');
            }
        }
        let run_args: Vec<String> =
            args.iter().map(|a| if a == "URL" { "http://prometheus:9090".to_string() } else { a.clone() }).collect();
        let out = promtool::run(
            &run_args,
            |url| match url {
                "http://prometheus:9090" => Ok(&storage),
                u if u.starts_with("http://127.0.0.1:1") => {
                    Err("dial tcp 127.0.0.1:1: connect: connection refused".into())
                }
                u => Err(format!("no server at {u} in this test")),
            },
            0,
        );
        cases += 1;
        if (out.stdout.as_str(), out.stderr.as_str(), out.code) != (stdout.as_str(), stderr.as_str(), code) {
            failures.push(format!(
                "promtool {}\n--- promtool 2.42 (exit {code})\n{stdout}{stderr}--- ours (exit {})\n{}{}",
                args.join(" "),
                out.code,
                out.stdout,
                out.stderr
            ));
        }
    }
    println!("{cases} promtool cases, {} differ", failures.len());
    assert!(failures.is_empty(), "{} of {cases} differ:\n{}", failures.len(), failures.join("\n"));
}
