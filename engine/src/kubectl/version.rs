//! `kubectl version`.

use super::cli;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;

/// The kubectl release whose behaviour this layer reproduces.
pub const CLIENT_VERSION: &str = "v1.32.4";
const KUSTOMIZE_VERSION: &str = "v5.5.0";

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let mut text = format!("Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n");
    if !cli::boolean(m, "client") {
        let server = crate::scenario::Preset::named(cluster.preset()).map(|p| p.kubernetes_version);
        text.push_str(&format!("Server Version: {}\n", server.unwrap_or_else(|| CLIENT_VERSION.into())));
    }
    Output::ok(text)
}
