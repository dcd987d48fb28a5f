//! `histogram_quantile` over classic histograms: `_bucket` series told
//! apart by their `le` label. Native histograms are not stored here.

use super::eval::{at_step, Ctx, Instant, Val};
use super::functions::arg;
use super::value::{Error, Labels, METRIC_NAME};
use promql_parser::parser::Expr;
use std::collections::HashMap;

pub fn quantile(ctx: &Ctx, args: &[&Expr]) -> Result<Val, Error> {
    let q = ctx.eval_scalar(arg(args, 0)?)?;
    let input = ctx.eval_vector(arg(args, 1)?)?;
    let per_step = (0..ctx.steps())
        .map(|i| {
            let mut index: HashMap<Labels, usize> = HashMap::new();
            let mut groups: Vec<(Labels, Vec<(f64, f64)>)> = Vec::new();
            for (labels, v) in at_step(&input, i) {
                // A bucket without a readable upper bound is ignored.
                let Some(le) = labels.get("le").and_then(|le| parse_le(le)) else {
                    continue;
                };
                let mut key = labels;
                key.remove("le");
                key.remove(METRIC_NAME);
                let idx = *index.entry(key.clone()).or_insert_with(|| {
                    groups.push((key, Vec::new()));
                    groups.len() - 1
                });
                groups[idx].1.push((le, v));
            }
            groups.into_iter().map(|(labels, buckets)| (labels, bucket_quantile(q[i], buckets))).collect::<Instant>()
        })
        .collect();
    ctx.collect(per_step)
}

/// Go's ParseFloat for an `le` value, which spells infinity `+Inf`.
fn parse_le(s: &str) -> Option<f64> {
    match s.trim() {
        "+Inf" | "+inf" | "Inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

/// Prometheus's `BucketQuantile`: buckets sorted and merged by bound,
/// counts forced monotonic (tiny float noise ignored), then linear
/// interpolation inside the bucket the rank falls into.
fn bucket_quantile(q: f64, mut buckets: Vec<(f64, f64)>) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if buckets.last().is_none_or(|b| b.0 != f64::INFINITY) {
        return f64::NAN;
    }
    let mut merged: Vec<(f64, f64)> = Vec::with_capacity(buckets.len());
    for (le, c) in buckets {
        match merged.last_mut() {
            Some(last) if last.0 == le => last.1 += c,
            _ => merged.push((le, c)),
        }
    }
    let mut buckets = merged;
    let mut prev = buckets[0].1;
    for b in buckets.iter_mut().skip(1) {
        let curr = b.1;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, 1e-12) || curr < prev {
            b.1 = prev;
            continue;
        }
        prev = curr;
    }
    if buckets.len() < 2 {
        return f64::NAN;
    }
    let observations = buckets[buckets.len() - 1].1;
    if observations == 0.0 {
        return f64::NAN;
    }
    let mut rank = q * observations;
    let b = buckets[..buckets.len() - 1].partition_point(|(_, c)| *c < rank);
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    if b == 0 && buckets[0].0 <= 0.0 {
        return buckets[0].0;
    }
    let bucket_end = buckets[b].0;
    let mut count = buckets[b].1;
    let mut bucket_start = 0.0;
    if b > 0 {
        bucket_start = buckets[b - 1].0;
        count -= buckets[b - 1].1;
        rank -= buckets[b - 1].1;
    }
    bucket_start + (bucket_end - bucket_start) * (rank / count)
}

fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    const MIN_NORMAL: f64 = f64::MIN_POSITIVE;
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < MIN_NORMAL {
        return diff < epsilon * MIN_NORMAL;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}
