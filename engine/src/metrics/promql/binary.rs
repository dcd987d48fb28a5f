//! Binary operators: arithmetic, comparisons (filtering, or 0/1 with
//! `bool`), the set operators, and vector matching with `on`/`ignoring`
//! and `group_left`/`group_right`.

use super::eval::{at_step, drop_name, Ctx, Instant, Steps, Val};
use super::value::{err, Error, Labels, METRIC_NAME};
use promql_parser::parser::{BinModifier, BinaryExpr, LabelModifier, VectorMatchCardinality};
use std::collections::{HashMap, HashSet};

pub fn eval(ctx: &Ctx, b: &BinaryExpr) -> Result<Val, Error> {
    let op = b.op.to_string();
    let op = op.as_str();
    let lhs = ctx.eval(&b.lhs)?;
    let rhs = ctx.eval(&b.rhs)?;
    let return_bool = b.return_bool();
    let n = ctx.steps();
    match (lhs, rhs) {
        (Val::Scalar(l), Val::Scalar(r)) => {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let (v, keep) = elem(op, l[i], r[i])?;
                out.push(if is_comparison(op) { f64::from(u8::from(keep)) } else { v });
            }
            Ok(Val::Scalar(out))
        }
        (Val::Vector(v), Val::Scalar(s)) => scalar_vector(ctx, op, return_bool, v, &s, false),
        (Val::Scalar(s), Val::Vector(v)) => scalar_vector(ctx, op, return_bool, v, &s, true),
        (Val::Vector(l), Val::Vector(r)) => {
            let default = BinModifier::default();
            let modifier = b.modifier.as_ref().unwrap_or(&default);
            let per_step = (0..n)
                .map(|i| {
                    let (l, r) = (at_step(&l, i), at_step(&r, i));
                    match op {
                        "and" | "or" | "unless" => Ok(set_op(op, l, r, modifier)),
                        _ => vector_vector(op, return_bool, l, r, modifier),
                    }
                })
                .collect::<Result<Vec<_>, _>>()?;
            ctx.collect(per_step)
        }
        _ => err(format!("binary operator \"{op}\" not allowed on these operand types")),
    }
}

/// A vector against a scalar, series by series: the labels are worked out
/// once per series rather than once per step.
fn scalar_vector(ctx: &Ctx, op: &str, return_bool: bool, v: Vec<Steps>, s: &[f64], swap: bool) -> Result<Val, Error> {
    let comparison = is_comparison(op);
    let keeps_name = comparison && !return_bool;
    let mut out = Vec::with_capacity(v.len());
    for series in v {
        let mut vals = Vec::with_capacity(series.vals.len());
        for (x, s) in series.vals.iter().zip(s) {
            let Some(x) = *x else {
                vals.push(None);
                continue;
            };
            let (l, r) = if swap { (*s, x) } else { (x, *s) };
            let (value, keep) = elem(op, l, r)?;
            vals.push(match (return_bool, keep) {
                (true, _) => Some(f64::from(u8::from(keep))),
                // A comparison keeps the vector's own value, whichever side it is on.
                (false, true) => Some(if comparison { x } else { value }),
                (false, false) => None,
            });
        }
        if vals.iter().any(Option::is_some) {
            let labels = if keeps_name { series.labels } else { drop_name(&series.labels) };
            out.push(Steps { labels, vals });
        }
    }
    // Without the name, two series may now be one.
    if keeps_name {
        Ok(Val::Vector(out))
    } else {
        ctx.merge_checked(out)
    }
}

/// The value of `l op r`, and for comparisons whether the pair passes.
fn elem(op: &str, l: f64, r: f64) -> Result<(f64, bool), Error> {
    Ok(match op {
        "+" => (l + r, true),
        "-" => (l - r, true),
        "*" => (l * r, true),
        "/" => (l / r, true),
        "%" => (l % r, true),
        "^" => (l.powf(r), true),
        "atan2" => (l.atan2(r), true),
        "==" => (l, l == r),
        "!=" => (l, l != r),
        ">" => (l, l > r),
        "<" => (l, l < r),
        ">=" => (l, l >= r),
        "<=" => (l, l <= r),
        _ => return err(format!("operator \"{op}\" not allowed here")),
    })
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "==" | "!=" | ">" | "<" | ">=" | "<=")
}

fn drops_name(op: &str) -> bool {
    matches!(op, "+" | "-" | "*" | "/" | "%" | "^" | "atan2")
}

/// The labels two samples are matched on.
fn signature(labels: &Labels, matching: &Option<LabelModifier>) -> Labels {
    match matching {
        Some(LabelModifier::Include(on)) => {
            labels.iter().filter(|(k, _)| on.labels.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
        }
        Some(LabelModifier::Exclude(ignoring)) => labels
            .iter()
            .filter(|(k, _)| k.as_str() != METRIC_NAME && !ignoring.labels.contains(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None => drop_name(labels),
    }
}

fn set_op(op: &str, l: Instant, r: Instant, modifier: &BinModifier) -> Instant {
    let right: HashSet<Labels> = r.iter().map(|(labels, _)| signature(labels, &modifier.matching)).collect();
    match op {
        "and" => l.into_iter().filter(|(labels, _)| right.contains(&signature(labels, &modifier.matching))).collect(),
        "unless" => {
            l.into_iter().filter(|(labels, _)| !right.contains(&signature(labels, &modifier.matching))).collect()
        }
        _ => {
            let left: HashSet<Labels> = l.iter().map(|(labels, _)| signature(labels, &modifier.matching)).collect();
            let mut out = l;
            out.extend(r.into_iter().filter(|(labels, _)| !left.contains(&signature(labels, &modifier.matching))));
            out
        }
    }
}

/// Go's `labels.String()`: every label, the name too, in braces.
pub fn go_labels(labels: &Labels) -> String {
    let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{{{}}}", parts.join(", "))
}

fn vector_vector(
    op: &str,
    return_bool: bool,
    l: Instant,
    r: Instant,
    modifier: &BinModifier,
) -> Result<Instant, Error> {
    let matching = &modifier.matching;
    let one_to_many = matches!(modifier.card, VectorMatchCardinality::OneToMany(_));
    let one_to_one = matches!(modifier.card, VectorMatchCardinality::OneToOne);
    let (many, one) = if one_to_many { (r, l) } else { (l, r) };
    let mut one_side: HashMap<Labels, (Labels, f64)> = HashMap::new();
    for (labels, v) in one {
        let sig = signature(&labels, matching);
        if let Some((dup, _)) = one_side.get(&sig) {
            // Reported in a stable order, whichever came first.
            let (a, b) = if labels <= *dup { (&labels, dup) } else { (dup, &labels) };
            let side = if one_to_many { "left" } else { "right" };
            return err(format!(
                "found duplicate series for the match group {} on the {side} hand-side of the operation: [{}, {}];many-to-many matching not allowed: matching labels must be unique on one side",
                go_labels(&sig),
                go_labels(a),
                go_labels(b)
            ));
        }
        one_side.insert(sig, (labels, v));
    }
    let include: Vec<String> = modifier.card.labels().map(|l| l.labels.clone()).unwrap_or_default();
    let mut matched: HashMap<Labels, HashSet<Labels>> = HashMap::new();
    let mut out = Instant::new();
    for (labels, v) in many {
        let sig = signature(&labels, matching);
        let Some((one_labels, ov)) = one_side.get(&sig) else {
            continue;
        };
        // A second match on the many side is an error even when the
        // comparison would filter both away.
        if one_to_one && !matched.entry(sig.clone()).or_default().insert(Labels::new()) {
            return err("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        }
        let (fl, fr) = if one_to_many { (*ov, v) } else { (v, *ov) };
        let (value, keep) = elem(op, fl, fr)?;
        let value = if return_bool {
            f64::from(u8::from(keep))
        } else if keep {
            value
        } else {
            continue;
        };
        let mut metric = labels.clone();
        if drops_name(op) || return_bool {
            metric.remove(METRIC_NAME);
        }
        if one_to_one {
            match matching {
                Some(LabelModifier::Include(on)) => metric.retain(|k, _| on.labels.contains(k)),
                Some(LabelModifier::Exclude(ign)) => metric.retain(|k, _| !ign.labels.contains(k)),
                None => {}
            }
        }
        for name in &include {
            match one_labels.get(name) {
                Some(v) if !v.is_empty() => {
                    metric.insert(name.clone(), v.clone());
                }
                _ => {
                    metric.remove(name);
                }
            }
        }
        if !one_to_one && !matched.entry(sig).or_default().insert(metric.clone()) {
            return err("multiple matches for matching labels in grouping of the side with many series - use group_left/group_right to control the matching of series");
        }
        out.push((metric, value));
    }
    Ok(out)
}
