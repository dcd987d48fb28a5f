//! `grep` as learners pipe kubectl into it: basic (default), extended (`-E`)
//! and fixed (`-F`) patterns, `-i -v -c -n -o -w -x -q`, and context lines
//! (`-A -B -C`) with GNU grep's `--` between groups.

use crate::cluster::Output;
use regex::{Regex, RegexBuilder};

#[derive(Default)]
struct Options {
    invert: bool,
    ignore_case: bool,
    count: bool,
    numbers: bool,
    only: bool,
    word: bool,
    line: bool,
    quiet: bool,
    extended: bool,
    fixed: bool,
    after: usize,
    before: usize,
    /// Any of -A, -B, -C was given (even 0): groups get `--` between them.
    context: bool,
}

fn usage(message: &str) -> Output {
    Output {
        stderr: format!(
            "{message}Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"
        ),
        exit_code: 2,
        ..Default::default()
    }
}

pub fn run(args: &[String], input: &str) -> Output {
    let mut o = Options::default();
    let mut patterns = Vec::new();
    // Words that are not options: the pattern (unless -e gave some), then
    // files, which the playground's pipes never name.
    let mut operands = Vec::new();
    let mut words = args.iter();
    while let Some(arg) = words.next() {
        if arg == "--" {
            operands.extend(words.by_ref().cloned());
            break;
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty() && !arg.starts_with("--")) else {
            if arg.starts_with("--") {
                if arg.starts_with("--color") {
                    continue;
                }
                return usage(&format!("grep: unrecognized option '{arg}'\n"));
            }
            operands.push(arg.clone());
            continue;
        };
        for (i, c) in flags.char_indices() {
            match c {
                'v' => o.invert = true,
                'i' => o.ignore_case = true,
                'c' => o.count = true,
                'n' => o.numbers = true,
                'o' => o.only = true,
                'w' => o.word = true,
                'x' => o.line = true,
                'q' => o.quiet = true,
                'E' => o.extended = true,
                'F' => o.fixed = true,
                'A' | 'B' | 'C' | 'e' => {
                    let rest = &flags[i + c.len_utf8()..];
                    let value = if rest.is_empty() { words.next().cloned() } else { Some(rest.to_string()) };
                    let Some(value) = value else {
                        return usage(&format!("grep: option requires an argument -- '{c}'\n"));
                    };
                    if c == 'e' {
                        patterns.push(value);
                    } else {
                        let Ok(n) = value.parse::<usize>() else {
                            return Output {
                                stderr: format!("grep: {value}: invalid context length argument\n"),
                                exit_code: 2,
                                ..Default::default()
                            };
                        };
                        o.context = true;
                        if c != 'B' {
                            o.after = n;
                        }
                        if c != 'A' {
                            o.before = n;
                        }
                    }
                    break;
                }
                other => return usage(&format!("grep: invalid option -- '{other}'\n")),
            }
        }
    }
    if patterns.is_empty() {
        match operands.first() {
            Some(first) => patterns.push(first.clone()),
            None => return usage(""),
        }
    }
    let regex = match build(&patterns, &o) {
        Ok(r) => r,
        Err(e) => return Output { stderr: format!("grep: {e}\n"), exit_code: 2, ..Default::default() },
    };
    let lines: Vec<&str> = input.lines().collect();
    let hits: Vec<bool> = lines.iter().map(|l| regex.is_match(l) != o.invert).collect();
    let matched = hits.iter().filter(|h| **h).count();
    let code = if matched == 0 { 1 } else { 0 };
    if o.quiet {
        return Output { exit_code: code, ..Default::default() };
    }
    if o.count {
        return Output { stdout: format!("{matched}\n"), exit_code: code, ..Default::default() };
    }
    let mut out = String::new();
    let mut last_printed: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let near_hit = (i.saturating_sub(o.after)..=i).any(|j| hits[j])
            || (i..=i.saturating_add(o.before).min(lines.len() - 1)).any(|j| hits[j]);
        if !near_hit {
            continue;
        }
        if o.context && last_printed.is_some_and(|p| p + 1 < i) {
            out.push_str("--\n");
        }
        last_printed = Some(i);
        let mark = if hits[i] { ':' } else { '-' };
        let number = if o.numbers { format!("{}{mark}", i + 1) } else { String::new() };
        if o.only && hits[i] && !o.invert {
            for m in regex.find_iter(line).filter(|m| !m.as_str().is_empty()) {
                out.push_str(&format!("{number}{}\n", m.as_str()));
            }
        } else if !o.only {
            out.push_str(&format!("{number}{line}\n"));
        }
    }
    Output { stdout: out, exit_code: code, ..Default::default() }
}

/// One expression matching any of the patterns (each `-e`, and each line of
/// a pattern holding newlines, is one).
fn build(patterns: &[String], o: &Options) -> Result<Regex, String> {
    let one = |pattern: &str| {
        if o.fixed {
            regex::escape(pattern)
        } else if o.extended {
            pattern.to_string()
        } else {
            basic_to_extended(pattern)
        }
    };
    let mut source =
        patterns.iter().flat_map(|p| p.split('\n')).map(|p| format!("(?:{})", one(p))).collect::<Vec<_>>().join("|");
    if o.word {
        source = format!(r"\b(?:{source})\b");
    }
    if o.line {
        source = format!("^(?:{source})$");
    }
    RegexBuilder::new(&source).case_insensitive(o.ignore_case).build().map_err(|_| match o.extended {
        true => "Unmatched ( or \\(".to_string(),
        false => "Invalid regular expression".to_string(),
    })
}

/// A POSIX basic expression as an extended one: `\| \( \) \{ \} \+ \?`
/// are the operators, their bare forms are plain characters.
fn basic_to_extended(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(op @ ('|' | '(' | ')' | '{' | '}' | '+' | '?')) => out.push(op),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push_str(r"\\"),
            },
            '|' | '(' | ')' | '{' | '}' | '+' | '?' => {
                out.push('\\');
                out.push(c);
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grep(args: &[&str], input: &str) -> (String, i32) {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let out = run(&args, input);
        (out.stdout + &out.stderr, out.exit_code)
    }

    #[test]
    fn patterns_flags_and_context_as_gnu_grep() {
        let text = "a1\nb2\nweb-1 Running\nc3\nd4\nweb-2 Pending\ne5\n";
        for (args, want, code) in [
            (vec!["web"], "web-1 Running\nweb-2 Pending\n", 0),
            (vec!["-E", "Running|Pending"], "web-1 Running\nweb-2 Pending\n", 0),
            (vec!["Running|Pending"], "", 1),
            (vec!["Running\\|Pending"], "web-1 Running\nweb-2 Pending\n", 0),
            (vec!["-c", "web"], "2\n", 0),
            (vec!["-vc", "web"], "5\n", 0),
            (vec!["-n", "^web"], "3:web-1 Running\n6:web-2 Pending\n", 0),
            (vec!["-o", "web-[0-9]"], "web-1\nweb-2\n", 0),
            (vec!["-A1", "web-1"], "web-1 Running\nc3\n", 0),
            (vec!["-B", "1", "-n", "web-2"], "5-d4\n6:web-2 Pending\n", 0),
            (vec!["-C1", "web"], "b2\nweb-1 Running\nc3\nd4\nweb-2 Pending\ne5\n", 0),
            (vec!["-A0", "b2|e5", "-E"], "b2\n--\ne5\n", 0),
            (vec!["-iw", "RUNNING"], "web-1 Running\n", 0),
            (vec!["-x", "c3"], "c3\n", 0),
            (vec!["-F", "web-1 R"], "web-1 Running\n", 0),
            (vec!["-q", "web"], "", 0),
            (vec!["-e", "a1", "-e", "e5"], "a1\ne5\n", 0),
            (vec!["--", "-1"], "web-1 Running\n", 0),
            (vec!["-w", "-e", "b2", "-e", "Running"], "b2\nweb-1 Running\n", 0),
            (vec!["-j", "x"], "grep: invalid option -- 'j'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2),
            (vec!["-A", "x", "y"], "grep: x: invalid context length argument\n", 2),
            (vec!["-E", "(web"], "grep: Unmatched ( or \\(\n", 2),
        ] {
            assert_eq!(grep(&args, text), (want.to_string(), code), "grep {args:?}");
        }
    }
}
