//! `kubeplay`: the engine's command-line face.
//!
//! `kubeplay shell [--preset NAME] [--seed N] [--openmetrics-out FILE]`
//! reads terminal lines from standard input and prints what the playground
//! terminal would show; on a terminal it is an interactive prompt. At exit
//! it can write every sample the cluster's Prometheus stored as
//! OpenMetrics, which `promtool tsdb create-blocks-from openmetrics` loads
//! into a real Prometheus. `kubeplay bench [--nodes N]
//! [--deployments D] [--replicas R]` times a large cluster's start;
//! `kubeplay bench promql [--nodes N] [--cpus C] [--runs R]
//! [--against-prometheus]` times a PromQL range query over a large
//! cluster's CPU counters, and with the last flag (native only) a real
//! Prometheus on the same samples; `kubeplay bench tsdb [--nodes N]
//! [--hours H]` the PromQL store; `kubeplay bench schedule [--nodes N]
//! [--pods M]` the scheduler alone over a backlog of pending pods;
//! `kubeplay bench tick [--speed S] [--ticks T]` what each of the page's
//! clock ticks costs on the `large` preset; `kubeplay bench dashboard
//! [--nodes N] [UID]` a built-in dashboard's refreshes.

mod bench;
mod dashboard_bench;
mod promql_bench;
#[cfg(not(target_arch = "wasm32"))]
mod real_prometheus;
mod rewind_bench;
mod schedule_bench;
mod tick_bench;
mod tsdb_bench;

use engine::{Cluster, Entry, Files, Shell};

// wasm32 (the bench under node): memory grown in large steps, as the app does.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: engine::SteppedAlloc = engine::SteppedAlloc::new();
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// The real file system, relative to the working directory.
struct Disk;

impl Files for Disk {
    fn read(&self, path: &str) -> Option<Entry> {
        let p = Path::new(path);
        if p.is_dir() {
            let mut names: Vec<String> =
                std::fs::read_dir(p).ok()?.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
            names.sort();
            return Some(Entry::Dir(names));
        }
        std::fs::read_to_string(p).ok().map(Entry::File)
    }

    fn write(&self, path: &str, text: &str) -> Result<(), String> {
        // kubectl creates the folders a copy or dump needs.
        if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        // Go's wording, as kubectl reports a failed write.
        std::fs::write(path, text).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("open {path}: no such file or directory"),
            std::io::ErrorKind::PermissionDenied => format!("open {path}: permission denied"),
            _ => format!("open {path}: {e}"),
        })
    }

    fn remove(&self, path: &str) -> Result<(), String> {
        std::fs::remove_file(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
            _ => e.to_string(),
        })
    }
}

const USAGE: &str = "Usage: kubeplay shell [--preset NAME] [--seed N] [--openmetrics-out FILE]\n       kubeplay bench [--nodes N] [--deployments D] [--replicas R]\n       kubeplay bench promql [--nodes N] [--cpus C] [--runs R] [--against-prometheus]\n       kubeplay bench tsdb [--nodes N] [--hours H]\n       kubeplay bench schedule [--nodes N] [--pods M]\n       kubeplay bench rewind [--minutes M]\n       kubeplay bench tick [--speed S] [--ticks T]\n       kubeplay bench dashboard [--nodes N] [UID]\n";

/// The usage, and the presets `--preset` takes, read from the bundled
/// presets so a new one is listed without touching this file.
fn usage() -> String {
    let presets = engine::Preset::all();
    let width = presets.iter().map(|p| p.name.len()).max().unwrap_or(0);
    let lines: String = presets.iter().map(|p| format!("  {:width$}  {}\n", p.name, p.description)).collect();
    format!("{USAGE}\nPresets:\n{lines}")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = match args.first().map(String::as_str) {
        Some("shell") => shell(&args[1..]),
        Some("bench") => bench_command(&args[1..]),
        _ => {
            eprint!("{}", usage());
            2
        }
    };
    std::process::exit(code);
}

/// `--flag value` and `--flag=value` pairs.
fn flags(args: &[String]) -> Result<Vec<(String, String)>, ()> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        match inline.or_else(|| it.next().cloned()) {
            Some(v) if name.starts_with("--") => out.push((name, v)),
            _ => return Err(()),
        }
    }
    Ok(out)
}

fn bench_command(args: &[String]) -> i32 {
    if args.first().map(String::as_str) == Some("promql") {
        return promql_bench_command(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("rewind") {
        let minutes = match numbers(&args[1..], &["--minutes"]) {
            Ok(pairs) => {
                pairs.last().map_or(30, |(_, n)| i64::try_from(*n).unwrap_or(i64::MAX / 60_000).min(7 * 24 * 60))
            }
            Err(code) => return code,
        };
        return rewind_bench::run(minutes);
    }
    if args.first().map(String::as_str) == Some("tick") {
        let mut plan = tick_bench::Plan { speed: 1, ticks: 50 };
        let pairs = match numbers(&args[1..], &["--speed", "--ticks"]) {
            Ok(p) => p,
            Err(code) => return code,
        };
        for (name, n) in pairs {
            match name.as_str() {
                "--speed" => plan.speed = n.max(1),
                _ => plan.ticks = n,
            }
        }
        return tick_bench::run(&plan);
    }
    if args.first().map(String::as_str) == Some("dashboard") {
        // A last word that is neither a flag nor a flag's number is the uid.
        let rest = &args[1..];
        let (flags, uid) = match rest.split_last() {
            Some((uid, flags)) if rest.len() % 2 == 1 && !uid.starts_with('-') => (flags, uid.as_str()),
            _ => (rest, "kubeplay-cluster"),
        };
        return match numbers(flags, &["--nodes"]) {
            Ok(pairs) => dashboard_bench::run(pairs.last().map_or(200, |(_, n)| *n), uid),
            Err(code) => code,
        };
    }
    if args.first().map(String::as_str) == Some("tsdb") {
        return tsdb_bench::run(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("schedule") {
        let mut plan = schedule_bench::Plan { nodes: 5_000, pods: 150_000 };
        let pairs = match numbers(&args[1..], &["--nodes", "--pods"]) {
            Ok(p) => p,
            Err(code) => return code,
        };
        for (name, n) in pairs {
            match name.as_str() {
                "--nodes" => plan.nodes = n,
                _ => plan.pods = n,
            }
        }
        return schedule_bench::run(&plan);
    }
    let mut plan = bench::Plan { nodes: 5_000, deployments: 1_500, replicas: 100 };
    let pairs = match numbers(args, &["--nodes", "--deployments", "--replicas"]) {
        Ok(p) => p,
        Err(code) => return code,
    };
    for (name, n) in pairs {
        match name.as_str() {
            "--nodes" => plan.nodes = n,
            "--deployments" => plan.deployments = n,
            _ => plan.replicas = n,
        }
    }
    bench::run(&plan)
}

fn promql_bench_command(args: &[String]) -> i32 {
    let mut plan = promql_bench::Plan { nodes: 5_000, cpus: 2, runs: 3, against_prometheus: false };
    let (switches, rest): (Vec<String>, Vec<String>) = args.iter().cloned().partition(|a| a == "--against-prometheus");
    plan.against_prometheus = !switches.is_empty();
    let pairs = match numbers(&rest, &["--nodes", "--cpus", "--runs"]) {
        Ok(p) => p,
        Err(code) => return code,
    };
    for (name, n) in pairs {
        match name.as_str() {
            "--nodes" => plan.nodes = n,
            "--cpus" => plan.cpus = n,
            _ => plan.runs = n,
        }
    }
    promql_bench::run(&plan)
}

/// `--flag N` pairs among `names`; anything else prints the usage, and the
/// exit status is the error.
fn numbers(args: &[String], names: &[&str]) -> Result<Vec<(String, usize)>, i32> {
    let Ok(pairs) = flags(args) else {
        eprint!("{}", usage());
        return Err(2);
    };
    pairs
        .into_iter()
        .map(|(name, value)| {
            if !names.contains(&name.as_str()) {
                eprint!("{}", usage());
                return Err(2);
            }
            match value.parse::<usize>() {
                Ok(n) => Ok((name, n)),
                Err(_) => {
                    eprintln!("kubeplay: {name} wants a whole number, not {value:?}");
                    Err(2)
                }
            }
        })
        .collect()
}

fn shell(args: &[String]) -> i32 {
    let mut preset = "default".to_string();
    let mut seed: u64 = 1;
    let mut openmetrics_out = None;
    let Ok(pairs) = flags(args) else {
        eprint!("{}", usage());
        return 2;
    };
    for (name, value) in pairs {
        match name.as_str() {
            "--preset" => preset = value,
            "--openmetrics-out" => openmetrics_out = Some(value),
            "--seed" => match value.parse() {
                Ok(s) => seed = s,
                Err(_) => {
                    eprintln!("kubeplay: --seed wants a whole number, not {value:?}");
                    return 2;
                }
            },
            _ => {
                eprint!("{}", usage());
                return 2;
            }
        }
    }
    let cluster = match Cluster::new(&preset, seed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return 2;
        }
    };
    let mut shell = Shell::new(cluster);
    #[cfg(unix)]
    if std::io::stdin().is_terminal() {
        let shell = terminal::repl(shell);
        return finish(&shell, openmetrics_out.as_deref());
    }
    let interactive = std::io::stdin().is_terminal();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            print!("{}", shell.prompt());
            let _ = std::io::stdout().flush();
        }
        let Some(Ok(line)) = lines.next() else { break };
        if interactive && matches!(line.trim(), "exit" | "logout") {
            break;
        }
        let out = shell.run(&line, &Disk);
        print!("{}", out.stdout);
        eprint!("{}", out.stderr);
        let _ = std::io::stdout().flush();
    }
    finish(&shell, openmetrics_out.as_deref())
}

/// Writes the current cluster's Prometheus samples to `path`, if asked.
fn finish(shell: &Shell, path: Option<&str>) -> i32 {
    let Some(path) = path else { return 0 };
    let Some(storage) = shell.cluster().tsdb() else {
        eprintln!("kubeplay: --openmetrics-out: the cluster has no Prometheus (try --preset monitoring)");
        return 1;
    };
    let written = std::fs::File::create(path).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        let mut result = Ok(());
        engine::openmetrics::write_each(storage, |chunk| {
            if result.is_ok() {
                result = out.write_all(chunk.as_bytes());
            }
        });
        result.and_then(|()| out.flush())
    });
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kubeplay: --openmetrics-out: {path}: {e}");
            1
        }
    }
}

/// The interactive prompt on a terminal: line editing, history and Tab
/// completion from the same `Shell::complete` the browser uses.
#[cfg(unix)]
mod terminal {
    use super::Disk;
    use engine::Shell;
    use rustyline::completion::Completer;
    use rustyline::error::ReadlineError;
    use rustyline::highlight::Highlighter;
    use rustyline::hint::Hinter;
    use rustyline::history::DefaultHistory;
    use rustyline::validate::Validator;
    use rustyline::{Context, Editor, Helper};
    use std::cell::RefCell;
    use std::io::Write;
    use std::rc::Rc;

    struct Completion(Rc<RefCell<Shell>>);

    impl Completer for Completion {
        type Candidate = String;

        fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<String>)> {
            let before = line.get(..pos).unwrap_or(line);
            let found = self.0.borrow().complete(before);
            // A single choice is a whole word: a space follows it, as in bash.
            let candidates = match found.candidates.as_slice() {
                [only] if !only.ends_with(':') => vec![format!("{only} ")],
                _ => found.candidates,
            };
            Ok((found.start, candidates))
        }
    }

    impl Hinter for Completion {
        type Hint = String;
    }
    impl Highlighter for Completion {}
    impl Validator for Completion {}
    impl Helper for Completion {}

    /// Runs the prompt until `exit` or end of input; hands the shell back.
    pub fn repl(shell: Shell) -> Shell {
        let shell = Rc::new(RefCell::new(shell));
        let Ok(mut editor) = Editor::<Completion, DefaultHistory>::new() else { return take(shell) };
        editor.set_helper(Some(Completion(shell.clone())));
        loop {
            let prompt = shell.borrow().prompt();
            let line = match editor.readline(&prompt) {
                Ok(line) => line,
                // Ctrl-C ends a watch, or clears the line.
                Err(ReadlineError::Interrupted) => {
                    shell.borrow_mut().interrupt();
                    continue;
                }
                Err(_) => break,
            };
            if matches!(line.trim(), "exit" | "logout") && !shell.borrow().in_container() {
                break;
            }
            let _ = editor.add_history_entry(line.as_str());
            let out = shell.borrow_mut().run(&line, &Disk);
            print!("{}", out.stdout);
            eprint!("{}", out.stderr);
            let _ = std::io::stdout().flush();
        }
        drop(editor);
        take(shell)
    }

    /// The shell out of its shared cell, once the editor let go of it.
    fn take(shell: Rc<RefCell<Shell>>) -> Shell {
        match Rc::try_unwrap(shell) {
            Ok(cell) => cell.into_inner(),
            Err(shared) => shared.borrow().clone(),
        }
    }
}
