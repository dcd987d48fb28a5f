//! Aggregation operators with `by`/`without`, step by step.

use super::eval::{at_step, Ctx, Instant, Steps, StepsRef, Val};
use super::range_functions;
use super::stats::{self, nan_first, Mean};
use super::value::{err, format_number, Error, Labels, METRIC_NAME};
use promql_parser::parser::{AggregateExpr, Expr, LabelModifier};
use std::cmp::Ordering;
use std::collections::HashMap;

pub fn aggregate(ctx: &Ctx, a: &AggregateExpr) -> Result<Val, Error> {
    let op = a.op.to_string();
    let per_series =
        matches!(op.as_str(), "sum" | "avg" | "min" | "max" | "count" | "group" | "stddev" | "stdvar" | "quantile");
    // These read only a few labels of each input series, so a selector's
    // series are taken with the store's labels rather than copies of them.
    let borrowed = if per_series { input_ref(ctx, &a.expr)? } else { None };
    let input = match borrowed {
        Some(_) => Vec::new(),
        None => ctx.eval_vector(&a.expr)?,
    };
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
    if per_series {
        let (series, name_dropped): (Vec<SeriesView>, bool) = match &borrowed {
            Some((refs, keeps_name)) => (refs.iter().map(|(l, v)| (*l, v.as_slice())).collect(), !keeps_name),
            None => (input.iter().map(|s| (&s.labels, s.vals.as_slice())).collect(), false),
        };
        return by_series(ctx, &op, &a.modifier, &param, &series, name_dropped);
    }
    let per_step =
        (0..n).map(|i| step(&op, &a.modifier, &param, i, at_step(&input, i))).collect::<Result<Vec<_>, Error>>()?;
    ctx.collect(per_step)
}

/// A selector, or a function over a range of one, evaluated under the
/// store's labels (`None` for any other expression); the flag says
/// whether the metric name is still part of the result's labels.
fn input_ref<'a>(ctx: &Ctx<'a>, e: &Expr) -> Result<Option<(Vec<StepsRef<'a>>, bool)>, Error> {
    match e {
        Expr::Paren(p) => input_ref(ctx, &p.expr),
        Expr::VectorSelector(vs) => Ok(Some((ctx.select_instant_ref(vs, false), true))),
        Expr::Call(c) => {
            let args: Vec<&Expr> = c.args.args.iter().map(|a| a.as_ref()).collect();
            range_functions::call_ref(ctx, c.func.name, &args)
        }
        _ => Ok(None),
    }
}

/// An input series as an aggregation reads it: labels and values by step.
type SeriesView<'l> = (&'l Labels, &'l [Option<f64>]);

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

/// Whether label `k` is part of a sample's group; `name_dropped` says
/// the sample's labels still hold a metric name its expression dropped.
fn in_group(k: &str, modifier: &Option<LabelModifier>, name_dropped: bool) -> bool {
    match modifier {
        Some(LabelModifier::Include(by)) => by.labels.iter().any(|l| l == k) && !(name_dropped && k == METRIC_NAME),
        Some(LabelModifier::Exclude(without)) => k != METRIC_NAME && !without.labels.iter().any(|l| l == k),
        None => false,
    }
}

/// The labels a sample is grouped by.
fn group_key(labels: &Labels, modifier: &Option<LabelModifier>) -> Labels {
    labels.iter().filter(|(k, _)| in_group(k, modifier, false)).map(|(k, v)| (k.clone(), v.clone())).collect()
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
    input: &[SeriesView],
    name_dropped: bool,
) -> Result<Val, Error> {
    // Groups are found by borrowed label pairs, so a series whose group
    // is already known costs no allocation.
    let mut index: HashMap<Vec<(&str, &str)>, usize> = HashMap::new();
    let mut key: Vec<(&str, &str)> = Vec::new();
    let mut out: Vec<Steps> = Vec::new();
    let n = ctx.steps();
    let mut member: Vec<usize> = Vec::with_capacity(input.len());
    for (labels, _) in input {
        key.clear();
        key.extend(
            labels.iter().filter(|(k, _)| in_group(k, modifier, name_dropped)).map(|(k, v)| (k.as_str(), v.as_str())),
        );
        let g = match index.get(key.as_slice()) {
            Some(g) => *g,
            None => {
                let labels = key.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                out.push(Steps { labels, vals: vec![None; n] });
                index.insert(key.clone(), out.len() - 1);
                out.len() - 1
            }
        };
        member.push(g);
    }
    let mut buckets: Vec<Vec<f64>> = vec![Vec::new(); out.len()];
    for i in 0..n {
        buckets.iter_mut().for_each(Vec::clear);
        for ((_, vals), g) in input.iter().zip(&member) {
            if let Some(v) = vals[i] {
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
