//! `chat`: the class's chat channel, where the Alertmanager posts, as a
//! Slack window would show it: time, sender, title, text.

use crate::cluster::{Cluster, Output};

pub const USAGE: &str = "Usage:
  chat            every message, oldest first
  chat CHANNEL    one channel's (chat '#alerts')
";

/// Runs `chat ARGS` on `cluster`.
pub fn run(cluster: &Cluster, args: &[String]) -> Output {
    let channel = match args {
        [] => None,
        [c] if !c.starts_with('-') => Some(c.as_str()),
        _ => return Output::err(format!("chat: unexpected {:?}\n{USAGE}", args.join(" "))),
    };
    let Some(messages) = cluster.chat() else {
        return Output::err(
            "chat: nobody posts here: this cluster has no Alertmanager (the monitoring preset has one)\n",
        );
    };
    let mut out = String::new();
    for m in messages.iter().filter(|m| channel.is_none_or(|c| m.channel == c)) {
        let time = crate::time::Time(m.at_ms).to_k8s().0.to_string();
        let clock = time.get(11..19).unwrap_or(&time);
        out.push_str(&format!("[{clock}] {} (to {})\n  {}\n", m.channel, m.receiver, m.title));
        for line in m.text.lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!("  {line}\n"));
        }
    }
    if out.is_empty() {
        out = match channel {
            Some(c) => format!("no messages in {c}\n"),
            None => "no messages\n".into(),
        };
    }
    Output::ok(out)
}
