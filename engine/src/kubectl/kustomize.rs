//! `kubectl kustomize DIR`: prints what the kustomization builds.

use super::{cli, Io};
use crate::cluster::Output;
use crate::kustomize::Built;
use crate::time::Time;
use clap::ArgMatches;

/// The process id klog lines show for this kubectl.
const PID: u32 = 23817;

pub fn run(m: &ArgMatches, io: &Io, now: Time) -> Output {
    let built = match cli::strings(m, "args").as_slice() {
        [] => build(io, "."),
        [dir] => build(io, dir),
        _ => Err("specify one path to kustomization.yaml".to_string()),
    };
    match built {
        Ok(built) => Output {
            stdout: built.yaml,
            stderr: built.warnings.iter().map(|w| format!("{w}\n")).collect(),
            exit_code: 0,
        },
        // kubectl reports a failed build through klog rather than as `error:`.
        Err(e) => Output::err(format!(
            "E{} {PID:>7} run.go:72] \"command failed\" err={}\n",
            now.klog(),
            serde_json::Value::String(e)
        )),
    }
}

fn build(io: &Io, dir: &str) -> Result<Built, String> {
    match io.files.read(dir) {
        None => Err(format!(
            "must build at directory: not a valid directory: evalsymlink failure on '{dir}' : lstat {dir}: no such file or directory"
        )),
        Some(_) => crate::kustomize::build(io.files, dir),
    }
}
