//! The arithmetic Prometheus's functions and aggregations share: Kahan–
//! Neumaier summation, a mean that survives overflow, quantiles.

/// One step of Kahan–Neumaier summation: the new sum and compensation.
pub fn kahan_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// A compensated sum.
pub fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (s, c) = values.into_iter().fold((0.0, 0.0), |(s, c), v| kahan_inc(v, s, c));
    s + c
}

/// A running mean as Prometheus keeps it: a compensated sum until that
/// would overflow, then an incremental mean.
#[derive(Default)]
pub struct Mean {
    count: f64,
    sum: f64,
    c: f64,
    mean: f64,
    incremental: bool,
}

impl Mean {
    pub fn add(&mut self, v: f64) {
        self.count += 1.0;
        if !self.incremental {
            let (s, c) = kahan_inc(v, self.sum, self.c);
            if self.count == 1.0 || !s.is_infinite() {
                self.sum = s;
                self.c = c;
                return;
            }
            self.incremental = true;
            self.mean = self.sum / (self.count - 1.0);
            self.c /= self.count - 1.0;
        }
        if self.mean.is_infinite() {
            // Inf - Inf would turn a correct infinite mean into NaN.
            if v.is_infinite() && (self.mean > 0.0) == (v > 0.0) {
                return;
            }
            if !v.is_infinite() && !v.is_nan() {
                return;
            }
        }
        let corrected = self.mean + self.c;
        let (m, c) = kahan_inc(v / self.count - corrected / self.count, self.mean, self.c);
        self.mean = m;
        self.c = c;
    }

    pub fn value(&self) -> f64 {
        if self.incremental {
            self.mean + self.c
        } else {
            (self.sum + self.c) / self.count
        }
    }
}

/// Population variance, Welford's way with compensated sums.
pub fn variance(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for v in values {
        count += 1.0;
        let delta = v - (mean + c_mean);
        (mean, c_mean) = kahan_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_inc(delta * (v - (mean + c_mean)), aux, c_aux);
    }
    (aux + c_aux) / count
}

/// The φ-quantile by linear interpolation between the closest ranks; NaNs
/// sort first, as in Prometheus.
pub fn quantile(q: f64, mut values: Vec<f64>) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_by(|a, b| nan_first(*a, *b));
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    values[lower as usize] * (1.0 - weight) + values[upper as usize] * weight
}

/// Ascending order with NaN below everything.
pub fn nan_first(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        _ => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
    }
}
