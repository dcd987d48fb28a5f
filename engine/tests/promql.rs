//! Prometheus's own PromQL tests, run as data: the `promqltest` files in
//! `tests/promql/` (taken from prometheus/prometheus, Apache-2.0) are read
//! with their `load`/`clear`/`eval` commands and every evaluation not on
//! the skip list below must give Prometheus's answer. Two files are ours, in
//! the same format: `notes.test` (the course notes' queries) and
//! `promtool.test`, both with answers taken from real promtool.

mod common;

use common::series::{duration, expand, number, series_desc};
use engine::promql::{self, Labels, Storage, Value, METRIC_NAME};
use std::collections::HashSet;
use std::fmt::Write as _;

/// Evaluations we do not run, with why. Matched on the file and the query
/// text exactly as written there. Besides these, every evaluation that
/// touches native histograms is skipped (see `touches_native`): they are
/// out of scope, and series with native-histogram samples are not loaded.
const SKIPPED: &[(&str, &str, &str)] = &[
    (
        "functions.test",
        r#"label_replace(testmetric, "\xff", "", "src", "(.*)")"#,
        "Go keeps the invalid UTF-8 byte \\xff and rejects the label name; promql-parser's unquoting yields the valid character U+00FF, so the query cannot fail as Go's does",
    ),
    (
        "functions.test",
        r#"count_over_time({__name__=~"data(_histogram|_sparse|_empty)?"}[2m])"#,
        "native histograms: the regex selects series with native-histogram samples, which the name-based check cannot see",
    ),
];

/// Functions that only make sense on native histograms.
const NATIVE_ONLY: &[&str] = &[
    "histogram_count",
    "histogram_sum",
    "histogram_avg",
    "histogram_fraction",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_quantiles",
];

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<String>,
    skipped_native: usize,
    /// Skipped native-histogram cases that happen to give the expected
    /// answer anyway (reported, never counted as passes).
    native_agree: usize,
    skipped_listed: usize,
}

#[test]
fn prometheus_promqltest_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/promql");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/promql exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    let mut report = String::new();
    let mut failures = Vec::new();
    let (mut total_pass, mut total_native, mut total_listed) = (0, 0, 0);
    for path in files {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = std::fs::read_to_string(&path).expect("readable test file");
        let tally = run_file(&name, &text);
        let _ = writeln!(
            report,
            "{name}: {} passed, {} failed, {} skipped (native histograms; {} of them agree anyway), {} skipped (listed)",
            tally.passed,
            tally.failed.len(),
            tally.skipped_native,
            tally.native_agree,
            tally.skipped_listed
        );
        total_pass += tally.passed;
        total_native += tally.skipped_native;
        total_listed += tally.skipped_listed;
        failures.extend(tally.failed.into_iter().map(|f| format!("{name}:{f}")));
    }
    let _ = writeln!(
        report,
        "total: {total_pass} passed, {} failed, {total_native} skipped (native histograms), {total_listed} skipped (listed)",
        failures.len()
    );
    println!("{report}");
    assert!(failures.is_empty(), "{report}\n{}", failures.join("\n\n"));
}

struct Eval {
    line: usize,
    query: String,
    kind: EvalKind,
    expect_fail: Option<Option<String>>,
    ordered: bool,
    expected: Vec<String>,
}

enum EvalKind {
    Instant(i64),
    Range { start: i64, end: i64, step: i64 },
}

fn run_file(file: &str, text: &str) -> Tally {
    let lines: Vec<&str> = text.lines().collect();
    let mut storage = Storage::new();
    let mut native: HashSet<String> = HashSet::new();
    let mut tally = Tally::default();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_end();
        let trimmed = line.trim();
        i += 1;
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed == "clear" {
            storage.clear();
            native.clear();
            continue;
        }
        let body: Vec<(usize, &str)> = block(&lines, &mut i);
        if let Some(interval) = trimmed.strip_prefix("load_with_nhcb ").or_else(|| trimmed.strip_prefix("load ")) {
            let interval = duration(interval.trim()).expect("load interval");
            for (_, l) in &body {
                load_line(&mut storage, &mut native, l, interval, trimmed.starts_with("load_with_nhcb"));
            }
            continue;
        }
        let Some(eval) = parse_eval(i - body.len(), trimmed, &body) else {
            tally.failed.push(format!("{}: unreadable command {trimmed}", i - body.len()));
            continue;
        };
        if SKIPPED.iter().any(|(f, q, _)| *f == file && *q == eval.query) {
            tally.skipped_listed += 1;
            continue;
        }
        if touches_native(&eval, &native) {
            tally.skipped_native += 1;
            if std::env::var("PROMQL_SHOW_NATIVE").is_ok() {
                println!("native skip {file}:{} {}", eval.line, eval.query);
            }
            tally.native_agree += usize::from(check(&storage, &eval).is_ok());
            continue;
        }
        match check(&storage, &eval) {
            Ok(()) => tally.passed += 1,
            Err(e) => tally.failed.push(format!("{}: {}\n  {e}", eval.line, eval.query)),
        }
    }
    tally
}

/// The indented lines under a command.
fn block<'a>(lines: &[&'a str], i: &mut usize) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    while *i < lines.len() {
        let l = lines[*i];
        if l.trim().is_empty() || !l.starts_with([' ', '\t']) {
            break;
        }
        if !l.trim().starts_with('#') {
            out.push((*i + 1, l.trim()));
        }
        *i += 1;
    }
    out
}

fn touches_native(eval: &Eval, native: &HashSet<String>) -> bool {
    if eval.expected.iter().any(|l| l.contains("{{")) {
        return true;
    }
    identifiers(&eval.query).iter().any(|id| native.contains(id) || NATIVE_ONLY.contains(&id.as_str()))
}

fn identifiers(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for c in q.chars() {
        if let Some(qc) = quote {
            if c == qc {
                quote = None;
            }
            cur.push(c);
            continue;
        }
        if c == '"' || c == '\'' || c == '`' {
            quote = Some(c);
        }
        if c.is_ascii_alphanumeric() || c == '_' || c == ':' {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    // A name in a regex or string matcher counts too.
    for part in q.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')) {
        if !part.is_empty() {
            out.push(part.to_string());
        }
    }
    out
}

fn load_line(storage: &mut Storage, native: &mut HashSet<String>, line: &str, interval: i64, nhcb: bool) {
    let (labels, rest) = series_desc(line).expect("series description");
    let name = labels.get(METRIC_NAME).cloned().unwrap_or_default();
    if rest.contains("{{") {
        native.insert(name);
        return;
    }
    if nhcb {
        // The native series such a block also makes has the bucket
        // series' base name.
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = name.strip_suffix(suffix) {
                native.insert(base.to_string());
            }
        }
    }
    for (k, v) in expand(rest).expect("series values").into_iter().enumerate() {
        if let Some(v) = v {
            storage.append(&labels, k as i64 * interval, v);
        }
    }
}

fn parse_eval(line: usize, cmd: &str, body: &[(usize, &str)]) -> Option<Eval> {
    let (head, expect_fail_cmd, ordered_cmd) = if let Some(r) = cmd.strip_prefix("eval_fail ") {
        (r, true, false)
    } else if let Some(r) = cmd.strip_prefix("eval_ordered ") {
        (r, false, true)
    } else {
        (cmd.strip_prefix("eval ")?, false, false)
    };
    let (kind, query) = if let Some(r) = head.strip_prefix("instant at ") {
        let (t, q) = r.split_once(' ')?;
        (EvalKind::Instant(duration(t)?), q)
    } else {
        let r = head.strip_prefix("range from ")?;
        let (start, r) = r.split_once(" to ")?;
        let (end, r) = r.split_once(" step ")?;
        let (step, q) = r.split_once(' ')?;
        (EvalKind::Range { start: duration(start)?, end: duration(end)?, step: duration(step)? }, q)
    };
    let mut eval = Eval {
        line,
        query: query.trim().to_string(),
        kind,
        expect_fail: expect_fail_cmd.then_some(None),
        ordered: ordered_cmd,
        expected: Vec::new(),
    };
    for (_, l) in body {
        if let Some(e) = l.strip_prefix("expect ") {
            let e = e.trim();
            if let Some(rest) = e.strip_prefix("fail") {
                let rest = rest.trim();
                let msg = rest.strip_prefix("msg:").map(|m| m.trim().to_string());
                let msg = msg.or_else(|| rest.strip_prefix("regex:").map(|m| format!("regex:{}", m.trim())));
                eval.expect_fail = Some(msg);
            } else if e == "ordered" {
                eval.ordered = true;
            } else if e.starts_with("string") || e.starts_with("range vector") {
                eval.expected.push(format!("expect {e}"));
            }
            // warn/info annotations are not produced by this engine.
        } else {
            eval.expected.push(l.to_string());
        }
    }
    Some(eval)
}

fn check(storage: &Storage, eval: &Eval) -> Result<(), String> {
    let result = match eval.kind {
        EvalKind::Instant(t) => promql::instant(storage, &eval.query, t),
        EvalKind::Range { start, end, step } => {
            promql::range(storage, &eval.query, start, end, step).map(Value::Matrix)
        }
    };
    match (&eval.expect_fail, result) {
        (Some(msg), Err(e)) => match msg {
            Some(m) if m.starts_with("regex:") => {
                let re = regex::Regex::new(&m["regex:".len()..]).map_err(|e| e.to_string())?;
                re.is_match(&e.0).then_some(()).ok_or(format!("error {e:?} does not match {m}"))
            }
            Some(m) if *m != e.0 => Err(format!("error {:?}, expected {m:?}", e.0)),
            _ => Ok(()),
        },
        (Some(_), Ok(v)) => Err(format!("expected an error, got {v}")),
        (None, Err(e)) => Err(format!("unexpected error: {e}")),
        (None, Ok(v)) => compare(eval, v),
    }
}

fn compare(eval: &Eval, v: Value) -> Result<(), String> {
    match v {
        Value::Scalar { v, .. } => {
            let [line] = eval.expected.as_slice() else {
                return Err(format!("got scalar {v}, expected {:?}", eval.expected));
            };
            let want = number(line).ok_or(format!("bad scalar {line}"))?;
            almost_equal(want, v).then_some(()).ok_or(format!("got {v}, want {want}"))
        }
        Value::String { s, .. } => {
            let want = eval
                .expected
                .first()
                .and_then(|l| l.strip_prefix("expect string"))
                .map(|s| s.trim().trim_matches(|c| c == '`' || c == '"').to_string());
            (want.as_deref() == Some(s.as_str())).then_some(()).ok_or(format!("got string {s:?}, want {want:?}"))
        }
        Value::Vector(samples) => {
            let want: Vec<(Labels, f64)> = eval
                .expected
                .iter()
                .map(|l| {
                    let (labels, rest) = series_desc(l).ok_or(format!("bad expected line {l}"))?;
                    Ok((labels, number(rest.trim()).ok_or(format!("bad value in {l}"))?))
                })
                .collect::<Result<_, String>>()?;
            let got: Vec<(Labels, f64)> = samples.into_iter().map(|s| (s.labels, s.v)).collect();
            same_vector(&want, &got, eval.ordered)
        }
        Value::Matrix(series) => {
            let (base, step) = match eval.kind {
                EvalKind::Range { start, step, .. } => (start, step),
                EvalKind::Instant(_) => {
                    let header = eval.expected.first().and_then(|l| l.strip_prefix("expect range vector from "));
                    let Some(h) = header else {
                        return Err("a range vector result needs `expect range vector`".into());
                    };
                    let (from, r) = h.split_once(" to ").ok_or("bad header")?;
                    let (_, step) = r.split_once(" step ").ok_or("bad header")?;
                    (duration(from).ok_or("bad from")?, duration(step).ok_or("bad step")?)
                }
            };
            let mut want: Vec<(Labels, Vec<(i64, f64)>)> = Vec::new();
            for l in eval.expected.iter().filter(|l| !l.starts_with("expect ")) {
                let (labels, rest) = series_desc(l).ok_or(format!("bad expected line {l}"))?;
                let values = expand(rest).ok_or(format!("bad values in {l}"))?;
                let points = values
                    .into_iter()
                    .enumerate()
                    .filter_map(|(k, v)| v.map(|v| (base + k as i64 * step, v)))
                    .collect();
                want.push((labels, points));
            }
            if want.len() != series.len() {
                return Err(format!("got {} series, want {}:\n{}", series.len(), want.len(), Value::Matrix(series)));
            }
            for (labels, points) in &want {
                let Some(g) = series.iter().find(|s| &s.labels == labels) else {
                    return Err(format!("missing series {labels:?}; got:\n{}", Value::Matrix(series)));
                };
                let same = g.points.len() == points.len()
                    && g.points.iter().zip(points).all(|(a, b)| a.0 == b.0 && almost_equal(b.1, a.1));
                if !same {
                    return Err(format!("series {labels:?}: got {:?}, want {points:?}", g.points));
                }
            }
            Ok(())
        }
    }
}

fn same_vector(want: &[(Labels, f64)], got: &[(Labels, f64)], ordered: bool) -> Result<(), String> {
    let show = |v: &[(Labels, f64)]| {
        v.iter().map(|(l, x)| format!("{} {x}", promql::format_labels(l))).collect::<Vec<_>>().join("; ")
    };
    if want.len() != got.len() {
        return Err(format!("got [{}], want [{}]", show(got), show(want)));
    }
    for (k, (labels, v)) in want.iter().enumerate() {
        let found =
            if ordered { (&got[k].0 == labels).then_some(&got[k]) } else { got.iter().find(|(l, _)| l == labels) };
        match found {
            Some((_, g)) if almost_equal(*v, *g) => {}
            _ => return Err(format!("got [{}], want [{}]", show(got), show(want))),
        }
    }
    Ok(())
}

/// Prometheus's test comparison: relative tolerance 1e-6, NaN equals NaN.
fn almost_equal(a: f64, b: f64) -> bool {
    const EPSILON: f64 = 1e-6;
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < f64::MIN_POSITIVE {
        return diff < EPSILON * f64::MIN_POSITIVE;
    }
    diff / abs_sum.min(f64::MAX) < EPSILON
}
