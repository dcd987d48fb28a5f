//! alertmanager.yml, the parts a playground needs: the routing tree with
//! matchers, grouping and timing; receivers with `slack_configs`; simple
//! inhibition. Read strictly; errors in Alertmanager's words where it has
//! them.

use super::super::duration;
use crate::promql::Labels;
use regex::Regex;
use serde::Deserialize;
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;

/// Alertmanager's defaults for the root route.
pub const DEFAULT_GROUP_WAIT_MS: i64 = 30_000;
/// Default `group_interval`.
pub const DEFAULT_GROUP_INTERVAL_MS: i64 = 5 * 60_000;
/// Default `repeat_interval`.
pub const DEFAULT_REPEAT_INTERVAL_MS: i64 = 4 * 3_600_000;

/// The default configuration the cluster ships.
pub const DEFAULT_CONFIG: &str = include_str!("../../../../presets/monitoring/alertmanager.yml");

/// One label matcher: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// The operator as written.
    pub op: &'static str,
    /// The value or pattern.
    pub value: String,
    re: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, o: &Self) -> bool {
        self.name == o.name && self.op == o.op && self.value == o.value
    }
}

impl Matcher {
    /// Parses one matcher as Alertmanager's `matchers:` lists them; the
    /// value may be quoted or bare.
    pub fn parse(s: &str) -> Result<Matcher, String> {
        let bad = || format!("bad matcher format: {s}");
        let s = s.trim();
        let name_end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).ok_or_else(bad)?;
        let name = &s[..name_end];
        let rest = &s[name_end..];
        let op = ["=~", "!~", "!=", "="].into_iter().find(|op| rest.trim_start().starts_with(op)).ok_or_else(bad)?;
        if name.is_empty() {
            return Err(bad());
        }
        let raw = rest.trim_start()[op.len()..].trim();
        let value = if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
            let mut out = String::new();
            let mut chars = raw[1..raw.len() - 1].chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    match chars.next() {
                        Some('n') => out.push('\n'),
                        Some(o) => out.push(o),
                        None => return Err(bad()),
                    }
                } else {
                    out.push(c);
                }
            }
            out
        } else if raw.contains('"') {
            return Err(bad());
        } else {
            raw.to_string()
        };
        Matcher::new(name, op, &value)
    }

    /// A matcher from its parts; regular expressions are anchored.
    pub fn new(name: &str, op: &'static str, value: &str) -> Result<Matcher, String> {
        let re = if op.contains('~') {
            Some(
                Regex::new(&format!("^(?:{value})$"))
                    .map_err(|e| format!("invalid regular expression {value:?}: {e}"))?,
            )
        } else {
            None
        };
        Ok(Matcher { name: name.to_string(), op, value: value.to_string(), re })
    }

    /// Whether a label set passes; a missing label is "".
    pub fn matches(&self, labels: &Labels) -> bool {
        let v = labels.get(&self.name).map(String::as_str).unwrap_or("");
        match (self.op, &self.re) {
            ("=", _) => v == self.value,
            ("!=", _) => v != self.value,
            ("=~", Some(re)) => re.is_match(v),
            ("!~", Some(re)) => !re.is_match(v),
            _ => false,
        }
    }
}

/// How alerts are grouped into notifications.
#[derive(Clone, Debug, PartialEq)]
pub enum GroupBy {
    /// By these labels.
    Labels(Vec<String>),
    /// `['...']`: by every label, one group per alert.
    All,
}

/// A route with everything inherited from its parents filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// The receiver's name.
    pub receiver: String,
    /// Grouping.
    pub group_by: GroupBy,
    /// Wait before the first notification of a new group.
    pub group_wait_ms: i64,
    /// Wait between notifications about a changed group.
    pub group_interval_ms: i64,
    /// Wait before repeating an unchanged notification.
    pub repeat_interval_ms: i64,
    /// All must match (the root has none).
    pub matchers: Vec<Matcher>,
    /// Keep looking at siblings after this route matched.
    pub continue_: bool,
    /// Child routes, in order.
    pub routes: Vec<Route>,
}

impl Route {
    /// The routes an alert goes to, as Alertmanager's `Route.Match`: the
    /// deepest matching children (siblings after a match only with
    /// `continue`), or this route when no child matches.
    pub fn matching<'a>(&'a self, labels: &Labels, path: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, &'a Route)>) {
        if !self.matchers.iter().all(|m| m.matches(labels)) {
            return;
        }
        let before = out.len();
        for (i, child) in self.routes.iter().enumerate() {
            let n = out.len();
            path.push(i);
            child.matching(labels, path, out);
            path.pop();
            if out.len() > n && !child.continue_ {
                break;
            }
        }
        if out.len() == before {
            out.push((path.clone(), self));
        }
    }
}

/// One Slack integration of a receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct SlackConfig {
    /// The channel, `#alerts`.
    pub channel: String,
    /// Whether resolved alerts are announced (Alertmanager's Slack default: no).
    pub send_resolved: bool,
    /// The title template; `None` is Alertmanager's default subject.
    pub title: Option<String>,
    /// The text template; `None` is Alertmanager's default (empty).
    pub text: Option<String>,
}

/// A named receiver.
#[derive(Clone, Debug, PartialEq)]
pub struct Receiver {
    /// Its name.
    pub name: String,
    /// Its Slack integrations.
    pub slack: Vec<SlackConfig>,
}

/// Mutes alerts matching `target` while one matching `source` fires with
/// the same values of `equal`.
#[derive(Clone, Debug, PartialEq)]
pub struct InhibitRule {
    /// Matchers of the muting alert.
    pub source: Vec<Matcher>,
    /// Matchers of the muted alerts.
    pub target: Vec<Matcher>,
    /// Labels that must agree.
    pub equal: Vec<String>,
}

/// A parsed alertmanager.yml.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The routing tree.
    pub route: Route,
    /// The receivers.
    pub receivers: Vec<Receiver>,
    /// Inhibition rules.
    pub inhibit_rules: Vec<InhibitRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    global: Option<Yaml>,
    #[serde(default)]
    templates: Option<Yaml>,
    route: Option<RawRoute>,
    #[serde(default)]
    receivers: Vec<RawReceiver>,
    #[serde(default)]
    inhibit_rules: Vec<RawInhibit>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    receiver: Option<String>,
    group_by: Option<Vec<String>>,
    group_wait: Option<String>,
    group_interval: Option<String>,
    repeat_interval: Option<String>,
    #[serde(default)]
    matchers: Vec<String>,
    #[serde(default, rename = "match")]
    match_: BTreeMap<String, String>,
    #[serde(default)]
    match_re: BTreeMap<String, String>,
    #[serde(default, rename = "continue")]
    continue_: bool,
    #[serde(default)]
    routes: Vec<RawRoute>,
    // Accepted so real files load; time intervals are not simulated.
    #[serde(default)]
    #[allow(dead_code)]
    mute_time_intervals: Option<Yaml>,
    #[allow(dead_code)]
    #[serde(default)]
    active_time_intervals: Option<Yaml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceiver {
    name: String,
    #[serde(default)]
    slack_configs: Vec<RawSlack>,
    // Accepted so real files load; they notify nowhere in the playground.
    #[serde(default)]
    email_configs: Option<Yaml>,
    #[serde(default)]
    webhook_configs: Option<Yaml>,
    #[serde(default)]
    pagerduty_configs: Option<Yaml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
// The real integration's fields are accepted and ignored.
#[allow(dead_code)]
struct RawSlack {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    send_resolved: bool,
    title: Option<String>,
    text: Option<String>,
    // Fields of the real integration the playground has no use for.
    api_url: Option<String>,
    api_url_file: Option<String>,
    username: Option<String>,
    color: Option<String>,
    icon_emoji: Option<String>,
    icon_url: Option<String>,
    title_link: Option<String>,
    pretext: Option<String>,
    footer: Option<String>,
    fallback: Option<String>,
    http_config: Option<Yaml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInhibit {
    #[serde(default)]
    source_matchers: Vec<String>,
    #[serde(default)]
    target_matchers: Vec<String>,
    #[serde(default)]
    equal: Vec<String>,
}

fn dur(v: &Option<String>, inherited: i64) -> Result<i64, String> {
    match v {
        None => Ok(inherited),
        Some(s) => duration::parse(s),
    }
}

fn route(raw: &RawRoute, parent: Option<&Route>, receivers: &[Receiver]) -> Result<Route, String> {
    let receiver = match (&raw.receiver, parent) {
        (Some(r), _) => r.clone(),
        (None, Some(p)) => p.receiver.clone(),
        (None, None) => return Err("root route must specify a default receiver".to_string()),
    };
    if !receivers.iter().any(|r| r.name == receiver) {
        return Err(format!("undefined receiver {receiver:?} used in route"));
    }
    let group_by = match &raw.group_by {
        None => parent.map(|p| p.group_by.clone()).unwrap_or(GroupBy::Labels(Vec::new())),
        Some(l) if l.iter().any(|x| x == "...") => {
            if l.len() > 1 {
                return Err("cannot have wildcard group_by (`...`) and other other labels at the same time".to_string());
            }
            GroupBy::All
        }
        Some(l) => {
            let mut seen = std::collections::HashSet::new();
            for name in l {
                if !super::super::file::is_label_name(name) {
                    return Err(format!("invalid label name {name:?} in group_by list"));
                }
                if !seen.insert(name) {
                    return Err(format!("duplicated label {name:?} in group_by"));
                }
            }
            GroupBy::Labels(l.clone())
        }
    };
    let mut matchers = Vec::new();
    for m in &raw.matchers {
        matchers.push(Matcher::parse(m)?);
    }
    for (k, v) in &raw.match_ {
        matchers.push(Matcher::new(k, "=", v)?);
    }
    for (k, v) in &raw.match_re {
        matchers.push(Matcher::new(k, "=~", v)?);
    }
    if parent.is_none() && !matchers.is_empty() {
        return Err("root route must not have any matchers".to_string());
    }
    if parent.is_none() && raw.continue_ {
        return Err("cannot have continue in root route".to_string());
    }
    let mut r = Route {
        receiver,
        group_by,
        group_wait_ms: dur(&raw.group_wait, parent.map_or(DEFAULT_GROUP_WAIT_MS, |p| p.group_wait_ms))?,
        group_interval_ms: dur(&raw.group_interval, parent.map_or(DEFAULT_GROUP_INTERVAL_MS, |p| p.group_interval_ms))?,
        repeat_interval_ms: dur(
            &raw.repeat_interval,
            parent.map_or(DEFAULT_REPEAT_INTERVAL_MS, |p| p.repeat_interval_ms),
        )?,
        matchers,
        continue_: raw.continue_,
        routes: Vec::new(),
    };
    if r.group_interval_ms == 0 {
        return Err("group_interval cannot be zero".to_string());
    }
    if r.repeat_interval_ms == 0 {
        return Err("repeat_interval cannot be zero".to_string());
    }
    for child in &raw.routes {
        let c = route(child, Some(&r), receivers)?;
        r.routes.push(c);
    }
    Ok(r)
}

impl Config {
    /// Reads alertmanager.yml.
    pub fn parse(text: &str) -> Result<Config, String> {
        let raw: RawConfig = serde_yaml::from_str(text).map_err(|e| format!("yaml: {e}"))?;
        let _ = (&raw.global, &raw.templates);
        let mut receivers: Vec<Receiver> = Vec::new();
        for r in &raw.receivers {
            if r.name.is_empty() {
                return Err("missing name in receiver".to_string());
            }
            if receivers.iter().any(|x| x.name == r.name) {
                return Err(format!("notification config name {:?} is not unique", r.name));
            }
            let _ = (&r.email_configs, &r.webhook_configs, &r.pagerduty_configs);
            // Templates are parsed now so a typo shows at load, not at 3am.
            for s in &r.slack_configs {
                for t in s.title.iter().chain(s.text.iter()) {
                    super::super::template::Template::parse(&r.name, t)?;
                }
            }
            let slack = r
                .slack_configs
                .iter()
                .map(|s| SlackConfig {
                    channel: s.channel.clone(),
                    send_resolved: s.send_resolved,
                    title: s.title.clone(),
                    text: s.text.clone(),
                })
                .collect();
            receivers.push(Receiver { name: r.name.clone(), slack });
        }
        let Some(raw_route) = &raw.route else {
            return Err("no routes provided".to_string());
        };
        let route = route(raw_route, None, &receivers)?;
        let mut inhibit_rules = Vec::new();
        for i in &raw.inhibit_rules {
            let parse_all = |l: &[String]| l.iter().map(|m| Matcher::parse(m)).collect::<Result<Vec<_>, _>>();
            inhibit_rules.push(InhibitRule {
                source: parse_all(&i.source_matchers)?,
                target: parse_all(&i.target_matchers)?,
                equal: i.equal.clone(),
            });
        }
        Ok(Config { route, receivers, inhibit_rules })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn matchers_parse_as_alertmanager_writes_them() {
        let m = Matcher::parse(r#"severity=~"warn|crit""#).unwrap();
        assert!(m.matches(&labels(&[("severity", "warn")])));
        assert!(!m.matches(&labels(&[("severity", "warning")])));
        let m = Matcher::parse("alertname = NodeDown").unwrap();
        assert!(m.matches(&labels(&[("alertname", "NodeDown")])));
        assert!(Matcher::parse("=x").is_err());
        assert!(Matcher::parse(r#"a=~"(""#).is_err());
    }

    #[test]
    fn routes_inherit_and_match_with_continue() {
        let c = Config::parse(
            r#"
route:
  receiver: all
  group_by: ['...']
  routes:
  - matchers: ['severity="critical"']
    receiver: pager
    continue: true
  - matchers: ['alertname=~"Node.*"']
    receiver: nodes
    group_wait: 10s
receivers: [{name: all}, {name: pager}, {name: nodes}]
"#,
        )
        .unwrap();
        let mut out = Vec::new();
        c.route.matching(&labels(&[("alertname", "NodeDown"), ("severity", "critical")]), &mut Vec::new(), &mut out);
        let names: Vec<_> = out.iter().map(|(_, r)| r.receiver.as_str()).collect();
        assert_eq!(names, ["pager", "nodes"]);
        assert_eq!(out[1].1.group_wait_ms, 10_000);
        assert_eq!(out[1].1.group_by, GroupBy::All);
        let mut out = Vec::new();
        c.route.matching(&labels(&[("alertname", "X")]), &mut Vec::new(), &mut out);
        assert_eq!(out[0].1.receiver, "all");
    }

    #[test]
    fn config_errors() {
        let cases = [
            ("route: {}\nreceivers: [{name: a}]", "root route must specify a default receiver"),
            ("route: {receiver: b}\nreceivers: [{name: a}]", "undefined receiver \"b\" used in route"),
            ("receivers: [{name: a}]", "no routes provided"),
            (
                "route: {receiver: a, group_by: ['...', x]}\nreceivers: [{name: a}]",
                "cannot have wildcard group_by (`...`) and other other labels at the same time",
            ),
            ("route: {receiver: a, group_wait: 5x}\nreceivers: [{name: a}]", "not a valid duration string: \"5x\""),
            (
                "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{text: '{{ .Alerts | nope }}'}]}]",
                "template: a:1: function \"nope\" not defined",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Config::parse(text).map(|_| ()), Err(want.to_string()), "{text}");
        }
        assert!(Config::parse(DEFAULT_CONFIG).is_ok());
    }
}
