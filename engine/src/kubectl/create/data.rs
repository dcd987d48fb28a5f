//! `create configmap` and `create secret generic|docker-registry|tls`: keys
//! from literals, files, directories and env files, with kubectl's checks,
//! and the content hash `--append-hash` adds to the name.

use super::{meta, Built, Generator};
use crate::files::Entry;
use crate::kustomize::{content_hash, go_escape};
use crate::object::Object;
use base64::Engine as _;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::ByteString;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Keys and values gathered from the `--from-*` flags, with the rules
/// (and wording) of the object they go into.
struct Keys {
    data: BTreeMap<String, String>,
    secret: bool,
    name: String,
}

impl Keys {
    fn add(&mut self, key: &str, value: String) -> Result<(), String> {
        if let Some(problem) = crate::apiserver::validation::config_key(key) {
            return Err(if self.secret {
                format!("{key:?} is not valid key name for a Secret {problem}")
            } else {
                format!("{key:?} is not a valid key name for a ConfigMap: {problem}")
            });
        }
        if self.data.contains_key(key) {
            return Err(if self.secret {
                format!("cannot add key {key}, another key by that name already exists")
            } else {
                format!(
                    "cannot add key {key:?}, another key by that name already exists in Data for ConfigMap {:?}",
                    self.name
                )
            });
        }
        self.data.insert(key.to_string(), value);
        Ok(())
    }

    /// `--from-file=[key=]path`, a file or every file of a directory.
    fn add_file(&mut self, g: &Generator, source: &str) -> Result<(), String> {
        let (key, path) = match source.matches('=').count() {
            0 => (source.rsplit('/').find(|p| !p.is_empty()).unwrap_or(source).to_string(), source),
            1 if source.starts_with('=') => {
                return Err(format!("key name for file path {} missing", &source[1..]));
            }
            1 if source.ends_with('=') => {
                return Err(format!("file path for key name {} missing", &source[..source.len() - 1]));
            }
            1 => source.split_once('=').map(|(k, p)| (k.to_string(), p)).unwrap_or_default(),
            _ => return Err("key names or file paths cannot contain '='".into()),
        };
        match g.io.files.read(path) {
            None => Err(format!("error reading {path}: no such file or directory")),
            Some(Entry::File(text)) => self.add(&key, text),
            Some(Entry::Dir(_)) if source.contains('=') => Err("cannot give a key name for a directory path".into()),
            Some(Entry::Dir(entries)) => {
                for entry in entries {
                    let item = format!("{}/{entry}", path.trim_end_matches('/'));
                    if let Some(Entry::File(text)) = g.io.files.read(&item) {
                        self.add(&entry, text)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// `--from-literal=key=value`.
    fn add_literal(&mut self, source: &str) -> Result<(), String> {
        match source.split_once('=') {
            Some((key, value)) if !key.is_empty() => self.add(key, value.to_string()),
            _ => Err(format!("invalid literal source {source}, expected key=value")),
        }
    }

    /// `--from-env-file=path`: `KEY=value` lines, blank lines and `#`
    /// comments skipped.
    fn add_env_file(&mut self, g: &Generator, path: &str) -> Result<(), String> {
        let text = match g.io.files.read(path) {
            None => return Err(format!("error reading {path}: no such file or directory")),
            Some(Entry::Dir(_)) => {
                return Err(if self.secret {
                    "env secret file cannot be a directory"
                } else {
                    "env config file cannot be a directory"
                }
                .into())
            }
            Some(Entry::File(text)) => text,
        };
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 { line.trim_start_matches('\u{feff}') } else { line };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            if let Some(problem) = env_var_name_problem(key) {
                return Err(format!("{key:?} is not a valid key name: {problem}"));
            }
            self.add(key, value.to_string())?;
        }
        Ok(())
    }

    /// Fills the keys from the `--from-file`, `--from-literal` and
    /// `--from-env-file` flags, in kubectl's order.
    fn gather(g: &Generator, name: &str, secret: bool) -> Result<Keys, String> {
        let mut keys = Keys { data: BTreeMap::new(), secret, name: name.to_string() };
        let (files, literals, env_files) =
            (g.strings("from-file"), g.strings("from-literal"), g.strings("from-env-file"));
        if !env_files.is_empty() && (!files.is_empty() || !literals.is_empty()) {
            return Err("error: from-env-file cannot be combined with from-file or from-literal\n".into());
        }
        let fill = |keys: &mut Keys| -> Result<(), String> {
            for f in &files {
                keys.add_file(g, f)?;
            }
            for l in &literals {
                keys.add_literal(l)?;
            }
            for e in &env_files {
                keys.add_env_file(g, e)?;
            }
            Ok(())
        };
        fill(&mut keys).map_err(|e| format!("error: {e}\n"))?;
        Ok(keys)
    }
}

fn env_var_name_problem(key: &str) -> Option<&'static str> {
    let ok = !key.is_empty()
        && !key.starts_with(|c: char| c.is_ascii_digit())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (!ok).then_some("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
}

pub fn configmap(g: &Generator) -> Built {
    let name = g.name()?;
    let keys = Keys::gather(g, &name, false)?;
    let mut cm = ConfigMap { metadata: meta(&name, None), data: Some(keys.data), ..Default::default() };
    if g.boolean("append-hash") {
        let encoded = json!({"kind": "ConfigMap", "name": name, "data": cm.data});
        cm.metadata.name = Some(format!("{name}-{}", content_hash(&encoded)));
    }
    Ok(Object::ConfigMap(Box::new(cm)))
}

fn secret(g: &Generator, name: String, type_: Option<String>, data: BTreeMap<String, Vec<u8>>) -> Built {
    let mut s = Secret {
        metadata: meta(&name, None),
        data: Some(data.into_iter().map(|(k, v)| (k, ByteString(v))).collect()),
        type_,
        ..Default::default()
    };
    if g.boolean("append-hash") {
        let data: BTreeMap<&String, String> =
            s.data.iter().flatten().map(|(k, v)| (k, base64::engine::general_purpose::STANDARD.encode(&v.0))).collect();
        let encoded =
            json!({"kind": "Secret", "type": s.type_.clone().unwrap_or_default(), "name": name, "data": data});
        s.metadata.name = Some(format!("{name}-{}", content_hash(&encoded)));
    }
    Ok(Object::Secret(Box::new(s)))
}

pub fn secret_generic(g: &Generator) -> Built {
    let name = g.name()?;
    let keys = Keys::gather(g, &name, true)?;
    let data = keys.data.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    secret(g, name, g.string("type").filter(|t| !t.is_empty()), data)
}

pub fn secret_docker_registry(g: &Generator) -> Built {
    let name = g.name()?;
    let server = g.string("docker-server").unwrap_or_else(|| "https://index.docker.io/v1/".into());
    let files = g.strings("from-file");
    if files.is_empty() {
        let (user, password) = (g.string("docker-username"), g.string("docker-password"));
        let (Some(user), Some(password)) = (user.filter(|u| !u.is_empty()), password.filter(|p| !p.is_empty())) else {
            return Err("error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required\n".into());
        };
        let email = g.string("docker-email").filter(|e| !e.is_empty());
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        // Go's struct order, not sorted: username, password, email, auth.
        let mut entry = format!("{{\"username\":{},\"password\":{}", go_json(&user), go_json(&password));
        if let Some(email) = email {
            entry.push_str(&format!(",\"email\":{}", go_json(&email)));
        }
        entry.push_str(&format!(",\"auth\":{}}}", go_json(&auth)));
        let config = format!("{{\"auths\":{{{}:{entry}}}}}", go_json(&server));
        let data = BTreeMap::from([(".dockerconfigjson".to_string(), config.into_bytes())]);
        return secret(g, name, Some("kubernetes.io/dockerconfigjson".into()), data);
    }
    let keys = Keys::gather(g, &name, true)?;
    let data = keys.data.into_iter().map(|(k, v)| (k, v.into_bytes())).collect();
    secret(g, name, Some("kubernetes.io/dockerconfigjson".into()), data)
}

pub fn secret_tls(g: &Generator) -> Built {
    let name = g.name()?;
    let (Some(cert), Some(key)) =
        (g.string("cert").filter(|c| !c.is_empty()), g.string("key").filter(|k| !k.is_empty()))
    else {
        return Err("error: key and cert must be specified\n".into());
    };
    let read = |path: &str| match g.io.files.read(path) {
        Some(Entry::File(text)) => Ok(text),
        Some(Entry::Dir(_)) => Err(format!("error: Cannot read file {path}, read {path}: is a directory\n")),
        None => Err(format!("error: Cannot read file {path}, open {path}: no such file or directory\n")),
    };
    let (cert_pem, key_pem) = (read(&cert)?, read(&key)?);
    // The PEM framing is checked as Go's tls.X509KeyPair does first; the
    // playground does no cryptography, so a mismatched pair is accepted.
    if !cert_pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err("error: tls: failed to find any PEM data in certificate input\n".into());
    }
    if !key_pem.contains("PRIVATE KEY-----") {
        return Err("error: tls: failed to find any PEM data in key input\n".into());
    }
    let data =
        BTreeMap::from([("tls.crt".to_string(), cert_pem.into_bytes()), ("tls.key".to_string(), key_pem.into_bytes())]);
    secret(g, name, Some("kubernetes.io/tls".into()), data)
}

/// A JSON string as Go's encoding/json writes it (HTML characters escaped).
fn go_json(s: &str) -> String {
    go_escape(&Value::String(s.to_string()).to_string())
}
