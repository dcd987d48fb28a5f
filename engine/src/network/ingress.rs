//! The ingress-nginx controller: an HTTP request that reaches its pod is
//! matched against the Ingresses of its class — host (exact or `*.`
//! wildcard), then the longest path (Exact before Prefix, Prefix by whole
//! path elements) — and proxied straight to one of the backend Service's
//! endpoints, as the controller's upstreams are the endpoints themselves.
//! No rule: the default backend's 404; a backend without endpoints: 503.

use super::http::{self, Ask, Response};
use super::policy::End;
use super::proxy;
use super::route::{self, Landing};
use super::{Dice, Fabric, Hop, Outcome};
use crate::api::Kind;
use crate::runtime::exec::Inside;
use crate::runtime::images;
use crate::store::Store;
use k8s_openapi::api::networking::v1::{Ingress, IngressBackend};

/// The IngressClass the lab's controller serves.
pub const CLASS: &str = "nginx";

/// Whether the container is the ingress-nginx controller.
pub fn is_controller(image: &str) -> bool {
    images::normalize(image).contains("/ingress-nginx/controller")
}

/// Forwards a request that reached the controller in `landing`.
pub fn forward(
    fabric: &Fabric,
    landing: &Landing,
    ask: &Ask,
    mut hops: Vec<Hop>,
    dice: &mut Dice,
) -> (Outcome, Vec<Hop>) {
    let host = ask.host.rsplit_once(':').map_or(ask.host.as_str(), |(h, _)| h);
    let path = ask.path.split(['?', '#']).next().unwrap_or("/");
    let Some((ingress, backend, matched)) = best_match(fabric.store, host, path) else {
        return (Outcome::Response(page(404, "Not Found", fabric)), hops);
    };
    let namespace = ingress.metadata.namespace.clone().unwrap_or_default();
    hops.push(Hop::Ingress {
        namespace: namespace.clone(),
        name: ingress.metadata.name.clone().unwrap_or_default(),
        host: host.to_string(),
        path: matched.clone(),
    });
    let Some(service_ref) = backend.service.as_ref() else {
        return (Outcome::Response(page(503, "Service Temporarily Unavailable", fabric)), hops);
    };
    let service = fabric.store.get(Kind::Service, &namespace, &service_ref.name).and_then(|o| o.as_service());
    let port = service.and_then(|svc| {
        let wanted = service_ref.port.as_ref()?;
        svc.spec.as_ref()?.ports.iter().flatten().find(|p| match (&wanted.number, &wanted.name) {
            (Some(n), _) => p.port == *n,
            (None, Some(name)) => p.name.as_deref() == Some(name),
            _ => false,
        })
    });
    let (Some(service), Some(port)) = (service, port) else {
        return (Outcome::Response(page(503, "Service Temporarily Unavailable", fabric)), hops);
    };
    let endpoints = proxy::endpoints(fabric.store, service, port);
    let controller_ip = landing.pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
    let Some(endpoint) = proxy::pick(service, &endpoints, &controller_ip, dice) else {
        return (Outcome::Response(page(503, "Service Temporarily Unavailable", fabric)), hops);
    };
    let Some(pod) =
        endpoint.pod.as_ref().and_then(|(ns, name)| fabric.store.get(Kind::Pod, ns, name)).and_then(|o| o.as_pod())
    else {
        return (Outcome::Response(page(502, "Bad Gateway", fabric)), hops);
    };
    let source = End { pod: Some(landing.pod), ip: &controller_ip };
    match route::to_pod(fabric, &source, pod, endpoint.port, hops) {
        Err((_, hops)) => (Outcome::Response(page(504, "Gateway Time-out", fabric)), hops),
        Ok((upstream, hops)) => {
            let rewritten = rewrite(ingress, &matched, path);
            let ask = Ask { path: rewritten, ..ask.clone() };
            let inside =
                Inside::of(fabric.store, fabric.layers, fabric.volumes, upstream.pod, upstream.container, fabric.now);
            (http::serve(&inside, upstream.pod, upstream.port, &ask), hops)
        }
    }
}

/// The Service (namespace, name, port) the rules send `host` and `path`
/// to, when it names its port by number or by a name the Service has.
pub fn backend(store: &Store, host: &str, path: &str) -> Option<(String, String, i32)> {
    let (ingress, backend, _) = best_match(store, host, path)?;
    let namespace = ingress.metadata.namespace.clone().unwrap_or_default();
    let service = backend.service.as_ref()?;
    let wanted = service.port.as_ref()?;
    let port = match (&wanted.number, &wanted.name) {
        (Some(n), _) => *n,
        (None, Some(name)) => {
            let svc = store.get(Kind::Service, &namespace, &service.name)?.as_service()?;
            svc.spec.as_ref()?.ports.iter().flatten().find(|p| p.name.as_deref() == Some(name))?.port
        }
        _ => return None,
    };
    Some((namespace, service.name.clone(), port))
}

/// The Ingress, backend and matched path for a request, or `None`.
fn best_match<'a>(store: &'a Store, host: &str, path: &str) -> Option<(&'a Ingress, &'a IngressBackend, String)> {
    let mut best: Option<(bool, usize, bool, &Ingress, &IngressBackend, String)> = None;
    let mut fallback = None;
    for object in store.list(Kind::Ingress, None) {
        let crate::object::Object::Ingress(ingress) = &**object else { continue };
        let Some(spec) = ingress.spec.as_ref() else { continue };
        if !served(store, ingress) {
            continue;
        }
        if let Some(backend) = &spec.default_backend {
            fallback.get_or_insert((&**ingress, backend, "/".to_string()));
        }
        for rule in spec.rules.iter().flatten() {
            let host_match = match rule.host.as_deref() {
                None | Some("") => Some(false),
                Some(h) if h.eq_ignore_ascii_case(host) => Some(true),
                Some(h) => h
                    .strip_prefix("*.")
                    .filter(|suffix| host.split_once('.').is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(suffix)))
                    .map(|_| true),
            };
            let Some(specific_host) = host_match else { continue };
            for candidate in rule.http.iter().flat_map(|h| &h.paths) {
                let wanted = candidate.path.as_deref().unwrap_or("/");
                let exact = candidate.path_type == "Exact";
                let hit = match uses_regex(ingress) {
                    true => regex_of(wanted).is_some_and(|r| r.is_match(path)),
                    false if exact => path == wanted,
                    false => prefix_match(wanted, path),
                };
                if !hit {
                    continue;
                }
                let key = (specific_host, wanted.len(), exact);
                if best.as_ref().is_none_or(|b| key > (b.0, b.1, b.2)) {
                    best = Some((specific_host, wanted.len(), exact, ingress, &candidate.backend, wanted.to_string()));
                }
            }
        }
    }
    best.map(|(_, _, _, ingress, backend, path)| (ingress, backend, path)).or(fallback)
}

/// Whether the lab's controller serves the Ingress: its class is ours,
/// named by field or by the old annotation, or unset while ours is the
/// default class.
pub fn served(store: &Store, ingress: &Ingress) -> bool {
    let named = ingress
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref())
        .or_else(|| ingress.metadata.annotations.as_ref()?.get("kubernetes.io/ingress.class").map(String::as_str));
    match named {
        Some(class) => class == CLASS,
        None => store.get(Kind::IngressClass, "", CLASS).is_some_and(|c| {
            c.meta()
                .annotations
                .as_ref()
                .and_then(|a| a.get("ingressclass.kubernetes.io/is-default-class"))
                .is_some_and(|v| v == "true")
        }),
    }
}

/// Prefix matching by path elements: `/api` matches `/api` and `/api/v1`,
/// not `/apis`.
fn prefix_match(prefix: &str, path: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty() || path == prefix || path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether the Ingress's paths are regular expressions: asked for, or
/// implied by a rewrite, as ingress-nginx reads them.
fn uses_regex(ingress: &Ingress) -> bool {
    let annotations = ingress.metadata.annotations.as_ref();
    annotations.is_some_and(|a| {
        a.contains_key("nginx.ingress.kubernetes.io/rewrite-target")
            || a.get("nginx.ingress.kubernetes.io/use-regex").is_some_and(|v| v == "true")
    })
}

/// A regex path as nginx's location reads it: anchored at the start,
/// case-insensitive.
fn regex_of(path: &str) -> Option<regex::Regex> {
    regex::Regex::new(&format!("(?i)^{path}")).ok()
}

/// The path sent upstream: with `nginx.ingress.kubernetes.io/rewrite-target`
/// nginx's `rewrite` replaces the whole path with the target, `$1`, `$2`
/// standing for the path's groups.
fn rewrite(ingress: &Ingress, matched: &str, path: &str) -> String {
    let target =
        ingress.metadata.annotations.as_ref().and_then(|a| a.get("nginx.ingress.kubernetes.io/rewrite-target"));
    let (Some(target), Some(regex)) = (target, regex_of(matched)) else { return path.to_string() };
    let Some(groups) = regex.captures(path) else { return path.to_string() };
    let mut out = String::new();
    let mut chars = target.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().and_then(|d| d.to_digit(10))) {
            ('$', Some(n)) => {
                chars.next();
                out.push_str(groups.get(n as usize).map_or("", |m| m.as_str()));
            }
            _ => out.push(c),
        }
    }
    if out.starts_with('/') {
        out
    } else {
        format!("/{out}")
    }
}

/// One of the controller's own error pages.
fn page(status: u16, reason: &str, fabric: &Fabric) -> Response {
    let body = format!(
        "<html>\n<head><title>{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
    );
    Response {
        status,
        reason: reason.to_string(),
        headers: vec![
            ("Date".into(), http::http_date(fabric.now)),
            ("Content-Type".into(), "text/html".into()),
            ("Content-Length".into(), body.len().to_string()),
            ("Connection".into(), "keep-alive".into()),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::{prefix_match, rewrite};
    use k8s_openapi::api::networking::v1::Ingress;

    #[test]
    fn rewrites_replace_the_path_with_the_target() {
        let with = |target: &str| {
            let mut ingress = Ingress::default();
            ingress.metadata.annotations =
                Some([("nginx.ingress.kubernetes.io/rewrite-target".to_string(), target.to_string())].into());
            ingress
        };
        assert_eq!(rewrite(&with("/"), "/api", "/api/users"), "/");
        assert_eq!(rewrite(&with("/$2"), "/api(/|$)(.*)", "/api/users"), "/users");
        assert_eq!(rewrite(&with("/$2"), "/api(/|$)(.*)", "/api"), "/");
        assert_eq!(rewrite(&Ingress::default(), "/api", "/api/users"), "/api/users");
    }

    #[test]
    fn prefixes_match_whole_elements() {
        assert!(prefix_match("/", "/anything"));
        assert!(prefix_match("/api", "/api"));
        assert!(prefix_match("/api", "/api/v1"));
        assert!(prefix_match("/api/", "/api/v1"));
        assert!(!prefix_match("/api", "/apis"));
        assert!(!prefix_match("/api/v1", "/api"));
    }
}
