//! The project's two entry points, so a fresh machine needs only the Rust
//! toolchain:
//!
//! - `cargo xtask serve`: installs what the page needs, builds the release
//!   wasm offline and serves the playground on http://127.0.0.1:8080.
//! - `cargo xtask test`: also installs what the tests need, then runs the
//!   format and lint checks, every native test, the wasm build and the
//!   browser tests in headless Chromium. Exits non-zero when anything fails.
//!
//! Besides those two, `cargo xtask bench [ARGS]` runs `kubeplay bench ARGS`
//! natively and compiled to wasm32 under node, one after the other.

mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result =
        match task.as_str() {
            "serve" => serve(),
            "test" => test(),
            "bench" => bench(&std::env::args().skip(2).collect::<Vec<_>>()),
            _ => Err("usage: cargo xtask serve | cargo xtask test | cargo xtask bench [kubeplay bench arguments]"
                .to_string()),
        };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command in the workspace root with the tools folder first on PATH.
fn run(program: &str, args: &[&str], dir: &Path) -> Result<(), String> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", tools::path())
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

fn serve() -> Result<(), String> {
    let root = root();
    tools::ensure_build_tools(&root)?;
    run("cargo", &["fetch"], &root)?;
    eprintln!("xtask: serving the playground on http://127.0.0.1:8080 (Ctrl-C stops it)");
    run("trunk", &["serve", "--release", "--offline"], &root)
}

fn bench(args: &[String]) -> Result<(), String> {
    let root = root();
    tools::ensure_target(&root, "wasm32-wasip1")?;
    run("cargo", &["build", "--release", "--bin", "kubeplay"], &root)?;
    run("cargo", &["build", "--release", "--target", "wasm32-wasip1", "--bin", "kubeplay"], &root)?;
    let mut native = vec!["bench"];
    native.extend(args.iter().map(String::as_str));
    run("target/release/kubeplay", &native, &root)?;
    let mut wasm =
        vec!["--no-warnings", "engine/bench/wasi.mjs", "target/wasm32-wasip1/release/kubeplay.wasm", "bench"];
    wasm.extend(args.iter().map(String::as_str));
    run("node", &wasm, &root)
}

fn test() -> Result<(), String> {
    let root = root();
    tools::ensure_build_tools(&root)?;
    tools::ensure_test_tools(&root)?;
    run("cargo", &["fmt", "--all", "--check"], &root)?;
    run("cargo", &["clippy", "-p", "engine", "-p", "xtask", "--all-targets", "--", "-D", "warnings"], &root)?;
    run("cargo", &["clippy", "-p", "app", "--target", "wasm32-unknown-unknown", "--", "-D", "warnings"], &root)?;
    run("cargo", &["test", "-p", "engine", "-p", "xtask"], &root)?;
    run("cargo", &["fetch"], &root)?;
    run("trunk", &["build", "--release", "--offline"], &root)?;
    run("node", &["--test", "--test-concurrency=1"], &root.join("tests/browser"))
}
