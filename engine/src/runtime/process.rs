//! What a container's main process does over time: run until stopped (a
//! server), or exit with a code after a while (`sleep 30`, `echo hi`, a
//! crashing command), and what it writes meanwhile (its log). Container
//! commands run through a small model of the shell: `sh -c` scripts with
//! `;`, `&&`, `||`, `sleep`, `exit`, `echo`, `date`, and `while true` loops.

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

/// One thing a process writes, at an offset from its start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Out {
    /// A line of text.
    Text(String),
    /// `date`: the time it ran, as `date` prints it.
    Date,
    /// `hostname`: the pod's name.
    Hostname,
    /// A server's start-up banner (nginx, redis …), by image.
    Banner(String),
}

/// What a process writes, each at its offset from a start.
pub type Lines = Vec<(Millis, Out)>;

/// Everything known about a process from its command: how it ends, what
/// it writes once, and what a `while true` loop writes over and over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub exit: Exit,
    pub output: Lines,
    /// A loop starting at an offset, repeating every period, writing its
    /// lines at offsets within each round.
    pub repeat: Option<(Millis, Millis, Lines)>,
    /// Files the script creates (`touch`, `echo … > f`) or removes (`rm`),
    /// at offsets from its start: what exec probes look at.
    pub files: Vec<(Millis, String, bool)>,
    /// Bytes the process allocates beyond its image's resting use
    /// (`stress --vm-bytes`): what can get it OOM-killed.
    pub memory: u64,
    /// Cores it keeps busy (`stress --cpu N`), in nanocores.
    pub cpu: u64,
}

impl Plan {
    /// Whether `path` exists at `offset` after the start, as far as the
    /// script's own writes say (`None`: the script never touches it).
    pub fn file_at(&self, path: &str, offset: Millis) -> Option<bool> {
        self.files.iter().rfind(|(at, p, _)| p == path && *at <= offset).map(|(_, _, exists)| *exists)
    }

    /// When, after the start, the script's files change.
    pub fn file_changes(&self) -> impl Iterator<Item = Millis> + '_ {
        self.files.iter().map(|(at, _, _)| *at)
    }
}

/// The entrypoint and command images run when the pod names neither.
fn image_default(image: &str) -> Vec<String> {
    let name = super::images::short_name(image);
    let name = name.as_str();
    let shell_images = ["busybox", "alpine", "ubuntu", "debian", "centos", "fedora", "amazonlinux"];
    if shell_images.contains(&name) {
        // A shell with no terminal attached reads end-of-file and exits at once.
        return vec!["sh".into()];
    }
    // curlimages/curl: its entrypoint runs curl, or the program its
    // arguments name.
    if name == "curl" {
        return vec!["curl".into()];
    }
    // The official interpreter images (calico/node is a server, not Node.js).
    let official = super::images::normalize(image).starts_with("docker.io/library/");
    if official && ["perl", "python", "node", "ruby"].contains(&name) {
        return vec![name.into()];
    }
    // Servers (nginx, httpd, redis, databases, pause, the system images) run.
    vec!["serve".into()]
}

/// Whether running the image with no command starts a server (rather than
/// a shell or an interpreter that exits at once).
pub fn serves_by_default(image: &str) -> bool {
    image_default(image) == ["serve"]
}

/// What decides a container's process: its image and the pod's `command`
/// and `args`, as `plan` and `reads_terminal` take them.
pub fn parts(c: &k8s_openapi::api::core::v1::Container) -> (&str, Option<&[String]>, Option<&[String]>) {
    (c.image.as_deref().unwrap_or_default(), c.command.as_deref(), c.args.as_deref())
}

/// The command line a container runs, its image's defaults filled in.
pub fn command_line(c: &k8s_openapi::api::core::v1::Container) -> Vec<String> {
    let (image, command, args) = parts(c);
    argv(image, command, args)
}

/// The script a container's shell runs (`sh -c SCRIPT`), if that is what
/// its command is.
pub fn script_of(c: &k8s_openapi::api::core::v1::Container) -> Option<String> {
    let (image, command, args) = parts(c);
    let argv = argv(image, command, args);
    let shell = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p));
    (matches!(shell, Some("sh" | "bash" | "ash")) && argv.get(1).is_some_and(|f| f == "-c"))
        .then(|| argv.get(2).cloned())?
}

/// What a starting process finds around it: the container's files and its
/// environment, so `cat /etc/app/level || exit 1` fails when a ConfigMap
/// lacks the key. A plan made without them (`plan_with_output`) takes every
/// file and variable to be there, as most scripts assume.
pub trait Surroundings {
    /// The text of the file at `path`, if there is one.
    fn file(&self, path: &str) -> Option<String>;
    /// The value of the environment variable `name`, if set.
    fn var(&self, name: &str) -> Option<String>;
}

/// The whole plan of a container's process.
pub fn plan_with_output_of(c: &k8s_openapi::api::core::v1::Container) -> Plan {
    let (image, command, args) = parts(c);
    plan_with_output(image, command, args)
}

/// The whole plan of a container's process as it starts among `around`.
pub fn plan_in(c: &k8s_openapi::api::core::v1::Container, around: &dyn Surroundings) -> Plan {
    let (image, command, args) = parts(c);
    run_argv(image, &argv(image, command, args), Some(around))
}

/// Plans a container given its image and the pod's `command` and `args`.
pub fn plan(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> Exit {
    plan_with_output(image, command, args).exit
}

/// The whole plan: exit and output.
pub fn plan_with_output(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> Plan {
    run_argv(image, &argv(image, command, args), None)
}

/// Whether the process is an interactive shell: given a terminal (`stdin`
/// in the container spec) it waits for input instead of exiting.
pub fn reads_terminal(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> bool {
    let argv = argv(image, command, args);
    let program = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p));
    matches!(program, Some("sh" | "bash" | "ash")) && argv.get(1).is_none_or(|a| a != "-c")
}

/// The command line the container runs: the image's entrypoint and command
/// as the pod's `command` and `args` override them.
fn argv(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> Vec<String> {
    match (command, args) {
        (Some(c), Some(a)) => c.iter().chain(a).cloned().collect(),
        (Some(c), None) => c.to_vec(),
        (None, Some(a)) => {
            // args replace the image's CMD and go to its ENTRYPOINT; shell
            // images have none, so the args are the command.
            let default = image_default(image);
            let names_program = default == ["curl"] && a.first().is_some_and(|p| !p.starts_with('-'));
            if default == ["sh"] || names_program {
                a.to_vec()
            } else {
                default.into_iter().chain(a.iter().cloned()).collect()
            }
        }
        (None, None) => image_default(image),
    }
}

fn run_argv(image: &str, argv: &[String], around: Option<&dyn Surroundings>) -> Plan {
    let Some(program) = argv.first() else { return finished(0, 0, Vec::new()) };
    let base = program.rsplit('/').next().unwrap_or(program);
    if matches!(base, "sh" | "bash" | "ash") {
        return match argv.get(1).map(String::as_str) {
            Some("-c") => run_script(image, argv.get(2).map_or("", String::as_str), around),
            // A shell reading an absent terminal exits at once.
            _ => finished(0, 0, Vec::new()),
        };
    }
    run_script(image, &argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "), around)
}

fn finished(after: Millis, code: i32, output: Vec<(Millis, Out)>) -> Plan {
    Plan { exit: Exit::After { after, code }, output, repeat: None, files: Vec::new(), memory: 0, cpu: 0 }
}

/// Whether the process ends promptly on SIGTERM. Servers do; a shell or
/// `sleep` running as PID 1 has no handler, so the kernel ignores the
/// signal and only SIGKILL at the end of the grace period stops it.
pub fn stops_on_term(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> bool {
    let argv = argv(image, command, args);
    let program = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p).to_string()).unwrap_or_default();
    !matches!(program.as_str(), "sh" | "bash" | "ash" | "sleep" | "tail")
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

fn run_script(image: &str, script: &str, around: Option<&dyn Surroundings>) -> Plan {
    let trimmed = script.trim();
    for head in ["while true", "while :", "until false"] {
        if let Some(rest) = trimmed.strip_prefix(head) {
            // `while true; do BODY; done`: the body's lines, over and over.
            let body = rest.trim_start_matches(';').trim().strip_prefix("do").unwrap_or(rest);
            let body = body.trim().strip_suffix("done").unwrap_or(body).trim().trim_end_matches(';');
            let round = walk(image, body, around);
            let period = round.elapsed.max(10);
            return Plan {
                exit: Exit::Never,
                output: Vec::new(),
                repeat: Some((0, period, round.output)),
                files: Vec::new(),
                memory: round.memory,
                cpu: round.cpu,
            };
        }
    }
    let run = walk(image, script, around);
    let exit = if run.forever { Exit::Never } else { Exit::After { after: run.elapsed, code: run.code } };
    Plan { exit, output: run.output, repeat: None, files: run.files, memory: run.memory, cpu: run.cpu }
}

/// What running a script's commands once amounts to.
struct Walk {
    elapsed: Millis,
    code: i32,
    output: Vec<(Millis, Out)>,
    /// It ends in something that never returns (a server, `sleep infinity`).
    forever: bool,
    files: Vec<(Millis, String, bool)>,
    memory: u64,
    cpu: u64,
}

fn walk(image: &str, script: &str, around: Option<&dyn Surroundings>) -> Walk {
    let mut run =
        Walk { elapsed: 0, code: 0, output: Vec::new(), forever: false, files: Vec::new(), memory: 0, cpu: 0 };
    let mut operator = ";";
    let mut parts = split_script(script).into_iter();
    while let Some((command, mut next)) = parts.next() {
        let looped = command.trim().strip_prefix("for ").map(|header| for_loop(header, &mut parts, &mut next));
        let skip = (operator == "&&" && run.code != 0) || (operator == "||" && run.code == 0);
        operator = next;
        if skip {
            continue;
        }
        if let Some(rounds) = looped {
            for round in rounds {
                let at = run.elapsed;
                let ran = walk(image, &round, around);
                run.output.extend(ran.output.into_iter().map(|(t, o)| (at.saturating_add(t), o)));
                run.files.extend(ran.files.into_iter().map(|(t, f, e)| (at.saturating_add(t), f, e)));
                run.elapsed = at.saturating_add(ran.elapsed);
                run.code = ran.code;
                run.memory = run.memory.max(ran.memory);
                run.cpu = run.cpu.max(ran.cpu);
                if ran.forever {
                    run.forever = true;
                    return run;
                }
            }
            continue;
        }
        let mut words = crate::shell::split_words(command.trim()).unwrap_or_default();
        if let Some(around) = around {
            for word in &mut words {
                *word = expand(word, around);
            }
        }
        let at = run.elapsed;
        if let Some(target) = redirect_target(&mut words) {
            // The shell creates the file before the command runs.
            run.files.push((at, target, true));
            if words.first().is_none_or(|w| w == "echo" || w == "printf" || w == "date") {
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
                continue;
            }
        }
        let Some(first) = words.first() else { continue };
        let name = first.rsplit('/').next().unwrap_or(first);
        if let (Some(around), "cat" | "test" | "[") = (around, name) {
            look(&mut run, image, name, &words[1..], around);
            continue;
        }
        match name {
            "sleep" => match words.get(1).map(String::as_str) {
                Some("infinity") => {
                    run.forever = true;
                    return run;
                }
                Some(d) => match crate::time::parse_duration(d) {
                    Some(ms) => {
                        run.elapsed = run.elapsed.saturating_add(ms);
                        run.code = 0;
                    }
                    None => {
                        run.output.push((at, Out::Text(format!("sleep: invalid number '{d}'"))));
                        run.code = 1;
                    }
                },
                None => {
                    run.output.push((at, Out::Text("sleep: missing operand".into())));
                    run.code = 1;
                }
            },
            "exit" => {
                run.code = words.get(1).and_then(|c| c.parse().ok()).unwrap_or(run.code);
                return run;
            }
            "tail" if words.iter().any(|w| w == "-f") => {
                run.forever = true;
                return run;
            }
            "while" | "until" => {
                run.forever = true;
                return run;
            }
            "echo" => {
                let text: Vec<&str> =
                    words[1..].iter().map(String::as_str).filter(|w| *w != "-n" && *w != "-e").collect();
                run.output.push((at, Out::Text(text.join(" "))));
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
            }
            "printf" => {
                let text = words.get(1).map_or(String::new(), |f| f.replace("\\n", "\n"));
                for line in text.lines() {
                    run.output.push((at, Out::Text(line.to_string())));
                }
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
            }
            "date" => {
                run.output.push((at, Out::Date));
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
            }
            "hostname" => {
                run.output.push((at, Out::Hostname));
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
            }
            "touch" | "rm" => {
                let exists = name == "touch";
                for path in words[1..].iter().filter(|w| !w.starts_with('-')) {
                    run.files.push((at, path.clone(), exists));
                }
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
            }
            "true" | ":" | "env" | "printenv" | "cat" | "ls" | "id" | "whoami" | "pwd" | "mkdir" | "cp" | "mv"
            | "export" | "cd" | "test" | "[" | "wget" | "curl" | "nslookup" | "uname" | "df" | "free" | "ps" | "wc"
            | "grep" | "head" | "sort" | "seq" | "chmod" | "ln" | "set" | "trap" | "wait" => {
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 0;
            }
            "false" => {
                run.elapsed = run.elapsed.saturating_add(10);
                run.code = 1;
            }
            "perl" | "python" | "python3" | "node" | "ruby" | "java" => {
                run.elapsed = run.elapsed.saturating_add(3 * SECOND);
                run.code = 0;
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
            | "apache2-foreground" => {
                if name == "stress" || super::images::short_name(image) == "stress" {
                    run.memory = stress_bytes(&words[1..]);
                    run.cpu = stress_cores(&words[1..]).saturating_mul(1_000_000_000);
                }
                run.output.push((at, Out::Banner(image.to_string())));
                run.forever = true;
                return run;
            }
            other if ships(image, other) == Some(true) => {
                // The image's own program: its server, running until stopped.
                run.output.push((at, Out::Banner(image.to_string())));
                run.forever = true;
                return run;
            }
            other if ships(image, other) == Some(false) => {
                // One of the image's client tools (redis-cli, mysqldump): it
                // does its errand and ends.
                run.elapsed = run.elapsed.saturating_add(SECOND);
                run.code = 0;
            }
            other => {
                run.output.push((at, Out::Text(format!("sh: {other}: not found"))));
                run.code = 127;
            }
        }
    }
    run
}

/// `for NAME in WORDS; do BODY; done`: takes the body's commands (up to
/// `done`) from `parts` and gives one script per word, the variable put in.
/// The operator after `done` becomes `next`.
fn for_loop(
    header: &str,
    parts: &mut impl Iterator<Item = (String, &'static str)>,
    next: &mut &'static str,
) -> Vec<String> {
    let mut body = Vec::new();
    for (command, op) in parts.by_ref() {
        let command = command.trim();
        if command == "done" {
            *next = op;
            break;
        }
        let command = command.strip_prefix("do ").unwrap_or(command).trim();
        if command != "do" {
            body.push(format!("{command} {}", if op == ";" { ";" } else { op }));
        }
    }
    let body = body.join(" ");
    let mut words = header.split_whitespace();
    let name = words.next().unwrap_or_default();
    if words.next() != Some("in") {
        return Vec::new();
    }
    words.map(|value| body.replace(&format!("${{{name}}}"), value).replace(&format!("${name}"), value)).collect()
}

/// `cat` and `test` run among known surroundings: they read the files
/// and variables, and fail as the real tools do.
fn look(run: &mut Walk, image: &str, name: &str, operands: &[String], around: &dyn Surroundings) {
    let at = run.elapsed;
    run.elapsed = run.elapsed.saturating_add(10);
    if name == "cat" {
        run.code = 0;
        for path in operands.iter().filter(|w| !w.starts_with('-')) {
            match around.file(path) {
                Some(text) => run.output.extend(text.lines().map(|l| (at, Out::Text(l.to_string())))),
                None => {
                    run.output.push((at, Out::Text(no_such_file(image, path))));
                    run.code = 1;
                }
            }
        }
        return;
    }
    let mut operands: Vec<&str> = operands.iter().map(String::as_str).collect();
    if name == "[" && operands.last() == Some(&"]") {
        operands.pop();
    }
    run.code = i32::from(!test(&operands, around));
}

/// `$NAME` and `${NAME}` replaced by their values (unset ones by nothing),
/// as the shell does before running a command.
fn expand(word: &str, around: &dyn Surroundings) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, used) = match after.strip_prefix('{') {
            Some(inner) => match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            },
            None => {
                let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        out.push_str(&around.var(name).unwrap_or_default());
        rest = &after[used..];
    }
    out.push_str(rest);
    out
}

/// `test EXPR` / `[ EXPR ]` for the forms scripts use to check their
/// configuration: file tests, empty strings, equality, negation.
fn test(operands: &[&str], around: &dyn Surroundings) -> bool {
    match operands {
        ["!", rest @ ..] => !test(rest, around),
        ["-f" | "-e" | "-r", path] => around.file(path).is_some(),
        ["-s", path] => around.file(path).is_some_and(|t| !t.is_empty()),
        ["-n", text] => !text.is_empty(),
        ["-z", text] => text.is_empty(),
        [a, "=" | "==", b] => a == b,
        [a, "!=", b] => a != b,
        [text] => !text.is_empty(),
        [] => false,
        // Forms not modelled (numbers, folders) pass, as before.
        _ => true,
    }
}

/// `cat`'s complaint about a missing file, in the image's own words.
fn no_such_file(image: &str, path: &str) -> String {
    if super::exec::debian_based(image) {
        format!("cat: {path}: No such file or directory")
    } else {
        format!("cat: can't open '{path}': No such file or directory")
    }
}

/// Whether `program` is one the image brings besides the shell tools:
/// `Some(true)` for its server (`local-path-provisioner` in its image,
/// `kube-apiserver` in its, or anything at all in an image the playground
/// does not know, taken to be someone's application), `Some(false)` for a
/// client tool named after the image (`redis-cli`, `mysqldump`), `None` for
/// a program the image lacks.
fn ships(image: &str, program: &str) -> Option<bool> {
    let name = super::images::short_name(image);
    let program = program.rsplit('/').next().unwrap_or(program);
    if program == name || !super::images::known(image) {
        Some(true)
    } else if name.len() >= 4 && (program.starts_with(name.as_str()) || name.starts_with(program)) {
        Some(false)
    } else {
        None
    }
}

/// Takes `> FILE` or `>> FILE` off a command's words: the file it writes.
fn redirect_target(words: &mut Vec<String>) -> Option<String> {
    // Moving one stream onto the other (`>&2`, `2>&1`) or away from the log
    // (`2>/dev/null`) keeps the text in the container's log, which holds both
    // stdout and stderr; only stdout into a file leaves it.
    words.retain(|w| !matches!(w.as_str(), ">&2" | "1>&2" | ">&1" | "2>&1") && !w.starts_with("2>"));
    let at = words.iter().position(|w| w.starts_with('>'))?;
    let word = words.remove(at);
    let inline = word.trim_start_matches('>');
    if !inline.is_empty() {
        return Some(inline.to_string());
    }
    (at < words.len()).then(|| words.remove(at))
}

/// How many cores `stress --cpu N` keeps busy.
fn stress_cores(args: &[String]) -> u64 {
    // polinux/stress says --cpu N, vish/stress (the Kubernetes docs' demo) -cpus N.
    let position = args.iter().position(|a| a == "--cpu" || a == "-c" || a == "-cpus");
    position.and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// What `stress --vm N --vm-bytes SIZE` holds: N workers of SIZE each
/// (stress's default is 256M per worker).
fn stress_bytes(args: &[String]) -> u64 {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1));
    let workers: u64 = value("--vm").and_then(|n| n.parse().ok()).unwrap_or(0);
    let size = value("--vm-bytes").map_or(Some(256 << 20), |s| {
        let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let n: u64 = digits.parse().ok()?;
        let scale = match unit.to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" => 1 << 10,
            "m" => 1 << 20,
            "g" => 1 << 30,
            _ => return None,
        };
        n.checked_mul(scale)
    });
    workers.saturating_mul(size.unwrap_or(0))
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
            ("nginx", Some(strings(&["foo"])), None, Exit::After { after: 0, code: 127 }),
            (
                "rancher/local-path-provisioner:v0.0.30",
                Some(strings(&["local-path-provisioner", "start"])),
                None,
                Exit::Never,
            ),
            ("example.com/shop/api:1.0", Some(strings(&["/app/server"])), None, Exit::Never),
            ("redis:7", Some(strings(&["redis-cli", "ping"])), None, Exit::After { after: 1_000, code: 0 }),
            (
                "perl:5.34.0",
                Some(strings(&["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"])),
                None,
                Exit::After { after: 3_000, code: 0 },
            ),
            ("nginx", Some(strings(&["sh", "-c", "echo 'a; b' && exit 1"])), None, Exit::After { after: 10, code: 1 }),
            // curlimages/curl runs the program its arguments name, or curl.
            ("curlimages/curl", None, Some(strings(&["curl", "-s", "web"])), Exit::After { after: 10, code: 0 }),
            ("curlimages/curl", None, Some(strings(&["-s", "web"])), Exit::After { after: 10, code: 0 }),
            (
                "busybox",
                Some(sh("for i in 3 2 1; do echo $i; sleep 1; done")),
                None,
                Exit::After { after: 3_030, code: 0 },
            ),
        ];
        for (image, command, args, want) in cases {
            assert_eq!(plan(image, command.as_deref(), args.as_deref()), *want, "{image} {command:?} {args:?}");
        }
    }

    #[test]
    fn loops_and_stderr_reach_the_log() {
        let script = |s: &str| plan_with_output("busybox", Some(&strings(&["sh", "-c", s])), None).output;
        let text = |t: &str| Out::Text(t.into());
        assert_eq!(
            script("for i in 3 2 1; do echo $i; sleep 1; done; echo liftoff"),
            vec![(0, text("3")), (1_010, text("2")), (2_020, text("1")), (3_030, text("liftoff"))]
        );
        assert_eq!(script("echo oops >&2; echo fine 2>/dev/null"), vec![(0, text("oops")), (10, text("fine"))]);
    }

    /// A container with one mounted file and one variable.
    struct Around;

    impl Surroundings for Around {
        fn file(&self, path: &str) -> Option<String> {
            (path == "/etc/app/mode").then(|| "batch\n".to_string())
        }
        fn var(&self, name: &str) -> Option<String> {
            (name == "LEVEL").then(|| "info".to_string())
        }
    }

    #[test]
    fn scripts_read_their_files_and_variables_as_they_start() {
        let sh = |script: &str, image: &str| {
            let c = k8s_openapi::api::core::v1::Container {
                image: Some(image.into()),
                command: Some(strings(&["sh", "-c", script])),
                ..Default::default()
            };
            let plan = plan_in(&c, &Around);
            let text: Vec<String> = plan
                .output
                .iter()
                .filter_map(|(_, o)| match o {
                    Out::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            (plan.exit, text)
        };
        let ends = |code| Exit::After { after: 10, code };
        let cases: &[(&str, &str, Exit, &[&str])] = &[
            (
                "cat /etc/app/level || exit 1; sleep 3600",
                "busybox",
                ends(1),
                &["cat: can't open '/etc/app/level': No such file or directory"],
            ),
            (
                "cat /etc/app/level || exit 1; sleep 3600",
                "debian",
                ends(1),
                &["cat: /etc/app/level: No such file or directory"],
            ),
            ("cat /etc/app/mode && sleep infinity", "busybox", Exit::Never, &["batch"]),
            ("[ -f /etc/app/level ] || exit 3", "busybox", ends(3), &[]),
            ("test -f /etc/app/mode && exit 4", "busybox", Exit::After { after: 10, code: 4 }, &[]),
            ("[ -n \"$MISSING\" ] || exit 5", "busybox", Exit::After { after: 10, code: 5 }, &[]),
            ("[ -z \"$MISSING\" ] && exit 6", "busybox", ends(6), &[]),
            (
                "echo level=$LEVEL ${LEVEL}!; [ \"$LEVEL\" = info ] && exit 7",
                "busybox",
                Exit::After { after: 20, code: 7 },
                &["level=info info!"],
            ),
        ];
        for (script, image, exit, output) in cases {
            let (got_exit, got_output) = sh(script, image);
            assert_eq!(got_exit, *exit, "{script}");
            assert_eq!(got_output, strings(output), "{script}");
        }
        // Without surroundings nothing is known, and scripts run as before.
        let c = k8s_openapi::api::core::v1::Container {
            image: Some("busybox".into()),
            command: Some(strings(&["sh", "-c", "cat /etc/app/level || exit 1; sleep infinity"])),
            ..Default::default()
        };
        assert_eq!(plan_with_output_of(&c).exit, Exit::Never);
    }
}
