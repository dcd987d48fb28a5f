//! A container's log, rebuilt from its command and the times it ran: the
//! lines its process wrote between starting and now (or its end). Nothing is
//! stored, so a log costs nothing until someone reads it.

use super::images;
use super::process::{Out, Plan};
use crate::time::{Millis, Time};

/// The most loop rounds rebuilt; older ones are dropped, as a rotated log
/// file drops them on a node.
const MAX_ROUNDS: i64 = 5_000;

/// The lines, with the time each was written, that a process planned as
/// `plan` wrote from `start` until `until`, in pod `pod`.
pub fn lines(plan: &Plan, start: Time, until: Time, pod: &str) -> Vec<(Time, String)> {
    let end = match plan.exit {
        super::process::Exit::After { after, .. } => start.plus(after).0.min(until.0),
        super::process::Exit::Never => until.0,
    };
    let mut out = Vec::new();
    let mut emit = |at: Time, item: &Out| {
        if at.0 <= end {
            for text in render(item, at, pod) {
                out.push((at, text));
            }
        }
    };
    for (offset, item) in &plan.output {
        emit(start.plus(*offset), item);
    }
    if let Some((first, period, body)) = &plan.repeat {
        let begin = start.plus(*first);
        let rounds = if end < begin.0 { 0 } else { (end - begin.0) / period.max(&1) + 1 };
        for round in (rounds - MAX_ROUNDS).max(0)..rounds {
            let base = begin.plus(round * period);
            for (offset, item) in body {
                emit(base.plus(*offset), item);
            }
        }
    }
    out.sort_by_key(|(t, _)| *t);
    out
}

fn render(item: &Out, at: Time, pod: &str) -> Vec<String> {
    match item {
        Out::Text(t) => vec![t.clone()],
        Out::Hostname => vec![pod.to_string()],
        Out::Date => vec![format_time(at, "%a %b %e %H:%M:%S UTC %Y")],
        Out::Banner(image) => banner(image, at),
    }
}

fn format_time(at: Time, pattern: &str) -> String {
    k8s_openapi::jiff::fmt::strtime::format(pattern, at.to_k8s().0).unwrap_or_default()
}

/// What a server image prints as it starts.
fn banner(image: &str, at: Time) -> Vec<String> {
    let name = images::short_name(image);
    let stamp = format_time(at, "%Y/%m/%d %H:%M:%S");
    let version = crate::apiserver::image_tag(image).unwrap_or("v1.32.4");
    match name.as_str() {
        "nginx" => {
            let version = images::nginx_version(image);
            let mut lines: Vec<String> = [
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                "/docker-entrypoint.sh: Configuration complete; ready for start up",
            ]
            .map(String::from)
            .to_vec();
            for notice in [
                "using the \"epoll\" event method".to_string(),
                format!("nginx/{version}"),
                "built by gcc 12.2.0 (Debian 12.2.0-14) ".into(),
                "OS: Linux 5.15.0-91-generic".into(),
                "getrlimit(RLIMIT_NOFILE): 1048576:1048576".into(),
                "start worker processes".into(),
                "start worker process 29".into(),
                "start worker process 30".into(),
            ] {
                lines.push(format!("{stamp} [notice] 1#1: {notice}"));
            }
            lines
        }
        "httpd" => vec![
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message".into(),
            format!("[{}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations", format_time(at, "%a %b %d %H:%M:%S%.6f %Y")),
            format!("[{}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'", format_time(at, "%a %b %d %H:%M:%S%.6f %Y")),
        ],
        // php:5-apache underneath: Debian's apache2 with mod_php.
        "hpa-example" => {
            let fqdn = "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 127.0.0.1. Set the 'ServerName' directive globally to suppress this message";
            let stamp = format_time(at, "%a %b %d %H:%M:%S%.6f %Y");
            vec![
                fqdn.into(),
                fqdn.into(),
                format!("[{stamp}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.10 (Debian) PHP/5.6.40 configured -- resuming normal operations"),
                format!("[{stamp}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D FOREGROUND'"),
            ]
        }
        "redis" => {
            let stamp = format_time(at, "%d %b %Y %H:%M:%S%.3f");
            vec![
                format!("1:C {stamp} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                format!("1:C {stamp} * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started"),
                format!("1:M {stamp} * Server initialized"),
                format!("1:M {stamp} * Ready to accept connections tcp"),
            ]
        }
        "mysql" => {
            let stamp = format_time(at, "%Y-%m-%dT%H:%M:%S%.6fZ");
            vec![
                format!("{} [Note] [Entrypoint]: Entrypoint script for MySQL Server 8.4.3-1.el9 started.", format_time(at, "%Y-%m-%d %H:%M:%S+00:00")),
                format!("{stamp} 0 [System] [MY-015015] [Server] MySQL Server - start."),
                format!("{stamp} 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.4.3) starting as process 1"),
                format!("{stamp} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.3'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."),
            ]
        }
        "postgres" => {
            let stamp = format_time(at, "%Y-%m-%d %H:%M:%S%.3f UTC");
            vec![
                "PostgreSQL Database directory appears to contain a database; Skipping initialization".into(),
                String::new(),
                format!("{stamp} [1] LOG:  starting PostgreSQL 17.2 (Debian 17.2-1.pgdg120+1) on x86_64-pc-linux-gnu"),
                format!("{stamp} [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"),
                format!("{stamp} [1] LOG:  database system is ready to accept connections"),
            ]
        }
        "etcd" => {
            let ts = format_time(at, "%Y-%m-%dT%H:%M:%S%.3fZ");
            [
                ("etcdmain/etcd.go:73", "Running: "),
                ("embed/etcd.go:128", "configuring peer listeners"),
                ("embed/etcd.go:496", "starting with peer TLS"),
                ("etcdserver/server.go:2064", "published local member to cluster through raft"),
                ("embed/serve.go:250", "serving client traffic securely"),
            ]
            .iter()
            .map(|(caller, msg)| format!("{{\"level\":\"info\",\"ts\":\"{ts}\",\"caller\":\"{caller}\",\"msg\":\"{msg}\"}}"))
            .collect()
        }
        "kube-apiserver" => klog(
            at,
            &[
                ("options.go:228", "external host was not specified, using 192.168.1.10"),
                ("server.go:150", &format!("Version: {version}")),
                ("secure_serving.go:213", "Serving securely on [::]:6443"),
                ("controller.go:615", "quota admission added evaluator for: leases.coordination.k8s.io"),
            ],
        ),
        "kube-controller-manager" => klog(
            at,
            &[
                ("serving.go:386", "Generated self-signed cert in-memory"),
                ("controllermanager.go:202", &format!("\"Starting\" version=\"{version}\"")),
                ("leaderelection.go:271", "successfully acquired lease kube-system/kube-controller-manager"),
                ("shared_informer.go:320", "Caches are synced for deployment"),
                ("shared_informer.go:320", "Caches are synced for ReplicaSet"),
            ],
        ),
        "kube-scheduler" => klog(
            at,
            &[
                ("serving.go:386", "Generated self-signed cert in-memory"),
                ("server.go:167", &format!("\"Starting Kubernetes Scheduler\" version=\"{version}\"")),
                ("secure_serving.go:213", "Serving securely on 127.0.0.1:10259"),
                ("leaderelection.go:271", "successfully acquired lease kube-system/kube-scheduler"),
            ],
        ),
        "kube-proxy" => klog(
            at,
            &[
                ("server_linux.go:66", "\"Using iptables proxy\""),
                ("server.go:698", "\"Successfully retrieved node IP(s)\""),
                ("server.go:243", "\"kube-proxy running in dual-stack mode\" primary ipFamily=\"IPv4\""),
                ("config.go:199", "\"Starting service config controller\""),
                ("shared_informer.go:320", "Caches are synced for service config"),
            ],
        ),
        "coredns" => vec![
            ".:53".into(),
            "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908".into(),
            "CoreDNS-1.11.3".into(),
            "linux/amd64, go1.21.11, a6338e9".into(),
        ],
        "metrics-server" => klog(
            at,
            &[
                ("serving.go:374", "Generated self-signed cert (/tmp/apiserver.crt, /tmp/apiserver.key)"),
                ("handler.go:275", "Adding GroupVersion metrics.k8s.io v1beta1 to ResourceManager"),
                ("secure_serving.go:213", "Serving securely on [::]:10250"),
            ],
        ),
        _ => Vec::new(),
    }
}

/// Lines in klog's header format, as the Kubernetes components write them.
fn klog(at: Time, lines: &[(&str, &str)]) -> Vec<String> {
    let stamp = at.klog();
    lines.iter().map(|(source, message)| format!("I{stamp}       1 {source}] {message}")).collect()
}

/// RFC 3339 with nanoseconds, trailing zeros trimmed, as `--timestamps`
/// prefixes each line.
pub fn timestamp(at: Time) -> String {
    let seconds = format_time(at, "%Y-%m-%dT%H:%M:%S");
    let millis: Millis = at.0.rem_euclid(1000);
    if millis == 0 {
        return format!("{seconds}Z");
    }
    let fraction = format!("{:09}", millis * 1_000_000);
    format!("{seconds}.{}Z", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::super::process::plan_with_output;
    use super::*;
    use crate::time::{EPOCH, SECOND};

    fn log(image: &str, command: &[&str], seconds: i64) -> Vec<String> {
        let command: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        let plan = plan_with_output(image, (!command.is_empty()).then_some(command.as_slice()), None);
        lines(&plan, EPOCH, EPOCH.plus(seconds * SECOND), "web-0").into_iter().map(|(_, l)| l).collect()
    }

    #[test]
    fn logs_follow_the_command_and_the_clock() {
        assert_eq!(log("busybox", &["sh", "-c", "echo hello; sleep 5; echo 'bye now'"], 60), ["hello", "bye now"]);
        assert_eq!(log("busybox", &["sh", "-c", "echo hello; sleep 5; echo 'bye now'"], 2), ["hello"]);
        assert_eq!(
            log("busybox", &["sh", "-c", "while true; do echo tick; sleep 2; done"], 5),
            ["tick", "tick", "tick"]
        );
        assert_eq!(log("busybox", &["sh", "-c", "date; hostname"], 1), ["Thu Jan  1 09:00:00 UTC 2026", "web-0"]);
        assert_eq!(log("busybox", &["sh", "-c", "nosuch"], 1), ["sh: nosuch: not found"]);
        let nginx = log("nginx:1.27", &[], 1);
        assert_eq!(nginx.len(), 17);
        assert_eq!(nginx[10], "2026/01/01 09:00:00 [notice] 1#1: nginx/1.27.3");
        assert_eq!(log("busybox", &["sh", "-c", "while true; do echo x; sleep 1; done"], 7 * 86_400).len(), 5_000);
        let apiserver = log("registry.k8s.io/kube-apiserver:v1.32.4", &[], 1);
        assert_eq!(apiserver[1], "I0101 09:00:00.000000       1 server.go:150] Version: v1.32.4");
        assert!(log("registry.k8s.io/etcd:3.5.16-0", &[], 1)[0]
            .starts_with("{\"level\":\"info\",\"ts\":\"2026-01-01T09:00:00.000Z\""));
    }

    #[test]
    fn timestamps_trim_trailing_zeros() {
        assert_eq!(timestamp(EPOCH), "2026-01-01T09:00:00Z");
        assert_eq!(timestamp(EPOCH.plus(10)), "2026-01-01T09:00:00.01Z");
        assert_eq!(timestamp(EPOCH.plus(1_234)), "2026-01-01T09:00:01.234Z");
    }
}
