//! The text tools the notes pipe kubectl into: grep, head, tail, wc, sort,
//! uniq, awk '{print $N}', cut, base64, echo, cat.

use crate::cluster::Output;

fn lines(input: &str) -> Vec<&str> {
    input.lines().collect()
}

fn joined(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn count_arg(args: &[String], default: usize) -> Result<usize, String> {
    let mut n = default;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-n" {
            n = it.next().and_then(|v| v.parse().ok()).ok_or("invalid number of lines")?;
        } else if let Some(v) = a.strip_prefix("-n").or_else(|| a.strip_prefix('-')) {
            n = v.parse().map_err(|_| format!("invalid number of lines: '{v}'"))?;
        }
    }
    Ok(n)
}

/// Runs a text tool on `input`, or `None` when `name` is not one.
pub fn run(name: &str, args: &[String], input: &str) -> Option<Output> {
    Some(match name {
        "grep" => super::grep::run(args, input),
        "jq" => super::jq::run(args, input),
        "head" | "tail" => match count_arg(args, 10) {
            Ok(n) => {
                let all = lines(input);
                let picked =
                    if name == "head" { &all[..n.min(all.len())] } else { &all[all.len().saturating_sub(n)..] };
                Output::ok(joined(picked))
            }
            Err(e) => Output::err(format!("{name}: {e}\n")),
        },
        // GNU nl's defaults: non-empty lines numbered six wide and a tab;
        // an empty line keeps the indent.
        "nl" => {
            let mut n = 0;
            let numbered: String = input
                .lines()
                .map(|line| {
                    if line.is_empty() {
                        "       \n".to_string()
                    } else {
                        n += 1;
                        format!("{n:>6}\t{line}\n")
                    }
                })
                .collect();
            Output::ok(numbered)
        }
        "wc" => {
            let l = input.lines().count();
            let w = input.split_whitespace().count();
            let c = input.len();
            let text = match args.first().map(String::as_str) {
                Some("-l") => format!("{l}\n"),
                Some("-w") => format!("{w}\n"),
                Some("-c") => format!("{c}\n"),
                _ => format!("{l:>7} {w:>7} {c:>7}\n"),
            };
            Output::ok(text)
        }
        "sort" => {
            let mut all: Vec<&str> = lines(input);
            if args.iter().any(|a| a == "-n") {
                all.sort_by(|a, b| {
                    let num = |s: &str| s.split_whitespace().next().and_then(|n| n.parse::<f64>().ok()).unwrap_or(0.0);
                    num(a).total_cmp(&num(b))
                });
            } else {
                all.sort();
            }
            if args.iter().any(|a| a == "-r" || a == "-rn" || a == "-nr") {
                all.reverse();
            }
            Output::ok(joined(&all))
        }
        "uniq" => {
            let mut all: Vec<&str> = lines(input);
            all.dedup();
            Output::ok(joined(&all))
        }
        "awk" => awk(args, input),
        "cut" => cut(args, input),
        "base64" => base64(args, input),
        "cat" if args.is_empty() => Output::ok(input),
        _ => return None,
    })
}

fn awk(args: &[String], input: &str) -> Output {
    let Some(program) = args.iter().find(|a| a.contains("print")) else {
        return Output::err("awk: the playground's awk understands '{print $N}'\n");
    };
    let inner = program.trim().trim_start_matches('{').trim_end_matches('}').trim();
    let fields: Vec<String> = inner.trim_start_matches("print").split(',').map(|f| f.trim().to_string()).collect();
    let mut out = String::new();
    for line in input.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let cells: Vec<String> = fields
            .iter()
            .map(|f| match f.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                Some(0) => line.to_string(),
                Some(n) => cols.get(n - 1).map(|s| s.to_string()).unwrap_or_default(),
                None if f == "NF" => cols.len().to_string(),
                None => f.trim_matches('"').to_string(),
            })
            .collect();
        out.push_str(&cells.join(" "));
        out.push('\n');
    }
    Output::ok(out)
}

fn cut(args: &[String], input: &str) -> Output {
    let mut delim = "\t".to_string();
    let mut field = 1usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(d) = a.strip_prefix("-d") {
            delim = if d.is_empty() { it.next().cloned().unwrap_or_default() } else { d.to_string() };
        } else if let Some(f) = a.strip_prefix("-f") {
            let f = if f.is_empty() { it.next().cloned().unwrap_or_default() } else { f.to_string() };
            field = f.parse().unwrap_or(1);
        }
    }
    let out: String = input
        .lines()
        .map(|l| format!("{}\n", l.split(delim.as_str()).nth(field.saturating_sub(1)).unwrap_or(l)))
        .collect();
    Output::ok(out)
}

fn base64(args: &[String], input: &str) -> Output {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    if args.iter().any(|a| a == "-d" || a == "--decode") {
        let clean: Vec<u8> = input.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        return match engine.decode(clean) {
            Ok(bytes) => Output::ok(String::from_utf8_lossy(&bytes).into_owned()),
            Err(_) => Output::err("base64: invalid input\n"),
        };
    }
    // GNU base64 wraps its output at 76 columns.
    let encoded = engine.encode(input);
    let lines: Vec<&str> = encoded.as_bytes().chunks(76).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    Output::ok(format!("{}\n", lines.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_tool(name: &str, args: &[&str], input: &str) -> String {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        run(name, &args, input).map(|o| o.stdout).unwrap_or_default()
    }

    #[test]
    fn tools() {
        let table = "NAME  READY\nweb-1 1/1\nweb-2 0/1\ndb-1  1/1\n";
        assert_eq!(run_tool("grep", &["web"], table), "web-1 1/1\nweb-2 0/1\n");
        assert_eq!(run_tool("grep", &["-v", "web"], table), "NAME  READY\ndb-1  1/1\n");
        assert_eq!(run_tool("grep", &["-c", "1/1"], table), "2\n");
        assert_eq!(run_tool("grep", &["-E", "^db|NAME"], table), "NAME  READY\ndb-1  1/1\n");
        assert_eq!(run_tool("head", &["-n", "2"], table), "NAME  READY\nweb-1 1/1\n");
        assert_eq!(run_tool("tail", &["-1"], table), "db-1  1/1\n");
        assert_eq!(run_tool("wc", &["-l"], table), "4\n");
        assert_eq!(run_tool("awk", &["{print $1}"], table), "NAME\nweb-1\nweb-2\ndb-1\n");
        assert_eq!(run_tool("sort", &[], "b\na\n"), "a\nb\n");
        assert_eq!(run_tool("base64", &["-d"], "cGFzc3dvcmQ="), "password");
        assert_eq!(run_tool("base64", &[], "password"), "cGFzc3dvcmQ=\n");
        let long = run_tool("base64", &[], &"x".repeat(60));
        assert_eq!(long.lines().map(str::len).collect::<Vec<_>>(), [76, 4]);
        assert_eq!(run_tool("base64", &["-d"], &long), "x".repeat(60));
        assert_eq!(run_tool("cut", &["-d", "/", "-f", "2"], "pod/web\n"), "web\n");
        assert_eq!(run_tool("nl", &[], "a\n\nb\n"), "     1\ta\n       \n     2\tb\n");
    }
}
