//! What a server in a container sends back: nginx and httpd serve the files
//! under their document roots (the image's, or what was copied or written
//! there since), the demo images answer as they do (podinfo's JSON,
//! hello-app's greeting, http-echo's text, hpa-example's `OK!`), databases
//! do not speak HTTP at all.

use super::Outcome;
use crate::runtime::exec::Inside;
use crate::runtime::images;
use crate::runtime::process::{self, Exit};
use crate::time::Time;
use k8s_openapi::api::core::v1::{Container, Pod};

/// What a client asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ask {
    /// `GET` or `HEAD`.
    pub method: String,
    /// The path and query, `/` at least.
    pub path: String,
    /// The Host header.
    pub host: String,
    /// Whether the client speaks TLS (`https://`).
    pub tls: bool,
    /// Whether it accepts any certificate (`curl -k`).
    pub insecure: bool,
}

/// A server's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The status text (`OK`, `Not Found`).
    pub reason: String,
    /// Header lines in the order the server sends them.
    pub headers: Vec<(String, String)>,
    /// What it sent.
    pub body: String,
}

impl Response {
    /// The status line and headers, as `curl -i` shows them.
    pub fn head(&self) -> String {
        let mut out = format!("HTTP/1.1 {} {}\n", self.status, self.reason);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        out.push('\n');
        out
    }
}

/// The ports a container's process listens on: a server image's own ports
/// (http-echo's `-listen`), or for an image the playground does not know,
/// the ports its pod declares. A shell, an interpreter or a finished
/// command listens on nothing.
pub fn listening_ports(container: &Container, exit: Exit) -> Vec<i32> {
    let image = container.image.as_deref().unwrap_or_default();
    let name = images::short_name(image);
    // A command of the pod's own replaces the server unless it starts it.
    let program = container.command.as_ref().and_then(|c| c.first()).map(|p| p.rsplit('/').next().unwrap_or(p));
    let runs_server = program.is_none_or(|p| {
        p.starts_with(name.as_str()) || matches!(p, "httpd-foreground" | "docker-entrypoint.sh" | "redis-server")
    });
    if exit != Exit::Never || !process::serves_by_default(image) || !runs_server {
        return Vec::new();
    }
    if super::ingress::is_controller(image) {
        return vec![80, 443, 10254];
    }
    if name == "http-echo" {
        let listen = go_flag(container, "listen").and_then(|l| l.strip_prefix(':')?.parse().ok());
        return vec![listen.unwrap_or(5678)];
    }
    let known = images::ports(image);
    if known.is_empty() {
        container.ports.iter().flatten().map(|p| p.container_port).collect()
    } else {
        known.to_vec()
    }
}

/// A Go program's flag (`-name=value`, `--name=value` or `-name value`)
/// from the words the container starts with: its command (when that runs
/// the program itself) and its args.
fn go_flag(container: &Container, name: &str) -> Option<String> {
    let words: Vec<&String> = container.command.iter().flatten().chain(container.args.iter().flatten()).collect();
    words.iter().enumerate().find_map(|(i, word)| {
        let flag = word.strip_prefix("--").or_else(|| word.strip_prefix('-'))?;
        match flag.split_once('=') {
            Some((key, value)) => (key == name).then(|| value.to_string()),
            None => (flag == name).then(|| words.get(i + 1).map(|v| v.to_string())).flatten(),
        }
    })
}

/// Whether the container's process accepts connections on `port`.
pub fn listens(container: &Container, exit: Exit, port: i32) -> bool {
    listening_ports(container, exit).contains(&port)
}

/// Where a web server image keeps its documents.
pub fn document_root(image: &str) -> Option<&'static str> {
    match images::short_name(image).as_str() {
        "nginx" | "nginx-slim" => Some("/usr/share/nginx/html"),
        "httpd" => Some("/usr/local/apache2/htdocs"),
        _ => None,
    }
}

/// The answer of `container` in `pod` (which listens on `port`) to `ask`.
pub fn serve(inside: &Inside, pod: &Pod, port: i32, ask: &Ask) -> Outcome {
    let container = inside.container;
    let image = container.image.as_deref().unwrap_or_default();
    let name = images::short_name(image);
    if matches!(name.as_str(), "redis" | "mysql" | "mariadb" | "memcached") {
        return Outcome::Http09;
    }
    if !images::speaks_http(image) {
        return Outcome::EmptyReply;
    }
    let date = http_date(inside.now);
    let path = ask.path.split(['?', '#']).next().unwrap_or("/").to_string();
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    let response = match name.as_str() {
        "nginx" => static_files(inside, &path, &date, Server::Nginx(format!("nginx/{}", images::nginx_version(image)))),
        // The tutorial image hides its version.
        "nginx-slim" => static_files(inside, &path, &date, Server::Nginx("nginx".into())),
        "httpd" => static_files(inside, &path, &date, Server::Apache),
        "hpa-example" => {
            if path == "/" || path == "/index.php" {
                ok(
                    "OK!",
                    &[
                        ("Date", date),
                        ("Server", "Apache/2.4.10 (Debian)".into()),
                        ("X-Powered-By", "PHP/5.6.40".into()),
                        ("Content-Length", "3".into()),
                        ("Content-Type", "text/html; charset=UTF-8".into()),
                    ],
                )
            } else {
                apache_not_found(&date, "Apache/2.4.10 (Debian)")
            }
        }
        "podinfo" => {
            let version = image_version(image, "6.7.1");
            let body = format!(
                "{{\n  \"hostname\": \"{pod_name}\",\n  \"version\": \"{version}\",\n  \"revision\": \"\",\n  \"color\": \"#34577c\",\n  \"logo\": \"https://raw.githubusercontent.com/stefanprodan/podinfo/gh-pages/cuddle_clap.gif\",\n  \"message\": \"greetings from podinfo v{version}\",\n  \"goos\": \"linux\",\n  \"goarch\": \"amd64\",\n  \"runtime\": \"go1.23.2\",\n  \"num_goroutine\": \"8\",\n  \"num_cpu\": \"2\"\n}}"
            );
            let length = body.len().to_string();
            ok(
                &body,
                &[
                    ("Content-Type", "application/json; charset=utf-8".into()),
                    ("Date", date),
                    ("Content-Length", length),
                ],
            )
        }
        "hello-app" => {
            let body = format!("Hello, world!\nVersion: {}\nHostname: {pod_name}\n", image_version(image, "1.0.0"));
            go_text(&body, date)
        }
        "http-echo" => {
            let text = go_flag(container, "text").unwrap_or_else(|| "hello-world".into());
            go_text(&format!("{text}\n"), date)
        }
        "coredns" if port == 8080 || port == 8181 => go_text("OK", date),
        "kube-apiserver" => apiserver(&path, date),
        _ if images::ports(image).is_empty() => ok("", &[("Date", date), ("Content-Length", "0".into())]),
        _ => go_not_found(date),
    };
    let response = if ask.method == "HEAD" { Response { body: String::new(), ..response } } else { response };
    Outcome::Response(response)
}

/// What the API server tells an anonymous client: its version and health
/// (public by default RBAC), and 403 for everything else.
fn apiserver(path: &str, date: String) -> Response {
    let json = |status: u16, reason: &str, body: String| Response {
        status,
        reason: reason.into(),
        headers: vec![
            ("Audit-Id".into(), "9f6c1f3e-2d1b-4c57-8a0e-5b7d1e3f2a40".into()),
            ("Cache-Control".into(), "no-cache, private".into()),
            ("Content-Type".into(), "application/json".into()),
            ("Date".into(), date.clone()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    };
    match path {
        "/version" => json(
            200,
            "OK",
            "{\n  \"major\": \"1\",\n  \"minor\": \"32\",\n  \"gitVersion\": \"v1.32.4\",\n  \"gitCommit\": \"59526cd4867447956156ae3a602fcbac10a2c335\",\n  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"2025-04-22T16:02:27Z\",\n  \"goVersion\": \"go1.23.6\",\n  \"compiler\": \"gc\",\n  \"platform\": \"linux/amd64\"\n}".into(),
        ),
        "/healthz" | "/livez" | "/readyz" => go_text("ok", date),
        _ => json(
            403,
            "Forbidden",
            format!("{{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{}},\n  \"status\": \"Failure\",\n  \"message\": \"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"{path}\\\"\",\n  \"reason\": \"Forbidden\",\n  \"details\": {{}},\n  \"code\": 403\n}}"),
        ),
    }
}

/// Which static file server answers.
enum Server {
    /// With its server token (`nginx/1.27.3`).
    Nginx(String),
    Apache,
}

fn static_files(inside: &Inside, path: &str, date: &str, server: Server) -> Response {
    let image = inside.container.image.as_deref().unwrap_or_default();
    let root = document_root(image).unwrap_or("/");
    let file = if path.ends_with('/') { format!("{root}{path}index.html") } else { format!("{root}{path}") };
    let found = inside.file(&file);
    match (server, found) {
        (Server::Nginx(version), Some(body)) => {
            // The image's pages carry its build time; nginx's ETag is the
            // modification time and length in hex.
            let modified = 1_732_636_500;
            ok(
                &body,
                &[
                    ("Server", version.clone()),
                    ("Date", date.to_string()),
                    ("Content-Type", content_type(&file).into()),
                    ("Content-Length", body.len().to_string()),
                    ("Last-Modified", "Tue, 26 Nov 2024 15:55:00 GMT".into()),
                    ("Connection", "keep-alive".into()),
                    ("ETag", format!("\"{modified:x}-{:x}\"", body.len())),
                    ("Accept-Ranges", "bytes".into()),
                ],
            )
        }
        (Server::Nginx(version), None) => {
            // A folder without an index is forbidden (autoindex is off).
            let folder = path.ends_with('/') && inside.is_dir(&format!("{root}{path}"));
            let (status, reason) = if folder { (403, "Forbidden") } else { (404, "Not Found") };
            let body = format!(
                "<html>\n<head><title>{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n<hr><center>{version}</center>\n</body>\n</html>\n"
            );
            Response {
                status,
                reason: reason.into(),
                headers: vec![
                    ("Server".into(), version.clone()),
                    ("Date".into(), date.to_string()),
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Length".into(), body.len().to_string()),
                    ("Connection".into(), "keep-alive".into()),
                ],
                body,
            }
        }
        (Server::Apache, Some(body)) => ok(
            &body,
            &[
                ("Date", date.to_string()),
                ("Server", "Apache/2.4.62 (Unix)".into()),
                ("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT".into()),
                ("ETag", format!("\"{:x}-432a5e4a73a80\"", body.len())),
                ("Accept-Ranges", "bytes".into()),
                ("Content-Length", body.len().to_string()),
                ("Content-Type", content_type(&file).into()),
            ],
        ),
        (Server::Apache, None) => apache_not_found(date, "Apache/2.4.62 (Unix)"),
    }
}

fn apache_not_found(date: &str, server: &str) -> Response {
    let body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n";
    Response {
        status: 404,
        reason: "Not Found".into(),
        headers: vec![
            ("Date".into(), date.to_string()),
            ("Server".into(), server.into()),
            ("Content-Length".into(), body.len().to_string()),
            ("Content-Type".into(), "text/html; charset=iso-8859-1".into()),
        ],
        body: body.into(),
    }
}

fn ok(body: &str, headers: &[(&str, String)]) -> Response {
    Response {
        status: 200,
        reason: "OK".into(),
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        body: body.to_string(),
    }
}

/// A Go server's answer for a path it has no handler for.
pub fn go_not_found(date: String) -> Response {
    Response {
        status: 404,
        reason: "Not Found".into(),
        headers: vec![
            ("Content-Type".into(), "text/plain; charset=utf-8".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            ("Date".into(), date),
            ("Content-Length".into(), "19".into()),
        ],
        body: "404 page not found\n".into(),
    }
}

/// A Go server's plain-text answer.
pub fn go_text(body: &str, date: String) -> Response {
    ok(
        body,
        &[
            ("Date", date),
            ("Content-Length", body.len().to_string()),
            ("Content-Type", "text/plain; charset=utf-8".into()),
        ],
    )
}

fn content_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        Some("json") => "application/json",
        Some("css") => "text/css",
        Some("js") => "application/javascript",
        _ => "application/octet-stream",
    }
}

/// The tag of an image as a version (`6.7.1` for `podinfo:6.7.1`), or
/// `default` for `latest` and untagged images.
fn image_version(image: &str, default: &str) -> String {
    let normalized = images::normalize(image);
    match normalized.rsplit_once(':').map(|(_, t)| t.trim_start_matches('v')) {
        Some(tag) if tag.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
            if tag.matches('.').count() == 1 {
                format!("{tag}.0")
            } else {
                tag.to_string()
            }
        }
        _ => default.to_string(),
    }
}

/// An HTTP `Date` header value.
pub fn http_date(now: Time) -> String {
    k8s_openapi::jiff::fmt::strtime::format("%a, %d %b %Y %H:%M:%S GMT", now.to_k8s().0).unwrap_or_default()
}
