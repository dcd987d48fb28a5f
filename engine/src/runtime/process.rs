//! What a container's main process does over time: run until stopped (a
//! server), or exit with a code after a while (`sleep 30`, `echo hi`, a
//! crashing command). Container commands run through a small model of the
//! shell: `sh -c` scripts with `;`, `&&`, `||`, `sleep`, `exit`, loops.

use crate::time::{Millis, SECOND};

/// How a container's main process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It serves until stopped.
    Never,
    /// It exits with `code` after `after` milliseconds.
    After {
        /// Run time.
        after: Millis,
        /// Exit status.
        code: i32,
    },
}

/// The entrypoint and command images run when the pod names neither.
fn image_default(image: &str) -> Vec<String> {
    let normalized = super::images::normalize(image);
    let repo = normalized.rsplit_once(':').map_or(normalized.as_str(), |(r, _)| r);
    let name = repo.rsplit('/').next().unwrap_or(repo);
    let shell_images = ["busybox", "alpine", "ubuntu", "debian", "centos", "fedora", "amazonlinux"];
    if shell_images.contains(&name) {
        // A shell with no terminal attached reads end-of-file and exits at once.
        return vec!["sh".into()];
    }
    if ["perl", "python", "node", "ruby"].contains(&name) {
        return vec![name.into()];
    }
    // Servers (nginx, httpd, redis, databases, pause, the system images) run.
    vec!["serve".into()]
}

/// Plans a container given its image and the pod's `command` and `args`.
pub fn plan(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> Exit {
    let argv: Vec<String> = match (command, args) {
        (Some(c), Some(a)) => c.iter().chain(a).cloned().collect(),
        (Some(c), None) => c.to_vec(),
        (None, Some(a)) => {
            // args replace the image's CMD and go to its ENTRYPOINT; shell
            // images have none, so the args are the command.
            let default = image_default(image);
            if default == ["sh"] {
                a.to_vec()
            } else {
                default.into_iter().chain(a.iter().cloned()).collect()
            }
        }
        (None, None) => image_default(image),
    };
    run_argv(&argv)
}

fn run_argv(argv: &[String]) -> Exit {
    let Some(program) = argv.first() else { return Exit::After { after: 0, code: 0 } };
    let base = program.rsplit('/').next().unwrap_or(program);
    if matches!(base, "sh" | "bash" | "ash") {
        return match argv.get(1).map(String::as_str) {
            Some("-c") => run_script(argv.get(2).map_or("", String::as_str)),
            // A shell reading an absent terminal exits at once.
            _ => Exit::After { after: 0, code: 0 },
        };
    }
    run_script(&argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "))
}

fn quote(word: &str) -> String {
    if word.contains([' ', ';', '&', '|']) {
        format!("'{}'", word.replace('\'', "'\\''"))
    } else {
        word.to_string()
    }
}

/// Splits a script into simple commands and the operators between them.
fn split_script(script: &str) -> Vec<(String, &'static str)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                current.push(c);
            }
            (None, '&') if chars.get(i + 1) == Some(&'&') => {
                parts.push((std::mem::take(&mut current), "&&"));
                i += 1;
            }
            (None, '|') if chars.get(i + 1) == Some(&'|') => {
                parts.push((std::mem::take(&mut current), "||"));
                i += 1;
            }
            (None, ';' | '\n') => parts.push((std::mem::take(&mut current), ";")),
            (None, c) => current.push(c),
        }
        i += 1;
    }
    parts.push((current, ";"));
    parts.into_iter().filter(|(c, _)| !c.trim().is_empty()).collect()
}

fn run_script(script: &str) -> Exit {
    let trimmed = script.trim();
    if trimmed.starts_with("while true") || trimmed.starts_with("while :") || trimmed.starts_with("until false") {
        return Exit::Never;
    }
    let mut elapsed: Millis = 0;
    let mut code = 0;
    let mut operator = ";";
    for (command, next) in split_script(script) {
        let skip = (operator == "&&" && code != 0) || (operator == "||" && code == 0);
        operator = next;
        if skip {
            continue;
        }
        let words = crate::shell::split_words(command.trim()).unwrap_or_default();
        let Some(first) = words.first() else { continue };
        let name = first.rsplit('/').next().unwrap_or(first);
        match name {
            "sleep" => match words.get(1).map(String::as_str) {
                Some("infinity") => return Exit::Never,
                Some(d) => match crate::time::parse_duration(d) {
                    Some(ms) => {
                        elapsed += ms;
                        code = 0;
                    }
                    None => code = 1,
                },
                None => code = 1,
            },
            "exit" => {
                let c = words.get(1).and_then(|c| c.parse().ok()).unwrap_or(code);
                return Exit::After { after: elapsed, code: c };
            }
            "tail" if words.iter().any(|w| w == "-f") => return Exit::Never,
            "while" | "until" => return Exit::Never,
            "true" | ":" | "echo" | "printf" | "date" | "env" | "printenv" | "cat" | "ls" | "hostname" | "id"
            | "whoami" | "pwd" | "touch" | "mkdir" | "cp" | "mv" | "rm" | "export" | "cd" | "test" | "[" | "wget"
            | "curl" | "nslookup" | "uname" | "df" | "free" | "ps" | "wc" | "grep" | "head" | "sort" | "seq"
            | "chmod" | "ln" | "set" | "trap" | "wait" => {
                elapsed += 10;
                code = 0;
            }
            "false" => {
                elapsed += 10;
                code = 1;
            }
            "perl" | "python" | "python3" | "node" | "ruby" | "java" => {
                elapsed += 3 * SECOND;
                code = 0;
            }
            "serve"
            | "nginx"
            | "httpd"
            | "httpd-foreground"
            | "redis-server"
            | "mysqld"
            | "postgres"
            | "mongod"
            | "pause"
            | "docker-entrypoint.sh"
            | "stress"
            | "apache2-foreground" => return Exit::Never,
            _ => code = 127,
        }
    }
    Exit::After { after: elapsed, code }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn containers_run_as_their_commands_say() {
        let sh = |script: &str| strings(&["sh", "-c", script]);
        type Case<'a> = (&'a str, Option<Vec<String>>, Option<Vec<String>>, Exit);
        let cases: &[Case] = &[
            ("nginx", None, None, Exit::Never),
            ("busybox", None, None, Exit::After { after: 0, code: 0 }),
            ("busybox", Some(strings(&["sleep", "30"])), None, Exit::After { after: 30_000, code: 0 }),
            ("busybox", None, Some(strings(&["sleep", "3600"])), Exit::After { after: 3_600_000, code: 0 }),
            ("busybox", Some(sh("echo hello; sleep 5; exit 3")), None, Exit::After { after: 5_010, code: 3 }),
            ("busybox", Some(sh("false && sleep 10")), None, Exit::After { after: 10, code: 1 }),
            ("busybox", Some(sh("false || sleep 10")), None, Exit::After { after: 10_010, code: 0 }),
            ("busybox", Some(sh("while true; do echo hi; sleep 1; done")), None, Exit::Never),
            ("busybox", Some(strings(&["sleep", "infinity"])), None, Exit::Never),
            ("busybox", Some(strings(&["foo"])), None, Exit::After { after: 0, code: 127 }),
            (
                "perl:5.34.0",
                Some(strings(&["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"])),
                None,
                Exit::After { after: 3_000, code: 0 },
            ),
            ("nginx", Some(strings(&["sh", "-c", "echo 'a; b' && exit 1"])), None, Exit::After { after: 10, code: 1 }),
        ];
        for (image, command, args, want) in cases {
            assert_eq!(plan(image, command.as_deref(), args.as_deref()), *want, "{image} {command:?} {args:?}");
        }
    }
}
