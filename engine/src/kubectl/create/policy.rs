//! `create namespace`, `create serviceaccount`, `create quota`,
//! `create poddisruptionbudget` and `create priorityclass`: the objects that
//! set a namespace's rules rather than run anything.

use super::{meta, Built, Generator};
use crate::labels::Selector;
use crate::object::Object;
use k8s_openapi::api::core::v1::{Namespace, ResourceQuota, ResourceQuotaSpec, ServiceAccount};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub fn namespace(g: &Generator) -> Built {
    let name = g.name()?;
    Ok(Object::Namespace(Box::new(Namespace {
        metadata: meta(&name, None),
        spec: Some(Default::default()),
        status: None,
    })))
}

pub fn service_account(g: &Generator) -> Built {
    let name = g.name()?;
    Ok(Object::ServiceAccount(Box::new(ServiceAccount { metadata: meta(&name, None), ..Default::default() })))
}

pub fn quota(g: &Generator) -> Built {
    let name = g.name()?;
    let mut hard = BTreeMap::new();
    for statement in g.string("hard").iter().filter(|h| !h.is_empty()).flat_map(|h| h.split(',')) {
        let parts: Vec<&str> = statement.split('=').collect();
        let [resource, amount] = parts.as_slice() else {
            return Err(format!("error: Invalid argument syntax {statement}, expected <resource>=<value>\n"));
        };
        if crate::quantity::parse_milli(amount).is_none() {
            return Err(
                "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'\n"
                    .into(),
            );
        }
        hard.insert(resource.to_string(), Quantity(amount.to_string()));
    }
    let mut scopes = Vec::new();
    for scope in g.string("scopes").iter().filter(|s| !s.is_empty()).flat_map(|s| s.split(',')) {
        if scope.is_empty() {
            return Err("error: invalid resource quota scope \"\"\n".into());
        }
        scopes.push(scope.to_string());
    }
    Ok(Object::ResourceQuota(Box::new(ResourceQuota {
        metadata: meta(&name, None),
        spec: Some(ResourceQuotaSpec {
            hard: (!hard.is_empty()).then_some(hard),
            scopes: (!scopes.is_empty()).then_some(scopes),
            scope_selector: None,
        }),
        status: None,
    })))
}

pub fn pdb(g: &Generator) -> Built {
    let name = g.name()?;
    let selector = g.string("selector").unwrap_or_default();
    let min = g.string("min-available").unwrap_or_default();
    let max = g.string("max-unavailable").unwrap_or_default();
    let problem = if selector.is_empty() {
        Some("a selector must be specified")
    } else if min.is_empty() && max.is_empty() {
        Some("one of min-available or max-unavailable must be specified")
    } else if !min.is_empty() && !max.is_empty() {
        Some("min-available and max-unavailable cannot be both specified")
    } else if !min.is_empty() && !count_or_percent(&min) {
        Some("invalid format specified for min-available")
    } else if !max.is_empty() && !count_or_percent(&max) {
        Some("invalid format specified for max-unavailable")
    } else {
        None
    };
    if let Some(problem) = problem {
        return Err(format!("error: {problem}\n"));
    }
    let selector = Selector::parse(&selector).map_err(|e| format!("error: {e}\n"))?.to_api();
    let amount = |v: &str| Some(v.parse::<i32>().map_or_else(|_| IntOrString::String(v.into()), IntOrString::Int));
    Ok(Object::PodDisruptionBudget(Box::new(PodDisruptionBudget {
        metadata: meta(&name, None),
        spec: Some(PodDisruptionBudgetSpec {
            selector: Some(selector),
            min_available: (!min.is_empty()).then(|| amount(&min)).flatten(),
            max_unavailable: (!max.is_empty()).then(|| amount(&max)).flatten(),
            ..Default::default()
        }),
        status: None,
    })))
}

/// `10` or `30%`, as kubectl's `^[0-9]+%?$`.
fn count_or_percent(v: &str) -> bool {
    let digits = v.strip_suffix('%').unwrap_or(v);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

pub fn priority_class(g: &Generator) -> Built {
    let name = g.name()?;
    let value = match g.string("value").map(|v| v.parse::<i32>()) {
        None => 0,
        Some(Ok(v)) => v,
        Some(Err(_)) => {
            let v = g.string("value").unwrap_or_default();
            return Err(format!(
                "Error: invalid argument {v:?} for \"--value\" flag: strconv.ParseInt: parsing {v:?}: invalid syntax\nSee 'kubectl create priorityclass --help' for usage.\n"
            ));
        }
    };
    Ok(Object::PriorityClass(Box::new(PriorityClass {
        metadata: meta(&name, None),
        value,
        global_default: g.boolean("global-default").then_some(true),
        description: g.string("description").filter(|d| !d.is_empty()),
        preemption_policy: Some(g.string("preemption-policy").unwrap_or_else(|| "PreemptLowerPriority".into())),
    })))
}
