//! Installs the build and test tools a fresh machine lacks, into a cached
//! folder outside the work tree so a second run finds them at once. Every
//! tool comes from crates.io, npm or Debian: nothing downloads a binary from
//! anywhere else.

use crate::run;
use std::path::{Path, PathBuf};
use std::process::Command;

const TRUNK_VERSION: &str = "0.21.14";
const BINARYEN_VERSION: &str = "132.0.0";

/// Where tools go: `$KUBEPLAY_TOOLS`, else `~/.cache/kubeplay/tools`.
pub fn folder() -> PathBuf {
    if let Some(dir) = std::env::var_os("KUBEPLAY_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".cache/kubeplay/tools")
}

/// PATH with the tools folder's binaries (cargo-installed and npm's) first.
pub fn path() -> std::ffi::OsString {
    let tools = folder();
    let mut parts = vec![tools.join("bin"), tools.join("npm/node_modules/.bin")];
    if let Some(path) = std::env::var_os("PATH") {
        parts.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(parts).unwrap_or_default()
}

/// What `program --version` prints, if it runs.
fn version_of(program: &str) -> Option<String> {
    let out = Command::new(program).arg("--version").env("PATH", path()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(lock: &str, package: &str) -> Option<String> {
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("name = \"{package}\"") {
            let next = lines.next()?;
            return next.trim().strip_prefix("version = \"")?.strip_suffix('"').map(String::from);
        }
    }
    None
}

/// A rustup target, added when missing.
pub fn ensure_target(root: &Path, target: &str) -> Result<(), String> {
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("cannot run rustup: {e}"))?;
    if !String::from_utf8_lossy(&targets.stdout).lines().any(|l| l.trim() == target) {
        run("rustup", &["target", "add", target], root)?;
    }
    Ok(())
}

/// The wasm32 target, trunk, wasm-bindgen-cli and wasm-opt.
pub fn ensure_build_tools(root: &Path) -> Result<(), String> {
    ensure_target(root, "wasm32-unknown-unknown")?;
    let tools = folder();
    let tools_str = tools.to_string_lossy().into_owned();
    if !version_of("trunk").is_some_and(|v| v.contains(TRUNK_VERSION)) {
        run("cargo", &["install", "--locked", "trunk", "--version", TRUNK_VERSION, "--root", &tools_str], root)?;
    }
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let bindgen = locked_version(&lock, "wasm-bindgen").ok_or("Cargo.lock has no wasm-bindgen")?;
    if !version_of("wasm-bindgen").is_some_and(|v| v.contains(&bindgen)) {
        // Not --locked: its lock file pins crates newer than the index serves.
        run("cargo", &["install", "wasm-bindgen-cli", "--version", &bindgen, "--root", &tools_str], root)?;
    }
    if !version_of("wasm-opt").is_some_and(|v| v.contains("version 132")) {
        let npm = tools.join("npm");
        std::fs::create_dir_all(&npm).map_err(|e| format!("cannot create {}: {e}", npm.display()))?;
        run(
            "npm",
            &["install", "--no-audit", "--no-fund", "--prefix", ".", &format!("binaryen@{BINARYEN_VERSION}")],
            &npm,
        )?;
    }
    Ok(())
}

/// Debian's Chromium and ChromeDriver, a Korean font (so screenshots of the
/// Korean interface show Hangul, not empty boxes), Prometheus and promtool
/// (the oracle the PromQL tests compare with), and the browser tests' npm
/// packages.
pub fn ensure_test_tools(root: &Path) -> Result<(), String> {
    let missing: Vec<&str> = [
        ("/usr/bin/chromium", "chromium"),
        ("/usr/bin/chromedriver", "chromium-driver"),
        ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "fonts-nanum"),
        ("/usr/bin/prometheus", "prometheus"),
        ("/usr/bin/promtool", "prometheus"),
    ]
    .iter()
    .filter(|(path, _)| !Path::new(path).exists())
    .map(|(_, package)| *package)
    .collect();
    if !missing.is_empty() {
        let mut packages = missing;
        packages.dedup();
        run("apt-get", &["update"], root)?;
        let mut args = vec!["install", "-y", "--no-install-recommends"];
        args.extend(packages);
        run("apt-get", &args, root)?;
    }
    let browser = root.join("tests/browser");
    if !browser.join("node_modules/playwright-core").exists() {
        run("npm", &["ci", "--no-audit", "--no-fund"], &browser)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_cargo_lock() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-backend\"\nversion = \"0.2.130\"\n";
        assert_eq!(locked_version(lock, "wasm-bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(locked_version(lock, "trunk"), None);
    }

    #[test]
    fn the_workspace_lock_pins_the_bindgen_the_trunk_config_names() {
        let root = crate::root();
        let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
        let trunk = std::fs::read_to_string(root.join("Trunk.toml")).unwrap_or_default();
        let locked = locked_version(&lock, "wasm-bindgen").unwrap_or_default();
        assert!(!locked.is_empty(), "Cargo.lock pins wasm-bindgen");
        assert!(
            trunk.contains(&format!("wasm_bindgen = \"{locked}\"")),
            "Trunk.toml must name wasm-bindgen {locked}, or trunk tries to download it"
        );
    }
}
