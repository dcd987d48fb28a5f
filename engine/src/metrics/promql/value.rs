//! What a query returns, and how Prometheus prints it.

use std::collections::BTreeMap;
use std::fmt;

/// A series' identity: label names to values, kept sorted by name as
/// Prometheus orders them. The metric name is the `__name__` label.
pub type Labels = BTreeMap<String, String>;

/// The label that carries the metric name.
pub const METRIC_NAME: &str = "__name__";

/// One sample of an instant vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The series' labels.
    pub labels: Labels,
    /// Evaluation time in milliseconds since the Unix epoch.
    pub t: i64,
    /// The value.
    pub v: f64,
}

/// A series with its points, oldest first: one element of a range vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: Labels,
    /// `(time in ms, value)` pairs in time order.
    pub points: Vec<(i64, f64)>,
}

/// A range query's result, and the value of a range-vector expression.
pub type Matrix = Vec<Series>;

/// The result of an instant query.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A single number at the evaluation time.
    Scalar {
        /// Evaluation time in ms.
        t: i64,
        /// The number.
        v: f64,
    },
    /// A string literal's value.
    String {
        /// Evaluation time in ms.
        t: i64,
        /// The text.
        s: String,
    },
    /// An instant vector.
    Vector(Vec<Sample>),
    /// A range vector (a bare matrix selector or subquery).
    Matrix(Matrix),
}

/// A number as Prometheus prints it: the shortest form that reads back
/// exactly, with `NaN`, `+Inf` and `-Inf` spelled Go's way.
pub fn format_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{v}")
    }
}

/// Labels in Prometheus's text form: `name{a="b", c="d"}`, the name outside.
pub fn format_labels(labels: &Labels) -> String {
    let name = labels.get(METRIC_NAME).map(String::as_str).unwrap_or("");
    let rest: Vec<String> =
        labels.iter().filter(|(k, _)| k.as_str() != METRIC_NAME).map(|(k, v)| format!("{k}={v:?}")).collect();
    if rest.is_empty() && !name.is_empty() {
        return name.to_string();
    }
    format!("{name}{{{}}}", rest.join(", "))
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Scalar { t, v } => write!(f, "scalar: {} @[{t}]", format_number(*v)),
            Value::String { t, s } => write!(f, "string: {s} @[{t}]"),
            Value::Vector(samples) => {
                let lines: Vec<String> = samples
                    .iter()
                    .map(|s| format!("{} => {} @[{}]", format_labels(&s.labels), format_number(s.v), s.t))
                    .collect();
                write!(f, "{}", lines.join("\n"))
            }
            Value::Matrix(series) => {
                let blocks: Vec<String> = series
                    .iter()
                    .map(|s| {
                        let points: Vec<String> =
                            s.points.iter().map(|(t, v)| format!("{} @[{t}]", format_number(*v))).collect();
                        format!("{} =>\n{}", format_labels(&s.labels), points.join("\n"))
                    })
                    .collect();
                write!(f, "{}", blocks.join("\n"))
            }
        }
    }
}

/// Why a query failed, in Prometheus's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub(crate) fn err<T>(msg: impl Into<String>) -> Result<T, Error> {
    Err(Error(msg.into()))
}
