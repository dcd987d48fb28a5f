//! A container's shell reading a command line (`sh -c '…'`, or a line typed
//! into `kubectl exec -it … -- sh`): lists joined by `;`, `&&` and `||`,
//! `$VAR`, `$?` and `$(…)`, `NAME=value`, and output redirection (`>`,
//! `>>`, `2>`, `2>&1`, `>&2`). The shell opens a redirection's file before
//! running the command, so a read-only mount or a missing folder stops the
//! command with the shell's own complaint.
//!
//! Nothing is written here: the files a line writes are collected and handed
//! back, and the caller writes them through the cluster (as `kubectl cp`
//! does). Later commands of the same line already see them.

use super::exec::{Inside, Unwritable};
use crate::cluster::Output;
use crate::shell::line::{self, Join};
use std::collections::BTreeMap;

/// Which shell reads the line, for the words of its complaints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// BusyBox's ash (busybox, alpine).
    Ash,
    /// Debian's `sh`, dash, given a script with `-c`.
    Dash,
    /// bash given a script with `-c`.
    BashScript,
    /// bash reading a terminal.
    Bash,
}

impl Flavour {
    /// The prefix of a complaint about the current line.
    fn prefix(self) -> &'static str {
        match self {
            Flavour::Ash => "sh: ",
            Flavour::Dash => "sh: 1: ",
            Flavour::BashScript => "bash: line 1: ",
            Flavour::Bash => "bash: ",
        }
    }

    fn not_found(self, program: &str) -> String {
        match self {
            Flavour::Ash | Flavour::Dash => format!("{}{program}: not found\n", self.prefix()),
            Flavour::BashScript | Flavour::Bash => format!("{}{program}: command not found\n", self.prefix()),
        }
    }

    /// The complaint when a redirection's file cannot be opened, and the
    /// status the shell then gives the command.
    fn cannot_create(self, path: &str, why: Unwritable) -> (String, i32) {
        let reason = match (self, why) {
            (_, Unwritable::ReadOnly) => "Read-only file system",
            (_, Unwritable::IsDirectory) => "Is a directory",
            (Flavour::Ash, Unwritable::NoDirectory) => "nonexistent directory",
            (Flavour::Dash, Unwritable::NoDirectory) => "Directory nonexistent",
            (_, Unwritable::NoDirectory) => "No such file or directory",
        };
        match self {
            Flavour::Ash => (format!("sh: can't create {path}: {reason}\n"), 1),
            Flavour::Dash => (format!("sh: 1: cannot create {path}: {reason}\n"), 2),
            Flavour::BashScript | Flavour::Bash => (format!("{}{path}: {reason}\n", self.prefix()), 1),
        }
    }
}

/// Where one of a command's outputs goes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    File {
        path: String,
        append: bool,
    },
    /// `>&2`, `2>&1`.
    Descriptor(u8),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Redirect {
    fd: u8,
    target: Target,
}

/// One line's run: what it printed, and the files it wrote (path → text).
#[derive(Debug, Default)]
pub struct Ran {
    /// What the terminal shows.
    pub output: Output,
    /// Files to write, with their whole new text.
    pub writes: BTreeMap<String, String>,
}

/// The shell state while a line runs.
pub struct Script<'a, 'b> {
    inside: &'b Inside<'a>,
    flavour: Flavour,
    written: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    status: i32,
    exited: bool,
}

impl<'a, 'b> Script<'a, 'b> {
    /// A shell in the container of `inside`.
    pub fn new(inside: &'b Inside<'a>, flavour: Flavour) -> Script<'a, 'b> {
        Script { inside, flavour, written: BTreeMap::new(), vars: BTreeMap::new(), status: 0, exited: false }
    }

    /// Runs the line; returns what it printed and wrote.
    pub fn run(mut self, text: &str) -> Ran {
        let output = self.line(text);
        Ran { output, writes: self.written }
    }

    fn line(&mut self, text: &str) -> Output {
        let mut out = Output::default();
        for (join, pipeline) in line::lists(text) {
            if self.exited {
                break;
            }
            let go = match join {
                Join::Always => true,
                Join::IfOk => self.status == 0,
                Join::IfFailed => self.status != 0,
            };
            if !go {
                continue;
            }
            let ran = self.command(&pipeline);
            self.status = ran.exit_code;
            out.stdout.push_str(&ran.stdout);
            out.stderr.push_str(&ran.stderr);
        }
        out.exit_code = self.status;
        out
    }

    fn command(&mut self, text: &str) -> Output {
        let expanded = self.expand(text);
        let (rest, redirects) = redirections(&expanded);
        let words = match crate::shell::split_words(&rest) {
            Ok(w) => w,
            Err(e) => {
                return Output { stderr: format!("{}{e}\n", self.flavour.prefix()), exit_code: 2, ..Default::default() }
            }
        };
        // The shell opens every file before the command runs.
        for r in &redirects {
            if let Target::File { path, .. } = &r.target {
                if path == "/dev/null" {
                    continue;
                }
                if let Err(why) = self.inside.writable(&absolute(path), &self.written) {
                    let (stderr, exit_code) = self.flavour.cannot_create(path, why);
                    return Output { stderr, exit_code, ..Default::default() };
                }
            }
        }
        let mut out = self.simple(&words);
        for r in redirects {
            let stream = match r.fd {
                2 => std::mem::take(&mut out.stderr),
                _ => std::mem::take(&mut out.stdout),
            };
            match r.target {
                Target::Descriptor(2) => out.stderr.push_str(&stream),
                Target::Descriptor(_) => out.stdout.push_str(&stream),
                Target::File { path, .. } if path == "/dev/null" => {}
                Target::File { path, append } => {
                    let at = absolute(&path);
                    let before =
                        if append { self.inside.read(&at, &self.written).unwrap_or_default() } else { String::new() };
                    self.written.insert(at, before + &stream);
                }
            }
        }
        out
    }

    /// One command's words, without redirections.
    fn simple(&mut self, words: &[String]) -> Output {
        let assignments = words.iter().take_while(|w| is_assignment(w)).count();
        if assignments == words.len() {
            for word in words {
                if let Some((name, value)) = word.split_once('=') {
                    self.vars.insert(name.to_string(), value.to_string());
                }
            }
            return Output::default();
        }
        let argv = &words[assignments..];
        let program = argv[0].rsplit('/').next().unwrap_or(&argv[0]);
        match self.program(argv) {
            Some(out) => out,
            None => Output { stderr: self.flavour.not_found(program), exit_code: 127, ..Default::default() },
        }
    }

    /// Runs a program given as its words, with nothing read by a shell
    /// (`kubectl exec POD -- ARGV`); `None` when the image has no such program.
    pub fn exec(mut self, argv: &[String]) -> Option<Ran> {
        let output = self.program(argv)?;
        Some(Ran { output, writes: self.written })
    }

    /// One program of the image, or `None` when it has no such program.
    fn program(&mut self, argv: &[String]) -> Option<Output> {
        let program = argv.first()?.rsplit('/').next().unwrap_or_default();
        let out = match program {
            "exit" => {
                self.exited = true;
                let code = argv.get(1).and_then(|c| c.parse::<i64>().ok()).unwrap_or(self.status as i64);
                Output { exit_code: code.rem_euclid(256) as i32, ..Default::default() }
            }
            "touch" => {
                for path in argv[1..].iter().filter(|a| !a.starts_with('-')) {
                    let at = absolute(path);
                    if self.inside.read(&at, &self.written).is_none() {
                        if let Err(why) = self.inside.writable(&at, &self.written) {
                            let reason = match why {
                                Unwritable::ReadOnly => "Read-only file system",
                                Unwritable::NoDirectory => "No such file or directory",
                                Unwritable::IsDirectory => continue,
                            };
                            return Some(Output::err(match self.flavour {
                                Flavour::Ash => format!("touch: {path}: {reason}\n"),
                                _ => format!("touch: cannot touch '{path}': {reason}\n"),
                            }));
                        }
                        self.written.insert(at, String::new());
                    }
                }
                Output::default()
            }
            "sh" | "bash" | "ash" if argv.get(1).map(String::as_str) == Some("-c") => {
                let script = argv.get(2).cloned().unwrap_or_default();
                let flavour = self.inside.flavour(program, true);
                let inner = Script {
                    inside: self.inside,
                    flavour,
                    written: std::mem::take(&mut self.written),
                    vars: BTreeMap::new(),
                    status: 0,
                    exited: false,
                };
                let ran = inner.run(&script);
                self.written = ran.writes;
                ran.output
            }
            "sh" | "bash" | "ash" => Output::default(),
            "curl" | "wget" | "nslookup" => {
                let (mut out, saved) = self.inside.request(program, &argv[1..])?;
                for (path, text) in saved {
                    // Saved files land in the working directory, `/`.
                    let at = absolute(&path);
                    match self.inside.writable(&at, &self.written) {
                        Ok(()) => {
                            self.written.insert(at, text);
                        }
                        Err(_) => {
                            out.stderr.push_str(&format!("{program}: can't open '{path}': Read-only file system\n"));
                            out.exit_code = 1;
                        }
                    }
                }
                out
            }
            _ => return self.inside.builtin(argv, &self.written),
        };
        Some(out)
    }

    fn expand(&mut self, text: &str) -> String {
        let env = self.inside.environment();
        let vars = self.vars.clone();
        let status = self.status;
        let var = |name: &str| -> String {
            if name == "?" {
                return status.to_string();
            }
            vars.get(name)
                .cloned()
                .or_else(|| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
                .unwrap_or_default()
        };
        let mut run = |inner: &str| -> String {
            let sub = Script {
                inside: self.inside,
                flavour: self.flavour,
                written: self.written.clone(),
                vars: self.vars.clone(),
                status: self.status,
                exited: false,
            };
            sub.run(inner).output.stdout
        };
        line::expand(text, &var, &mut run)
    }
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// A path as the shell's working directory (`/`) resolves it.
fn absolute(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{}", path.trim_start_matches("./"))
    }
}

/// Takes the redirections out of a command, outside quotes.
fn redirections(text: &str) -> (String, Vec<Redirect>) {
    let chars: Vec<char> = text.chars().collect();
    let mut rest = String::new();
    let mut redirects = Vec::new();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == '\\' && q == '"' {
                    rest.push(c);
                    i += 1;
                    if let Some(&next) = chars.get(i) {
                        rest.push(next);
                    }
                    i += 1;
                    continue;
                }
                rest.push(c);
                i += 1;
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                rest.push(c);
                i += 1;
            }
            None if c == '\\' => {
                rest.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    rest.push(next);
                }
                i += 2;
            }
            None if c == '>' => {
                // A lone 1 or 2 just before names the descriptor.
                let mut fd = 1;
                if rest.ends_with(['1', '2']) {
                    let before = rest.chars().rev().nth(1);
                    if before.is_none_or(char::is_whitespace) {
                        fd = if rest.ends_with('2') { 2 } else { 1 };
                        rest.pop();
                    }
                }
                i += 1;
                let append = chars.get(i) == Some(&'>');
                if append {
                    i += 1;
                }
                if chars.get(i) == Some(&'&') {
                    i += 1;
                    let digit = chars.get(i).and_then(|d| d.to_digit(10)).unwrap_or(1) as u8;
                    i += 1;
                    redirects.push(Redirect { fd, target: Target::Descriptor(digit) });
                    continue;
                }
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                let (word, next) = target_word(&chars, i);
                i = next;
                redirects.push(Redirect { fd, target: Target::File { path: word, append } });
                rest.push(' ');
            }
            None => {
                rest.push(c);
                i += 1;
            }
        }
    }
    (rest, redirects)
}

/// The file name after a redirection operator, unquoted, and where it ends.
fn target_word(chars: &[char], mut i: usize) -> (String, usize) {
    let mut word = String::new();
    let mut quote: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c.is_whitespace() || c == '>' || c == '<' => break,
            None => word.push(c),
        }
        i += 1;
    }
    (word, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, append: bool) -> Target {
        Target::File { path: path.into(), append }
    }

    #[test]
    fn redirections_come_out_of_the_command() {
        type Case = (&'static str, &'static str, Vec<(u8, Target)>);
        let cases: &[Case] = &[
            ("echo hi > /data/f.txt", "echo hi  ", vec![(1, file("/data/f.txt", false))]),
            ("echo hi >>/data/f.txt", "echo hi  ", vec![(1, file("/data/f.txt", true))]),
            ("echo 'a > b'", "echo 'a > b'", vec![]),
            ("ls /nope 2>/dev/null", "ls /nope  ", vec![(2, file("/dev/null", false))]),
            ("cat x 2>&1", "cat x ", vec![(2, Target::Descriptor(1))]),
            ("echo oops >&2", "echo oops ", vec![(1, Target::Descriptor(2))]),
            ("echo 12 > \"/tmp/a b\"", "echo 12  ", vec![(1, file("/tmp/a b", false))]),
        ];
        for (line, want_rest, want) in cases {
            let (rest, got) = redirections(line);
            let got: Vec<(u8, Target)> = got.into_iter().map(|r| (r.fd, r.target)).collect();
            assert_eq!((rest.as_str(), &got), (*want_rest, want), "{line}");
        }
    }

    #[test]
    fn complaints_follow_the_shell() {
        let cases = [
            (Flavour::Ash, Unwritable::ReadOnly, "sh: can't create /x: Read-only file system\n", 1),
            (Flavour::Ash, Unwritable::NoDirectory, "sh: can't create /x: nonexistent directory\n", 1),
            (Flavour::Dash, Unwritable::ReadOnly, "sh: 1: cannot create /x: Read-only file system\n", 2),
            (Flavour::Dash, Unwritable::NoDirectory, "sh: 1: cannot create /x: Directory nonexistent\n", 2),
            (Flavour::Bash, Unwritable::ReadOnly, "bash: /x: Read-only file system\n", 1),
            (Flavour::BashScript, Unwritable::NoDirectory, "bash: line 1: /x: No such file or directory\n", 1),
        ];
        for (flavour, why, text, code) in cases {
            assert_eq!(flavour.cannot_create("/x", why), (text.to_string(), code), "{flavour:?} {why:?}");
        }
        assert!(is_assignment("A_1=x") && !is_assignment("1A=x") && !is_assignment("=x"));
    }
}
