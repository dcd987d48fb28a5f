//! The tools that make requests, as the lab's machines have them: curl
//! (7.81, Ubuntu 22.04's, on the nodes and in images that carry it),
//! BusyBox's wget and nslookup (busybox, alpine), and BIND's nslookup (the
//! nodes, dnsutils images). Each prints what the real tool prints for the
//! way the request ended, and says how long it took, so a timeout costs
//! simulated time.

use super::dns::{self, Answer, Resolver};
use super::http::Ask;
use super::{route, Client, Dice, Fabric, Outcome, Trace};
use crate::cluster::Output;
use crate::time::{Millis, SECOND};

/// What one tool run did.
#[derive(Debug, Default)]
pub struct Ran {
    pub output: Output,
    /// Simulated time the command took.
    pub elapsed: Millis,
    /// The requests it made.
    pub traces: Vec<Trace>,
    /// Files it saved (`curl -o`, `wget`), path → text.
    pub writes: Vec<(String, String)>,
}

/// Which build of a tool is on the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// GNU/BIND tools and curl, as on the nodes and Debian images.
    Full,
    /// BusyBox applets.
    BusyBox,
}

/// Where a tool runs.
pub struct Context<'a> {
    pub fabric: Fabric<'a>,
    pub client: Client,
    pub resolver: Resolver,
    pub dice: Dice,
    pub build: Build,
}

/// What curl adds when it cannot check a certificate.
const UNTRUSTED: &str = "More details here: https://curl.se/docs/sslcerts.html

curl failed to verify the legitimacy of the server and therefore could not
establish a secure connection to it. To learn more about this situation and
how to fix it, please visit the web page mentioned above.";

/// How long the kernel keeps retrying a connection nobody answers
/// (tcp_syn_retries = 6: 1 + 2 + … + 64 s).
const SYN_TIMEOUT: Millis = 127_001;
/// How long ARP tries before "No route to host".
const ARP_TIMEOUT: Millis = 3_070;
/// How long the C library waits for a DNS server before giving up.
const RESOLVER_TIMEOUT: Millis = 10 * SECOND;

/// Runs `program` with `args`; `None` when it is not one of these tools.
pub fn run(ctx: &mut Context, program: &str, args: &[String]) -> Option<Ran> {
    match program {
        "curl" => Some(curl(ctx, args)),
        "wget" if ctx.build == Build::BusyBox => Some(wget(ctx, args)),
        "nslookup" => Some(nslookup(ctx, args)),
        _ => None,
    }
}

/// Which of these tools an image carries, and whose build its wget and
/// nslookup are.
pub fn carried(image: &str, program: &str) -> Option<Build> {
    let name = crate::runtime::images::short_name(image);
    let (programs, build): (&[&str], Build) = match name.as_str() {
        "busybox" | "alpine" => (&["wget", "nslookup"], Build::BusyBox),
        // curlimages/curl is Alpine with curl added.
        "curl" => (&["curl", "wget", "nslookup"], Build::BusyBox),
        "nginx" => (&["curl"], Build::Full),
        "dnsutils" | "jessie-dnsutils" | "dnstools" | "netshoot" => (&["curl", "nslookup"], Build::Full),
        _ => (&[], Build::Full),
    };
    programs.contains(&program).then_some(build)
}

/// A URL taken apart.
struct Url {
    tls: bool,
    host: String,
    port: i32,
    path: String,
}

fn parse_url(text: &str) -> Result<Url, String> {
    let (tls, rest) = match text.split_once("://") {
        Some(("http", rest)) => (false, rest),
        Some(("https", rest)) => (true, rest),
        Some((scheme, _)) => return Err(scheme.to_string()),
        None => (false, text),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<i32>().ok().filter(|p| (1..=65535).contains(p)).ok_or_else(String::new)?),
        None => (authority, if tls { 443 } else { 80 }),
    };
    Ok(Url { tls, host: host.to_string(), port, path })
}

/// Where a name led: an address, or why there is none.
enum Resolved {
    Ip(String),
    NotFound,
    NoServer,
}

fn resolve(ctx: &mut Context, host: &str) -> Resolved {
    let fabric = ctx.fabric;
    let answer = match dns::lookup(&fabric, &ctx.client, &ctx.resolver, host, &mut ctx.dice) {
        // An ExternalName Service: its target is looked up in turn.
        Answer::Found { cname: Some(target), .. } => {
            dns::lookup(&fabric, &ctx.client, &ctx.resolver, &format!("{target}."), &mut ctx.dice)
        }
        answer => answer,
    };
    match answer {
        Answer::Found { ips, .. } => ips.first().map_or(Resolved::NotFound, |ip| Resolved::Ip(ip.clone())),
        Answer::NotFound => Resolved::NotFound,
        Answer::NoServer => Resolved::NoServer,
    }
}

/// Makes the request and keeps its trace.
fn fetch(ctx: &mut Context, url_text: &str, ip: &str, url: &Url, ask: &Ask, ran: &mut Ran) -> Outcome {
    let fabric = ctx.fabric;
    let (outcome, hops) = route::request(&fabric, &ctx.client, ip, url.port, ask, &mut ctx.dice);
    ran.traces.push(Trace { at: fabric.now, url: url_text.to_string(), hops, outcome: outcome.clone() });
    outcome
}

/// curl's options as the playground takes them.
#[derive(Default)]
struct CurlArgs {
    url: Option<String>,
    silent: bool,
    show_error: bool,
    include: bool,
    head: bool,
    verbose: bool,
    fail: bool,
    insecure: bool,
    output: Option<String>,
    remote_name: bool,
    max_time: Option<Millis>,
    connect_timeout: Option<Millis>,
    host_header: Option<String>,
    method: Option<String>,
    write_out: Option<String>,
}

const CURL_HINT: &str = "curl: try 'curl --help' or 'curl --manual' for more information\n";

fn curl_usage(message: &str) -> Ran {
    Ran {
        output: Output { stderr: format!("curl: {message}\n{CURL_HINT}"), exit_code: 2, ..Output::default() },
        ..Ran::default()
    }
}

fn seconds(text: &str) -> Option<Millis> {
    text.parse::<f64>().ok().filter(|s| *s >= 0.0 && s.is_finite()).map(|s| (s * 1000.0) as Millis)
}

/// The long name of a short curl option.
fn long_name(flag: char) -> Option<&'static str> {
    Some(match flag {
        's' => "silent",
        'S' => "show-error",
        'i' => "include",
        'I' => "head",
        'v' => "verbose",
        'f' => "fail",
        'L' => "location",
        'k' => "insecure",
        'O' => "remote-name",
        'o' => "output",
        'm' => "max-time",
        'H' => "header",
        'X' => "request",
        'w' => "write-out",
        _ => return None,
    })
}

/// The options that take a value.
const TAKES_VALUE: &[&str] = &["output", "max-time", "connect-timeout", "header", "request", "write-out"];

fn parse_curl(args: &[String]) -> Result<CurlArgs, Ran> {
    // Bundled short options (-sSo FILE, -m5) become long ones first.
    let mut options: Vec<(String, &'static str, Option<String>)> = Vec::new();
    let mut a = CurlArgs::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let mut value = |shown: &str, attached: String| -> Result<String, Ran> {
            if !attached.is_empty() {
                return Ok(attached);
            }
            let v = args.get(i).cloned().ok_or_else(|| curl_usage(&format!("option {shown}: requires parameter")))?;
            i += 1;
            Ok(v)
        };
        if let Some(long) = arg.strip_prefix("--") {
            let Some(name) = TAKES_VALUE.iter().chain(BOOLEANS).find(|n| **n == long).copied() else {
                return Err(curl_usage(&format!("option {arg}: is unknown")));
            };
            let v = if TAKES_VALUE.contains(&name) { Some(value(arg, String::new())?) } else { None };
            options.push((arg.clone(), name, v));
        } else if arg.len() > 1 && arg.starts_with('-') {
            let flags: Vec<char> = arg[1..].chars().collect();
            for (k, flag) in flags.iter().enumerate() {
                let Some(name) = long_name(*flag) else {
                    return Err(curl_usage(&format!("option -{flag}: is unknown")));
                };
                if TAKES_VALUE.contains(&name) {
                    let v = value(&format!("-{flag}"), flags[k + 1..].iter().collect())?;
                    options.push((format!("-{flag}"), name, Some(v)));
                    break;
                }
                options.push((format!("-{flag}"), name, None));
            }
        } else {
            a.url = Some(arg.clone());
        }
    }
    for (shown, name, value) in options {
        let value = value.unwrap_or_default();
        match name {
            "silent" => a.silent = true,
            "show-error" => a.show_error = true,
            "include" => a.include = true,
            "head" => a.head = true,
            "verbose" => a.verbose = true,
            "fail" => a.fail = true,
            "insecure" => a.insecure = true,
            "remote-name" => a.remote_name = true,
            "output" => a.output = Some(value),
            "request" => a.method = Some(value),
            "write-out" => a.write_out = Some(value),
            "header" => {
                if let Some((_, v)) = value.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("host")) {
                    a.host_header = Some(v.trim().to_string());
                }
            }
            "max-time" | "connect-timeout" => {
                let ms = seconds(&value)
                    .ok_or_else(|| curl_usage(&format!("option {shown}: expected a proper numerical parameter")))?;
                if name == "max-time" {
                    a.max_time = Some(ms);
                } else {
                    a.connect_timeout = Some(ms);
                }
            }
            // -L: the playground's servers never redirect.
            _ => {}
        }
    }
    Ok(a)
}

/// The options that take none.
const BOOLEANS: &[&str] =
    &["silent", "show-error", "include", "head", "verbose", "fail", "location", "insecure", "remote-name"];

fn curl(ctx: &mut Context, args: &[String]) -> Ran {
    let a = match parse_curl(args) {
        Ok(a) => a,
        Err(ran) => return ran,
    };
    let Some(url_text) = a.url.clone() else { return curl_usage("no URL specified!") };
    let url = match parse_url(&url_text) {
        Ok(u) => u,
        Err(scheme) if !scheme.is_empty() => {
            return curl_error(&a, 1, &format!("Protocol \"{scheme}\" not supported or disabled in libcurl"), 0)
        }
        Err(_) => return curl_error(&a, 3, "URL using bad/illegal format or missing URL", 0),
    };
    let limit = match (a.max_time, a.connect_timeout) {
        (Some(m), Some(c)) => Some(m.min(c)),
        (m, c) => m.or(c),
    };
    let ip = match resolve(ctx, &url.host) {
        Resolved::Ip(ip) => ip,
        Resolved::NotFound => return curl_error(&a, 6, &format!("Could not resolve host: {}", url.host), 0),
        Resolved::NoServer => {
            let waited = limit.map_or(RESOLVER_TIMEOUT, |l| l.min(RESOLVER_TIMEOUT));
            if limit.is_some_and(|l| l < RESOLVER_TIMEOUT) {
                return curl_error(&a, 28, &format!("Resolving timed out after {} milliseconds", waited + 1), waited);
            }
            return curl_error(&a, 6, &format!("Could not resolve host: {}", url.host), waited);
        }
    };
    let method = a.method.clone().unwrap_or_else(|| if a.head { "HEAD".into() } else { "GET".into() });
    let host_header = a.host_header.clone().unwrap_or_else(|| {
        if url.port == 80 || url.port == 443 {
            url.host.clone()
        } else {
            format!("{}:{}", url.host, url.port)
        }
    });
    let ask = Ask {
        method: method.clone(),
        path: url.path.clone(),
        host: host_header.clone(),
        tls: url.tls,
        insecure: a.insecure,
    };
    let mut ran = Ran::default();
    let outcome = fetch(ctx, &url_text, &ip, &url, &ask, &mut ran);
    let trying = if a.verbose { format!("*   Trying {ip}:{}...\n", url.port) } else { String::new() };
    let failed = |code: i32, message: String, elapsed: Millis, ran: Ran| Ran {
        output: Output {
            stderr: if !a.silent || a.show_error {
                format!("{trying}curl: ({code}) {message}\n")
            } else {
                trying.clone()
            },
            exit_code: code,
            ..Output::default()
        },
        elapsed,
        ..ran
    };
    let host = &url.host;
    let port = url.port;
    match outcome {
        Outcome::Refused => {
            failed(7, format!("Failed to connect to {host} port {port} after 0 ms: Connection refused"), 0, ran)
        }
        Outcome::NoRoute => match limit.filter(|l| *l < ARP_TIMEOUT) {
            Some(l) => failed(28, format!("Connection timed out after {} milliseconds", l + 1), l, ran),
            None => failed(
                7,
                format!("Failed to connect to {host} port {port} after {ARP_TIMEOUT} ms: No route to host"),
                ARP_TIMEOUT,
                ran,
            ),
        },
        Outcome::Timeout => match limit {
            Some(l) => failed(28, format!("Connection timed out after {} milliseconds", l + 1), l, ran),
            None => failed(
                28,
                format!("Failed to connect to {host} port {port} after {SYN_TIMEOUT} ms: Connection timed out"),
                SYN_TIMEOUT,
                ran,
            ),
        },
        Outcome::EmptyReply => failed(52, "Empty reply from server".into(), 0, ran),
        Outcome::Http09 => failed(1, "Received HTTP/0.9 when not allowed".into(), 0, ran),
        Outcome::WrongTls => failed(35, "error:0A00010B:SSL routines::wrong version number".into(), 0, ran),
        Outcome::Untrusted { self_signed } => {
            let problem =
                if self_signed { "self-signed certificate" } else { "unable to get local issuer certificate" };
            failed(60, format!("SSL certificate problem: {problem}\n{UNTRUSTED}"), 0, ran)
        }
        Outcome::Response(response) => {
            let mut verbose = trying.clone();
            if a.verbose {
                verbose.push_str(&format!(
                    "* Connected to {host} ({ip}) port {port} (#0)\n> {method} {} HTTP/1.1\n> Host: {host_header}\n> User-Agent: curl/7.81.0\n> Accept: */*\n> \n* Mark bundle as not supporting multiuse\n",
                    url.path
                ));
                for line in response.head().lines() {
                    verbose.push_str(&format!("< {line}\n"));
                }
            }
            if a.fail && response.status >= 400 {
                return failed(22, format!("The requested URL returned error: {}", response.status), 0, ran);
            }
            let mut text = String::new();
            if a.head || a.include {
                text.push_str(&response.head());
            }
            if !a.head {
                text.push_str(&response.body);
            }
            let mut stdout = String::new();
            let save_as = a.output.clone().or_else(|| {
                a.remote_name
                    .then(|| url.path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("index.html").to_string())
            });
            match save_as {
                Some(path) if path != "-" => ran.writes.push((path, text)),
                _ => stdout.push_str(&text),
            }
            if let Some(format) = &a.write_out {
                stdout.push_str(&write_out(format, response.status, &ip));
            }
            let mut stderr = verbose;
            if a.verbose {
                stderr.push_str(&format!("* Connection #0 to host {host} left intact\n"));
            }
            Ran { output: Output { stdout, stderr, exit_code: 0 }, ..ran }
        }
    }
}

fn curl_error(a: &CurlArgs, code: i32, message: &str, elapsed: Millis) -> Ran {
    let stderr = if !a.silent || a.show_error { format!("curl: ({code}) {message}\n") } else { String::new() };
    Ran { output: Output { stderr, exit_code: code, ..Output::default() }, elapsed, ..Ran::default() }
}

/// `-w`: the variables learners use.
fn write_out(format: &str, status: u16, ip: &str) -> String {
    format
        .replace("%{http_code}", &status.to_string())
        .replace("%{response_code}", &status.to_string())
        .replace("%{remote_ip}", ip)
        .replace("\\n", "\n")
}

/// BusyBox wget.
fn wget(ctx: &mut Context, args: &[String]) -> Ran {
    let mut quiet = false;
    let mut output: Option<String> = None;
    let mut timeout: Option<Millis> = None;
    let mut spider = false;
    let mut url_text = None;
    let mut i = 0;
    let usage = || {
        Ran {
        output: Output {
            stderr: "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n\nRetrieve files via HTTP or FTP\n".into(),
            exit_code: 1,
            ..Output::default()
        },
        ..Ran::default()
    }
    };
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        match arg {
            "--quiet" => quiet = true,
            "--spider" => spider = true,
            _ if arg.len() > 1 && arg.starts_with('-') && !arg.starts_with("--") => {
                // BusyBox takes short options bundled, a value after the
                // letter or in the next word: -qO-, -q -O -, -T5.
                let letters: Vec<char> = arg[1..].chars().collect();
                for (k, letter) in letters.iter().enumerate() {
                    match letter {
                        'q' => quiet = true,
                        's' => spider = true,
                        'O' | 'T' => {
                            let attached: String = letters[k + 1..].iter().collect();
                            let value = if attached.is_empty() {
                                let Some(v) = args.get(i) else { return usage() };
                                i += 1;
                                v.clone()
                            } else {
                                attached
                            };
                            if *letter == 'O' {
                                output = Some(value);
                            } else {
                                match seconds(&value) {
                                    Some(t) => timeout = Some(t),
                                    None => return usage(),
                                }
                            }
                            break;
                        }
                        _ => return usage(),
                    }
                }
            }
            _ if arg.starts_with('-') => return usage(),
            _ => url_text = Some(arg.to_string()),
        }
    }
    let Some(url_text) = url_text else { return usage() };
    let fail = |message: String, elapsed: Millis, ran: Ran| Ran {
        output: Output { stderr: format!("wget: {message}\n"), exit_code: 1, ..Output::default() },
        elapsed,
        ..ran
    };
    let url = match parse_url(&url_text) {
        Ok(u) if !u.tls => u,
        Ok(_) => return fail("not an http or ftp url: https".into(), 0, Ran::default()),
        Err(_) => return fail(format!("not an http or ftp url: {url_text}"), 0, Ran::default()),
    };
    let ip = match resolve(ctx, &url.host) {
        Resolved::Ip(ip) => ip,
        Resolved::NotFound => return fail(format!("bad address '{}'", url.host), 0, Ran::default()),
        Resolved::NoServer => return fail(format!("bad address '{}'", url.host), RESOLVER_TIMEOUT, Ran::default()),
    };
    let host_header = if url.port == 80 { url.host.clone() } else { format!("{}:{}", url.host, url.port) };
    let ask = Ask { method: "GET".into(), path: url.path.clone(), host: host_header, tls: false, insecure: false };
    let mut ran = Ran::default();
    let outcome = fetch(ctx, &url_text, &ip, &url, &ask, &mut ran);
    let connecting = if quiet { String::new() } else { format!("Connecting to {} ({ip}:{})\n", url.host, url.port) };
    let cannot = |why: &str, elapsed: Millis, ran: Ran| Ran {
        output: Output {
            stderr: format!("{connecting}wget: can't connect to remote host ({ip}): {why}\n"),
            exit_code: 1,
            ..Output::default()
        },
        elapsed,
        ..ran
    };
    match outcome {
        Outcome::Refused => cannot("Connection refused", 0, ran),
        Outcome::NoRoute => cannot("No route to host", ARP_TIMEOUT, ran),
        Outcome::Timeout => match timeout {
            Some(t) => Ran {
                output: Output {
                    stderr: format!("{connecting}wget: download timed out\n"),
                    exit_code: 1,
                    ..Output::default()
                },
                elapsed: t,
                ..ran
            },
            None => cannot("Connection timed out", SYN_TIMEOUT, ran),
        },
        Outcome::EmptyReply | Outcome::Http09 | Outcome::WrongTls | Outcome::Untrusted { .. } => Ran {
            output: Output {
                stderr: format!("{connecting}wget: error getting response: Connection reset by peer\n"),
                exit_code: 1,
                ..Output::default()
            },
            ..ran
        },
        Outcome::Response(response) if response.status >= 400 => Ran {
            output: Output {
                stderr: format!(
                    "{connecting}wget: server returned error: HTTP/1.1 {} {}\n",
                    response.status, response.reason
                ),
                exit_code: 1,
                ..Output::default()
            },
            ..ran
        },
        Outcome::Response(_) if spider => {
            Ran { output: Output { stderr: format!("{connecting}remote file exists\n"), ..Output::default() }, ..ran }
        }
        Outcome::Response(response) => {
            let name = output.clone().unwrap_or_else(|| {
                url.path.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("index.html").to_string()
            });
            let size = response.body.len();
            let progress = |label: &str| format!("{label:<20} 100% |{}| {size:>5}  0:00:00 ETA\n", "*".repeat(32));
            if name == "-" {
                let stderr = if quiet {
                    String::new()
                } else {
                    format!("{connecting}writing to stdout\n{}written to stdout\n", progress("-"))
                };
                return Ran { output: Output { stdout: response.body, stderr, exit_code: 0 }, ..ran };
            }
            ran.writes.push((name.clone(), response.body));
            let stderr = if quiet {
                String::new()
            } else {
                format!("{connecting}saving to '{name}'\n{}'{name}' saved\n", progress(&name))
            };
            Ran { output: Output { stderr, ..Output::default() }, ..ran }
        }
    }
}

/// nslookup NAME [SERVER], BusyBox's or BIND's.
fn nslookup(ctx: &mut Context, args: &[String]) -> Ran {
    let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let Some(name) = words.first() else {
        let stderr = match ctx.build {
            Build::BusyBox => "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n",
            Build::Full => "Usage: nslookup [HOST [SERVER]]\n",
        };
        return Ran { output: Output { stderr: stderr.into(), exit_code: 1, ..Output::default() }, ..Ran::default() };
    };
    let fabric = ctx.fabric;
    let (server, answer) = match words.get(1) {
        Some(server) if server.as_str() == dns::CLUSTER_DNS => {
            (server.to_string(), dns::ask_cluster(&fabric, &ctx.client, name, &mut ctx.dice))
        }
        Some(server) => (server.to_string(), Answer::NoServer),
        None => {
            let server = ctx.resolver.server().to_string();
            (server, dns::lookup(&fabric, &ctx.client, &ctx.resolver, name, &mut ctx.dice))
        }
    };
    let header = match ctx.build {
        Build::BusyBox => format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n"),
        Build::Full => format!("Server:\t\t{server}\nAddress:\t{server}#53\n\n"),
    };
    match answer {
        Answer::Found { name: found, cname, ips } => {
            let mut out = header;
            // The node's stub resolver relays what it learned elsewhere.
            if ctx.build == Build::Full && server == "127.0.0.53" {
                out.push_str("Non-authoritative answer:\n");
            }
            if let Some(target) = cname {
                out.push_str(&format!("{found}\tcanonical name = {target}.\n"));
            }
            for ip in &ips {
                out.push_str(&format!("Name:\t{found}\nAddress: {ip}\n"));
            }
            out.push('\n');
            Ran { output: Output::ok(out), ..Ran::default() }
        }
        Answer::NotFound => {
            let shown = name.trim_end_matches('.');
            Ran {
                output: Output {
                    stdout: format!("{header}** server can't find {shown}: NXDOMAIN\n\n"),
                    exit_code: 1,
                    ..Output::default()
                },
                ..Ran::default()
            }
        }
        Answer::NoServer => {
            let text = match ctx.build {
                Build::BusyBox => ";; connection timed out; no servers could be reached\n\n".to_string(),
                Build::Full => format!(
                    "{0}{0}{0};; no servers could be reached\n\n",
                    format_args!(";; communications error to {server}#53: timed out\n")
                ),
            };
            Ran {
                output: Output { stdout: text, exit_code: 1, ..Output::default() },
                elapsed: RESOLVER_TIMEOUT,
                ..Ran::default()
            }
        }
    }
}
