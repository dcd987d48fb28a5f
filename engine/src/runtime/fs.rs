//! What a container's file system holds beyond what Kubernetes mounts: the
//! few files its image brings, and the container's writable layer, which
//! lives as long as that container (a restart starts a fresh one).

use super::images;
use crate::api::Kind;
use crate::object::Object;
use crate::store::{ChangeType, Store};
use std::collections::BTreeMap;

/// Which container instance a layer belongs to: the pod (namespace, name,
/// uid) and the container's name.
pub type LayerKey = (String, String, String, String);

/// The data of the ConfigMaps and Secrets a container's environment names,
/// by kind and name.
pub type EnvSources = BTreeMap<(Kind, String), BTreeMap<String, String>>;

/// The writable layers of all containers, each with the restart count of
/// the container instance that wrote it, and the sources of each instance's
/// environment as they were when it started: a process's environment is
/// fixed at its start, so a later change to a ConfigMap reaches mounted
/// files but not variables.
#[derive(Clone, Debug, Default)]
pub struct Layers {
    layers: BTreeMap<LayerKey, (i32, BTreeMap<String, String>)>,
    env: BTreeMap<LayerKey, (i32, EnvSources)>,
}

impl Layers {
    /// The files the container instance `restarts` has written.
    pub fn files(&self, key: &LayerKey, restarts: i32) -> Option<&BTreeMap<String, String>> {
        let (written_by, files) = self.layers.get(key)?;
        (*written_by == restarts).then_some(files)
    }

    /// Writes a file into the container instance's layer.
    pub fn write(&mut self, key: LayerKey, restarts: i32, path: &str, text: &str) {
        let layer = self.layers.entry(key).or_default();
        if layer.0 != restarts {
            *layer = (restarts, BTreeMap::new());
        }
        layer.1.insert(path.to_string(), text.to_string());
    }

    /// What the container instance `restarts` started with.
    pub fn env_sources(&self, key: &LayerKey, restarts: i32) -> Option<&EnvSources> {
        let (started, sources) = self.env.get(key)?;
        (*started == restarts).then_some(sources)
    }

    /// Keeps what the container instance `restarts` starts with, unless it
    /// has been kept already.
    pub fn pin_env(&mut self, key: LayerKey, restarts: i32, sources: impl FnOnce() -> EnvSources) {
        if self.env_sources(&key, restarts).is_none() {
            self.env.insert(key, (restarts, sources()));
        }
    }

    /// Notes the environment's sources of every container the changes
    /// after `cursor` show running; returns the cursor past them.
    pub fn pin_started(&mut self, store: &Store, cursor: u64) -> u64 {
        for change in store.changes_since(cursor).filter(|c| c.change != ChangeType::Deleted) {
            let Object::Pod(pod) = &*change.object else { continue };
            for status in pod.status.iter().flat_map(|s| s.container_statuses.iter().flatten()) {
                if status.state.as_ref().and_then(|s| s.running.as_ref()).is_none() {
                    continue;
                }
                let containers = pod.spec.iter().flat_map(|s| s.containers.iter());
                let Some(container) = containers.filter(|c| c.name == status.name).find(|c| {
                    c.env_from.as_ref().is_some_and(|e| !e.is_empty())
                        || c.env.iter().flatten().any(|v| v.value_from.is_some())
                }) else {
                    continue;
                };
                let key = layer_key(pod, &status.name);
                self.pin_env(key, status.restart_count, || super::exec::env_sources(store, pod, container));
            }
        }
        store.version()
    }

    /// Keeps only the layers of pods `alive` (given namespace, name and
    /// uid) still knows.
    pub fn retain(&mut self, alive: impl Fn(&str, &str, &str) -> bool) {
        self.layers.retain(|(ns, name, uid, _), _| alive(ns, name, uid));
        self.env.retain(|(ns, name, uid, _), _| alive(ns, name, uid));
    }
}

/// The directories every image has.
pub const BASE_DIRS: &[&str] =
    &["/bin", "/dev", "/etc", "/home", "/lib", "/proc", "/root", "/sys", "/tmp", "/usr", "/var"];

/// The files an image brings that commands in the playground read.
pub fn image_files(image: &str) -> Vec<(&'static str, &'static str)> {
    match images::short_name(image).as_str() {
        // registry.k8s.io/nginx-slim, the StatefulSet tutorial's image.
        "nginx" | "nginx-slim" => {
            vec![("/usr/share/nginx/html/index.html", NGINX_INDEX), ("/usr/share/nginx/html/50x.html", NGINX_50X)]
        }
        "httpd" => vec![("/usr/local/apache2/htdocs/index.html", "<html><body><h1>It works!</h1></body></html>\n")],
        _ => Vec::new(),
    }
}

/// nginx's default page.
pub const NGINX_INDEX: &str = r#"<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"#;

const NGINX_50X: &str = r#"<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"#;

/// Whose writable layer: the container of one pod instance.
pub fn layer_key(pod: &k8s_openapi::api::core::v1::Pod, container: &str) -> LayerKey {
    let m = &pod.metadata;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    (text(&m.namespace), text(&m.name), text(&m.uid), container.to_string())
}

/// How often a pod's container has been restarted: which instance is running.
pub fn restarts(pod: &k8s_openapi::api::core::v1::Pod, container: &str) -> i32 {
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .find(|c| c.name == container)
        .map_or(0, |c| c.restart_count)
}
