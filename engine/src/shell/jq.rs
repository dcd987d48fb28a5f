//! `jq`, through the jaq interpreter: filters over kubectl's JSON
//! (`.items[].metadata.name`, `select(.status.phase == "Running")`), with
//! jq's output layout and its `-r`, `-c`, `-s`, `-n`, `-e` options.

use crate::cluster::Output;
use hifijson::token::Lex;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, RcIter};
use jaq_json::Val;

/// Natives left out: they would end the process, read the clock or the
/// local time zone, none of which a browser tab can do safely.
const UNSAFE: [&str; 6] = ["halt", "halt_error", "now", "localtime", "strflocaltime", "input_filename"];

/// The most output one jq run may print.
const MAX_OUTPUT: usize = 1 << 20;

#[derive(Default)]
struct Options {
    raw: bool,
    compact: bool,
    slurp: bool,
    null_input: bool,
    exit_status: bool,
    tab: bool,
}

pub fn run(args: &[String], input: &str) -> Output {
    let mut o = Options::default();
    let mut filter = None;
    for arg in args {
        match arg.as_str() {
            "-r" | "--raw-output" => o.raw = true,
            "-c" | "--compact-output" => o.compact = true,
            "-s" | "--slurp" => o.slurp = true,
            "-n" | "--null-input" => o.null_input = true,
            "-e" | "--exit-status" => o.exit_status = true,
            "--tab" => o.tab = true,
            "-M" | "--monochrome-output" | "-C" | "--color-output" => {}
            long if long.starts_with("--") && long.len() > 2 => {
                return usage(&format!("jq: Unknown option: {long}\n"));
            }
            flags if flags.starts_with('-') && !flags.starts_with("--") && flags.len() > 1 && filter.is_none() => {
                for c in flags.chars().skip(1) {
                    match c {
                        'r' => o.raw = true,
                        'c' => o.compact = true,
                        's' => o.slurp = true,
                        'n' => o.null_input = true,
                        'e' => o.exit_status = true,
                        'M' | 'C' => {}
                        other => return usage(&format!("jq: Unknown option: -{other}\n")),
                    }
                }
            }
            other if filter.is_none() => filter = Some(other.to_string()),
            _ => {}
        }
    }
    let filter = filter.unwrap_or_else(|| ".".into());
    if let Some(name) = self_recursive(&filter) {
        return Output {
            stderr: format!("jq: error: {name}/0 calls itself; recursive definitions are not available in this playground\njq: 1 compile error\n"),
            exit_code: 3,
            ..Output::default()
        };
    }
    let values = match parse_stream(input) {
        Ok(v) => v,
        Err(e) => {
            let lines = input.lines().count();
            return Output {
                stderr: format!("jq: error (at <stdin>:{lines}): {e}\n"),
                exit_code: 2,
                ..Output::default()
            };
        }
    };
    let inputs: Vec<Val> = if o.slurp { vec![Val::Arr(std::rc::Rc::new(values))] } else { values };
    let arena = Arena::default();
    let loader = Loader::new(jaq_std::defs().chain(jaq_json::defs()).filter(|d| !UNSAFE.contains(&d.name)));
    let modules = match loader.load(&arena, File { code: filter.as_str(), path: () }) {
        Ok(m) => m,
        Err(_) => return compile_error("syntax error (Unix shell quoting issues?)", &filter),
    };
    let natives = jaq_std::funs().chain(jaq_json::funs()).filter(|(name, _, _)| !UNSAFE.contains(name));
    let program = match Compiler::default().with_funs(natives).compile(modules) {
        Ok(p) => p,
        Err(errors) => {
            let names: Vec<String> = errors
                .iter()
                .flat_map(|(_, errs)| errs.iter().map(|(name, undefined)| format!("{name}/{}", arity(undefined))))
                .collect();
            return compile_error(&format!("{} is not defined", names.join(", ")), &filter);
        }
    };
    // jq names the input line it had reached; the playground reads it whole.
    let lines = input.lines().count();
    let mut out = Output::default();
    let mut last = None;
    let queue = RcIter::new(inputs.into_iter().map(Ok::<Val, String>));
    let first: Vec<Val> = if o.null_input { vec![Val::Null] } else { Vec::new() };
    let mut feed: Box<dyn Iterator<Item = Val>> = Box::new(first.into_iter());
    loop {
        let Some(value) =
            feed.next().or_else(|| (!o.null_input).then(|| (&queue).next()).flatten().and_then(Result::ok))
        else {
            break;
        };
        for result in program.run((Ctx::new([], &queue), value)) {
            // An endless filter (`repeat(1)`) stops at a size a terminal can show.
            if out.stdout.len() > MAX_OUTPUT {
                out.stderr.push_str("jq: output stopped after 1 MB by the playground\n");
                out.exit_code = 5;
                return out;
            }
            match result {
                Ok(v) => {
                    out.stdout.push_str(&render(&v, &o));
                    out.stdout.push('\n');
                    last = Some(v);
                }
                Err(e) => {
                    out.stderr.push_str(&format!("jq: error (at <stdin>:{lines}): {e}\n"));
                    out.exit_code = 5;
                }
            }
        }
        feed = Box::new(std::iter::empty());
    }
    if o.exit_status && out.exit_code == 0 {
        out.exit_code = match last {
            None => 4,
            Some(Val::Null) | Some(Val::Bool(false)) => 1,
            Some(_) => 0,
        };
    }
    out
}

fn arity(undefined: &jaq_core::compile::Undefined) -> usize {
    match undefined {
        jaq_core::compile::Undefined::Filter(n) => *n,
        _ => 0,
    }
}

fn usage(message: &str) -> Output {
    Output {
        stderr: format!("{message}Use jq --help for help with command-line options,\nor see the jq manpage, or online docs  at https://jqlang.github.io/jq\n"),
        exit_code: 2,
        ..Output::default()
    }
}

fn compile_error(message: &str, filter: &str) -> Output {
    Output {
        stderr: format!("jq: error: {message} at <top-level>, line 1:\n{filter}\njq: 1 compile error\n"),
        exit_code: 3,
        ..Output::default()
    }
}

/// Every JSON value in the text, one after another, keys in their order.
fn parse_stream(text: &str) -> Result<Vec<Val>, String> {
    // jq's own bound, which also keeps the parser's recursion off the end
    // of the wasm stack.
    if nesting(text) > MAX_DEPTH {
        return Err("Cannot parse input: Exceeds depth limit for parsing".into());
    }
    let mut lexer = hifijson::SliceLexer::new(text.as_bytes());
    let mut values = Vec::new();
    while let Some(token) = lexer.ws_token() {
        values.push(Val::parse(token, &mut lexer).map_err(|e| format!("Cannot parse input: {e}"))?);
    }
    Ok(values)
}

const MAX_DEPTH: usize = 256;

/// The deepest nesting of arrays and objects in JSON text.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for c in text.bytes() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Whether a `def` in the filter calls itself. jq would loop for ever or
/// recurse as deep as the data; here that would exhaust the wasm stack, so
/// such filters are refused before they run.
fn self_recursive(filter: &str) -> Option<String> {
    let words = tokens(filter);
    for (i, word) in words.iter().enumerate() {
        if word != "def" {
            continue;
        }
        let Some(name) = words.get(i + 1) else { continue };
        // The body runs from the `:` to the `;` that closes this def
        // (a nested def brings its own `;`).
        let mut at = i + 2;
        while at < words.len() && words[at] != ":" {
            at += 1;
        }
        let (mut open, mut pending) = (0i32, 1);
        for word in &words[at.min(words.len())..] {
            match word.as_str() {
                "(" | "[" | "{" => open += 1,
                ")" | "]" | "}" => open -= 1,
                "def" => pending += 1,
                ";" if open == 0 => {
                    pending -= 1;
                    if pending == 0 {
                        break;
                    }
                }
                w if w == name => return Some(name.clone()),
                _ => {}
            }
        }
    }
    None
}

/// The filter's identifiers and punctuation, strings left out.
fn tokens(filter: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = filter.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            let mut escaped = false;
            for s in chars.by_ref() {
                match (escaped, s) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => break,
                    _ => {}
                }
            }
        } else if c.is_alphanumeric() || c == '_' || c == '.' || c == '$' {
            // `.name` and `$name` keep their mark: neither calls a function.
            let mut word = c.to_string();
            while let Some(&n) = chars.peek().filter(|n| n.is_alphanumeric() || **n == '_') {
                word.push(n);
                chars.next();
            }
            out.push(word);
        } else if !c.is_whitespace() {
            out.push(c.to_string());
        }
    }
    out
}

/// A value as jq prints it: indented by two (or a tab), or compact; raw
/// strings with `-r`.
fn render(v: &Val, o: &Options) -> String {
    if let (true, Val::Str(s)) = (o.raw, v) {
        return s.to_string();
    }
    if o.compact {
        return v.to_string();
    }
    let mut out = String::new();
    pretty(v, 0, if o.tab { "\t" } else { "  " }, &mut out);
    out
}

fn pretty(v: &Val, depth: usize, indent: &str, out: &mut String) {
    let pad = |n: usize| indent.repeat(n);
    match v {
        Val::Arr(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                pretty(item, depth + 1, indent, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push(']');
        }
        Val::Obj(map) if !map.is_empty() => {
            out.push_str("{\n");
            for (i, (k, item)) in map.iter().enumerate() {
                out.push_str(&pad(depth + 1));
                out.push_str(&Val::Str(k.clone()).to_string());
                out.push_str(": ");
                pretty(item, depth + 1, indent, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(depth));
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jq(args: &[&str], input: &str) -> (String, String, i32) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let out = run(&args, input);
        (out.stdout, out.stderr, out.exit_code)
    }

    #[test]
    fn filters_and_layout_as_jq() {
        let pods = r#"{"items":[{"metadata":{"name":"web-1"},"status":{"phase":"Running"}},{"metadata":{"name":"web-2"},"status":{"phase":"Pending"}}]}"#;
        for (args, want) in [
            (vec![".items[].metadata.name"], "\"web-1\"\n\"web-2\"\n"),
            (vec!["-r", ".items[].metadata.name"], "web-1\nweb-2\n"),
            (vec!["-r", r#".items[] | select(.status.phase == "Running") | .metadata.name"#], "web-1\n"),
            (vec![".items | length"], "2\n"),
            (vec!["-c", ".items[0]"], "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"phase\":\"Running\"}}\n"),
            (vec![".items[1].status"], "{\n  \"phase\": \"Pending\"\n}\n"),
            (vec!["[.items[].status.phase]"], "[\n  \"Running\",\n  \"Pending\"\n]\n"),
            (vec!["{b: 1, a: [], c: {}}"], "{\n  \"b\": 1,\n  \"a\": [],\n  \"c\": {}\n}\n"),
            (vec!["-r", ".items | map(.metadata.name) | join(\",\")"], "web-1,web-2\n"),
        ] {
            assert_eq!(jq(&args, pods).0, want, "jq {args:?}");
        }
        assert_eq!(jq(&["-s", "length"], "1 2 3").0, "3\n");
        assert_eq!(jq(&["-n", "1 + 1"], "").0, "2\n");
        assert_eq!(jq(&["-e", ".missing"], "{}").2, 1);
        assert_eq!(
            jq(&[".a +"], "{}"),
            (
                String::new(),
                "jq: error: syntax error (Unix shell quoting issues?) at <top-level>, line 1:\n.a +\njq: 1 compile error\n"
                    .into(),
                3
            )
        );
        assert_eq!(jq(&["nosuch"], "{}").2, 3);
        assert_eq!(jq(&["now"], "{}").2, 3);
        assert_eq!(jq(&["halt_error"], "{}").2, 3);
        assert_eq!(jq(&[".a.b"], r#"{"a":"text"}"#).2, 5);
        assert_eq!(jq(&["."], "{not json").2, 2);
        assert_eq!(jq(&["-z", "."], "{}").2, 2);
        assert!(jq(&["--bogus", "."], "{}").1.starts_with("jq: Unknown option: --bogus\n"));
    }

    #[test]
    fn what_would_exhaust_the_stack_is_refused() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(jq(&["."], &deep).2, 2);
        assert_eq!(jq(&["length"], &format!("{}{}", "[".repeat(200), "]".repeat(200))).0, "1\n");
        assert_eq!(jq(&["def f: f; f"], "{}").2, 3);
        assert_eq!(jq(&["def f(x): def g: f(x); g; 1"], "{}").2, 3);
        // Field names and variables that share a function's name are fine.
        assert_eq!(jq(&["-c", "def name: .name; [name, \"name\"]"], r#"{"name":"web"}"#).0, "[\"web\",\"name\"]\n");
        assert_eq!(jq(&["def a: 1; def b: a; b"], "{}").0, "1\n");
    }
}
