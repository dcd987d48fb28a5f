//! `kubectl api-resources` and `kubectl api-versions`.

use super::cli;
use super::printers::table;
use crate::api::RESOURCES;
use crate::cluster::Output;
use clap::ArgMatches;
use std::collections::BTreeSet;

pub fn resources(m: &ArgMatches) -> Output {
    let namespaced = m.try_get_one::<bool>("namespaced").ok().flatten().copied();
    let wide = cli::string(m, "output").as_deref() == Some("wide");
    let name_only = cli::string(m, "output").as_deref() == Some("name");
    let mut rows = vec![["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"].map(String::from).to_vec()];
    if wide {
        rows[0].push("VERBS".into());
    }
    let mut names = Vec::new();
    // kubectl sorts by group (core first) then name.
    let mut sorted: Vec<_> = RESOURCES.iter().filter(|r| namespaced.is_none_or(|n| r.namespaced == n)).collect();
    sorted.sort_by_key(|r| (!r.group.is_empty(), r.group, r.plural));
    for r in sorted {
        names.push(if r.group.is_empty() { r.plural.to_string() } else { format!("{}.{}", r.plural, r.group) });
        let mut row = vec![
            r.plural.to_string(),
            r.short_names.join(","),
            r.api_version(),
            r.namespaced.to_string(),
            r.kind_name.to_string(),
        ];
        if wide {
            row.push("[create delete deletecollection get list patch update watch]".into());
        }
        rows.push(row);
    }
    if name_only {
        return Output::ok(names.iter().map(|n| format!("{n}\n")).collect::<String>());
    }
    Output::ok(table::render(&rows))
}

pub fn versions() -> Output {
    let versions: BTreeSet<String> =
        RESOURCES.iter().map(|r| r.api_version()).chain(["autoscaling/v1".to_string()]).collect();
    Output::ok(versions.into_iter().map(|v| format!("{v}\n")).collect::<String>())
}
