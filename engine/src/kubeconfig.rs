//! The client's kubeconfig: clusters, users and contexts by name, and the
//! current context. It lives beside the clusters in the terminal, not in
//! any cluster, because on a real machine it is a file on the client.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Where kubectl says the file is.
pub const PATH: &str = "/root/.kube/config";

/// A context: which cluster, as which user, in which namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    pub cluster: String,
    pub user: String,
    /// Empty when the context names none (kubectl then uses `default`).
    pub namespace: String,
}

/// A cluster entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterEntry {
    pub server: String,
    /// Whether it carries kubeadm's CA certificate.
    pub ca: bool,
}

/// A user entry: kubeadm's client certificate, or what `set-credentials`
/// gave it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserEntry {
    pub certificate: bool,
    pub token: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// The kubeconfig, its lists keyed by name as kubectl keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kubeconfig {
    pub clusters: BTreeMap<String, ClusterEntry>,
    pub users: BTreeMap<String, UserEntry>,
    pub contexts: BTreeMap<String, Context>,
    /// Empty when unset.
    pub current: String,
}

/// Placeholder credentials shown by `config view --raw`: base64 of a PEM
/// header, so the file looks like the one kubeadm writes.
const CA_DATA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==";
const KEY_DATA: &str = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=";

impl Kubeconfig {
    /// The file kubeadm leaves on the control plane for one cluster.
    pub fn kubeadm(cluster: &str, server: &str) -> Kubeconfig {
        let mut config = Kubeconfig::default();
        config.add_cluster(cluster, server);
        config.current = admin_context(cluster);
        config
    }

    /// Adds a cluster with its admin user and context, as a second
    /// kubeadm file merged into this one would.
    pub fn add_cluster(&mut self, cluster: &str, server: &str) {
        self.clusters.insert(cluster.to_string(), ClusterEntry { server: server.into(), ca: true });
        let user = admin_user(cluster);
        self.users.insert(user.clone(), UserEntry { certificate: true, ..Default::default() });
        self.contexts
            .insert(admin_context(cluster), Context { cluster: cluster.into(), user, namespace: String::new() });
    }

    /// Reads a kubeconfig file, as `--kubeconfig` names one. Credentials
    /// are kept only as far as the playground shows them.
    pub fn parse(text: &str) -> Result<Kubeconfig, String> {
        let value: Value = serde_yaml::from_str(text).map_err(|e| format!("yaml: {e}"))?;
        if value.is_null() {
            return Ok(Kubeconfig::default());
        }
        let entries = |key: &str| -> Vec<(String, Value)> {
            value
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|e| Some((e.get("name")?.as_str()?.to_string(), e.clone())))
                .collect()
        };
        let text = |v: &Value, path: &str| v.pointer(path).and_then(Value::as_str).map(String::from);
        let mut config =
            Kubeconfig { current: text(&value, "/current-context").unwrap_or_default(), ..Default::default() };
        for (name, e) in entries("clusters") {
            let server = text(&e, "/cluster/server").unwrap_or_default();
            let ca = e.pointer("/cluster/certificate-authority-data").is_some();
            config.clusters.insert(name, ClusterEntry { server, ca });
        }
        for (name, e) in entries("users") {
            let user = UserEntry {
                certificate: e.pointer("/user/client-certificate-data").is_some(),
                token: text(&e, "/user/token"),
                username: text(&e, "/user/username"),
                password: text(&e, "/user/password"),
            };
            config.users.insert(name, user);
        }
        for (name, e) in entries("contexts") {
            let context = Context {
                cluster: text(&e, "/context/cluster").unwrap_or_default(),
                user: text(&e, "/context/user").unwrap_or_default(),
                namespace: text(&e, "/context/namespace").unwrap_or_default(),
            };
            config.contexts.insert(name, context);
        }
        Ok(config)
    }

    /// The current context, if it is set and exists.
    pub fn current_context(&self) -> Option<&Context> {
        self.contexts.get(&self.current)
    }

    /// The file as `kubectl config view` prints it; `minify` keeps only
    /// what the current context uses, `raw` shows the credentials.
    pub fn view(&self, minify: bool, raw: bool) -> Value {
        let current = self.current_context();
        let keep_context = |name: &str| !minify || name == self.current;
        let keep_cluster = |name: &str| !minify || current.is_some_and(|c| c.cluster == name);
        let keep_user = |name: &str| !minify || current.is_some_and(|c| c.user == name);
        let data = |d: &str| if raw { d.to_string() } else { "DATA+OMITTED".to_string() };
        let secret = |d: &str| if raw { d.to_string() } else { "REDACTED".to_string() };
        let clusters: Vec<Value> = self
            .clusters
            .iter()
            .filter(|(n, _)| keep_cluster(n))
            .map(|(name, c)| {
                let mut cluster = json!({"server": c.server});
                if c.ca {
                    cluster["certificate-authority-data"] = json!(data(CA_DATA));
                }
                json!({"name": name, "cluster": cluster})
            })
            .collect();
        let contexts: Vec<Value> = self
            .contexts
            .iter()
            .filter(|(n, _)| keep_context(n))
            .map(|(name, c)| {
                let mut context = json!({"cluster": c.cluster, "user": c.user});
                if !c.namespace.is_empty() {
                    context["namespace"] = json!(c.namespace);
                }
                json!({"name": name, "context": context})
            })
            .collect();
        let users: Vec<Value> = self
            .users
            .iter()
            .filter(|(n, _)| keep_user(n))
            .map(|(name, u)| {
                let mut user = json!({});
                if u.certificate {
                    user["client-certificate-data"] = json!(data(CA_DATA));
                    user["client-key-data"] = json!(data(KEY_DATA));
                }
                if let Some(token) = &u.token {
                    user["token"] = json!(secret(token));
                }
                if let Some(username) = &u.username {
                    user["username"] = json!(username);
                }
                if let Some(password) = &u.password {
                    user["password"] = json!(secret(password));
                }
                json!({"name": name, "user": user})
            })
            .collect();
        json!({
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": if clusters.is_empty() { Value::Null } else { json!(clusters) },
            "contexts": if contexts.is_empty() { Value::Null } else { json!(contexts) },
            "current-context": self.current,
            "users": if users.is_empty() { Value::Null } else { json!(users) },
        })
    }
}

fn admin_user(cluster: &str) -> String {
    format!("{cluster}-admin")
}

fn admin_context(cluster: &str) -> String {
    format!("{}@{cluster}", admin_user(cluster))
}
