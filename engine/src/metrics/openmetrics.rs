//! A [`Storage`] written out as OpenMetrics text, in the form
//! `promtool tsdb create-blocks-from openmetrics FILE DIR` backfills from,
//! so a real Prometheus can answer queries over the very samples ours holds.
//!
//! What promtool needs, and why the writer does what it does:
//! - every sample carries a timestamp (in seconds), or promtool refuses it;
//! - a series' samples come in time order (the block writer rejects
//!   out-of-order samples), so each series is written whole, oldest first;
//! - `# TYPE` precedes a family once, so series are grouped by metric name;
//!   every family is `unknown`, because OpenMetrics' counter and histogram
//!   types would make the parser hold `_total` and `_bucket` names to rules
//!   our series never promised to follow;
//! - the text ends with `# EOF`;
//! - staleness markers are not samples: OpenMetrics cannot spell them (a
//!   `NaN` there is an ordinary NaN), so they are left out, and the real
//!   server sees a series end by the lookback running out rather than at
//!   the marker. A real NaN sample is written as `NaN`.

use super::promql::{format_number, is_stale, Storage, StoredSeries, METRIC_NAME};
use std::fmt::Write as _;

/// The whole store as one OpenMetrics text.
pub fn write(storage: &Storage) -> String {
    let mut out = String::new();
    write_each(storage, |chunk| out.push_str(chunk));
    out
}

/// The same text handed over a series at a time, so a large store can be
/// streamed to a file without building one huge string.
pub fn write_each(storage: &Storage, mut sink: impl FnMut(&str)) {
    let mut series: Vec<&StoredSeries> =
        storage.series().iter().filter(|s| s.labels.get(METRIC_NAME).is_some_and(|n| !n.is_empty())).collect();
    series.sort_by(|a, b| a.labels.get(METRIC_NAME).cmp(&b.labels.get(METRIC_NAME)).then(a.labels.cmp(&b.labels)));
    let mut family: Option<&str> = None;
    let mut buf = String::new();
    for s in series {
        buf.clear();
        let name = s.labels.get(METRIC_NAME).map(String::as_str).unwrap_or_default();
        if family != Some(name) {
            let _ = writeln!(buf, "# TYPE {name} unknown");
            family = Some(name);
        }
        let mut head = String::from(name);
        let rest: Vec<String> = s
            .labels
            .iter()
            .filter(|(k, _)| k.as_str() != METRIC_NAME)
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        if !rest.is_empty() {
            let _ = write!(head, "{{{}}}", rest.join(","));
        }
        for (t, v) in s.samples() {
            if is_stale(v) {
                continue;
            }
            let _ = writeln!(buf, "{head} {} {}", format_number(v), seconds(t));
        }
        sink(&buf);
    }
    sink("# EOF\n");
}

/// A label value with OpenMetrics' three escapes.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A timestamp in seconds that Prometheus's parser turns back into the
/// same millisecond: it multiplies the float by 1000 and truncates, so
/// `1767258003.217` may come back as ...216.99997 and lose a millisecond.
/// When the plain form would, a digit past the millisecond is added to
/// push the product over the line without reaching the next one.
pub fn seconds(ms: i64) -> String {
    let plain = crate::metrics::api::timestamp(ms);
    if reads_back(&plain, ms) {
        return plain;
    }
    let with_frac = if plain.contains('.') { plain.clone() } else { format!("{plain}.000") };
    for extra in ["01", "02", "05", "1", "2"] {
        let candidate = format!("{with_frac}{extra}");
        if reads_back(&candidate, ms) {
            return candidate;
        }
    }
    plain
}

fn reads_back(text: &str, ms: i64) -> bool {
    text.parse::<f64>().is_ok_and(|s| (s * 1000.0) as i64 == ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{stale_marker, Labels};

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn families_are_grouped_and_stale_markers_left_out() {
        let mut s = Storage::new();
        s.append(&labels(&[(METRIC_NAME, "up"), ("job", "b")]), 1000, 1.0);
        s.append(&labels(&[(METRIC_NAME, "a_total"), ("x", "q\"\\\n")]), 1500, f64::NAN);
        s.append(&labels(&[(METRIC_NAME, "up"), ("job", "a")]), 1000, 0.0);
        s.append(&labels(&[(METRIC_NAME, "up"), ("job", "a")]), 2000, stale_marker());
        assert_eq!(
            write(&s),
            "# TYPE a_total unknown\na_total{x=\"q\\\"\\\\\\n\"} NaN 1.500\n# TYPE up unknown\nup{job=\"a\"} 0 1\nup{job=\"b\"} 1 1\n# EOF\n"
        );
    }

    #[test]
    fn timestamps_read_back_to_the_same_millisecond() {
        for ms in (1_767_258_000_000..1_767_258_003_000).step_by(7) {
            let text = seconds(ms);
            assert!(reads_back(&text, ms), "{ms} -> {text}");
        }
    }
}
