//! Commands run inside a container (`kubectl exec`): a small model of the
//! tools images carry — `env`, `hostname`, `cat` of the files Kubernetes
//! puts there (mounted ConfigMaps and Secrets, resolv.conf, hosts) and of
//! what the container wrote (its layer, its volumes), `ls`, `echo`,
//! `printf`, `date` — answering from the pod and the cluster it lives in.
//! Shell lines (`sh -c`, an `exec -it` shell) go through `script.rs`.

use super::images;
use super::script::{Flavour, Ran, Script};
use super::volumes::{mounts, Backing, Mount, VolumeKey, Volumes};
use crate::api::Kind;
use crate::cluster::Output;
use crate::network::Fabric;
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Container, Pod};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What a command inside a container can see.
pub struct Inside<'a> {
    pub store: &'a Store,
    pub pod: &'a Pod,
    pub container: &'a Container,
    pub now: Time,
    /// What this container has written outside its volumes.
    pub layer: Option<&'a BTreeMap<String, String>>,
    /// What its environment's ConfigMaps and Secrets held when it started.
    pub env_sources: Option<&'a super::fs::EnvSources>,
    /// What every volume holds.
    pub volumes: &'a Volumes,
    /// The network, for the tools that make requests; `None` where nothing
    /// may (a probe's command).
    pub net: Option<Net<'a>>,
    /// What the requests made so far cost and where they went.
    pub net_log: RefCell<NetLog>,
}

/// The network a command inside a container reaches, with the seed of its
/// random choices.
#[derive(Clone, Copy)]
pub struct Net<'a> {
    pub fabric: Fabric<'a>,
    pub seed: u64,
}

/// What a command's requests amounted to.
#[derive(Debug, Default)]
pub struct NetLog {
    /// Simulated time spent waiting.
    pub elapsed: crate::time::Millis,
    /// Where each went.
    pub traces: Vec<crate::network::Trace>,
    /// How many requests were made, so each draws fresh choices.
    pub made: u64,
}

/// Why a file cannot be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unwritable {
    /// Under a read-only mount (ConfigMap, Secret, `readOnly: true`).
    ReadOnly,
    /// Its folder does not exist.
    NoDirectory,
    /// It is a folder.
    IsDirectory,
}

/// Where a written file is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// The container's writable layer.
    Layer,
    /// A volume, at this path inside it.
    Volume(VolumeKey, String),
}

/// A ConfigMap's or Secret's data (decoded), empty if there is none.
fn source_data(store: &Store, namespace: &str, kind: Kind, name: &str) -> BTreeMap<String, String> {
    match store.get(kind, namespace, name).map(|o| &**o) {
        Some(Object::ConfigMap(cm)) => cm.data.clone().unwrap_or_default(),
        Some(Object::Secret(s)) => {
            s.data.iter().flatten().map(|(k, v)| (k.clone(), String::from_utf8_lossy(&v.0).into_owned())).collect()
        }
        _ => BTreeMap::new(),
    }
}

/// The ConfigMaps and Secrets `container`'s environment names, as the store
/// holds them now: what a container starting now gets.
pub fn env_sources(store: &Store, pod: &Pod, container: &Container) -> super::fs::EnvSources {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let from_all = container.env_from.iter().flatten().flat_map(|s| {
        let cm = s.config_map_ref.as_ref().map(|r| (Kind::ConfigMap, r.name.clone()));
        cm.into_iter().chain(s.secret_ref.as_ref().map(|r| (Kind::Secret, r.name.clone())))
    });
    let from_keys = container.env.iter().flatten().filter_map(|v| v.value_from.as_ref()).flat_map(|f| {
        let cm = f.config_map_key_ref.as_ref().map(|r| (Kind::ConfigMap, r.name.clone()));
        cm.into_iter().chain(f.secret_key_ref.as_ref().map(|r| (Kind::Secret, r.name.clone())))
    });
    from_all
        .chain(from_keys)
        .map(|(kind, name)| ((kind, name.clone()), source_data(store, namespace, kind, &name)))
        .collect()
}

/// Nothing written yet.
const UNWRITTEN: &BTreeMap<String, String> = &BTreeMap::new();

impl<'a> Inside<'a> {
    /// What a command in `container` of `pod` sees at `now`: the cluster,
    /// what that container instance has written, and the pod's volumes.
    pub fn of(
        store: &'a Store,
        layers: &'a super::fs::Layers,
        volumes: &'a Volumes,
        pod: &'a Pod,
        container: &'a Container,
        now: Time,
    ) -> Inside<'a> {
        let (key, restarts) = (super::fs::layer_key(pod, &container.name), super::fs::restarts(pod, &container.name));
        let layer = layers.files(&key, restarts);
        let env_sources = layers.env_sources(&key, restarts);
        Inside { store, pod, container, now, layer, env_sources, volumes, net: None, net_log: RefCell::default() }
    }

    /// The same, able to make requests over `net`.
    pub fn with_net(self, net: Net<'a>) -> Inside<'a> {
        Inside { net: Some(net), ..self }
    }
}

impl super::process::Surroundings for Inside<'_> {
    fn file(&self, path: &str) -> Option<String> {
        Inside::file(self, path)
    }

    fn var(&self, name: &str) -> Option<String> {
        self.environment().into_iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

impl Inside<'_> {
    fn pod_name(&self) -> &str {
        self.pod.metadata.name.as_deref().unwrap_or_default()
    }

    fn namespace(&self) -> &str {
        self.pod.metadata.namespace.as_deref().unwrap_or("default")
    }

    /// The prompt an interactive shell in this image shows.
    pub fn prompt(&self) -> String {
        if debian_based(self.container.image.as_deref().unwrap_or_default()) {
            format!("root@{}:/# ", self.pod_name())
        } else {
            "/ # ".to_string()
        }
    }

    /// The shell that reads a line given to `program` (`sh`, `bash`), with
    /// `-c` (`script`) or at a terminal. A Debian-based image's terminal
    /// shell is taken to be bash, as its prompt shows.
    pub fn flavour(&self, program: &str, script: bool) -> Flavour {
        if !debian_based(self.container.image.as_deref().unwrap_or_default()) {
            return Flavour::Ash;
        }
        match (program, script) {
            (_, false) => Flavour::Bash,
            ("bash", true) => Flavour::BashScript,
            _ => Flavour::Dash,
        }
    }

    /// `kubectl exec POD -- ARGV`: runs the program itself (no shell reads
    /// the words, though `sh -c` brings one), or kubectl's error when the
    /// image has no such program.
    pub fn exec(&self, argv: &[String]) -> Ran {
        let program = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or_default();
        self.exec_known(argv).unwrap_or_else(|| Ran {
            output: Output {
                stderr: format!(
                    "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown\n"
                ),
                exit_code: 1,
                ..Output::default()
            },
            writes: BTreeMap::new(),
        })
    }

    /// The same, `None` when the image has no such program.
    pub fn exec_known(&self, argv: &[String]) -> Option<Ran> {
        let program = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or_default();
        Script::new(self, self.flavour(program, true)).exec(argv)
    }

    /// A line typed into the container's interactive shell.
    pub fn interactive(&self, line: &str) -> Ran {
        Script::new(self, self.flavour("sh", false)).run(line)
    }

    /// One of the programs the playground's images have, run with `argv`,
    /// seeing the files `written` so far on top of the container's; `None`
    /// when the image has no such program.
    pub(super) fn builtin(&self, argv: &[String], written: &BTreeMap<String, String>) -> Option<Output> {
        let program = argv.first()?;
        let name = program.rsplit('/').next().unwrap_or(program);
        let args = &argv[1..];
        let out = match name {
            "env" | "printenv" => {
                let env = self.environment();
                match args.first() {
                    Some(var) => match env.iter().find(|(k, _)| k == var) {
                        Some((_, v)) => Output::ok(format!("{v}\n")),
                        None => Output { exit_code: 1, ..Output::default() },
                    },
                    None => Output::ok(env.iter().map(|(k, v)| format!("{k}={v}\n")).collect::<String>()),
                }
            }
            "hostname" => Output::ok(format!("{}\n", self.pod_name())),
            "echo" => match args.first().map(String::as_str) {
                Some("-n") => Output::ok(args[1..].join(" ")),
                _ => Output::ok(format!("{}\n", args.join(" "))),
            },
            "printf" => Output::ok(printf(args)),
            "pwd" => Output::ok("/\n"),
            "whoami" => Output::ok("root\n"),
            "id" => Output::ok("uid=0(root) gid=0(root) groups=0(root)\n"),
            "date" => Output::ok(format!(
                "{}\n",
                k8s_openapi::jiff::fmt::strtime::format("%a %b %e %H:%M:%S UTC %Y", self.now.to_k8s().0)
                    .unwrap_or_default()
            )),
            "uname" => Output::ok(if args.iter().any(|a| a == "-a") {
                format!("Linux {} 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux\n", self.pod_name())
            } else {
                "Linux\n".to_string()
            }),
            "true" | ":" => Output::default(),
            "false" => Output { exit_code: 1, ..Output::default() },
            "cat" => self.cat(args, written),
            "ls" => self.ls(args, written),
            "nginx" if args.iter().any(|a| a == "-v") => Output {
                stderr: format!(
                    "nginx version: nginx/{}\n",
                    images::nginx_version(self.container.image.as_deref().unwrap_or_default())
                ),
                ..Output::default()
            },
            _ => return None,
        };
        Some(out)
    }

    /// `curl`, `wget`, `nslookup` where the image carries them, run from
    /// this pod; `None` where it does not (or nothing may make requests).
    pub(super) fn request(&self, program: &str, args: &[String]) -> Option<(Output, Vec<(String, String)>)> {
        let image = self.container.image.as_deref().unwrap_or_default();
        let build = crate::network::tools::carried(image, program)?;
        let net = self.net?;
        let mut log = self.net_log.borrow_mut();
        log.made += 1;
        let mut ctx = crate::network::tools::Context {
            fabric: net.fabric,
            client: crate::network::Client {
                node: self.pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
                ip: self.pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
                pod: Some((self.namespace().to_string(), self.pod_name().to_string())),
            },
            resolver: crate::network::dns::resolver(self.pod),
            dice: crate::network::Dice::new(net.seed ^ log.made.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            build,
        };
        let ran = crate::network::tools::run(&mut ctx, program, args)?;
        log.elapsed += ran.elapsed;
        log.traces.extend(ran.traces);
        Some((ran.output, ran.writes))
    }

    /// The process environment: the image's, the pod's (with ConfigMap and
    /// Secret references resolved) and the Service variables of its
    /// namespace.
    pub(super) fn environment(&self) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = vec![
            ("PATH".into(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()),
            ("HOSTNAME".into(), self.pod_name().to_string()),
        ];
        let image = self.container.image.as_deref().unwrap_or_default();
        if images::short_name(image) == "nginx" {
            env.push(("NGINX_VERSION".into(), images::nginx_version(image)));
            env.push(("PKG_RELEASE".into(), "1~bookworm".into()));
        }
        for source in self.container.env_from.iter().flatten() {
            let prefix = source.prefix.clone().unwrap_or_default();
            let data = match (&source.config_map_ref, &source.secret_ref) {
                (Some(cm), _) => self.env_source(Kind::ConfigMap, &cm.name),
                (_, Some(secret)) => self.env_source(Kind::Secret, &secret.name),
                _ => BTreeMap::new(),
            };
            env.extend(data.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v)));
        }
        for var in self.container.env.iter().flatten() {
            let value = match &var.value_from {
                None => var.value.clone().unwrap_or_default(),
                Some(from) => {
                    if let Some(r) = &from.config_map_key_ref {
                        self.env_source(Kind::ConfigMap, &r.name).get(&r.key).cloned().unwrap_or_default()
                    } else if let Some(r) = &from.secret_key_ref {
                        self.env_source(Kind::Secret, &r.name).get(&r.key).cloned().unwrap_or_default()
                    } else if let Some(r) = &from.field_ref {
                        self.field(&r.field_path)
                    } else if let Some(r) = &from.resource_field_ref {
                        self.resource(r)
                    } else {
                        String::new()
                    }
                }
            };
            env.push((var.name.clone(), value));
        }
        for service in self.store.list(Kind::Service, Some(self.namespace())) {
            let Object::Service(svc) = &**service else { continue };
            let spec = svc.spec.clone().unwrap_or_default();
            let Some(ip) = spec.cluster_ip.filter(|ip| ip != "None" && !ip.is_empty()) else { continue };
            let prefix = svc.metadata.name.clone().unwrap_or_default().to_uppercase().replace('-', "_");
            let ports = spec.ports.unwrap_or_default();
            let Some(first) = ports.first() else { continue };
            env.push((format!("{prefix}_SERVICE_HOST"), ip.clone()));
            env.push((format!("{prefix}_SERVICE_PORT"), first.port.to_string()));
            for p in &ports {
                let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
                if let Some(name) = p.name.as_ref().filter(|n| !n.is_empty()) {
                    env.push((
                        format!("{prefix}_SERVICE_PORT_{}", name.to_uppercase().replace('-', "_")),
                        p.port.to_string(),
                    ));
                }
                let base = format!("{prefix}_PORT_{}_{proto}", p.port);
                env.push((base.clone(), format!("{}://{ip}:{}", proto.to_lowercase(), p.port)));
                env.push((format!("{base}_PROTO"), proto.to_lowercase()));
                env.push((format!("{base}_PORT"), p.port.to_string()));
                env.push((format!("{base}_ADDR"), ip.clone()));
            }
            env.push((
                format!("{prefix}_PORT"),
                format!(
                    "{}://{ip}:{}",
                    first.protocol.clone().unwrap_or_else(|| "TCP".into()).to_lowercase(),
                    first.port
                ),
            ));
        }
        env.push(("HOME".into(), "/root".into()));
        env
    }

    fn field(&self, path: &str) -> String {
        match path {
            "metadata.name" => self.pod_name().to_string(),
            "metadata.namespace" => self.namespace().to_string(),
            "spec.nodeName" => self.pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default(),
            "status.podIP" => self.pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
            "status.hostIP" => self.pod.status.as_ref().and_then(|s| s.host_ip.clone()).unwrap_or_default(),
            "spec.serviceAccountName" => {
                self.pod.spec.as_ref().and_then(|s| s.service_account_name.clone()).unwrap_or_else(|| "default".into())
            }
            "metadata.uid" => self.pod.metadata.uid.clone().unwrap_or_default(),
            _ => {
                // metadata.labels['app'], metadata.annotations['note']
                let map = |prefix: &str, values: &Option<BTreeMap<String, String>>| {
                    let key = path.strip_prefix(prefix)?.strip_suffix("']")?;
                    values.as_ref()?.get(key).cloned()
                };
                map("metadata.labels['", &self.pod.metadata.labels)
                    .or_else(|| map("metadata.annotations['", &self.pod.metadata.annotations))
                    .unwrap_or_default()
            }
        }
    }

    /// A container's limit or request as `resourceFieldRef` gives it: in
    /// whole `divisor`s (1 by default), rounded up; an unset limit is what
    /// the node can give.
    fn resource(&self, r: &k8s_openapi::api::core::v1::ResourceFieldSelector) -> String {
        let spec = self.pod.spec.as_ref();
        let container = match r.container_name.as_deref().filter(|n| !n.is_empty()) {
            Some(name) => spec.and_then(|s| s.containers.iter().find(|c| c.name == name)),
            None => Some(self.container),
        };
        let Some((kind, resource)) = r.resource.split_once('.') else { return String::new() };
        let resources = container.and_then(|c| c.resources.as_ref());
        let set = match kind {
            "limits" => resources.and_then(|r| r.limits.as_ref()),
            _ => resources.and_then(|r| r.requests.as_ref()),
        }
        .and_then(|m| m.get(resource))
        .map(|q| q.0.clone());
        let node_allocatable = || {
            let node = self.store.get(Kind::Node, "", spec?.node_name.as_deref()?)?;
            node.as_node()?.status.as_ref()?.allocatable.as_ref()?.get(resource).map(|q| q.0.clone())
        };
        let value = set.or_else(|| if kind == "limits" { node_allocatable() } else { Some("0".into()) });
        let divisor = r.divisor.as_ref().map_or("1".to_string(), |d| d.0.clone());
        match (value.and_then(|v| crate::quantity::parse_milli(&v)), crate::quantity::parse_milli(&divisor)) {
            (Some(v), Some(d)) if d > 0 => ((v + d - 1) / d).to_string(),
            _ => String::new(),
        }
    }

    fn config_map(&self, name: &str) -> BTreeMap<String, String> {
        source_data(self.store, self.namespace(), Kind::ConfigMap, name)
    }

    fn secret(&self, name: &str) -> BTreeMap<String, String> {
        source_data(self.store, self.namespace(), Kind::Secret, name)
    }

    /// A ConfigMap's or Secret's data for the environment: as it was when
    /// the container started, once the cluster has noted that.
    fn env_source(&self, kind: Kind, name: &str) -> BTreeMap<String, String> {
        match self.env_sources.and_then(|s| s.get(&(kind, name.to_string()))) {
            Some(data) => data.clone(),
            None => source_data(self.store, self.namespace(), kind, name),
        }
    }

    /// The files under a mount of a ConfigMap or Secret volume, by path.
    fn mounted(&self) -> BTreeMap<String, String> {
        let volumes = self.pod.spec.as_ref().and_then(|s| s.volumes.clone()).unwrap_or_default();
        let mut files = BTreeMap::new();
        for mount in self.container.volume_mounts.iter().flatten() {
            let Some(volume) = volumes.iter().find(|v| v.name == mount.name) else { continue };
            let data = if let Some(cm) = &volume.config_map {
                self.config_map(&cm.name)
            } else if let Some(secret) = &volume.secret {
                self.secret(secret.secret_name.as_deref().unwrap_or_default())
            } else {
                continue;
            };
            let dir = mount.mount_path.trim_end_matches('/');
            match &mount.sub_path {
                Some(sub) => {
                    if let Some(text) = data.get(sub) {
                        files.insert(dir.to_string(), text.clone());
                    }
                }
                None => files.extend(data.into_iter().map(|(k, v)| (format!("{dir}/{k}"), v))),
            }
        }
        files
    }

    /// The container's mounts, resolved to what backs each.
    fn mounts(&self) -> Vec<Mount> {
        mounts(self.store, self.pod, self.container)
    }

    /// The text of the file at `path`: a mount, what the container wrote,
    /// what its image brought, or what Kubernetes writes for every pod.
    pub fn file(&self, path: &str) -> Option<String> {
        self.read(path, UNWRITTEN)
    }

    /// Like [`Inside::file`], with the files `written` so far on top.
    pub(super) fn read(&self, path: &str, written: &BTreeMap<String, String>) -> Option<String> {
        let path = path.trim_end_matches('/');
        if let Some(text) = written.get(path) {
            return Some(text.clone());
        }
        if let Some(text) = self.mounted().get(path) {
            return Some(text.clone());
        }
        // A volume hides what the image had where it is mounted.
        if let Some(mount) = self.mounts().into_iter().rev().find(|m| m.covers(path)) {
            let (key, inner) = mount.inner(path)?;
            return self.volumes.files(&key)?.get(&inner).cloned();
        }
        if let Some(text) = self.layer.and_then(|l| l.get(path)) {
            return Some(text.clone());
        }
        let image = self.container.image.as_deref().unwrap_or_default();
        if let Some((_, text)) = super::fs::image_files(image).into_iter().find(|(p, _)| *p == path) {
            return Some(text.to_string());
        }
        let ip = self.pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
        match path {
            "/etc/hostname" => Some(format!("{}\n", self.pod_name())),
            "/etc/resolv.conf" => Some(crate::network::dns::resolver(self.pod).resolv_conf()),
            "/etc/hosts" => Some(format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{}\n",
                self.pod_name()
            )),
            _ => None,
        }
    }

    /// Where a file written at `path` is kept, or why it cannot be.
    pub fn place(&self, path: &str) -> Result<Place, Unwritable> {
        let path = path.trim_end_matches('/');
        match self.mounts().into_iter().rev().find(|m| m.covers(path)) {
            Some(m) if m.read_only || m.backing == Backing::Projected => Err(Unwritable::ReadOnly),
            Some(m) => m.inner(path).map(|(key, inner)| Place::Volume(key, inner)).ok_or(Unwritable::ReadOnly),
            None => Ok(Place::Layer),
        }
    }

    /// Whether a shell may create or truncate the file at `path` (which,
    /// unlike `tar`, makes no folders).
    pub(super) fn writable(&self, path: &str, written: &BTreeMap<String, String>) -> Result<(), Unwritable> {
        let path = path.trim_end_matches('/');
        if self.is_dir_with(path, written) {
            return Err(Unwritable::IsDirectory);
        }
        self.place(path)?;
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
        if !self.is_dir_with(parent, written) {
            return Err(Unwritable::NoDirectory);
        }
        Ok(())
    }

    /// Every file the container can read, by path.
    fn all_files(&self, written: &BTreeMap<String, String>) -> Vec<String> {
        let image = self.container.image.as_deref().unwrap_or_default();
        let mounts = self.mounts();
        let mut paths: Vec<String> = ["/etc/hostname", "/etc/resolv.conf", "/etc/hosts"].map(String::from).to_vec();
        let mut beneath: Vec<String> = self.layer.into_iter().flat_map(|l| l.keys().cloned()).collect();
        beneath.extend(super::fs::image_files(image).into_iter().map(|(p, _)| p.to_string()));
        paths.extend(beneath.into_iter().filter(|p| !mounts.iter().any(|m| m.covers(p))));
        paths.extend(self.mounted().into_keys());
        for mount in &mounts {
            let Backing::Data { key, prefix } = &mount.backing else { continue };
            for inner in self.volumes.files(key).into_iter().flat_map(|f| f.keys()) {
                let rest =
                    if prefix.is_empty() { Some(inner.as_str()) } else { inner.strip_prefix(&format!("{prefix}/")) };
                if let Some(rest) = rest {
                    paths.push(format!("{}/{rest}", mount.path));
                }
            }
        }
        paths.extend(written.keys().cloned());
        paths.sort();
        paths.dedup();
        paths
    }

    /// The files under directory `dir`, by path, deepest included.
    pub fn files_under(&self, dir: &str) -> Vec<(String, String)> {
        self.files_under_with(dir, UNWRITTEN)
    }

    fn files_under_with(&self, dir: &str, written: &BTreeMap<String, String>) -> Vec<(String, String)> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.all_files(written)
            .into_iter()
            .filter(|p| p.starts_with(&prefix))
            .filter_map(|p| self.read(&p, written).map(|text| (p, text)))
            .collect()
    }

    /// Whether `path` is a directory the container has.
    pub fn is_dir(&self, path: &str) -> bool {
        self.is_dir_with(path, UNWRITTEN)
    }

    fn is_dir_with(&self, path: &str, written: &BTreeMap<String, String>) -> bool {
        let path = path.trim_end_matches('/');
        if path.is_empty() || super::fs::BASE_DIRS.contains(&path) {
            return true;
        }
        // A mount point is a folder (unless a single file is mounted there),
        // and so is every folder leading to one.
        let mounted_here = self.mounts().iter().any(|m| {
            (m.path == path && self.read(path, written).is_none())
                || m.path.strip_prefix(path).is_some_and(|rest| rest.starts_with('/'))
        });
        mounted_here || !self.files_under_with(path, written).is_empty()
    }

    fn cat(&self, args: &[String], written: &BTreeMap<String, String>) -> Output {
        let mut out = Output::default();
        for path in args {
            let at = if path.starts_with('/') { path.clone() } else { format!("/{path}") };
            match self.read(&at, written) {
                Some(t) => out.stdout.push_str(&t),
                None => {
                    let gnu = debian_based(self.container.image.as_deref().unwrap_or_default());
                    let why =
                        if self.is_dir_with(&at, written) { "Is a directory" } else { "No such file or directory" };
                    out.stderr.push_str(&match (gnu, why) {
                        (true, _) => format!("cat: {path}: {why}\n"),
                        (false, "Is a directory") => "cat: read error: Is a directory\n".to_string(),
                        (false, _) => format!("cat: can't open '{path}': {why}\n"),
                    });
                    out.exit_code = 1;
                }
            }
        }
        out
    }

    fn ls(&self, args: &[String], written: &BTreeMap<String, String>) -> Output {
        let dir = args.iter().find(|a| !a.starts_with('-')).map_or("/", String::as_str).trim_end_matches('/');
        let dir = if dir.is_empty() { "/" } else { dir };
        if dir == "/" {
            return Output::ok("bin\ndev\netc\nhome\nlib\nproc\nroot\nsys\ntmp\nusr\nvar\n");
        }
        if self.read(dir, written).is_some() {
            return Output::ok(format!("{dir}\n"));
        }
        if !self.is_dir_with(dir, written) {
            let stderr = if debian_based(self.container.image.as_deref().unwrap_or_default()) {
                format!("ls: cannot access '{dir}': No such file or directory\n")
            } else {
                format!("ls: {dir}: No such file or directory\n")
            };
            // GNU ls says 2 for a missing operand; BusyBox says 1.
            let exit_code = if stderr.contains("cannot access") { 2 } else { 1 };
            return Output { stderr, exit_code, ..Output::default() };
        }
        let prefix = format!("{dir}/");
        let mut names: Vec<String> = self
            .all_files(written)
            .iter()
            .chain(self.mounts().iter().map(|m| &m.path))
            .filter_map(|p| p.strip_prefix(&prefix).map(|rest| rest.split('/').next().unwrap_or(rest).to_string()))
            .filter(|n| !n.is_empty())
            .collect();
        names.sort();
        names.dedup();
        Output::ok(names.iter().map(|n| format!("{n}\n")).collect::<String>())
    }
}

/// `printf FORMAT [ARG…]`: `%s` and `%d` take the arguments in turn, and
/// the usual backslash escapes are honoured.
fn printf(args: &[String]) -> String {
    let Some(format) = args.first() else { return String::new() };
    let mut values = args[1..].iter();
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '%' => match chars.next() {
                Some('s') | Some('d') => out.push_str(values.next().map_or("", String::as_str)),
                Some('%') => out.push('%'),
                Some(other) => {
                    out.push('%');
                    out.push(other);
                }
                None => out.push('%'),
            },
            other => out.push(other),
        }
    }
    out
}

/// Whether the image is built on Debian (bash, GNU coreutils wording).
pub(crate) fn debian_based(image: &str) -> bool {
    matches!(
        images::short_name(image).as_str(),
        "nginx" | "httpd" | "redis" | "ubuntu" | "debian" | "node" | "python" | "mysql" | "postgres"
    )
}
