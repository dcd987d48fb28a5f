//! Finding the one object a command works on (`deployment web`,
//! `deploy/web`), in kubectl's words when it is missing.

use super::{error, resources};
use crate::api::ResourceInfo;
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::object::Object;
use std::sync::Arc;

/// Every object the arguments name, or (with `selector`) every object of
/// the named types whose labels match; or kubectl's error.
pub fn selected(
    cluster: &Cluster,
    args: &[String],
    ns: &str,
    command: &str,
    selector: Option<&str>,
) -> Result<Vec<(&'static ResourceInfo, Arc<Object>)>, Output> {
    let Some(text) = selector else { return objects(cluster, args, ns, command) };
    let selector = Selector::parse(text).map_err(error)?;
    let requests = resources::parse(args).map_err(error)?;
    let mut found = Vec::new();
    for request in requests {
        let scope = request.info.namespaced.then_some(ns);
        found.extend(
            cluster
                .api()
                .store()
                .select(request.info.kind, scope, &selector)
                .into_iter()
                .map(|o| (request.info, o.clone())),
        );
    }
    Ok(found)
}

/// Every object named by the arguments, or kubectl's error.
pub fn objects(
    cluster: &Cluster,
    args: &[String],
    ns: &str,
    command: &str,
) -> Result<Vec<(&'static ResourceInfo, Arc<Object>)>, Output> {
    let requests = resources::parse(args).map_err(error)?;
    if requests.is_empty() || requests.iter().any(|r| r.names.is_empty()) {
        return Err(Output::err(format!(
            "error: resource(s) were provided, but no name was specified\nSee 'kubectl {command} -h' for help and examples\n"
        )));
    }
    let mut found = Vec::new();
    for request in requests {
        let scope = if request.info.namespaced { ns } else { "" };
        for name in &request.names {
            match cluster.api().get(request.info.kind, scope, name) {
                Ok(o) => found.push((request.info, o)),
                Err(e) => return Err(Output::err(format!("{}\n", e.render(None)))),
            }
        }
    }
    Ok(found)
}
