//! Alertmanager's timing as its dispatcher and notification log produce it.

use super::config::Config;
use super::*;

const M: i64 = 60_000;

fn alert(name: &str, instance: &str, starts: i64, ends: i64) -> Alert {
    let labels = [("alertname", name), ("instance", instance), ("severity", "critical")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let annotations = [("summary".to_string(), format!("{instance} is down"))].into_iter().collect();
    Alert { labels, annotations, starts_at_ms: starts, ends_at_ms: ends, generator_url: String::new() }
}

fn am(extra: &str) -> Alertmanager {
    let text = format!(
        "route:\n  receiver: slack\n  group_by: [alertname]\n  group_wait: 30s\n  group_interval: 5m\n  repeat_interval: 1h\nreceivers:\n- name: slack\n  slack_configs:\n  - channel: '#alerts'\n{extra}"
    );
    Alertmanager::new(Config::parse(&text).unwrap_or_else(|e| panic!("{e}")))
}

/// Runs the Alertmanager minute by minute while Prometheus resends the
/// given alerts (each `(alert, from, until)` firing in that window, then
/// resolved), returning `(minute.second, title, alerts)` for each message.
fn simulate(am: &mut Alertmanager, alerts: &[(&str, &str, i64, i64)], minutes: i64) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut t = 0;
    while t <= minutes * M {
        let mut batch = Vec::new();
        for (name, inst, from, until) in alerts {
            if t >= from * M && t < until * M {
                batch.push(alert(name, inst, from * M, t + 4 * M));
            } else if t >= until * M && t < (until + 15) * M {
                batch.push(alert(name, inst, from * M, until * M));
            }
        }
        am.receive(batch, t);
        // Flush whatever falls due before the next send.
        for n in am.flush(t + M - 1) {
            out.push((format!("{}.{:02}", n.at_ms / M, n.at_ms % M / 1000), n.title, n.alerts));
        }
        t += M;
    }
    out
}

#[test]
fn group_wait_then_group_interval_then_repeat() {
    let mut a = am("    send_resolved: true\n");
    let got = simulate(&mut a, &[("NodeDown", "w1", 0, 200), ("NodeDown", "w2", 2, 200)], 140);
    let want = [
        ("0.30", "[FIRING:1] NodeDown (w1 critical)", 1),
        // w2 joined at 2m: told at the next group_interval tick.
        ("5.30", "[FIRING:2] NodeDown (critical)", 2),
        // Unchanged: silent on every 5m flush until an hour has strictly passed.
        ("70.30", "[FIRING:2] NodeDown (critical)", 2),
        ("135.30", "[FIRING:2] NodeDown (critical)", 2),
    ];
    let want: Vec<(String, String, usize)> = want.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), *c)).collect();
    assert_eq!(got, want);
}

#[test]
fn resolved_messages_only_with_send_resolved() {
    let mut a = am("    send_resolved: true\n");
    let got = simulate(&mut a, &[("NodeDown", "w1", 0, 12), ("NodeDown", "w2", 0, 22)], 40);
    let titles: Vec<(&str, &str, usize)> = got.iter().map(|(t, s, n)| (t.as_str(), s.as_str(), *n)).collect();
    assert_eq!(
        titles,
        [
            ("0.30", "[FIRING:2] NodeDown (critical)", 2),
            // One resolved: the message lists both, one of them resolved.
            ("15.30", "[FIRING:1] NodeDown (critical)", 2),
            // Prometheus resends w1's resolution for 15 minutes, so it is
            // back in the group when w2 resolves, as in Alertmanager.
            ("25.30", "[RESOLVED] NodeDown (critical)", 2),
        ]
    );
    assert_eq!(a.next_due(), None, "the empty group is gone");

    let mut quiet = am("");
    let got = simulate(&mut quiet, &[("NodeDown", "w1", 0, 12), ("NodeDown", "w2", 0, 22)], 40);
    let at: Vec<&str> = got.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(at, ["0.30"], "Slack's default send_resolved is false");
}

#[test]
fn an_alert_older_than_group_wait_goes_out_at_once_and_routes_pick_receivers() {
    let text = "route:\n  receiver: slack\n  group_by: ['...']\n  routes:\n  - matchers: ['severity=\"critical\"']\n    receiver: pager\n    group_wait: 10s\nreceivers:\n- name: slack\n  slack_configs: [{channel: '#alerts'}]\n- name: pager\n  slack_configs:\n  - channel: '#oncall'\n    title: '{{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}'\n    text: '{{ range .Alerts }}{{ .Annotations.summary }} since {{ .StartsAt }}{{ end }}'\n";
    let mut a = Alertmanager::new(Config::parse(text).unwrap());
    a.receive(vec![alert("NodeDown", "w1", 0, 10 * M)], 5 * M);
    assert_eq!(a.next_due(), Some(5 * M));
    let n = a.flush(5 * M);
    assert_eq!(n.len(), 1);
    assert_eq!((n[0].channel.as_str(), n[0].receiver.as_str()), ("#oncall", "pager"));
    assert_eq!(n[0].title, "NodeDown on w1");
    assert_eq!(n[0].text, "w1 is down since 1970-01-01 00:00:00 +0000 UTC");
    assert_eq!(n[0].status, Status::Firing);
}

#[test]
fn inhibition_mutes_targets_while_a_source_fires() {
    let mut a = am("inhibit_rules:\n- source_matchers: ['alertname=\"NodeDown\"']\n  target_matchers: ['alertname=\"PodDown\"']\n  equal: [instance]\n");
    a.receive(
        vec![alert("NodeDown", "w1", 0, 10 * M), alert("PodDown", "w1", 0, 10 * M), alert("PodDown", "w2", 0, 10 * M)],
        0,
    );
    let n = a.flush(M);
    let titles: Vec<(&str, usize)> = n.iter().map(|n| (n.title.as_str(), n.alerts)).collect();
    assert_eq!(titles, [("[FIRING:1] NodeDown (w1 critical)", 1), ("[FIRING:1] PodDown (w2 critical)", 1)]);
}

#[test]
fn the_default_config_says_what_fired() {
    let mut a = Alertmanager::new(Config::parse(DEFAULT_CONFIG).unwrap());
    a.receive(vec![alert("NodeDown", "w1", 0, 4 * M)], 0);
    let n = a.flush(30_000);
    assert_eq!(n[0].channel, "#alerts");
    assert_eq!(n[0].title, "[FIRING:1] NodeDown (w1 critical)");
    assert_eq!(n[0].text, "w1 is down\n");
}

#[test]
fn configurations_copied_from_the_internet_work() {
    let text = "route:\n  receiver: s\n  group_by: [alertname]\nreceivers:\n- name: s\n  slack_configs:\n  - channel: '#c'\n    title: '{{ template \"slack.default.title\" . }}'\n    text: |-\n      {{- if gt (len .CommonLabels) (len .GroupLabels) -}}\n      {{\" \"}}({{- with .CommonLabels.Remove .GroupLabels.Names }}{{- range $i, $l := .SortedPairs -}}{{ if $i }}, {{ end }}{{- $l.Name }}={{ $l.Value -}}{{- end }}{{- end -}}){{- end }}\n      {{ template \"__text_alert_list\" .Alerts }}\n";
    let mut a = Alertmanager::new(Config::parse(text).unwrap_or_else(|e| panic!("{e}")));
    let mut x = alert("NodeDown", "w1", 0, 10 * M);
    x.generator_url = "http://p/graph".into();
    a.receive(vec![x], 0);
    let n = a.flush(M);
    assert_eq!(n[0].title, "[FIRING:1] NodeDown (w1 critical)");
    assert_eq!(
        n[0].text,
        " (instance=w1, severity=critical)\nLabels:\n - alertname = NodeDown\n - instance = w1\n - severity = critical\nAnnotations:\n - summary = w1 is down\nSource: http://p/graph\n"
    );
}
