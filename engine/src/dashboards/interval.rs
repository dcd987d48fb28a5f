//! Time in Grafana's terms: relative ranges (`now-1h`), durations (`15s`),
//! and how a panel's query step and the `$__interval`, `$__rate_interval`
//! and `$__range` variables follow from the range, the panel's width and
//! the data source's scrape interval.

/// The lab Prometheus's `scrape_interval`, which Grafana's Prometheus data
/// source takes as its default minimum step.
pub const SCRAPE_MS: i64 = 15_000;

/// Milliseconds in a Grafana duration (`500ms`, `15s`, `1m`, `1h30m`, `7d`,
/// `1w`, `1y`); `None` when it is not one.
pub fn parse_duration(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let (num, tail) = rest.split_at(digits);
        let n: f64 = num.parse().ok()?;
        let unit_len = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let (unit, next) = tail.split_at(unit_len);
        let ms = match unit {
            "ms" => 1.0,
            "s" | "" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            "w" => 604_800_000.0,
            "M" => 2_592_000_000.0,
            "y" => 31_536_000_000.0,
            _ => return None,
        };
        total += n * ms;
        rest = next;
    }
    Some(total.round() as i64)
}

/// A time expression at `now_ms`: `now`, `now-1h`, `now-30m/m` (the
/// rounding suffix is ignored) or milliseconds since the epoch.
pub fn parse_time(text: &str, now_ms: i64) -> Option<i64> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<i64>() {
        return Some(ms);
    }
    let rel = text.strip_prefix("now")?;
    let rel = rel.split('/').next().unwrap_or_default();
    if rel.is_empty() {
        return Some(now_ms);
    }
    let (sign, amount) = match rel.split_at(1) {
        ("-", a) => (-1, a),
        ("+", a) => (1, a),
        _ => return None,
    };
    Some(now_ms + sign * parse_duration(amount)?)
}

/// Grafana's zoom out (its time picker's button, Ctrl+Z): the span
/// `factor` times as wide around the same centre.
pub fn zoom_out(from_ms: i64, to_ms: i64, factor: f64) -> (i64, i64) {
    let span = (to_ms - from_ms).max(1) as f64;
    let centre = to_ms as f64 - span / 2.0;
    let half = span * factor / 2.0;
    ((centre - half).round() as i64, (centre + half).round() as i64)
}

/// The times under two points dragged across a chart whose plot spans
/// pixels `left..right` for `start..end`, earliest first; `None` for a
/// drag too short to mean a range (under 5 pixels, as a click).
pub fn dragged(start: i64, end: i64, left: i32, right: i32, x1: i32, x2: i32) -> Option<(i64, i64)> {
    if right <= left || (x1 - x2).abs() < 5 {
        return None;
    }
    let at = |x: i32| {
        let share = f64::from(x.clamp(left, right) - left) / f64::from(right - left);
        start + (share * (end - start) as f64).round() as i64
    };
    let (a, b) = (at(x1.min(x2)), at(x1.max(x2)));
    (b > a).then_some((a, b))
}

/// Grafana's `roundInterval`: a raw interval snapped to a friendly one.
pub fn round_interval(ms: i64) -> i64 {
    const STEPS: [(i64, i64); 28] = [
        (15, 10),
        (35, 20),
        (75, 50),
        (150, 100),
        (350, 200),
        (750, 500),
        (1500, 1000),
        (3500, 2000),
        (7500, 5000),
        (12500, 10000),
        (17500, 15000),
        (25000, 20000),
        (45000, 30000),
        (90000, 60000),
        (210000, 120000),
        (450000, 300000),
        (750000, 600000),
        (1050000, 900000),
        (1500000, 1200000),
        (2700000, 1800000),
        (5400000, 3600000),
        (9000000, 7200000),
        (16200000, 10800000),
        (32400000, 21600000),
        (86400000, 43200000),
        (604800000, 86400000),
        (1814400000, 604800000),
        (3628800000, 2592000000),
    ];
    STEPS.iter().find(|(below, _)| ms < *below).map_or(31536000000, |(_, to)| *to)
}

/// Grafana's `secondsToHms`: the largest whole unit only (`1m`, `30s`, `100ms`).
pub fn seconds_to_hms(seconds: f64) -> String {
    let s = seconds as i64;
    let units = [(31_536_000, "y"), (86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut rest = s;
    for (size, name) in units {
        let n = rest / size;
        if n > 0 {
            return format!("{n}{name}");
        }
        rest %= size;
    }
    let ms = (seconds * 1000.0).floor() as i64;
    if ms > 0 {
        format!("{ms}ms")
    } else {
        "less than a millisecond".into()
    }
}

/// The step a panel's query runs at and the interval variables it sees.
#[derive(Clone, Debug, PartialEq)]
pub struct Timing {
    /// Range start, aligned down to the step.
    pub start_ms: i64,
    /// Range end, aligned down to the step.
    pub end_ms: i64,
    /// The query step.
    pub step_ms: i64,
    /// `$__interval` as Grafana writes it (`15s`, `1m`, or `60s` once the
    /// Prometheus data source raised it).
    pub interval: String,
    /// `$__interval_ms`.
    pub interval_ms: i64,
    /// `$__rate_interval`.
    pub rate_interval: String,
    /// `$__range` (`3600s`).
    pub range: String,
    /// `$__range_s`.
    pub range_s: i64,
    /// `$__range_ms`.
    pub range_ms: i64,
}

impl Timing {
    /// Grafana's rules: the range over the data points, rounded, but not
    /// below the panel's minimum interval (else the scrape interval); then
    /// the Prometheus data source raises it to a query's own minimum, and to
    /// keep under 11,000 points; `$__rate_interval` is the larger of four
    /// scrapes and the interval plus one scrape.
    pub fn new(
        from_ms: i64,
        to_ms: i64,
        max_data_points: u32,
        panel_min: Option<i64>,
        target_min: Option<i64>,
        factor: f64,
    ) -> Timing {
        let range_ms = (to_ms - from_ms).max(1);
        let low = panel_min.unwrap_or(SCRAPE_MS).max(1);
        let mut interval_ms = round_interval(range_ms / i64::from(max_data_points.max(1))).max(low);
        let mut interval = seconds_to_hms(interval_ms as f64 / 1000.0);
        let min_s = target_min.unwrap_or(interval_ms) as f64 / 1000.0;
        let range_s_ceil = (range_ms as f64 / 1000.0).ceil();
        let mut safe = range_s_ceil / 11000.0;
        if safe > 1.0 {
            safe = safe.ceil();
        }
        let raw_s = interval_ms as f64 / 1000.0;
        let factor = if factor > 0.0 { factor } else { 1.0 };
        let adjusted_s = (raw_s * factor).max(min_s).max(safe);
        if adjusted_s != raw_s {
            interval_ms = (adjusted_s * 1000.0).round() as i64;
            interval = format!("{}s", trim_float(adjusted_s));
        }
        let scrape_s = SCRAPE_MS as f64 / 1000.0;
        let rate_s = (adjusted_s + scrape_s).max(4.0 * scrape_s);
        let step_ms = interval_ms.max(1);
        let range_s = (range_ms as f64 / 1000.0).round() as i64;
        Timing {
            start_ms: from_ms.div_euclid(step_ms) * step_ms,
            end_ms: to_ms.div_euclid(step_ms) * step_ms,
            step_ms,
            interval,
            interval_ms,
            rate_interval: format!("{}s", trim_float(rate_s)),
            range: format!("{range_s}s"),
            range_s,
            range_ms,
        }
    }

    /// The built-in variables this timing defines, for interpolation.
    pub fn variables(&self) -> Vec<(String, String)> {
        vec![
            ("__interval".into(), self.interval.clone()),
            ("__interval_ms".into(), self.interval_ms.to_string()),
            ("__rate_interval".into(), self.rate_interval.clone()),
            ("__range".into(), self.range.clone()),
            ("__range_s".into(), self.range_s.to_string()),
            ("__range_ms".into(), self.range_ms.to_string()),
        ]
    }
}

/// A number of seconds as JavaScript prints it (`60`, `0.5`).
fn trim_float(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn zooming_out_doubles_the_span_around_its_centre() {
        assert_eq!(zoom_out(10 * H, 12 * H, 2.0), (9 * H, 13 * H));
        assert_eq!(zoom_out(0, 60_000, 2.0), (-30_000, 90_000));
        assert_eq!(zoom_out(5, 5, 2.0), (4, 6), "an empty span still widens");
    }

    #[test]
    fn a_drag_across_the_plot_is_the_range_under_it() {
        // 100 px of plot for 100 s: one pixel is one second.
        let cases = [
            ((150, 110), Some((10_000, 50_000))),
            ((110, 150), Some((10_000, 50_000))),
            ((0, 300), Some((0, 100_000))),
            ((120, 123), None),
        ];
        for ((x1, x2), want) in cases {
            assert_eq!(dragged(0, 100_000, 100, 200, x1, x2), want, "{x1}..{x2}");
        }
        assert_eq!(dragged(0, 100_000, 200, 200, 100, 150), None, "no plot");
    }

    #[test]
    fn durations_and_relative_times() {
        for (text, want) in [
            ("15s", Some(15_000)),
            ("1m", Some(60_000)),
            ("1h30m", Some(5_400_000)),
            ("500ms", Some(500)),
            ("7d", Some(7 * 24 * H)),
            ("x", None),
            ("", None),
        ] {
            assert_eq!(parse_duration(text), want, "{text}");
        }
        let now = 1_000 * H;
        assert_eq!(parse_time("now", now), Some(now));
        assert_eq!(parse_time("now-1h", now), Some(now - H));
        assert_eq!(parse_time("now-24h/h", now), Some(now - 24 * H));
        assert_eq!(parse_time("1700000000000", now), Some(1_700_000_000_000));
        assert_eq!(parse_time("yesterday", now), None);
    }

    /// (range, max data points, panel min interval, $__interval, step, $__rate_interval)
    type IntervalCase = (i64, u32, Option<i64>, &'static str, i64, &'static str);

    #[test]
    fn interval_table() {
        let cases: &[IntervalCase] = &[
            // 1 h over ~1000 px: 3.6 s rounds to 5 s, raised to the 15 s scrape.
            (H, 1000, None, "15s", 15_000, "60s"),
            // 6 h over 600 px: 36 s rounds to 30 s.
            (6 * H, 600, None, "30s", 30_000, "60s"),
            // 24 h over 500 px: 172.8 s rounds to 2 m.
            (24 * H, 500, None, "2m", 120_000, "135s"),
            // A panel minimum of 1 m wins over the computed 15 s.
            (H, 1000, Some(60_000), "1m", 60_000, "75s"),
            // 5 m: well under the scrape interval.
            (300_000, 800, None, "15s", 15_000, "60s"),
        ];
        for &(range, points, min, interval, step, rate) in cases {
            let t = Timing::new(10 * H, 10 * H + range, points, min, None, 1.0);
            assert_eq!(
                (t.interval.as_str(), t.step_ms, t.rate_interval.as_str()),
                (interval, step, rate),
                "{range} {points}"
            );
            assert_eq!(t.range, format!("{}s", range / 1000));
        }
        // A query's own minimum raises the step and rewrites $__interval in seconds.
        let t = Timing::new(10 * H, 11 * H, 1000, None, Some(60_000), 1.0);
        assert_eq!((t.interval.as_str(), t.step_ms, t.rate_interval.as_str()), ("60s", 60_000, "75s"));
        assert_eq!(t.start_ms % t.step_ms, 0);
    }

    #[test]
    fn hms_and_rounding() {
        assert_eq!(seconds_to_hms(90.0), "1m");
        assert_eq!(seconds_to_hms(0.1), "100ms");
        assert_eq!(seconds_to_hms(7200.0), "2h");
        assert_eq!(round_interval(3_600), 5_000);
        assert_eq!(round_interval(3_000), 2_000);
        assert_eq!(round_interval(172_800), 120_000);
    }
}
