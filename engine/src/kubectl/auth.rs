//! `kubectl auth can-i` and `kubectl auth whoami`: the lab's admin is
//! allowed everything (RBAC is not simulated), as kubeadm's
//! `kubernetes-admin` is.

use super::cli;
use super::printers::tabwriter;
use crate::cluster::Output;
use clap::ArgMatches;

pub fn auth(m: &ArgMatches) -> Output {
    match m.subcommand() {
        Some(("can-i", sub)) => can_i(sub),
        Some(("whoami", _)) => Output::ok(tabwriter::align(
            "ATTRIBUTE\tVALUE\nUsername\tkubernetes-admin\nGroups\t[kubeadm:cluster-admins system:authenticated]\n",
            6,
            3,
        )),
        _ => Output::err(super::help::render(&["auth".into()]).unwrap_or_default()),
    }
}

fn can_i(m: &ArgMatches) -> Output {
    let args = cli::strings(m, "args");
    if cli::boolean(m, "list") {
        return Output::ok(tabwriter::align(
            "Resources\tNon-Resource URLs\tResource Names\tVerbs\n*.*\t[]\t[]\t[*]\n\t[*]\t[]\t[*]\n",
            6,
            3,
        ));
    }
    let resource = match args.as_slice() {
        [_, resource] | [_, resource, _] => resource,
        _ => {
            return Output::err(
                "error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.\n",
            )
        }
    };
    let mut out = Output::ok("yes\n");
    let kind = resource.split('/').next().unwrap_or(resource);
    if !resource.starts_with('/') && kind != "*" && crate::api::resolve(kind).is_none() {
        out.stderr = format!("Warning: the server doesn't have a resource type '{kind}'\n");
    }
    out
}
