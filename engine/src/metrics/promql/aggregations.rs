//! Aggregation operators with `by`/`without`, step by step.

use super::eval::{at_step, Ctx, Instant, Steps, Val};
use super::stats::{self, nan_first, Mean};
use super::value::{err, format_number, Error, Labels, METRIC_NAME};
use promql_parser::parser::{AggregateExpr, Expr, LabelModifier};
use std::cmp::Ordering;
use std::collections::HashMap;

pub fn aggregate(ctx: &Ctx, a: &AggregateExpr) -> Result<Val, Error> {
    let op = a.op.to_string();
    let input = ctx.eval_vector(&a.expr)?;
    let n = ctx.steps();
    let param = match (&a.param, op.as_str()) {
        (Some(p), "count_values") => Param::Label(string_param(ctx, p)?),
        (Some(p), _) => Param::Scalar(ctx.eval_scalar(p)?),
        (None, _) => Param::None,
    };
    if let Param::Label(l) = &param {
        if !valid_label_name(l) {
            return err(format!("invalid label name {l:?}"));
        }
    }
    if matches!(op.as_str(), "sum" | "avg" | "min" | "max" | "count" | "group" | "stddev" | "stdvar" | "quantile") {
        return by_series(ctx, &op, &a.modifier, &param, &input);
    }
    let per_step =
        (0..n).map(|i| step(&op, &a.modifier, &param, i, at_step(&input, i))).collect::<Result<Vec<_>, Error>>()?;
    ctx.collect(per_step)
}

enum Param {
    None,
    Scalar(Vec<f64>),
    Label(String),
}

fn string_param(ctx: &Ctx, e: &Expr) -> Result<String, Error> {
    match ctx.eval(e)? {
        Val::Str(s) => Ok(s),
        _ => err("expected string parameter"),
    }
}

pub fn valid_label_name(l: &str) -> bool {
    !l.is_empty() && l.chars().all(|c| !c.is_control())
}

/// The labels a sample is grouped by.
fn group_key(labels: &Labels, modifier: &Option<LabelModifier>) -> Labels {
    match modifier {
        Some(LabelModifier::Include(by)) => {
            labels.iter().filter(|(k, _)| by.labels.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
        }
        Some(LabelModifier::Exclude(without)) => labels
            .iter()
            .filter(|(k, _)| k.as_str() != METRIC_NAME && !without.labels.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None => Labels::new(),
    }
}

/// Samples grouped by key, groups in order of first appearance.
fn groups(samples: Instant, modifier: &Option<LabelModifier>) -> Vec<(Labels, Instant)> {
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<(Labels, Instant)> = Vec::new();
    for (labels, v) in samples {
        let key = group_key(&labels, modifier);
        let idx = *index.entry(key.clone()).or_insert_with(|| {
            out.push((key, Vec::new()));
            out.len() - 1
        });
        out[idx].1.push((labels, v));
    }
    out
}

fn step(
    op: &str,
    modifier: &Option<LabelModifier>,
    param: &Param,
    i: usize,
    samples: Instant,
) -> Result<Instant, Error> {
    let scalar = match param {
        Param::Scalar(v) => v[i],
        _ => f64::NAN,
    };
    let mut out = Instant::new();
    match op {
        "topk" | "bottomk" | "limitk" => {
            if scalar.is_nan() {
                return err("Parameter value is NaN");
            }
            if scalar >= i64::MAX as f64 || scalar <= i64::MIN as f64 {
                return err(format!("Scalar value {} overflows int64", format_number(scalar)));
            }
            let k = scalar as i64;
            if k < 1 {
                return Ok(out);
            }
            for (_, mut members) in groups(samples, modifier) {
                match op {
                    "topk" => members.sort_by(|a, b| nan_first(b.1, a.1)),
                    "bottomk" => members.sort_by(|a, b| nan_last(a.1, b.1)),
                    _ => {}
                }
                out.extend(members.into_iter().take(k as usize));
            }
        }
        "limit_ratio" => {
            if scalar.is_nan() {
                return err("Ratio value is NaN");
            }
            return err("limit_ratio is not supported");
        }
        "count_values" => {
            let Param::Label(label) = param else {
                return err("count_values needs a label name");
            };
            for (key, members) in groups(samples, modifier) {
                let mut counts: Vec<(String, f64)> = Vec::new();
                for (_, v) in members {
                    let text = format_number(v);
                    match counts.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, c)) => *c += 1.0,
                        None => counts.push((text, 1.0)),
                    }
                }
                for (text, c) in counts {
                    let mut labels = key.clone();
                    labels.insert(label.clone(), text);
                    out.push((labels, c));
                }
            }
        }
        _ => {
            for (key, members) in groups(samples, modifier) {
                let values: Vec<f64> = members.iter().map(|(_, v)| *v).collect();
                out.push((key, reduce(op, &values, scalar)?));
            }
        }
    }
    Ok(out)
}

/// One group's value at one step.
fn reduce(op: &str, values: &[f64], scalar: f64) -> Result<f64, Error> {
    let it = values.iter().copied();
    Ok(match op {
        "sum" => stats::sum(it),
        "avg" => {
            let mut m = Mean::default();
            it.for_each(|v| m.add(v));
            m.value()
        }
        "min" => it.fold(f64::NAN, |acc, v| if acc.is_nan() || v < acc { v } else { acc }),
        "max" => it.fold(f64::NAN, |acc, v| if acc.is_nan() || v > acc { v } else { acc }),
        "count" => values.len() as f64,
        "group" => 1.0,
        "stddev" => welford(it).sqrt(),
        "stdvar" => welford(it),
        "quantile" => stats::quantile(scalar, values.to_vec()),
        _ => return err(format!("unknown aggregation {op}")),
    })
}

/// The aggregations whose groups stay the same at every step: each input
/// series is given its group once, rather than once per step.
fn by_series(
    ctx: &Ctx,
    op: &str,
    modifier: &Option<LabelModifier>,
    param: &Param,
    input: &[Steps],
) -> Result<Val, Error> {
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<Steps> = Vec::new();
    let n = ctx.steps();
    let member: Vec<usize> = input
        .iter()
        .map(|s| {
            let key = group_key(&s.labels, modifier);
            *index.entry(key.clone()).or_insert_with(|| {
                out.push(Steps { labels: key, vals: vec![None; n] });
                out.len() - 1
            })
        })
        .collect();
    let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
    for i in 0..n {
        buckets.iter_mut().for_each(Vec::clear);
        for (s, g) in input.iter().zip(&member) {
            if let Some(v) = s.vals[i] {
                buckets[*g].push(v);
            }
        }
        let scalar = match param {
            Param::Scalar(v) => v[i],
            _ => f64::NAN,
        };
        for (g, values) in buckets.iter().enumerate() {
            if !values.is_empty() {
                out[g].vals[i] = Some(reduce(op, values, scalar)?);
            }
        }
    }
    out.retain(|s| s.vals.iter().any(Option::is_some));
    Ok(Val::Vector(out))
}

/// The plain Welford variance Prometheus's `stddev` and `stdvar` use.
fn welford(values: impl Iterator<Item = f64>) -> f64 {
    let (mut count, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for v in values {
        count += 1.0;
        let delta = v - mean;
        mean += delta / count;
        m2 += delta * (v - mean);
    }
    m2 / count
}

/// Ascending with NaN above everything (it is the first to go in both
/// `topk` and `bottomk`).
fn nan_last(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}
