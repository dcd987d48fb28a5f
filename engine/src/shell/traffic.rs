//! `traffic`: steady streams of requests from outside the cluster, so a
//! lesson can put a Service under load without a generator pod.

use crate::cluster::{Cluster, Output};
use crate::network::load::Source;

pub const USAGE: &str = "Usage:
  traffic start NAME URL [--rate N]  send N requests a second (10) to URL from outside the cluster
  traffic stop NAME                  stop it
  traffic                            the streams running
";

/// Runs `traffic ARGS` on `cluster`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["status"] => {
            let sources = cluster.traffic();
            if sources.is_empty() {
                return Output::ok("no traffic\n");
            }
            let width = sources.iter().map(|s| s.name.len()).max().unwrap_or(4).max(4);
            let urls = sources.iter().map(|s| s.url.len()).max().unwrap_or(3).max(3);
            let mut out = format!("{:width$}   {:urls$}   RATE\n", "NAME", "URL");
            for s in sources {
                out.push_str(&format!("{:width$}   {:urls$}   {}/s\n", s.name, s.url, s.rate));
            }
            Output::ok(out)
        }
        ["start", name, url, rest @ ..] => {
            let rate = match rest {
                [] => 10,
                ["--rate", n] => match n.parse::<u64>() {
                    Ok(n) if (1..=100_000).contains(&n) => n,
                    _ => return Output::err(format!("traffic: invalid rate {n:?}: requests a second, 1 to 100000\n")),
                },
                _ => return Output::err(format!("traffic: unexpected {:?}\n{USAGE}", rest.join(" "))),
            };
            if url.contains("://") && !url.starts_with("http://") {
                return Output::err(format!("traffic: only http:// URLs: {url}\n"));
            }
            cluster.network_mut().start_source(Source { name: name.to_string(), url: url.to_string(), rate });
            Output::ok(format!("traffic {name}: {rate} requests a second to {url}\n"))
        }
        ["stop", name] => match cluster.network_mut().stop_source(name) {
            true => Output::ok(format!("traffic {name} stopped\n")),
            false => Output::err(format!("traffic: no traffic named {name:?}\n")),
        },
        _ => Output::err(format!("traffic: unknown or incomplete command\n{USAGE}")),
    }
}
