//! `kubectl rollout status|history|undo|pause|resume|restart`. `status`
//! waits like kubectl does, letting simulated time pass and printing each
//! new state of the rollout until it completes.

use super::printers::table;
use super::{cli, namespace, target};
use crate::api::Kind;
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use crate::controllers::deployment::{NOT_COPIED, REVISION};
use crate::object::Object;
use crate::time::SECOND;
use clap::ArgMatches;
use k8s_openapi::api::apps::v1::Deployment;
use std::sync::Arc;

/// How long `rollout status` waits (in simulated time) without `--timeout`.
const STATUS_LIMIT_SECONDS: i64 = 600;

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let Some((sub, args)) = m.subcommand() else {
        return Output::err(
            "error: Required subcommand not specified.\nSee 'kubectl rollout -h' for help and examples\n",
        );
    };
    let ns = namespace(m);
    let found = match target::objects(cluster, &cli::strings(args, "args"), &ns, &format!("rollout {sub}")) {
        Ok(f) => f,
        Err(out) => return out,
    };
    let mut out = Output::default();
    for (info, object) in found {
        let result = match (sub, info.kind) {
            ("status", Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) => status(cluster, &object, args),
            ("history", Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) => history(cluster, &object, args),
            ("undo", Kind::Deployment) => undo(cluster, &object, args),
            ("undo", Kind::DaemonSet | Kind::StatefulSet) => undo_template(cluster, &object, args),
            ("pause" | "resume", Kind::Deployment) => pause(cluster, &object, sub == "pause"),
            ("restart", Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) => restart(cluster, &object),
            _ => Err(format!("error: no {sub} implemented for {{\"{}\" \"{}\"}}\n", info.group, info.kind_name)),
        };
        out.add(result);
    }
    cluster.settle();
    out
}

fn deployment(object: &Object) -> Option<&Deployment> {
    match object {
        Object::Deployment(d) => Some(d),
        _ => None,
    }
}

/// The rollout's state in kubectl's words, and whether it is done.
fn status_line(object: &Object) -> Result<(String, bool), String> {
    let name = object.name();
    match object {
        Object::Deployment(d) => {
            let spec = d.spec.as_ref();
            let status = d.status.clone().unwrap_or_default();
            if d.metadata.generation > status.observed_generation {
                return Ok(("Waiting for deployment spec update to be observed...\n".into(), false));
            }
            let deadline = status
                .conditions
                .iter()
                .flatten()
                .any(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded"));
            if deadline {
                return Err(format!("error: deployment \"{name}\" exceeded its progress deadline\n"));
            }
            let want = spec.and_then(|s| s.replicas).unwrap_or(1);
            let updated = status.updated_replicas.unwrap_or(0);
            let replicas = status.replicas.unwrap_or(0);
            let available = status.available_replicas.unwrap_or(0);
            Ok(if updated < want {
                (format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false)
            } else if replicas > updated {
                (format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false)
            } else if available < updated {
                (format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"), false)
            } else {
                (format!("deployment \"{name}\" successfully rolled out\n"), true)
            })
        }
        Object::DaemonSet(ds) => {
            let s = ds.status.clone().unwrap_or_default();
            let updated = s.updated_number_scheduled.unwrap_or(0);
            let available = s.number_available.unwrap_or(0);
            Ok(if updated < s.desired_number_scheduled {
                (format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {} new pods have been updated...\n", s.desired_number_scheduled), false)
            } else if available < s.desired_number_scheduled {
                (format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {} updated pods are available...\n", s.desired_number_scheduled), false)
            } else {
                (format!("daemon set \"{name}\" successfully rolled out\n"), true)
            })
        }
        Object::StatefulSet(ss) => {
            let s = ss.status.clone().unwrap_or_default();
            let want = ss.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let ready = s.ready_replicas.unwrap_or(0);
            let updated = s.updated_replicas.unwrap_or(0);
            let revision = s.update_revision.clone().unwrap_or_default();
            Ok(if ready < want {
                (format!("Waiting for {} pods to be ready...\n", want - ready), false)
            } else if updated < want && s.current_revision != s.update_revision {
                (
                    format!(
                        "Waiting for statefulset rolling update to complete {updated} pods at revision {revision}...\n"
                    ),
                    false,
                )
            } else {
                (format!("statefulset rolling update complete {want} pods at revision {revision}...\n"), true)
            })
        }
        _ => Err("error: unknown kind\n".into()),
    }
}

fn status(cluster: &mut Cluster, object: &Arc<Object>, args: &ArgMatches) -> Result<String, String> {
    let watch = args.try_get_one::<bool>("watch").ok().flatten().copied().unwrap_or(true);
    let limit = cli::string(args, "timeout")
        .and_then(|t| crate::time::parse_duration(&t))
        .filter(|t| *t > 0)
        .unwrap_or(STATUS_LIMIT_SECONDS * SECOND);
    let (kind, ns, name) = (object.kind(), object.namespace().to_string(), object.name().to_string());
    let mut printed = String::new();
    let mut last = String::new();
    let deadline = cluster.now().plus(limit);
    loop {
        let current = cluster.api().get(kind, &ns, &name).map_err(|e| format!("{}\n", e.render(None)))?;
        let (line, done) = status_line(&current).map_err(|e| format!("{printed}{e}"))?;
        if line != last {
            printed.push_str(&line);
            last = line;
        }
        if done || !watch {
            return Ok(printed);
        }
        if cluster.now() >= deadline {
            return Err(format!("{printed}error: timed out waiting for the condition\n"));
        }
        cluster.step_to_next(deadline);
    }
}

/// The Deployment's ReplicaSets with their revisions, oldest revision first.
fn history(cluster: &Cluster, object: &Object, args: &ArgMatches) -> Result<String, String> {
    let list = super::history::of(cluster, object);
    let label = format!("{}/{}", object.info().qualified_singular(), object.name());
    if let Some(wanted) = cli::string(args, "revision").and_then(|r| r.parse::<i64>().ok()) {
        let Some(revision) = list.iter().find(|r| r.number == wanted) else {
            return Err("error: unable to find the specified revision\n".into());
        };
        let template = revision.template.as_ref();
        let labels = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref());
        let mut text = format!("{label} with revision #{wanted}\nPod Template:\n");
        let label_lines: Vec<String> = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
        text.push_str(&format!("  Labels:\t{}\n", label_lines.join("\n\t")));
        text.push_str("  Containers:\n");
        for c in template.and_then(|t| t.spec.as_ref()).map(|s| s.containers.clone()).unwrap_or_default() {
            text.push_str(&format!("   {}:\n    Image:\t{}\n", c.name, c.image.unwrap_or_default()));
        }
        return Ok(format!("{text}\n"));
    }
    let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
    for revision in &list {
        let cause = revision.annotations.get("kubernetes.io/change-cause").cloned();
        rows.push(vec![revision.number.to_string(), cause.unwrap_or_else(|| "<none>".into())]);
    }
    // rollout history lays its table out with two spaces of padding.
    Ok(format!("{label} \n{}\n", table::render_with_padding(&rows, 2)))
}

/// `rollout undo` of a DaemonSet or StatefulSet: its template patched back
/// to the revision's, which its controller then renumbers as the latest.
fn undo_template(cluster: &mut Cluster, object: &Object, args: &ArgMatches) -> Result<String, String> {
    let list = super::history::of(cluster, object);
    let wanted = cli::string(args, "to-revision").and_then(|r| r.parse::<i64>().ok()).unwrap_or(0);
    let target = super::history::target(&list, wanted)?;
    let label = format!("{}/{}", object.info().qualified_singular(), object.name());
    if target.template.as_ref() == super::history::current_template(object) {
        return Ok(format!("{label} skipped rollback (current template already matches revision {})\n", target.number));
    }
    let patch = serde_json::json!({"spec": {"template": target.template}});
    let now = cluster.now();
    let kind = object.kind();
    cluster
        .api_mut()
        .patch(kind, object.namespace(), object.name(), PatchType::Strategic, &patch, now)
        .map_err(|e| format!("{}\n", e.render(None)))?;
    Ok(format!("{label} rolled back\n"))
}

fn undo(cluster: &mut Cluster, object: &Object, args: &ArgMatches) -> Result<String, String> {
    let Some(d) = deployment(object) else { return Err("error: not a deployment\n".into()) };
    let list = super::history::of(cluster, object);
    let current: i64 =
        d.metadata.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse().ok()).unwrap_or(0);
    let wanted = cli::string(args, "to-revision").and_then(|r| r.parse::<i64>().ok()).unwrap_or(0);
    let target = if wanted > 0 {
        list.iter()
            .find(|r| r.number == wanted)
            .ok_or_else(|| format!("error: unable to find specified revision {wanted} in history\n"))?
    } else {
        list.iter()
            .rev()
            .find(|r| r.number < current)
            .ok_or_else(|| format!("error: no rollout history found for deployment \"{}\"\n", object.name()))?
    };
    let Some(template) = target.template.clone() else {
        return Err("error: the revision has no template\n".into());
    };
    if d.spec.as_ref().map(|s| &s.template) == Some(&template) {
        return Ok(format!(
            "deployment.apps/{} skipped rollback (current template already matches revision {})\n",
            object.name(),
            target.number
        ));
    }
    // As kubectl's rollback: the revision's annotations (its change-cause
    // among them) replace the Deployment's, but for its own bookkeeping.
    let skipped = |k: &String| NOT_COPIED.contains(&k.as_str());
    let own = d.metadata.annotations.iter().flatten().filter(|(k, _)| skipped(k));
    let revision = target.annotations.iter().filter(|(k, _)| !skipped(k));
    let annotations: std::collections::BTreeMap<&String, &String> = own.chain(revision).collect();
    let patch = serde_json::json!([
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]);
    let now = cluster.now();
    cluster
        .api_mut()
        .patch(Kind::Deployment, object.namespace(), object.name(), PatchType::Json, &patch, now)
        .map_err(|e| format!("{}\n", e.render(None)))?;
    Ok(format!("deployment.apps/{} rolled back\n", object.name()))
}

fn pause(cluster: &mut Cluster, object: &Object, pause: bool) -> Result<String, String> {
    let Some(d) = deployment(object) else { return Err("error: not a deployment\n".into()) };
    let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
    let word = if pause { "paused" } else { "resumed" };
    if paused == pause {
        return Err(format!(
            "error: deployments.apps \"{}\" is {}\n",
            object.name(),
            if pause { "already paused" } else { "not paused" }
        ));
    }
    let patch =
        serde_json::json!({"spec": {"paused": if pause { serde_json::json!(true) } else { serde_json::Value::Null }}});
    let now = cluster.now();
    cluster
        .api_mut()
        .patch(Kind::Deployment, object.namespace(), object.name(), PatchType::Merge, &patch, now)
        .map_err(|e| format!("{}\n", e.render(None)))?;
    Ok(format!("deployment.apps/{} {word}\n", object.name()))
}

fn restart(cluster: &mut Cluster, object: &Object) -> Result<String, String> {
    let now = cluster.now();
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now.rfc3339()}}}}});
    let info = object.info();
    cluster
        .api_mut()
        .patch(info.kind, object.namespace(), object.name(), PatchType::Strategic, &patch, now)
        .map_err(|e| format!("{}\n", e.render(None)))?;
    Ok(format!("{}/{} restarted\n", info.qualified_singular(), object.name()))
}
