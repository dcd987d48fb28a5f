//! Function calls on instant vectors and scalars; functions over ranges
//! live in `range_functions.rs`, `histogram_quantile` in `histogram.rs`.

use super::eval::{at_step, drop_name, Ctx, Instant, Steps, Val};
use super::value::{err, Error, Labels, METRIC_NAME};
use super::{histogram, range_functions, timefns};
use promql_parser::label::MatchOp;
use promql_parser::parser::{Call, Expr};
use regex::Regex;
use std::collections::HashMap;

pub fn call(ctx: &Ctx, c: &Call) -> Result<Val, Error> {
    let name = c.func.name;
    let args: Vec<&Expr> = c.args.args.iter().map(|a| a.as_ref()).collect();
    let n = ctx.steps();
    match name {
        "time" => Ok(Val::Scalar((0..n).map(|i| ctx.time(i) as f64 / 1000.0).collect())),
        "pi" => Ok(Val::Scalar(vec![std::f64::consts::PI; n])),
        "step" => Ok(Val::Scalar(vec![ctx.query_step as f64 / 1000.0; n])),
        "range" => Ok(Val::Scalar(vec![(ctx.query_end - ctx.query_start) as f64 / 1000.0; n])),
        "start" => Ok(Val::Scalar(vec![ctx.query_start as f64 / 1000.0; n])),
        "end" => Ok(Val::Scalar(vec![ctx.query_end as f64 / 1000.0; n])),
        "min_of" | "max_of" => {
            let a = ctx.eval_scalar(arg(&args, 0)?)?;
            let b = ctx.eval_scalar(arg(&args, 1)?)?;
            // Go's math.Min and math.Max: NaN wins.
            let pick = |x: f64, y: f64| match (x.is_nan() || y.is_nan(), name) {
                (true, _) => f64::NAN,
                (false, "min_of") => x.min(y),
                _ => x.max(y),
            };
            Ok(Val::Scalar(a.iter().zip(&b).map(|(x, y)| pick(*x, *y)).collect()))
        }
        "vector" => {
            let s = ctx.eval_scalar(arg(&args, 0)?)?;
            Ok(Val::Vector(vec![Steps { labels: Labels::new(), vals: s.into_iter().map(Some).collect() }]))
        }
        "scalar" => {
            let v = ctx.eval_vector(arg(&args, 0)?)?;
            Ok(Val::Scalar(
                (0..n)
                    .map(|i| match at_step(&v, i).as_slice() {
                        [(_, x)] => *x,
                        _ => f64::NAN,
                    })
                    .collect(),
            ))
        }
        "timestamp" => {
            let a = arg(&args, 0)?;
            let series = match unparen(a) {
                Expr::VectorSelector(vs) => ctx.select_instant(vs, true),
                _ => ctx
                    .eval_vector(a)?
                    .into_iter()
                    .map(|s| Steps {
                        vals: s.vals.iter().enumerate().map(|(i, v)| v.map(|_| ctx.time(i) as f64 / 1000.0)).collect(),
                        labels: s.labels,
                    })
                    .collect(),
            };
            ctx.merge_checked(
                series.into_iter().map(|s| Steps { labels: drop_name(&s.labels), vals: s.vals }).collect(),
            )
        }
        "absent" => {
            let a = arg(&args, 0)?;
            let v = ctx.eval_vector(a)?;
            let labels = absent_labels(a);
            let per_step = (0..n)
                .map(|i| if v.iter().any(|s| s.vals[i].is_some()) { Vec::new() } else { vec![(labels.clone(), 1.0)] })
                .collect();
            ctx.collect(per_step)
        }
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" => sort(ctx, name, &args),
        "label_replace" => label_replace(ctx, &args),
        "label_join" => label_join(ctx, &args),
        "histogram_quantile" => histogram::quantile(ctx, &args),
        "day_of_month" | "day_of_week" | "day_of_year" | "days_in_month" | "hour" | "minute" | "month" | "year" => {
            let input = match args.first() {
                Some(a) => ctx.eval_vector(a)?,
                None => vec![Steps {
                    labels: Labels::new(),
                    vals: (0..n).map(|i| Some(ctx.time(i) as f64 / 1000.0)).collect(),
                }],
            };
            map_values(ctx, input, |v| timefns::apply(name, v))
        }
        "clamp" | "clamp_min" | "clamp_max" | "round" => {
            let input = ctx.eval_vector(arg(&args, 0)?)?;
            let p1 = match args.get(1) {
                Some(a) => ctx.eval_scalar(a)?,
                None => vec![1.0; n],
            };
            let p2 = match args.get(2) {
                Some(a) => ctx.eval_scalar(a)?,
                None => vec![f64::NAN; n],
            };
            let per_step = (0..n)
                .map(|i| {
                    let (a, b) = (p1[i], p2[i]);
                    if name == "clamp" && b < a {
                        return Vec::new();
                    }
                    at_step(&input, i)
                        .into_iter()
                        .map(|(l, v)| {
                            // Go's math.Max and math.Min, where NaN wins
                            // (Rust's ignore it): a NaN sample stays NaN.
                            let go_max = |x: f64, y: f64| if x.is_nan() || y.is_nan() { f64::NAN } else { x.max(y) };
                            let go_min = |x: f64, y: f64| if x.is_nan() || y.is_nan() { f64::NAN } else { x.min(y) };
                            let v = match name {
                                "clamp" => go_min(go_max(v, a), b),
                                "clamp_min" => go_max(v, a),
                                "clamp_max" => go_min(v, a),
                                _ => ((v * (1.0 / a)) + 0.5).floor() / (1.0 / a),
                            };
                            (drop_name(&l), v)
                        })
                        .collect()
                })
                .collect();
            ctx.collect(per_step)
        }
        _ => match math(name) {
            Some(f) => {
                let input = ctx.eval_vector(arg(&args, 0)?)?;
                map_values(ctx, input, f)
            }
            None => range_functions::call(ctx, name, &args),
        },
    }
}

pub fn arg<'e>(args: &[&'e Expr], i: usize) -> Result<&'e Expr, Error> {
    match args.get(i) {
        Some(a) => Ok(a),
        None => err("missing function argument"),
    }
}

pub fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        _ => e,
    }
}

/// Applies `f` to every value and drops the metric name.
fn map_values(ctx: &Ctx, input: Vec<Steps>, f: impl Fn(f64) -> f64) -> Result<Val, Error> {
    ctx.merge_checked(
        input
            .into_iter()
            .map(|s| Steps { labels: drop_name(&s.labels), vals: s.vals.into_iter().map(|v| v.map(&f)).collect() })
            .collect(),
    )
}

fn math(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "abs" => f64::abs,
        "ceil" => f64::ceil,
        "floor" => f64::floor,
        "exp" => f64::exp,
        "ln" => f64::ln,
        "log2" => f64::log2,
        "log10" => f64::log10,
        "sqrt" => f64::sqrt,
        "sgn" => |v| {
            if v < 0.0 {
                -1.0
            } else if v > 0.0 {
                1.0
            } else {
                v
            }
        },
        "acos" => f64::acos,
        "acosh" => f64::acosh,
        "asin" => f64::asin,
        "asinh" => f64::asinh,
        "atan" => f64::atan,
        "atanh" => f64::atanh,
        "cos" => f64::cos,
        "cosh" => f64::cosh,
        "sin" => f64::sin,
        "sinh" => f64::sinh,
        "tan" => f64::tan,
        "tanh" => f64::tanh,
        "deg" => f64::to_degrees,
        "rad" => f64::to_radians,
        _ => return None,
    })
}

/// The labels `absent` gives its one sample: the selector's equality
/// matchers, except a label matched more than once or otherwise.
pub fn absent_labels(e: &Expr) -> Labels {
    let vs = match e {
        Expr::VectorSelector(vs) => vs,
        Expr::MatrixSelector(ms) => &ms.vs,
        _ => return Labels::new(),
    };
    let mut labels = Labels::new();
    let mut seen: HashMap<&str, bool> = HashMap::new();
    for m in vs.matchers.matchers.iter() {
        if m.name == METRIC_NAME {
            continue;
        }
        if matches!(m.op, MatchOp::Equal) && !seen.contains_key(m.name.as_str()) {
            labels.insert(m.name.clone(), m.value.clone());
            seen.insert(&m.name, true);
        } else {
            labels.remove(&m.name);
        }
    }
    labels.retain(|_, v| !v.is_empty());
    labels
}

fn string_arg(ctx: &Ctx, e: &Expr) -> Result<String, Error> {
    match ctx.eval(e)? {
        Val::Str(s) => Ok(s),
        _ => err("expected string argument"),
    }
}

fn sort(ctx: &Ctx, name: &str, args: &[&Expr]) -> Result<Val, Error> {
    let input = ctx.eval_vector(arg(args, 0)?)?;
    let mut by = Vec::new();
    for a in args.iter().skip(1) {
        by.push(string_arg(ctx, a)?);
    }
    let per_step = (0..ctx.steps())
        .map(|i| {
            let mut v = at_step(&input, i);
            match name {
                // NaN goes to the bottom either way.
                "sort" => v.sort_by(|a, b| nan_bottom(a.1, b.1, false)),
                "sort_desc" => v.sort_by(|a, b| nan_bottom(a.1, b.1, true)),
                _ => {
                    v.sort_by(|a, b| {
                        let o = by
                            .iter()
                            .map(|l| natural(label(&a.0, l), label(&b.0, l)))
                            .find(|o| o.is_ne())
                            .unwrap_or_else(|| a.0.cmp(&b.0));
                        if name == "sort_by_label_desc" {
                            o.reverse()
                        } else {
                            o
                        }
                    });
                }
            }
            v
        })
        .collect();
    ctx.collect(per_step)
}

fn nan_bottom(a: f64, b: f64, desc: bool) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Equal,
        (true, false) => Greater,
        (false, true) => Less,
        _ if desc => b.partial_cmp(&a).unwrap_or(Equal),
        _ => a.partial_cmp(&b).unwrap_or(Equal),
    }
}

fn label<'l>(labels: &'l Labels, name: &str) -> &'l str {
    labels.get(name).map(String::as_str).unwrap_or("")
}

/// Natural order: runs of digits compare as numbers.
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let db = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (na, nb) = (a[..da].trim_start_matches('0'), b[..db].trim_start_matches('0'));
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if o.is_ne() {
                    return o;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a = &a[x.len_utf8()..];
                b = &b[y.len_utf8()..];
            }
        }
    }
}

fn label_replace(ctx: &Ctx, args: &[&Expr]) -> Result<Val, Error> {
    let input = ctx.eval_vector(arg(args, 0)?)?;
    let dst = string_arg(ctx, arg(args, 1)?)?;
    let replacement = string_arg(ctx, arg(args, 2)?)?;
    let src = string_arg(ctx, arg(args, 3)?)?;
    let pattern = string_arg(ctx, arg(args, 4)?)?;
    let re = Regex::new(&format!("^(?s:{pattern})$"))
        .map_err(|_| Error(format!("invalid regular expression in label_replace(): {pattern}")))?;
    if dst.is_empty() {
        return err(format!("invalid destination label name in label_replace(): {dst}"));
    }
    let relabel = |labels: &Labels| -> Labels {
        let value = label(labels, &src);
        let Some(caps) = re.captures(value) else {
            return labels.clone();
        };
        let mut out = String::new();
        caps.expand(&replacement, &mut out);
        let mut labels = labels.clone();
        if out.is_empty() {
            labels.remove(&dst);
        } else {
            labels.insert(dst.clone(), out);
        }
        labels
    };
    relabel_all(ctx, input, relabel)
}

fn label_join(ctx: &Ctx, args: &[&Expr]) -> Result<Val, Error> {
    let input = ctx.eval_vector(arg(args, 0)?)?;
    let dst = string_arg(ctx, arg(args, 1)?)?;
    let sep = string_arg(ctx, arg(args, 2)?)?;
    let mut srcs = Vec::new();
    for a in args.iter().skip(3) {
        srcs.push(string_arg(ctx, a)?);
    }
    if dst.is_empty() {
        return err(format!("invalid destination label name in label_join(): {dst}"));
    }
    let relabel = |labels: &Labels| -> Labels {
        let joined: Vec<&str> = srcs.iter().map(|s| label(labels, s)).collect();
        let joined = joined.join(&sep);
        let mut labels = labels.clone();
        if joined.is_empty() {
            labels.remove(&dst);
        } else {
            labels.insert(dst.clone(), joined);
        }
        labels
    };
    relabel_all(ctx, input, relabel)
}

fn relabel_all(ctx: &Ctx, input: Vec<Steps>, relabel: impl Fn(&Labels) -> Labels) -> Result<Val, Error> {
    let per_step: Vec<Instant> =
        (0..ctx.steps()).map(|i| at_step(&input, i).into_iter().map(|(l, v)| (relabel(&l), v)).collect()).collect();
    ctx.collect(per_step)
}
