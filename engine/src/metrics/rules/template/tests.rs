//! Template output checked against promtool 2.42 and Alertmanager.
use super::*;

fn alert_data(value: f64) -> (Data, Vec<(&'static str, Data)>) {
    let labels = Data::Map(BTreeMap::from([
        ("job".to_string(), Data::Str("node exp".into())),
        ("instance".to_string(), Data::Str("10.0.0.1:9100".into())),
    ]));
    let root = Data::Map(BTreeMap::from([
        ("Labels".to_string(), labels.clone()),
        ("Value".to_string(), Data::Float(value)),
        ("ExternalLabels".to_string(), Data::Map(BTreeMap::from([("cluster".to_string(), Data::Str("lab".into()))]))),
    ]));
    let vars = vec![
        ("$labels", labels),
        ("$value", Data::Float(value)),
        ("$externalLabels", Data::Map(BTreeMap::from([("cluster".to_string(), Data::Str("lab".into()))]))),
    ];
    (root, vars)
}

fn run(text: &str, value: f64) -> String {
    let (root, vars) = alert_data(value);
    match Template::parse("t", text).and_then(|t| t.execute(&root, &vars)) {
        Ok(s) => s,
        Err(e) => format!("ERR {e}"),
    }
}

/// Values taken from promtool 2.42 (`promtool test rules` printing the
/// annotations it expanded).
#[test]
fn prometheus_functions_match_promtool() {
    let cases: &[(&str, f64, &str)] = &[
        ("{{ $value }}", 0.1234, "0.1234"),
        ("{{ $value }}", 123456.0, "123456"),
        ("{{ $value | humanize }}", 0.1234, "123.4m"),
        ("{{ $value | humanize1024 }}", 0.1234, "0.1234"),
        ("{{ $value | humanizePercentage }}", 0.1234, "12.34%"),
        ("{{ $value | humanizeDuration }}", 0.1234, "123.4ms"),
        ("{{ $value | humanize }}", 123456.0, "123.5k"),
        ("{{ $value | humanize1024 }}", 123456.0, "120.6ki"),
        ("{{ $value | humanizePercentage }}", 123456.0, "1.235e+07%"),
        ("{{ $value | humanizeDuration }}", 123456.0, "1d 10h 17m 36s"),
        ("{{ printf \"%.2f\" $value }}", 0.1234, "0.12"),
        ("{{ $labels.job | toUpper }}", 0.0, "NODE EXP"),
        ("{{ .Labels.job | title }}", 0.0, "Node Exp"),
        ("{{ .Value }}", 0.1234, "0.1234"),
        ("{{ $externalLabels.cluster }}", 0.0, "lab"),
        ("{{ $labels.missing }}", 0.0, ""),
        ("{{ humanize 1000000 }}", 0.0, "1M"),
        ("{{ $value | humanize }}", 0.0, "0"),
        ("{{ $value | humanizeDuration }}", 0.0, "0s"),
        ("{{ $value | humanizeDuration }}", 90.0, "1m 30s"),
        ("{{ humanize 0 }}|{{ humanizeDuration 0 }}|{{ humanize 0.0 }}|{{ $value }}", 1e21, "0|0s|0|1e+21"),
        (
            "{{ humanize1024 0 }}|{{ humanizeDuration 0.5 }}|{{ humanizeDuration -90 }}|{{ humanize -1500 }}",
            0.0,
            "0|500ms|-1m 30s|-1.5k",
        ),
        ("{{ 2048 | humanize1024 }}|{{ humanize 1234567 }}", 0.0, "2ki|1.235M"),
        (
            "{{ humanizeTimestamp $value }}|{{ humanizeTimestamp 1767258000.5 }}|{{ parseDuration \"1h30m\" }}",
            1767258000.0,
            "2026-01-01 09:00:00 +0000 UTC|2026-01-01 09:00:00.5 +0000 UTC|5400",
        ),
        ("{{ $value | humanizeDuration }}", 3.5, "3.5s"),
        ("{{ if gt $value 1.0 }}high{{ else }}low{{ end }}", 2.0, "high"),
        ("{{- \"a\" -}}  b  {{- \"c\" }}", 0.0, "abc"),
        ("{{/* a comment */}}x", 0.0, "x"),
        ("{{ $x := \"y\" }}{{ $x }}", 0.0, "y"),
        ("{{ range $v := .Labels }}{{ . }}={{ $v }};{{ end }}", 0.0, "10.0.0.1:9100=10.0.0.1:9100;node exp=node exp;"),
        ("{{ range $k, $v := .Labels }}{{ $k }}={{ $v }},{{ end }}", 0.0, "instance=10.0.0.1:9100,job=node exp,"),
        ("{{ range $i, $v := .Labels.SortedPairs }}{{ $i }}{{ $v.Name }} {{ end }}", 0.0, "0instance 1job "),
        ("{{ with .Labels.job }}job={{ . }}{{ end }}", 0.0, "job=node exp"),
        ("{{ .Labels.instance | reReplaceAll \":.*\" \"\" }}", 0.0, "10.0.0.1"),
    ];
    for (text, v, want) in cases {
        assert_eq!(run(text, *v), *want, "{text} at {v}");
    }
}

#[test]
fn parse_errors_read_as_go_template_errors() {
    let cases: &[(&str, &str)] = &[
        ("{{ $value | nope }}", "template: t:1: function \"nope\" not defined"),
        ("{{ $value ", "template: t:1: unclosed action"),
        ("a\n{{ nope }}", "template: t:2: function \"nope\" not defined"),
        ("{{ if 1 }}x", "template: t:1: unexpected EOF"),
    ];
    for (text, want) in cases {
        assert_eq!(Template::parse("t", text).map(|_| ()), Err(want.to_string()), "{text}");
    }
}

#[test]
fn alertmanager_methods() {
    let alert = |status: &str| Data::Map(BTreeMap::from([("Status".to_string(), Data::Str(status.into()))]));
    let root = Data::Map(BTreeMap::from([
        ("Alerts".to_string(), Data::List(vec![alert("firing"), alert("resolved"), alert("firing")])),
        ("Status".to_string(), Data::Str("firing".into())),
        (
            "CommonLabels".to_string(),
            Data::Map(BTreeMap::from([
                ("b".to_string(), Data::Str("2".into())),
                ("a".to_string(), Data::Str("1".into())),
            ])),
        ),
    ]));
    let t = "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.Values | join \" \" }}{{ range .CommonLabels.SortedPairs }} {{ .Name }}={{ .Value }}{{ end }}";
    let got = Template::parse("t", t).and_then(|t| t.execute(&root, &[]));
    assert_eq!(got, Ok("[FIRING:2] 1 2 a=1 b=2".to_string()));
}
