//! Functions over range vectors: rates with Prometheus's extrapolation,
//! regression, and the `*_over_time` family.

use super::eval::{drop_name, in_window, span, Ctx, Instant, Steps, StepsRef, Val};
use super::functions::{absent_labels, arg, unparen};
use super::stats::{self, kahan_inc, Mean};
use super::storage::is_stale;
use super::value::{err, Error, METRIC_NAME};
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, MatrixSelector, VectorSelector};

pub fn call(ctx: &Ctx, name: &str, args: &[&Expr]) -> Result<Val, Error> {
    let (range, params) = range_and_params(ctx, name, args)?;
    let keeps_name = keeps_name(name);
    if let (Expr::MatrixSelector(ms), false) = (unparen(range), name == "absent_over_time") {
        let out = over_selector(ctx, name, ms, &params)?
            .into_iter()
            .map(|(labels, vals)| Steps { labels: if keeps_name { labels.clone() } else { drop_name(labels) }, vals })
            .collect();
        return ctx.merge_checked(out);
    }
    let absent = absent_labels(unparen(range));
    let mut per_step: Vec<Instant> = Vec::with_capacity(ctx.steps());
    for i in 0..ctx.steps() {
        let t = ctx.time(i);
        let window = ctx.range_at(range, t)?;
        let p: Vec<f64> = params.iter().map(|p| p[i]).collect();
        let mut out = Instant::new();
        if name == "absent_over_time" {
            if window.series.is_empty() {
                out.push((absent.clone(), 1.0));
            }
        } else {
            for s in &window.series {
                if let Some(v) = apply(name, &s.points, (window.start, window.end), t, &p)? {
                    let labels = if keeps_name { s.labels.clone() } else { drop_name(&s.labels) };
                    out.push((labels, v));
                }
            }
        }
        per_step.push(out);
    }
    ctx.collect(per_step)
}

/// The range argument and the other arguments' values at every step.
fn range_and_params<'e>(ctx: &Ctx, name: &str, args: &[&'e Expr]) -> Result<(&'e Expr, Vec<Vec<f64>>), Error> {
    if !is_range_function(name) {
        return err(format!("function {name:?} is not supported by this engine"));
    }
    let range_arg = range_index(name);
    let range = arg(args, range_arg)?;
    let mut params = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i != range_arg {
            params.push(ctx.eval_scalar(a)?);
        }
    }
    Ok((range, params))
}

/// Which argument is the range: the last of `quantile_over_time`'s two.
fn range_index(name: &str) -> usize {
    usize::from(name == "quantile_over_time")
}

fn keeps_name(name: &str) -> bool {
    matches!(name, "last_over_time" | "first_over_time")
}

/// `name(args)` series by series under the store's labels, when it is a
/// function over a matrix selector of one metric (so the name it drops
/// cannot make two series one); `None` for anything else. The flag says
/// whether the result keeps the metric name.
pub fn call_ref<'a>(ctx: &Ctx<'a>, name: &str, args: &[&Expr]) -> Result<Option<(Vec<StepsRef<'a>>, bool)>, Error> {
    let ms = match args.get(range_index(name)).map(|a| unparen(a)) {
        Some(Expr::MatrixSelector(ms))
            if is_range_function(name) && name != "absent_over_time" && one_metric(&ms.vs) =>
        {
            ms
        }
        _ => return Ok(None),
    };
    let (_, params) = range_and_params(ctx, name, args)?;
    Ok(Some((over_selector(ctx, name, ms, &params)?, keeps_name(name))))
}

/// Whether every series a selector picks has the same metric name.
fn one_metric(vs: &VectorSelector) -> bool {
    vs.name.is_some() || vs.matchers.matchers.iter().any(|m| m.name == METRIC_NAME && m.op == MatchOp::Equal)
}

fn is_range_function(name: &str) -> bool {
    matches!(
        name,
        "rate"
            | "increase"
            | "delta"
            | "irate"
            | "idelta"
            | "deriv"
            | "predict_linear"
            | "changes"
            | "resets"
            | "avg_over_time"
            | "sum_over_time"
            | "count_over_time"
            | "min_over_time"
            | "max_over_time"
            | "last_over_time"
            | "first_over_time"
            | "present_over_time"
            | "absent_over_time"
            | "stddev_over_time"
            | "stdvar_over_time"
            | "quantile_over_time"
            | "mad_over_time"
            | "double_exponential_smoothing"
            | "ts_of_min_over_time"
            | "ts_of_max_over_time"
            | "ts_of_first_over_time"
            | "ts_of_last_over_time"
    )
}

/// A function over a matrix selector, series by series: the windows are
/// read in place from the store, with no copy unless a staleness marker
/// has to be left out. The labels are the store's.
fn over_selector<'a>(
    ctx: &Ctx<'a>,
    name: &str,
    ms: &MatrixSelector,
    params: &[Vec<f64>],
) -> Result<Vec<StepsRef<'a>>, Error> {
    let vs = &ms.vs;
    let range_ms = ms.range.as_millis() as i64;
    let n = ctx.steps();
    let mut out = Vec::new();
    let mut p = vec![0.0; params.len()];
    let ends: Vec<i64> = (0..n).map(|i| ctx.effective(ctx.time(i), &vs.at, &vs.offset)).collect();
    let (lo, hi) = span(&ends);
    let mut buf = Vec::new();
    let mut filtered: Vec<(i64, f64)> = Vec::new();
    for s in ctx.matching(vs).iter() {
        // One decode per series covers every step's window.
        s.window(lo.saturating_sub(range_ms), hi, &mut buf);
        if buf.is_empty() {
            continue;
        }
        let has_stale = buf.iter().any(|(_, v)| is_stale(*v));
        let mut vals = Vec::with_capacity(n);
        for (i, &end) in ends.iter().enumerate() {
            let start = end.saturating_sub(range_ms);
            let raw = in_window(&buf, start, end);
            let points = if has_stale {
                filtered.clear();
                filtered.extend(raw.iter().filter(|(_, v)| !is_stale(*v)));
                &filtered[..]
            } else {
                raw
            };
            for (slot, param) in p.iter_mut().zip(params) {
                *slot = param[i];
            }
            vals.push(if points.is_empty() { None } else { apply(name, points, (start, end), ctx.time(i), &p)? });
        }
        if vals.iter().any(Option::is_some) {
            out.push((&s.labels, vals));
        }
    }
    Ok(out)
}

fn apply(name: &str, points: &[(i64, f64)], w: (i64, i64), t: i64, p: &[f64]) -> Result<Option<f64>, Error> {
    let values = || points.iter().map(|(_, v)| *v);
    Ok(match name {
        "rate" => extrapolated_rate(points, w, true, true),
        "increase" => extrapolated_rate(points, w, true, false),
        "delta" => extrapolated_rate(points, w, false, false),
        "irate" => instant_delta(points, true),
        "idelta" => instant_delta(points, false),
        "deriv" => (points.len() >= 2).then(|| linear_regression(points, points[0].0).0),
        "predict_linear" => (points.len() >= 2).then(|| {
            let (slope, intercept) = linear_regression(points, t);
            slope * param(p, 0) + intercept
        }),
        "changes" => {
            Some(points.windows(2).filter(|w| !(w[0].1 == w[1].1 || (w[0].1.is_nan() && w[1].1.is_nan()))).count()
                as f64)
        }
        "resets" => Some(points.windows(2).filter(|w| w[1].1 < w[0].1).count() as f64),
        "avg_over_time" => {
            let mut m = Mean::default();
            values().for_each(|v| m.add(v));
            Some(m.value())
        }
        "sum_over_time" => Some(stats::sum(values())),
        "count_over_time" => Some(points.len() as f64),
        "min_over_time" => Some(values().fold(f64::NAN, |a, v| if a.is_nan() || v < a { v } else { a })),
        "max_over_time" => Some(values().fold(f64::NAN, |a, v| if a.is_nan() || v > a { v } else { a })),
        "last_over_time" => points.last().map(|(_, v)| *v),
        "first_over_time" => points.first().map(|(_, v)| *v),
        "present_over_time" => Some(1.0),
        "stddev_over_time" => Some(stats::variance(values()).sqrt()),
        "stdvar_over_time" => Some(stats::variance(values())),
        "quantile_over_time" => Some(stats::quantile(param(p, 0), values().collect())),
        "mad_over_time" if values().any(f64::is_nan) => Some(f64::NAN),
        "mad_over_time" => {
            let median = stats::quantile(0.5, values().collect());
            Some(stats::quantile(0.5, values().map(|v| (v - median).abs()).collect()))
        }
        "double_exponential_smoothing" => smoothing(points, param(p, 0), param(p, 1))?,
        "ts_of_first_over_time" => points.first().map(|(t, _)| *t as f64 / 1000.0),
        "ts_of_last_over_time" => points.last().map(|(t, _)| *t as f64 / 1000.0),
        "ts_of_min_over_time" | "ts_of_max_over_time" => {
            let min = name == "ts_of_min_over_time";
            let mut best: Option<(i64, f64)> = None;
            for (t, v) in points {
                let better = match best {
                    None => true,
                    Some((_, b)) => b.is_nan() || (min && *v < b) || (!min && *v > b),
                };
                if better {
                    best = Some((*t, *v));
                }
            }
            best.map(|(t, _)| t as f64 / 1000.0)
        }
        _ => None,
    })
}

/// The parser checks arities; a missing parameter would still be NaN, not
/// a panic.
fn param(p: &[f64], k: usize) -> f64 {
    p.get(k).copied().unwrap_or(f64::NAN)
}

/// Prometheus's `extrapolatedRate`: the change over the samples, stretched
/// to the window's edges when the samples reach close enough to them (10 %
/// more than the average spacing), by half a spacing otherwise, and for
/// counters never below zero.
fn extrapolated_rate(points: &[(i64, f64)], w: (i64, i64), counter: bool, rate: bool) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (first_t, first_v) = points[0];
    let (last_t, last_v) = points[points.len() - 1];
    let mut result = last_v - first_v;
    if counter {
        let mut prev = 0.0;
        for (_, v) in points {
            if *v < prev {
                result += prev;
            }
            prev = *v;
        }
    }
    let (w_start, w_end) = w;
    let mut to_start = (first_t - w_start) as f64 / 1000.0;
    let mut to_end = (w_end - last_t) as f64 / 1000.0;
    let sampled = (last_t - first_t) as f64 / 1000.0;
    let average = sampled / (points.len() - 1) as f64;
    let threshold = average * 1.1;
    if to_start >= threshold {
        to_start = average / 2.0;
    }
    if counter {
        let mut to_zero = to_start;
        if result > 0.0 && first_v >= 0.0 {
            to_zero = sampled * (first_v / result);
        }
        if to_zero < to_start {
            to_start = to_zero;
        }
    }
    if to_end >= threshold {
        to_end = average / 2.0;
    }
    let mut factor = (sampled + to_start + to_end) / sampled;
    if rate {
        factor /= (w_end - w_start) as f64 / 1000.0;
    }
    Some(result * factor)
}

/// `irate` and `idelta`: the last two samples only.
fn instant_delta(points: &[(i64, f64)], rate: bool) -> Option<f64> {
    if points.len() < 2 {
        return None;
    }
    let (pt, pv) = points[points.len() - 2];
    let (lt, lv) = points[points.len() - 1];
    let mut result = if rate && lv < pv { lv } else { lv - pv };
    let interval = lt - pt;
    if interval == 0 {
        return None;
    }
    if rate {
        result /= interval as f64 / 1000.0;
    }
    Some(result)
}

/// Least squares over `(seconds since intercept_time, value)`.
fn linear_regression(points: &[(i64, f64)], intercept_time: i64) -> (f64, f64) {
    let (mut n, mut sx, mut cx, mut sy, mut cy, mut sxy, mut cxy, mut sx2, mut cx2) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let init = points[0].1;
    let mut constant = true;
    for (i, (t, v)) in points.iter().enumerate() {
        if constant && i > 0 && *v != init {
            constant = false;
        }
        n += 1.0;
        let x = (t - intercept_time) as f64 / 1000.0;
        (sx, cx) = kahan_inc(x, sx, cx);
        (sy, cy) = kahan_inc(*v, sy, cy);
        (sxy, cxy) = kahan_inc(x * v, sxy, cxy);
        (sx2, cx2) = kahan_inc(x * x, sx2, cx2);
    }
    if constant {
        if init.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init);
    }
    let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
    let cov = sxy - sx * sy / n;
    let var = sx2 - sx * sx / n;
    let slope = cov / var;
    (slope, sy / n - slope * sx / n)
}

/// Holt's double exponential smoothing, with Prometheus's bounds on the
/// two factors.
fn smoothing(points: &[(i64, f64)], sf: f64, tf: f64) -> Result<Option<f64>, Error> {
    if sf <= 0.0 || sf >= 1.0 {
        return err(format!("invalid smoothing factor. Expected: 0 < sf < 1, got: {sf}"));
    }
    if tf <= 0.0 || tf >= 1.0 {
        return err(format!("invalid trend factor. Expected: 0 < tf < 1, got: {tf}"));
    }
    if points.len() < 2 {
        return Ok(None);
    }
    let (mut s0, mut s1) = (0.0, points[0].1);
    let mut b = points[1].1 - points[0].1;
    for (i, (_, v)) in points.iter().enumerate().skip(1) {
        let x = sf * v;
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
    }
    Ok(Some(s1))
}
