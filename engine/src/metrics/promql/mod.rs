//! A PromQL engine: queries parsed by the `promql-parser` crate and
//! evaluated here with Prometheus 3's semantics (5-minute lookback,
//! staleness markers, left-open ranges, `rate`'s extrapolation) over an
//! in-memory [`Storage`] (compressed chunks, a postings index, a
//! retention). Native histograms are not supported.
//!
//! ```
//! use engine::promql::{instant, Labels, Storage, Value};
//! let mut storage = Storage::new();
//! let labels: Labels = [("__name__", "up"), ("job", "node")]
//!     .into_iter()
//!     .map(|(k, v)| (k.to_string(), v.to_string()))
//!     .collect();
//! storage.append(&labels, 0, 1.0);
//! let Ok(Value::Vector(v)) = instant(&storage, "sum(up) by (job)", 10_000) else { panic!() };
//! assert_eq!(v[0].v, 1.0);
//! // Samples come back from a window open on the left, into a buffer.
//! let mut buf = Vec::new();
//! storage.series()[0].window(-1, 0, &mut buf);
//! assert_eq!(buf, [(0, 1.0)]);
//! // Keep an hour; older chunks (and series left empty) go.
//! storage.set_retention(Some(3_600_000));
//! ```

mod aggregations;
mod binary;
mod chunk;
mod eval;
mod functions;
mod histogram;
mod range_functions;
mod stats;
mod storage;
pub(crate) mod timefns;
mod value;

pub use eval::{DEFAULT_SUBQUERY_STEP_MS, LOOKBACK_MS};
pub use storage::{is_stale, matches, stale_marker, Stats, Storage, StoredSeries, CHUNK_SAMPLES, STALE_NAN_BITS};
pub use value::{format_labels, format_number, Error, Labels, Matrix, Sample, Series, Value, METRIC_NAME};

use eval::{Ctx, Val};
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{self, Expr};

/// The most steps a range query may have, as the Prometheus HTTP API allows.
pub const MAX_POINTS: i64 = 11_000;

/// Parses a query; a bad one is an [`Error`] with the parser's message,
/// introduced as Prometheus introduces its own.
pub fn parse(query: &str) -> Result<Expr, Error> {
    parser::parse(query).map_err(|e| Error(format!("parse error: {e}")))
}

/// Evaluates `query` at `time_ms` (ms since the Unix epoch).
pub fn instant(storage: &Storage, query: &str, time_ms: i64) -> Result<Value, Error> {
    instant_parsed(storage, &parse(query)?, time_ms)
}

/// [`instant`] of a query already parsed.
pub(crate) fn instant_parsed(storage: &Storage, expr: &Expr, time_ms: i64) -> Result<Value, Error> {
    let ctx = Ctx::new(storage, time_ms, time_ms, 1, (time_ms, time_ms, 0));
    Ok(match ctx.eval(expr)? {
        Val::Scalar(v) => Value::Scalar { t: time_ms, v: v[0] },
        Val::Str(s) => Value::String { t: time_ms, s },
        Val::Vector(series) => Value::Vector(
            series.into_iter().filter_map(|s| s.vals[0].map(|v| Sample { labels: s.labels, t: time_ms, v })).collect(),
        ),
        Val::Range(m) => Value::Matrix(m),
    })
}

/// Evaluates `query` at every `step_ms` from `start_ms` to `end_ms`
/// inclusive; the series come out sorted by their labels.
pub fn range(storage: &Storage, query: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> Result<Matrix, Error> {
    range_parsed(storage, &parse(query)?, start_ms, end_ms, step_ms)
}

/// [`range`] of a query already parsed.
pub(crate) fn range_parsed(
    storage: &Storage,
    expr: &Expr,
    start_ms: i64,
    end_ms: i64,
    step_ms: i64,
) -> Result<Matrix, Error> {
    match expr.value_type() {
        ValueType::Vector | ValueType::Scalar => {}
        ValueType::Matrix => {
            return Err(Error(
                "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector".into(),
            ))
        }
        ValueType::String => {
            return Err(Error(
                "invalid expression type \"string\" for range query, must be Scalar or instant Vector".into(),
            ))
        }
    }
    if step_ms <= 0 {
        return Err(Error("zero or negative query resolution step widths are not accepted".into()));
    }
    if end_ms < start_ms {
        return Err(Error("end timestamp must not be before start time".into()));
    }
    if end_ms.saturating_sub(start_ms) / step_ms > MAX_POINTS {
        return Err(Error(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)".into(),
        ));
    }
    let ctx = Ctx::new(storage, start_ms, end_ms, step_ms, (start_ms, end_ms, step_ms));
    let to_points = |vals: Vec<Option<f64>>| -> Vec<(i64, f64)> {
        vals.into_iter().enumerate().filter_map(|(i, v)| v.map(|v| (ctx.time(i), v))).collect()
    };
    let mut out: Matrix = match ctx.eval(expr)? {
        Val::Scalar(v) => vec![Series { labels: Labels::new(), points: to_points(v.into_iter().map(Some).collect()) }],
        Val::Vector(series) => series
            .into_iter()
            .map(|s| Series { labels: s.labels, points: to_points(s.vals) })
            .filter(|s| !s.points.is_empty())
            .collect(),
        _ => return Err(Error("invalid expression type for range query".into())),
    };
    out.sort_by(|a, b| a.labels.cmp(&b.labels));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn store() -> Storage {
        let mut s = Storage::new();
        for (pod, v) in [("coredns-1", 1.0), ("xcoredns", 2.0), ("web", 3.0)] {
            s.append(&labels(&[(METRIC_NAME, "restarts"), ("pod", pod)]), 0, v);
        }
        s
    }

    #[test]
    fn regex_matchers_are_anchored() {
        let Ok(Value::Vector(v)) = instant(&store(), r#"restarts{pod=~"coredns.*"}"#, 1000) else {
            panic!("a vector");
        };
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].labels["pod"], "coredns-1");
        let Ok(Value::Vector(v)) = instant(&store(), r#"restarts{pod!~"coredns.*|web"}"#, 1000) else {
            panic!("a vector");
        };
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].labels["pod"], "xcoredns");
    }

    #[test]
    fn a_missing_label_matches_the_empty_string() {
        let Ok(Value::Vector(v)) = instant(&store(), r#"restarts{namespace=""}"#, 1000) else {
            panic!("a vector");
        };
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn bad_queries_are_errors_not_panics() {
        for q in [
            "sum(",
            "rate(restarts)",
            "restarts[5m",
            "",
            "}{",
            "foo offset",
            "1 +",
            "label_replace(restarts, \"a\", \"b\", \"c\", \"(\")",
        ] {
            assert!(instant(&store(), q, 0).is_err(), "{q}");
        }
        let e = range(&store(), "restarts[5m]", 0, 60_000, 15_000).unwrap_err();
        assert_eq!(e.0, "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector");
        assert!(range(&store(), "restarts", 0, i64::MAX, 1).is_err());
        assert!(instant(&store(), "restarts", i64::MIN).is_ok());
        assert!(instant(&store(), "max_over_time(restarts[100y:1ms])", 0).is_err());
    }

    #[test]
    fn staleness_ends_a_series_before_the_lookback_does() {
        let mut s = Storage::new();
        let up = labels(&[(METRIC_NAME, "up")]);
        s.append(&up, 0, 1.0);
        s.append(&up, 15_000, stale_marker());
        assert_eq!(instant(&s, "up", 10_000).map(|v| v.to_string()), Ok("up => 1 @[10000]".to_string()));
        assert_eq!(instant(&s, "up", 20_000), Ok(Value::Vector(Vec::new())));
    }

    #[test]
    fn numbers_print_as_prometheus_prints_them() {
        assert_eq!(format_number(f64::INFINITY), "+Inf");
        assert_eq!(format_number(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_number(f64::NAN), "NaN");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_number(1e21), "1000000000000000000000");
    }
}
