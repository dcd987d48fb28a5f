//! Resource arguments in every form kubectl accepts: `pods`, `po web`,
//! `pod/web`, `pods,nodes`, `deployments.apps`.

use crate::api::{self, Kind, ResourceInfo};

/// One resource type and the names asked for (empty: all of them).
#[derive(Debug, PartialEq, Eq)]
pub struct Request {
    /// The type.
    pub info: &'static ResourceInfo,
    /// Names, or empty for a list.
    pub names: Vec<String>,
}

/// Parses the positional arguments of get/delete/describe.
pub fn parse(args: &[String]) -> Result<Vec<Request>, String> {
    let Some(first) = args.first() else {
        return Ok(Vec::new());
    };
    if first.contains('/') {
        let mut requests: Vec<Request> = Vec::new();
        for arg in args {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            if name.is_empty() || name.contains('/') {
                return Err("arguments in resource/name form must have a single resource and name".into());
            }
            let info = resolve(kind)?;
            match requests.iter_mut().find(|r| r.info.kind == info.kind) {
                Some(r) => r.names.push(name.to_string()),
                None => requests.push(Request { info, names: vec![name.to_string()] }),
            }
        }
        return Ok(requests);
    }
    if args[1..].iter().any(|a| a.contains('/')) {
        return Err("there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
    }
    let mut requests = Vec::new();
    for kind in first.split(',').filter(|k| !k.is_empty()) {
        let infos = if kind == "all" { ALL.iter().map(|k| api::info(*k)).collect() } else { vec![resolve(kind)?] };
        for info in infos {
            if !requests.iter().any(|r: &Request| r.info.kind == info.kind) {
                requests.push(Request { info, names: args[1..].to_vec() });
            }
        }
    }
    Ok(requests)
}

/// The `all` category, in kubectl's order.
const ALL: &[Kind] = &[
    Kind::Pod,
    Kind::ReplicationController,
    Kind::Service,
    Kind::DaemonSet,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::HorizontalPodAutoscaler,
    Kind::CronJob,
    Kind::Job,
];

fn resolve(kind: &str) -> Result<&'static ResourceInfo, String> {
    api::resolve(kind).ok_or_else(|| format!("the server doesn't have a resource type \"{kind}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Result<Vec<(Kind, Vec<String>)>, String> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args).map(|rs| rs.into_iter().map(|r| (r.info.kind, r.names)).collect())
    }

    #[test]
    fn forms() {
        assert_eq!(parsed("pods"), Ok(vec![(Kind::Pod, vec![])]));
        assert_eq!(parsed("po web db"), Ok(vec![(Kind::Pod, vec!["web".into(), "db".into()])]));
        assert_eq!(
            parsed("pod/web no/w1-k8s pod/db"),
            Ok(vec![(Kind::Pod, vec!["web".into(), "db".into()]), (Kind::Node, vec!["w1-k8s".into()])])
        );
        assert_eq!(parsed("pods,nodes"), Ok(vec![(Kind::Pod, vec![]), (Kind::Node, vec![])]));
        assert_eq!(parsed("foo"), Err("the server doesn't have a resource type \"foo\"".into()));
        assert!(parsed("pod/web pods").is_err());
        assert!(parsed("pods pod/web").is_err());
    }
}
