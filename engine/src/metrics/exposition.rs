//! Prometheus's text exposition format, as every exporter here serves it on
//! `/metrics` and as the scraper reads it (without the text round trip).

use super::promql::Labels;
use std::fmt::Write;

/// A metric family's type, as its `# TYPE` line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Counter,
    Gauge,
    Histogram,
}

impl Type {
    fn word(self) -> &'static str {
        match self {
            Type::Counter => "counter",
            Type::Gauge => "gauge",
            Type::Histogram => "histogram",
        }
    }
}

/// A sample's labels, in the exporter's order.
pub type Pairs = Vec<(&'static str, String)>;

/// One sample line: the name's suffix, the labels, the value.
pub type Line = (&'static str, Pairs, f64);

/// One metric family: its samples share a name (a histogram's also its
/// `_bucket`, `_sum` and `_count` suffixes).
#[derive(Clone, Debug)]
pub struct Family {
    pub name: &'static str,
    pub help: &'static str,
    pub kind: Type,
    pub samples: Vec<Line>,
}

impl Family {
    /// An empty family.
    pub fn new(name: &'static str, kind: Type, help: &'static str) -> Family {
        Family { name, help, kind, samples: Vec::new() }
    }

    /// Adds a sample with these labels.
    pub fn add(&mut self, labels: Pairs, v: f64) {
        self.samples.push(("", labels, v));
    }

    /// Adds a classic histogram: cumulative `buckets` as `(le, count)` with
    /// the `+Inf` bucket last, then `_sum` and `_count`.
    pub fn add_histogram(&mut self, labels: Pairs, buckets: &[(f64, f64)], sum: f64) {
        let count = buckets.last().map(|(_, c)| *c).unwrap_or(0.0);
        for (le, c) in buckets {
            let mut l = labels.clone();
            l.push(("le", format_value(*le)));
            self.samples.push(("_bucket", l, *c));
        }
        self.samples.push(("_sum", labels.clone(), sum));
        self.samples.push(("_count", labels, count));
    }
}

/// Escapes a label value as the text format requires.
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A sample value as Go's client libraries write it: the shortest `%g`
/// form (`1e+06`, `2.68435456e+09`, `0.25`), `+Inf`, `-Inf`, `NaN`.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's
    // shortest formatting does; only the layout differs.
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{v}")
}

/// The families as `/metrics` serves them.
pub fn text(families: &[Family]) -> String {
    let mut out = String::new();
    for f in families {
        if f.samples.is_empty() {
            continue;
        }
        let _ = writeln!(out, "# HELP {} {}", f.name, f.help);
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind.word());
        for (suffix, labels, v) in &f.samples {
            out.push_str(f.name);
            out.push_str(suffix);
            if !labels.is_empty() {
                out.push('{');
                for (i, (k, val)) in labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{k}=\"{}\"", escape(val));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {}", format_value(*v));
        }
    }
    out
}

/// The series a line becomes once scraped: the exporter's labels, then
/// the target's where the exporter has none of that name (`honor_labels:
/// true`, as the scrape configuration says).
pub fn series_labels(name: &str, suffix: &str, pairs: &Pairs, target: &Labels) -> Labels {
    let mut series = target.clone();
    for (k, val) in pairs {
        series.insert((*k).to_string(), val.clone());
    }
    series.insert(super::promql::METRIC_NAME.into(), format!("{name}{suffix}"));
    series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_go_prints_them() {
        for (v, want) in [
            (1e6, "1e+06"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (2.68435456e9, "2.68435456e+09"),
            (0.25, "0.25"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (f64::INFINITY, "+Inf"),
            (f64::NAN, "NaN"),
            (3.0, "3"),
            (-2.5, "-2.5"),
        ] {
            assert_eq!(format_value(v), want, "{v}");
        }
    }
}
