//! Startup, liveness and readiness probes. A probe runs every period from
//! its initial delay, but a worker only wakes for ticks whose answer can
//! differ from the last one (the container's script touches a file, a
//! count is still climbing), so a healthy pod costs nothing per period.

use crate::runtime::exec::Inside;
use crate::runtime::images;
use crate::runtime::process::Plan;
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::core::v1::{Container, Probe as Spec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Startup,
    Liveness,
    Readiness,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Startup => "Startup",
            Kind::Liveness => "Liveness",
            Kind::Readiness => "Readiness",
        }
    }
}

/// One probe of one running container instance.
#[derive(Clone, Debug)]
pub(super) struct Probe {
    pub kind: Kind,
    spec: Spec,
    /// The next tick that needs running.
    pub next: Option<Time>,
    successes: i32,
    failures: i32,
    /// The first tick, from which every later one is a whole period away.
    first: Time,
}

/// What a probe's ticks change about the container.
#[derive(Default)]
pub(super) struct Effects {
    pub unhealthy: Vec<String>,
    /// Ready (readiness) or started (startup) became this.
    pub passed: Option<bool>,
    /// The container must be restarted (liveness or startup gave up).
    pub kill: bool,
}

impl Probe {
    /// The container's probe of `kind`, if its spec has one; it ticks once
    /// `begin` is called (at once for a startup probe, once started for
    /// the others).
    pub fn of(container: &Container, kind: Kind) -> Option<Probe> {
        let spec = match kind {
            Kind::Startup => container.startup_probe.clone(),
            Kind::Liveness => container.liveness_probe.clone(),
            Kind::Readiness => container.readiness_probe.clone(),
        }?;
        Some(Probe { kind, spec, next: None, successes: 0, failures: 0, first: Time(0) })
    }

    /// Starts ticking for a container that started at `start`, from `now`.
    pub fn begin(&mut self, start: Time, now: Time) {
        let delay = i64::from(self.spec.initial_delay_seconds.unwrap_or(0).max(0)) * SECOND;
        self.first = start.plus(delay).max(now);
        self.next = Some(self.first);
        self.successes = 0;
        self.failures = 0;
    }

    fn period(&self) -> Millis {
        i64::from(self.spec.period_seconds.unwrap_or(10).max(1)) * SECOND
    }

    fn threshold(&self, success: bool) -> i32 {
        if success {
            self.spec.success_threshold.unwrap_or(1).max(1)
        } else {
            self.spec.failure_threshold.unwrap_or(3).max(1)
        }
    }

    /// The grace period a kill for this probe gets, if the probe sets one.
    pub fn grace(&self) -> Option<i64> {
        self.spec.termination_grace_period_seconds
    }

    /// Runs the tick due at `now` and decides when the next one matters.
    pub fn tick(&mut self, target: &Target, now: Time, effects: &mut Effects) {
        let result = evaluate(&self.spec, target);
        match result {
            Ok(()) => {
                self.successes += 1;
                self.failures = 0;
                if self.successes == self.threshold(true) {
                    effects.passed = Some(true);
                }
            }
            Err(message) => {
                self.failures += 1;
                self.successes = 0;
                effects.unhealthy.push(format!("{} probe failed: {message}", self.kind.word()));
                if self.failures == self.threshold(false) {
                    match self.kind {
                        Kind::Readiness => effects.passed = Some(false),
                        Kind::Liveness | Kind::Startup => effects.kill = true,
                    }
                }
            }
        }
        let settled_ok = self.failures == 0 && self.successes >= self.threshold(true);
        let period = self.period();
        let following = now.plus(period);
        self.next = if effects.kill || (self.kind == Kind::Startup && settled_ok) {
            None
        } else if settled_ok {
            // Nothing can change before the script next touches a file.
            let offset = now.since(target.start);
            target.plan.file_changes().filter(|at| *at > offset).min().map(|at| {
                let change = target.start.plus(at);
                let ticks = (change.since(self.first) + period - 1) / period;
                self.first.plus(ticks * period).max(following)
            })
        } else {
            Some(following)
        };
    }
}

/// The container a probe looks at.
pub(super) struct Target<'a> {
    pub inside: Inside<'a>,
    pub plan: &'a Plan,
    pub start: Time,
    pub ip: &'a str,
}

impl Target<'_> {
    fn container(&self) -> &Container {
        self.inside.container
    }

    fn listens(&self, port: i32) -> bool {
        crate::network::http::listens(self.container(), self.plan.exit, port)
    }

    fn port(&self, port: &IntOrString) -> Result<i32, String> {
        match port {
            IntOrString::Int(n) => Ok(*n),
            IntOrString::String(name) => self
                .container()
                .ports
                .iter()
                .flatten()
                .find(|p| p.name.as_deref() == Some(name))
                .map(|p| p.container_port)
                .ok_or_else(|| format!("unknown port {name:?}")),
        }
    }

    fn exists(&self, path: &str) -> bool {
        let offset = 0.max(self.inside.now.since(self.start));
        self.plan.file_at(path, offset).unwrap_or_else(|| self.inside.file(path).is_some())
    }

    /// Whether a web server in the container has something at `path`.
    fn serves(&self, path: &str) -> bool {
        let image = self.container().image.as_deref().unwrap_or_default();
        let Some(root) = crate::network::http::document_root(image) else { return true };
        let path = path.split('?').next().unwrap_or(path);
        path == "/" || self.exists(&format!("{root}{path}"))
    }
}

fn evaluate(spec: &Spec, target: &Target) -> Result<(), String> {
    if let Some(exec) = &spec.exec {
        return run(target, exec.command.as_deref().unwrap_or_default());
    }
    if let Some(get) = &spec.http_get {
        let port = target.port(&get.port)?;
        let host = get.host.clone().unwrap_or_else(|| target.ip.to_string());
        let scheme = get.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
        let path = get.path.clone().unwrap_or_else(|| "/".into());
        if !target.listens(port) {
            return Err(format!(
                "Get \"{scheme}://{host}:{port}{path}\": dial tcp {host}:{port}: connect: connection refused"
            ));
        }
        let image = target.container().image.as_deref().unwrap_or_default();
        if !images::speaks_http(image) {
            return Err(format!("Get \"{scheme}://{host}:{port}{path}\": net/http: HTTP/1.x transport connection broken: malformed HTTP response"));
        }
        return if target.serves(&path) { Ok(()) } else { Err("HTTP probe failed with statuscode: 404".into()) };
    }
    if let Some(tcp) = &spec.tcp_socket {
        let port = target.port(&tcp.port)?;
        let host = tcp.host.clone().unwrap_or_else(|| target.ip.to_string());
        return if target.listens(port) {
            Ok(())
        } else {
            Err(format!("dial tcp {host}:{port}: connect: connection refused"))
        };
    }
    if let Some(grpc) = &spec.grpc {
        return if target.listens(grpc.port) {
            Ok(())
        } else {
            Err(format!("timeout: failed to connect service \"{}:{}\" within 1s", target.ip, grpc.port))
        };
    }
    Ok(())
}

/// An exec probe: file tests answer from what the script has written by
/// now; anything else runs as `kubectl exec` would run it.
fn run(target: &Target, argv: &[String]) -> Result<(), String> {
    let argv: Vec<String> = match argv {
        [shell, flag, script] if matches!(shell.rsplit('/').next(), Some("sh" | "bash")) && flag == "-c" => {
            crate::shell::split_words(script).unwrap_or_default()
        }
        _ => argv.to_vec(),
    };
    let program = argv.first().map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or_default();
    let paths: Vec<&String> = argv.iter().skip(1).filter(|a| a.starts_with('/')).collect();
    match program {
        "cat" | "ls" | "test" | "[" | "stat" | "head" if !paths.is_empty() => {
            match paths.iter().find(|p| !target.exists(p)) {
                None => Ok(()),
                Some(missing) if program == "cat" => {
                    let image = target.container().image.as_deref().unwrap_or_default();
                    Err(if crate::runtime::exec::debian_based(image) {
                        format!("cat: {missing}: No such file or directory")
                    } else {
                        format!("cat: can't open '{missing}': No such file or directory")
                    })
                }
                Some(_) => Err(String::new()),
            }
        }
        _ => {
            let out = target.inside.exec(&argv).output;
            if out.exit_code == 0 {
                Ok(())
            } else {
                Err(format!("{}{}", out.stdout, out.stderr))
            }
        }
    }
}
