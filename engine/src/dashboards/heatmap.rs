//! A heatmap panel's cells: Prometheus histogram buckets (`le`) turned
//! into counts per bucket as Grafana's Prometheus data source does for
//! `format: heatmap` (series sorted by `le`, each minus the one below), or
//! plain series bucketed by value when the panel calculates; and the colour
//! of a cell on the panel's scheme.

use super::display::color_hex;
use super::model::Panel;
use super::query::PanelData;
use serde_json::Value;
use std::collections::BTreeMap;

/// One row of cells: a value range.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What the Y axis and tooltip call it (`0.05`, `+Inf`, `20-30`).
    pub label: String,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// The cells of a heatmap.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Heatmap {
    /// Each column's start (ms), oldest first.
    pub times: Vec<i64>,
    /// A column's width (ms).
    pub width_ms: i64,
    /// The rows, lowest values first.
    pub rows: Vec<Row>,
    /// `counts[column][row]`.
    pub counts: Vec<Vec<f64>>,
    /// Rows are drawn one per bucket, evenly, labelled by bound (`le`
    /// buckets); otherwise on a linear value axis.
    pub ordinal: bool,
    /// Lowest and highest count drawn.
    pub min: f64,
    /// Lowest and highest count drawn.
    pub max: f64,
    /// Rows are powers of this base, drawn on a log axis.
    pub log_base: Option<f64>,
}

impl Heatmap {
    /// Where a value sits on the drawn Y axis: its logarithm on a log axis.
    pub fn axis(&self, v: f64) -> f64 {
        match self.log_base {
            Some(b) => v.log(b),
            None => v,
        }
    }

    /// The value at a place on the drawn Y axis (the inverse of `axis`).
    pub fn value(&self, y: f64) -> f64 {
        match self.log_base {
            Some(b) => b.powf(y),
            None => y,
        }
    }

    /// Whether there is a cell to draw.
    pub fn has_data(&self) -> bool {
        !self.rows.is_empty() && !self.times.is_empty()
    }

    /// The count under a point, as the tooltip shows it: the column of time
    /// `t` and row `row`.
    pub fn at(&self, t: i64, row: usize) -> Option<(i64, &Row, f64)> {
        let col = self.times.iter().rposition(|start| *start <= t)?;
        let v = *self.counts.get(col)?.get(row)?;
        Some((self.times[col], self.rows.get(row)?, v))
    }
}

fn opt<'a>(panel: &'a Panel, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(&panel.options, |v, k| v.get(k))
}

/// A number that Grafana may have saved as text (`"10"`).
fn num(v: Option<&Value>) -> Option<f64> {
    let v = v?;
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())).filter(|n: &f64| n.is_finite())
}

/// Whether the panel buckets plain series itself: the newer model's
/// `calculate: true`, the older `dataFormat: "timeseries"`, or series with
/// no `le` label at all.
pub fn calculates(panel: &Panel, data: &PanelData) -> bool {
    if let Some(c) = opt(panel, &["calculate"]).and_then(Value::as_bool) {
        return c;
    }
    match panel.extra.get("dataFormat").and_then(Value::as_str) {
        Some("timeseries") => true,
        Some("tsbuckets") => false,
        _ => !data.frames.iter().any(|f| f.labels.contains_key("le")),
    }
}

/// The Y axis's log base, if the panel asks for one: the newer panel's
/// `calculation.yBuckets.scale` (`{"type": "log", "log": 2}`) or the older
/// one's `yAxis.logBase` (1 is linear). Only calculated rows use it: `le`
/// buckets are drawn one per row whatever the scale.
pub fn log_base(panel: &Panel) -> Option<f64> {
    let newer = opt(panel, &["calculation", "yBuckets", "scale"])
        .filter(|s| s.get("type").and_then(Value::as_str) == Some("log"))
        .map(|s| num(s.get("log")).unwrap_or(2.0));
    let older = || {
        let axis = opt(panel, &["yAxis"]).or_else(|| panel.extra.get("yAxis"))?;
        num(axis.get("logBase"))
    };
    newer.or_else(older).filter(|b| *b > 1.0)
}

/// The gap between cells in pixels: the newer `cellGap` (Grafana's default
/// 1), or the older `cards.cardPadding`.
pub fn cell_gap(panel: &Panel) -> u32 {
    let older = || panel.extra.get("cards").and_then(|c| num(c.get("cardPadding")));
    num(opt(panel, &["cellGap"])).or_else(older).map_or(1, |g| g.clamp(0.0, 25.0) as u32)
}

/// The heatmap for a panel's data.
pub fn build(panel: &Panel, data: &PanelData) -> Heatmap {
    if calculates(panel, data) {
        if let Some(base) = log_base(panel) {
            return from_series(data, Split::Log(base));
        }
        let count = num(opt(panel, &["calculation", "yBuckets", "value"]))
            .or_else(|| num(panel.extra.get("yBucketNumber")))
            .filter(|_| opt(panel, &["calculation", "yBuckets", "mode"]).and_then(Value::as_str) != Some("size"));
        let size = num(opt(panel, &["calculation", "yBuckets", "value"]))
            .filter(|_| opt(panel, &["calculation", "yBuckets", "mode"]).and_then(Value::as_str) == Some("size"))
            .or_else(|| num(panel.extra.get("yBucketSize")));
        let spec = match (size, count) {
            (Some(s), _) if s > 0.0 => Split::Size(s),
            (_, Some(n)) if n >= 1.0 => Split::Count(n.min(200.0) as usize),
            _ => Split::Count(DEFAULT_ROWS),
        };
        from_series(data, spec)
    } else {
        from_buckets(data)
    }
}

/// Rows a calculated heatmap gets unless told (the older panel's default).
pub const DEFAULT_ROWS: usize = 10;

/// How plain values are split into rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Split {
    /// This many equal rows over the values' range.
    Count(usize),
    /// Rows this tall, aligned to multiples of it.
    Size(f64),
    /// One row per power of this base (values at or below zero left out).
    Log(f64),
}

/// The le value of a bucket label: Prometheus writes `+Inf`.
fn le_value(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| !v.is_nan())
}

/// Cumulative `le` buckets to counts per bucket. Series with the same `le`
/// (a query that did not sum `by (le)`) are added together first, so the
/// buckets stay cumulative; the columns are the times any series has.
pub fn from_buckets(data: &PanelData) -> Heatmap {
    let mut by_le: BTreeMap<String, BTreeMap<i64, f64>> = BTreeMap::new();
    for f in &data.frames {
        let Some(le) = f.labels.get("le") else { continue };
        if le_value(le).is_none() {
            continue;
        }
        let series = by_le.entry(le.clone()).or_default();
        for &(t, v) in f.points.iter().filter(|p| p.1.is_finite()) {
            *series.entry(t).or_insert(0.0) += v;
        }
    }
    let mut buckets: Vec<(f64, String, BTreeMap<i64, f64>)> =
        by_le.into_iter().filter_map(|(le, s)| Some((le_value(&le)?, le, s))).collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let times: Vec<i64> = {
        let mut t: Vec<i64> = buckets.iter().flat_map(|b| b.2.keys().copied()).collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    let rows: Vec<Row> = buckets
        .iter()
        .enumerate()
        .map(|(i, (hi, label, _))| {
            let lo = if i == 0 { hi.min(0.0) } else { buckets[i - 1].0 };
            let label = if hi.is_infinite() { "+Inf".to_string() } else { trim_number(label) };
            Row { label, lo, hi: *hi }
        })
        .collect();
    let counts: Vec<Vec<f64>> = times
        .iter()
        .map(|t| {
            let cumulative: Vec<f64> = buckets.iter().map(|b| b.2.get(t).copied().unwrap_or(0.0)).collect();
            // Each bucket minus the one below, as Grafana de-accumulates.
            (0..cumulative.len()).map(|i| cumulative[i] - if i == 0 { 0.0 } else { cumulative[i - 1] }).collect()
        })
        .collect();
    finish(times, width(data), rows, counts, true)
}

/// `0.050` reads `0.05`; a label that is not plain is kept.
fn trim_number(s: &str) -> String {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => format!("{v}"),
        _ => s.to_string(),
    }
}

fn width(data: &PanelData) -> i64 {
    data.step_ms.max(1)
}

/// Plain series: at each time, how many series have a value in each row.
pub fn from_series(data: &PanelData, split: Split) -> Heatmap {
    let log = match split {
        Split::Log(b) if b > 1.0 => Some(b),
        _ => None,
    };
    let values = || {
        data.frames
            .iter()
            .flat_map(|f| f.points.iter())
            .filter(move |p| p.1.is_finite() && (log.is_none() || p.1 > 0.0))
    };
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in values() {
        lo = lo.min(p.1);
        hi = hi.max(p.1);
    }
    if !lo.is_finite() {
        return Heatmap::default();
    }
    let (start, size, n) = match split {
        Split::Size(s) => {
            let start = (lo / s).floor() * s;
            let n = (((hi - start) / s).floor() as usize + 1).min(1000);
            (start, s, n)
        }
        Split::Count(n) => {
            let n = n.max(1);
            let span = if hi > lo { hi - lo } else { 1.0 };
            (lo, span / n as f64, n)
        }
        // In exponents: rows from the power at or below the lowest value.
        Split::Log(b) => {
            let first = exponent(lo, b).floor();
            let n = ((exponent(hi, b).floor() - first) as usize + 1).min(1000);
            (first, 1.0, n)
        }
    };
    let edge = |i: usize| match log {
        Some(b) => b.powf(start + size * i as f64),
        None => start + size * i as f64,
    };
    let rows: Vec<Row> = (0..n)
        .map(|i| {
            let (a, b) = (edge(i), edge(i + 1));
            Row { label: format!("{}-{}", round(a), round(b)), lo: a, hi: b }
        })
        .collect();
    let mut times: Vec<i64> = values().map(|p| p.0).collect();
    times.sort_unstable();
    times.dedup();
    let mut counts = vec![vec![0.0; n]; times.len()];
    for p in values() {
        let Ok(col) = times.binary_search(&p.0) else { continue };
        let at = log.map_or(p.1, |b| exponent(p.1, b));
        let row = (((at - start) / size).floor().max(0.0) as usize).min(n - 1);
        counts[col][row] += 1.0;
    }
    Heatmap { log_base: log, ..finish(times, width(data), rows, counts, false) }
}

/// `log_b(v)`, nudged so an exact power (1000 in base 10, which floats
/// make 2.9999…) falls in its own row.
fn exponent(v: f64, b: f64) -> f64 {
    v.log(b) + 1e-9
}

/// A bound as the axis prints it: at most four significant decimals.
fn round(v: f64) -> String {
    let r = (v * 10_000.0).round() / 10_000.0;
    format!("{}", if r == 0.0 { 0.0 } else { r })
}

fn finish(times: Vec<i64>, width_ms: i64, rows: Vec<Row>, counts: Vec<Vec<f64>>, ordinal: bool) -> Heatmap {
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in counts.iter().flatten().filter(|v| v.is_finite()) {
        min = min.min(*v);
        max = max.max(*v);
    }
    if !min.is_finite() {
        (min, max) = (0.0, 0.0);
    }
    Heatmap { times, width_ms, rows, counts, ordinal, min, max, log_base: None }
}

/// How cells are coloured: Grafana's `options.color` (or the older
/// panel's `color`).
#[derive(Clone, Debug, PartialEq)]
pub struct Colors {
    /// A scheme's stops, lowest first (`#rrggbb`); empty in opacity mode.
    pub stops: Vec<String>,
    /// Opacity mode's one colour.
    pub fill: String,
    /// `exponential` scale's exponent; 1 for linear.
    pub exponent: f64,
    /// How many distinct colours the scale has.
    pub steps: usize,
    /// Fixed ends of the scale, instead of the data's.
    pub min: Option<f64>,
    /// Fixed ends of the scale, instead of the data's.
    pub max: Option<f64>,
    /// Cells at or below this are left empty (`filterValues.le`).
    pub hide_at_or_below: Option<f64>,
}

/// The panel's colour options, with Grafana's defaults (Oranges, an
/// exponential scale of exponent 0.5, 64 steps, cells ≤ 1e-9 hidden).
pub fn colors(panel: &Panel) -> Colors {
    let c = opt(panel, &["color"]).or_else(|| panel.extra.get("color"));
    let get = |k: &str| c.and_then(|c| c.get(k));
    let mode = get("mode").and_then(Value::as_str).unwrap_or("scheme");
    let scheme = get("scheme").or_else(|| get("colorScheme")).and_then(Value::as_str).unwrap_or("Oranges");
    let mut stops: Vec<String> = scheme_stops(scheme).iter().map(|s| s.to_string()).collect();
    if get("reverse").and_then(Value::as_bool) == Some(true) {
        stops.reverse();
    }
    let fill = get("fill").or_else(|| get("cardColor")).and_then(Value::as_str).unwrap_or("dark-orange");
    let linear = matches!(get("scale").or_else(|| get("colorScale")).and_then(Value::as_str), Some("linear"));
    let exponent = if linear { 1.0 } else { num(get("exponent")).filter(|e| *e > 0.0).unwrap_or(0.5) };
    let hide = match panel.extra.get("hideZeroBuckets").and_then(Value::as_bool) {
        Some(true) => Some(0.0),
        Some(false) if opt(panel, &["filterValues"]).is_none() => None,
        _ => num(opt(panel, &["filterValues", "le"])).or(Some(1e-9)),
    };
    Colors {
        stops: if mode == "opacity" { Vec::new() } else { stops },
        fill: color_hex(fill),
        exponent,
        steps: num(get("steps")).map_or(64, |s| s.clamp(2.0, 128.0) as usize),
        min: num(get("min")),
        max: num(get("max")),
        hide_at_or_below: hide,
    }
}

impl Colors {
    /// Where `v` falls on the scale from 0 to 1, or `None` when its cell
    /// stays empty.
    pub fn position(&self, v: f64, data_min: f64, data_max: f64) -> Option<f64> {
        if !v.is_finite() || self.hide_at_or_below.is_some_and(|h| v <= h) {
            return None;
        }
        let lo = self.min.unwrap_or(data_min.min(0.0));
        let hi = self.max.unwrap_or(data_max);
        let f = if hi > lo { ((v - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 1.0 };
        let f = f.powf(self.exponent);
        let steps = (self.steps.max(2) - 1) as f64;
        Some((f * steps).round() / steps)
    }

    /// The colour at `f` (0..1) as `#rrggbb` and an opacity.
    pub fn at(&self, f: f64) -> (String, f64) {
        if self.stops.is_empty() {
            return (self.fill.clone(), f.clamp(0.05, 1.0));
        }
        (interpolate(&self.stops, f), 1.0)
    }
}

fn rgb(hex: &str) -> (f64, f64, f64) {
    let h = hex.trim_start_matches('#');
    let b = |i: usize| h.get(i..i + 2).and_then(|s| u8::from_str_radix(s, 16).ok()).unwrap_or(128) as f64;
    (b(0), b(2), b(4))
}

/// The colour a fraction of the way along evenly spaced stops.
pub fn interpolate(stops: &[String], f: f64) -> String {
    let (Some(first), Some(last)) = (stops.first(), stops.last()) else { return "#808080".into() };
    if stops.len() == 1 || f <= 0.0 {
        return first.clone();
    }
    if f >= 1.0 {
        return last.clone();
    }
    let pos = f * (stops.len() - 1) as f64;
    let i = pos.floor() as usize;
    let t = pos - i as f64;
    let (a, b) = (rgb(&stops[i]), rgb(&stops[(i + 1).min(stops.len() - 1)]));
    let mix = |x: f64, y: f64| (x + (y - x) * t).round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The stops of a scheme Grafana offers, by its name with or without d3's
/// `interpolate` prefix (ColorBrewer's and matplotlib's published colours);
/// an unknown name gets Oranges, Grafana's default.
pub fn scheme_stops(name: &str) -> &'static [&'static str] {
    match name.trim_start_matches("interpolate") {
        "Blues" => &["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"],
        "Greens" => &["#f7fcf5", "#c7e9c0", "#74c476", "#238b45", "#00441b"],
        "Greys" => &["#ffffff", "#d9d9d9", "#969696", "#525252", "#000000"],
        "Purples" => &["#fcfbfd", "#dadaeb", "#9e9ac8", "#6a51a3", "#3f007d"],
        "Reds" => &["#fff5f0", "#fcbba1", "#fb6a4a", "#cb181d", "#67000d"],
        "YlOrRd" => &["#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026"],
        "Spectral" => &["#9e0142", "#f46d43", "#fee08b", "#e6f598", "#66c2a5", "#5e4fa2"],
        "RdYlGn" => &["#a50026", "#f46d43", "#fee08b", "#d9ef8b", "#66bd63", "#006837"],
        "Viridis" => &["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"],
        "Magma" => &["#000004", "#51127c", "#b73779", "#fc8961", "#fcfdbf"],
        "Plasma" => &["#0d0887", "#7e03a8", "#cc4778", "#f89540", "#f0f921"],
        "Inferno" => &["#000004", "#56106e", "#bb3754", "#f98e09", "#fcffa4"],
        _ => &["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboards::query::Frame;
    use crate::promql::Labels;

    fn frame(labels: &[(&str, &str)], points: &[(i64, f64)]) -> Frame {
        let labels: Labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Frame { ref_id: "A".into(), name: String::new(), labels, points: points.to_vec() }
    }

    fn data(frames: Vec<Frame>) -> PanelData {
        PanelData { frames, step_ms: 15_000, ..PanelData::default() }
    }

    #[test]
    fn buckets_sort_by_le_and_de_accumulate() {
        // Out of order and with le written as Prometheus writes it.
        let d = data(vec![
            frame(&[("le", "+Inf")], &[(0, 12.0), (15_000, 20.0)]),
            frame(&[("le", "0.1")], &[(0, 4.0), (15_000, 4.0)]),
            frame(&[("le", "0.05")], &[(0, 3.0), (15_000, 1.0)]),
            frame(&[("le", "1.0")], &[(0, 10.0), (15_000, 19.0)]),
        ]);
        let h = from_buckets(&d);
        let labels: Vec<&str> = h.rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["0.05", "0.1", "1", "+Inf"]);
        assert_eq!(h.times, [0, 15_000]);
        assert_eq!(h.counts, vec![vec![3.0, 1.0, 6.0, 2.0], vec![1.0, 3.0, 15.0, 1.0]]);
        assert_eq!((h.rows[1].lo, h.rows[1].hi), (0.05, 0.1));
        assert_eq!((h.min, h.max), (1.0, 15.0));
        assert!(h.ordinal);
        assert_eq!(h.at(20_000, 2).map(|(t, r, v)| (t, r.label.clone(), v)), Some((15_000, "1".into(), 15.0)));
        assert_eq!(h.at(-1, 0), None);
    }

    #[test]
    fn same_le_series_add_up_and_bad_le_is_skipped() {
        let d = data(vec![
            frame(&[("le", "1"), ("pod", "a")], &[(0, 1.0)]),
            frame(&[("le", "1"), ("pod", "b")], &[(0, 2.0)]),
            frame(&[("le", "+Inf"), ("pod", "a")], &[(0, 2.0)]),
            frame(&[("le", "+Inf"), ("pod", "b")], &[(0, 5.0)]),
            frame(&[("le", "fast")], &[(0, 9.0)]),
            frame(&[("pod", "c")], &[(0, 9.0)]),
        ]);
        let h = from_buckets(&d);
        assert_eq!(h.counts, vec![vec![3.0, 4.0]]);
    }

    #[test]
    fn plain_series_bucket_by_value() {
        // (split, values at one time, rows, counts)
        type Case<'a> = (Split, &'a [f64], &'a [&'a str], &'a [f64]);
        let cases: &[Case] = &[
            (Split::Count(2), &[0.0, 1.0, 9.0, 10.0], &["0-5", "5-10"], &[2.0, 2.0]),
            (Split::Size(4.0), &[1.0, 5.0, 6.0, 9.0], &["0-4", "4-8", "8-12"], &[1.0, 2.0, 1.0]),
            (Split::Count(3), &[7.0, 7.0], &["7-7.3333", "7.3333-7.6667", "7.6667-8"], &[2.0, 0.0, 0.0]),
            // Powers of ten; zero and below have no place on a log axis.
            (Split::Log(10.0), &[0.5, 3.0, 20.0, 50.0, 0.0, -1.0], &["0.1-1", "1-10", "10-100"], &[1.0, 1.0, 2.0]),
            (Split::Log(2.0), &[1.0, 3.0, 4.0], &["1-2", "2-4", "4-8"], &[1.0, 1.0, 1.0]),
            (Split::Log(10.0), &[1000.0, 999.0], &["100-1000", "1000-10000"], &[1.0, 1.0]),
        ];
        for (split, values, rows, counts) in cases {
            let frames = values.iter().map(|v| frame(&[], &[(0, *v)])).collect();
            let h = from_series(&data(frames), *split);
            let got: Vec<&str> = h.rows.iter().map(|r| r.label.as_str()).collect();
            assert_eq!(&got, rows, "{split:?}");
            assert_eq!(h.counts, vec![counts.to_vec()], "{split:?}");
            assert!(!h.ordinal);
        }
        assert!(!from_series(&data(Vec::new()), Split::Count(4)).has_data());
        let log = from_series(&data(vec![frame(&[], &[(0, 5.0)])]), Split::Log(10.0));
        assert_eq!((log.log_base, log.axis(100.0), log.value(-1.0)), (Some(10.0), 2.0, 0.1));
    }

    #[test]
    fn log_scale_and_cell_gap_options() {
        let panel = |json: &str| -> Panel { serde_json::from_str(json).unwrap_or_default() };
        // (panel JSON, log base, cell gap)
        let cases = [
            (r#"{"type":"heatmap"}"#, None, 1),
            (
                r#"{"type":"heatmap","options":{"calculation":{"yBuckets":{"scale":{"type":"log","log":10}}},"cellGap":3}}"#,
                Some(10.0),
                3,
            ),
            (
                r#"{"type":"heatmap","options":{"calculation":{"yBuckets":{"scale":{"type":"log"}}},"cellGap":0}}"#,
                Some(2.0),
                0,
            ),
            (
                r#"{"type":"heatmap","options":{"calculation":{"yBuckets":{"scale":{"type":"linear"}}},"cellGap":99}}"#,
                None,
                25,
            ),
            (r#"{"type":"heatmap","yAxis":{"logBase":2},"cards":{"cardPadding":2}}"#, Some(2.0), 2),
            (r#"{"type":"heatmap","yAxis":{"logBase":1}}"#, None, 1),
        ];
        for (json, base, gap) in cases {
            let p = panel(json);
            assert_eq!((log_base(&p), cell_gap(&p)), (base, gap), "{json}");
        }
        // A log scale buckets calculated rows by powers; le buckets stay one per row.
        let p = panel(
            r#"{"type":"heatmap","options":{"calculate":true,"calculation":{"yBuckets":{"scale":{"type":"log","log":10}}}}}"#,
        );
        let plain = data(vec![frame(&[("pod", "a")], &[(0, 5.0)]), frame(&[("pod", "b")], &[(0, 500.0)])]);
        let rows: Vec<String> = build(&p, &plain).rows.into_iter().map(|r| r.label).collect();
        assert_eq!(rows, ["1-10", "10-100", "100-1000"]);
        let le = data(vec![frame(&[("le", "1")], &[(0, 1.0)])]);
        let p = panel(r#"{"type":"heatmap","yAxis":{"logBase":2}}"#);
        assert_eq!(build(&p, &le).log_base, None);
    }

    #[test]
    fn options_read_from_either_model() {
        let panel = |json: &str| -> Panel { serde_json::from_str(json).unwrap_or_default() };
        let le = data(vec![frame(&[("le", "1")], &[(0, 1.0)])]);
        let plain = data(vec![frame(&[("pod", "a")], &[(0, 1.0)])]);
        // (panel JSON, calculates over le data, over plain data)
        let cases = [
            (r#"{"type":"heatmap"}"#, false, true),
            (r#"{"type":"heatmap","options":{"calculate":true}}"#, true, true),
            (r#"{"type":"heatmap","options":{"calculate":false}}"#, false, false),
            (r#"{"type":"heatmap","dataFormat":"timeseries"}"#, true, true),
            (r#"{"type":"heatmap","dataFormat":"tsbuckets"}"#, false, false),
            (r#"{"type":"heatmap","options":{"calculate":"yes"}}"#, false, true),
        ];
        for (json, on_le, on_plain) in cases {
            let p = panel(json);
            assert_eq!((calculates(&p, &le), calculates(&p, &plain)), (on_le, on_plain), "{json}");
        }
        let p = panel(r#"{"options":{"calculate":true,"calculation":{"yBuckets":{"mode":"count","value":"3"}}}}"#);
        assert_eq!(build(&p, &plain).rows.len(), 3);
        let p = panel(r#"{"yBucketNumber": 4, "dataFormat": "timeseries"}"#);
        assert_eq!(build(&p, &plain).rows.len(), 4);
    }

    #[test]
    fn colours_follow_the_scheme_and_scale() {
        let panel = |json: &str| -> Panel { serde_json::from_str(json).unwrap_or_default() };
        let c = colors(&panel("{}"));
        assert_eq!(c.stops.first().map(String::as_str), Some("#fff5eb"), "Oranges by default");
        assert_eq!(c.exponent, 0.5);
        assert_eq!(c.position(0.0, 0.0, 100.0), None, "empty cells stay empty");
        assert_eq!(c.position(100.0, 0.0, 100.0), Some(1.0));
        assert_eq!(c.position(25.0, 0.0, 100.0), Some((0.5f64 * 63.0).round() / 63.0), "square root of a quarter");
        assert_eq!(c.at(1.0).0, "#7f2704");
        let linear = colors(&panel(r#"{"options":{"color":{"scheme":"Blues","scale":"linear","steps":"3"}}}"#));
        assert_eq!(linear.position(60.0, 0.0, 100.0), Some(0.5), "three steps: 0, ½, 1");
        assert_eq!(linear.at(0.0).0, "#f7fbff");
        let old = colors(&panel(r##"{"color":{"mode":"opacity","cardColor":"#b4ff00"},"hideZeroBuckets":false}"##));
        assert!(old.stops.is_empty());
        assert_eq!(old.at(1.0), ("#b4ff00".to_string(), 1.0));
        assert_eq!(old.position(0.0, 0.0, 4.0), Some(0.0), "zero buckets shown when not hidden");
        let reversed = colors(&panel(r#"{"options":{"color":{"scheme":"interpolateViridis","reverse":true}}}"#));
        assert_eq!(reversed.stops.first().map(String::as_str), Some("#fde725"));
        assert_eq!(interpolate(&["#000000".into(), "#ffffff".into()], 0.5), "#808080");
    }
}
