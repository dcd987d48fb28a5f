//! Splitting a command line the way the shell does before running it:
//! lists (`;`, `&&`, `||`), pipelines (`|`), and expansions (`$VAR`,
//! `${VAR}`, `$(command)`), all outside quotes.

/// How a pipeline is joined to the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// First, or after `;`.
    Always,
    /// After `&&`.
    IfOk,
    /// After `||`.
    IfFailed,
}

/// Splits at unquoted separators. `seps` are matched longest first.
fn split_unquoted<'a>(text: &'a str, seps: &[&'static str]) -> Vec<(&'a str, Option<&'static str>)> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let mut depth = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(b'"') if c == b'\\' => i += 1,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => quote = Some(c),
                b'\\' => i += 1,
                b'(' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
                b')' if depth > 0 => depth -= 1,
                _ if depth == 0 => {
                    if let Some(sep) = seps.iter().find(|s| bytes[i..].starts_with(s.as_bytes())) {
                        parts.push((&text[start..i], Some(*sep)));
                        i += sep.len();
                        start = i;
                        continue;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    parts.push((&text[start..], None));
    parts
}

/// The pipelines of a line, each with how it joins the previous one.
pub fn lists(line: &str) -> Vec<(Join, String)> {
    let mut out = Vec::new();
    let mut join = Join::Always;
    for (part, sep) in split_unquoted(line, &["&&", "||", ";"]) {
        if !part.trim().is_empty() {
            out.push((join, part.trim().to_string()));
        }
        join = match sep {
            Some("&&") => Join::IfOk,
            Some("||") => Join::IfFailed,
            _ => Join::Always,
        };
    }
    out
}

/// The stages of a pipeline.
pub fn stages(pipeline: &str) -> Vec<String> {
    split_unquoted(pipeline, &["||", "|"]).into_iter().map(|(p, _)| p.trim().to_string()).collect()
}

/// Where a stage's output goes besides the next stage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redirects {
    /// `> FILE` or `>> FILE` (appending).
    pub stdout: Option<(String, bool)>,
    /// `2> FILE` or `2>> FILE`.
    pub stderr: Option<(String, bool)>,
    /// `2>&1`: errors go where output goes.
    pub stderr_to_stdout: bool,
}

/// Takes the unquoted redirections off a stage: the command that is left,
/// and where its output goes.
pub fn redirects(stage: &str) -> (String, Redirects) {
    let mut command = String::new();
    let mut found = Redirects::default();
    let parts = split_unquoted(stage, &["2>&1", "2>>", "2>", ">>", ">"]);
    let mut operator: Option<&str> = None;
    for (text, sep) in parts {
        match operator {
            None => command.push_str(text),
            Some(op) => {
                // The target is the next word; anything after it belongs to the command.
                let text = text.trim_start();
                let end = text.find(char::is_whitespace).unwrap_or(text.len());
                let (target, rest) = text.split_at(end);
                let target =
                    crate::shell::split_words(target).ok().and_then(|w| w.into_iter().next()).unwrap_or_default();
                match op {
                    "2>&1" => {
                        found.stderr_to_stdout = true;
                        command.push_str(text);
                        operator = sep;
                        continue;
                    }
                    "2>" | "2>>" => found.stderr = Some((target, op == "2>>")),
                    _ => found.stdout = Some((target, op == ">>")),
                }
                command.push(' ');
                command.push_str(rest);
            }
        }
        operator = sep;
    }
    (command.trim().to_string(), found)
}

/// Expands `$VAR`, `${VAR}` and `$(command)` outside single quotes; `run`
/// runs a substituted command and returns its output.
pub fn expand(text: &str, var: &dyn Fn(&str) -> String, run: &mut dyn FnMut(&str) -> String) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut single = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            single = !single;
            out.push(c);
            i += 1;
            continue;
        }
        if c == '$' && !single {
            if chars.get(i + 1) == Some(&'(') {
                let mut depth = 0;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let inner: String = chars[i + 2..j.min(chars.len())].iter().collect();
                out.push_str(run(&inner).trim_end_matches('\n'));
                i = j + 1;
                continue;
            }
            if chars.get(i + 1) == Some(&'{') {
                if let Some(close) = chars[i..].iter().position(|c| *c == '}') {
                    let name: String = chars[i + 2..i + close].iter().collect();
                    out.push_str(&var(&name));
                    i += close + 1;
                    continue;
                }
            }
            let name: String =
                chars[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_' || **c == '?').collect();
            if !name.is_empty() {
                out.push_str(&var(&name));
                i += 1 + name.chars().count();
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_pipelines_and_expansions() {
        assert_eq!(
            lists("a && b || c; d"),
            vec![
                (Join::Always, "a".into()),
                (Join::IfOk, "b".into()),
                (Join::IfFailed, "c".into()),
                (Join::Always, "d".into())
            ]
        );
        assert_eq!(lists("echo 'a;b' && x"), vec![(Join::Always, "echo 'a;b'".into()), (Join::IfOk, "x".into())]);
        assert_eq!(stages("kubectl get pods | grep web | wc -l"), vec!["kubectl get pods", "grep web", "wc -l"]);
        assert_eq!(stages("grep 'a|b'"), vec!["grep 'a|b'"]);
        let (command, to) = redirects("kubectl get deploy web -o yaml > web.yaml");
        assert_eq!((command.as_str(), to.stdout), ("kubectl get deploy web -o yaml", Some(("web.yaml".into(), false))));
        let (command, to) = redirects("echo 'a > b' >> log 2>/dev/null");
        assert_eq!(command, "echo 'a > b'");
        assert_eq!((to.stdout, to.stderr), (Some(("log".into(), true)), Some(("/dev/null".into(), false))));
        let (command, to) = redirects("kubectl get nope 2>&1");
        assert_eq!((command.as_str(), to.stderr_to_stdout), ("kubectl get nope", true));
        // Separators are found by byte, so text around them may be any UTF-8.
        assert_eq!(stages("echo é✓|grep ✓"), vec!["echo é✓", "grep ✓"]);
        assert_eq!(lists("echo \\é;x"), vec![(Join::Always, "echo \\é".into()), (Join::Always, "x".into())]);
        let var = |name: &str| if name == "NS" { "kube-system".to_string() } else { String::new() };
        let mut run = |cmd: &str| format!("<{cmd}>\n");
        assert_eq!(
            expand("get pods -n $NS '$NS' ${NS} $(echo hi)", &var, &mut run),
            "get pods -n kube-system '$NS' kube-system <echo hi>"
        );
    }
}
