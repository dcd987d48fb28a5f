//! The time picker's From and To as Grafana reads them: date math on
//! `now` (`now-6h`, `now/d`, `now-1d/d`) or an absolute time
//! (`2026-01-01 09:30:00`, as the picker writes it, or the ISO string a
//! dashboard's JSON keeps), all in the lab's simulated time, which is UTC.

use super::model::TimeRange;
use crate::metrics::promql::timefns::{civil, days_from_civil, days_in_month};

/// What the picker says under a field it cannot read (Grafana's words).
pub const INVALID: &str = "Please enter a past date or \"now\"";
/// What it says under From when From is later than To.
pub const FROM_AFTER_TO: &str = "\"From\" can't be after \"To\"";

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Why a field of the picker was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not a time at all.
    Invalid,
    /// From is after To.
    FromAfterTo,
}

impl Problem {
    /// Grafana's message.
    pub fn message(self) -> &'static str {
        match self {
            Problem::Invalid => INVALID,
            Problem::FromAfterTo => FROM_AFTER_TO,
        }
    }
}

/// Each field's problem, as the picker shows them under the fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Problems {
    /// Under From.
    pub from: Option<Problem>,
    /// Under To.
    pub to: Option<Problem>,
}

/// One end of a range at `now_ms`; `round_up` is true for To, where
/// `now/d` means the end of the day rather than its start. `None` when the
/// text is no time Grafana would read.
pub fn parse_end(text: &str, now_ms: i64, round_up: bool) -> Option<i64> {
    let text = text.trim();
    if let Some(ops) = text.strip_prefix("now") {
        return date_math(ops, now_ms, round_up);
    }
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Milliseconds since the epoch, as Grafana's URLs carry them.
        return text.parse().ok();
    }
    absolute(text)
}

/// Both ends, checked as Grafana's picker checks them before Apply.
pub fn check(range: &TimeRange, now_ms: i64) -> Result<(i64, i64), Problems> {
    let from = parse_end(&range.from, now_ms, false);
    let to = parse_end(&range.to, now_ms, true);
    match (from, to) {
        (Some(f), Some(t)) if f <= t => Ok((f, t)),
        (Some(_), Some(_)) => Err(Problems { from: Some(Problem::FromAfterTo), to: None }),
        (f, t) => {
            Err(Problems { from: f.is_none().then_some(Problem::Invalid), to: t.is_none().then_some(Problem::Invalid) })
        }
    }
}

/// Whether the range follows the clock (both ends are date math on `now`).
pub fn is_relative(range: &TimeRange) -> bool {
    range.from.trim().starts_with("now") && range.to.trim().starts_with("now")
}

/// `now` followed by `+N unit`, `-N unit` and `/unit` steps, applied in
/// order, as Grafana's `dateMath.parse` does (units y, M, w, d, h, m, s).
fn date_math(ops: &str, now_ms: i64, round_up: bool) -> Option<i64> {
    let mut t = now_ms;
    let bytes = ops.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let op = bytes[i];
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let n: i64 = if i == start { 1 } else { ops[start..i].parse().ok()? };
        let unit = *bytes.get(i)?;
        i += 1;
        t = match op {
            b'/' if i - 1 == start => round(t, unit, round_up)?,
            b'+' => add(t, unit, n)?,
            b'-' => add(t, unit, n.checked_neg()?)?,
            _ => return None,
        };
    }
    Some(t)
}

/// `t` moved by `n` units; months and years by the calendar, the day kept
/// or clamped to the month's last, as moment.js adds them.
fn add(t: i64, unit: u8, n: i64) -> Option<i64> {
    let fixed = match unit {
        b's' => SECOND,
        b'm' => MINUTE,
        b'h' => HOUR,
        b'd' => DAY,
        b'w' => 7 * DAY,
        b'M' | b'y' => {
            let months = if unit == b'y' { n.checked_mul(12)? } else { n };
            let (date, time) = (t.div_euclid(DAY), t.rem_euclid(DAY));
            let (y, m, d) = civil(date);
            let total = y.checked_mul(12)? + m - 1 + months;
            let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
            let day = d.min(days_in_month(y, m));
            return days_from_civil(y, m, day).checked_mul(DAY)?.checked_add(time);
        }
        _ => return None,
    };
    t.checked_add(n.checked_mul(fixed)?)
}

/// The start of the unit `t` falls in, or its last millisecond.
fn round(t: i64, unit: u8, up: bool) -> Option<i64> {
    let (start, next) = match unit {
        b's' | b'm' | b'h' | b'd' => {
            let size = match unit {
                b's' => SECOND,
                b'm' => MINUTE,
                b'h' => HOUR,
                _ => DAY,
            };
            let start = t.div_euclid(size) * size;
            (start, start + size)
        }
        b'w' => {
            // moment.js's English weeks start on Sunday; 1970-01-01 was a Thursday.
            let day = t.div_euclid(DAY);
            let start = (day - (day + 4).rem_euclid(7)) * DAY;
            (start, start + 7 * DAY)
        }
        b'M' => {
            let (y, m, _) = civil(t.div_euclid(DAY));
            let start = days_from_civil(y, m, 1) * DAY;
            (start, add(start, b'M', 1)?)
        }
        b'y' => {
            let (y, _, _) = civil(t.div_euclid(DAY));
            (days_from_civil(y, 1, 1) * DAY, days_from_civil(y + 1, 1, 1) * DAY)
        }
        _ => return None,
    };
    Some(if up { next - 1 } else { start })
}

/// `YYYY-MM-DD`, then optionally ` HH:mm` or `THH:mm`, `:ss`, `.SSS` and a
/// final `Z`; the lab's clocks are UTC, so a time without a zone is UTC.
fn absolute(text: &str) -> Option<i64> {
    let text = text.strip_suffix('Z').unwrap_or(text);
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut d = date.split('-');
    let (y, m, day) = (number(d.next()?, 4)?, number(d.next()?, 2)?, number(d.next()?, 2)?);
    if d.next().is_some() || !(1..=12).contains(&m) || day == 0 || day > days_in_month(y, m) {
        return None;
    }
    let mut ms = 0;
    if let Some(time) = time {
        let (hms, frac) = match time.split_once('.') {
            Some((hms, frac)) => (hms, Some(frac)),
            None => (time, None),
        };
        let mut parts = hms.split(':');
        let h = number(parts.next()?, 2)?;
        let min = number(parts.next()?, 2)?;
        let s = parts.next().map_or(Some(0), |s| number(s, 2))?;
        if parts.next().is_some() || h > 23 || min > 59 || s > 59 {
            return None;
        }
        let milli = match frac {
            Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{f:0<3}")[..3].parse::<i64>().ok()?
            }
            Some(_) => return None,
            None => 0,
        };
        ms = h * HOUR + min * MINUTE + s * SECOND + milli;
    }
    Some(days_from_civil(y, m, day) * DAY + ms)
}

/// Exactly `len` ASCII digits.
fn number(text: &str, len: usize) -> Option<i64> {
    (text.len() == len && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
}

/// `YYYY-MM-DD HH:mm:ss`, the picker's way of showing an absolute time.
pub fn format(ms: i64) -> String {
    let (y, m, d) = civil(ms.div_euclid(DAY));
    let s = ms.rem_euclid(DAY) / SECOND;
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The ISO string (`2026-01-01T09:30:00.000Z`) Grafana saves an absolute
/// end as.
pub fn iso(ms: i64) -> String {
    let (y, m, d) = civil(ms.div_euclid(DAY));
    let t = ms.rem_euclid(DAY);
    let s = t / SECOND;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", s / 3600, s / 60 % 60, s % 60, t % SECOND)
}

/// An absolute range as a dashboard saves it.
pub fn absolute_range(from_ms: i64, to_ms: i64) -> TimeRange {
    TimeRange { from: iso(from_ms), to: iso(to_ms) }
}

/// A field's text in the picker: date math as typed, an absolute time in
/// the picker's format.
pub fn shown(end: &str, now_ms: i64, round_up: bool) -> String {
    let end = end.trim();
    if end.starts_with("now") {
        return end.to_string();
    }
    parse_end(end, now_ms, round_up).map_or_else(|| end.to_string(), format)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-01T09:30:15.250Z, a Thursday.
    const NOW: i64 = 1_767_259_815_250;

    fn at(text: &str) -> i64 {
        absolute(text).unwrap_or_else(|| panic!("{text} is a time"))
    }

    #[test]
    fn ends_as_grafana_reads_them() {
        let table: &[(&str, bool, Option<&str>)] = &[
            ("now", false, Some("2026-01-01T09:30:15.250Z")),
            ("now-6h", false, Some("2026-01-01T03:30:15.250Z")),
            ("now+5m", false, Some("2026-01-01T09:35:15.250Z")),
            ("now-1d-2h", false, Some("2025-12-31T07:30:15.250Z")),
            ("now/d", false, Some("2026-01-01T00:00:00.000Z")),
            ("now/d", true, Some("2026-01-01T23:59:59.999Z")),
            ("now-1d/d", false, Some("2025-12-31T00:00:00.000Z")),
            ("now/h", false, Some("2026-01-01T09:00:00.000Z")),
            ("now/w", false, Some("2025-12-28T00:00:00.000Z")),
            ("now/M", true, Some("2026-01-31T23:59:59.999Z")),
            ("now/y", false, Some("2026-01-01T00:00:00.000Z")),
            ("now-1M", false, Some("2025-12-01T09:30:15.250Z")),
            ("now-1y", false, Some("2025-01-01T09:30:15.250Z")),
            ("2026-01-01 09:10:00", false, Some("2026-01-01T09:10:00.000Z")),
            ("2026-01-01T09:10:00.500Z", false, Some("2026-01-01T09:10:00.500Z")),
            ("2026-01-01 09:10", false, Some("2026-01-01T09:10:00.000Z")),
            ("2026-01-01", false, Some("2026-01-01T00:00:00.000Z")),
            ("2024-02-29 12:00:00", false, Some("2024-02-29T12:00:00.000Z")),
            ("1767258600000", false, Some("2026-01-01T09:10:00.000Z")),
            // Not times.
            ("", false, None),
            ("yesterday", false, None),
            ("now-", false, None),
            ("now-6x", false, None),
            ("now/2d", false, None),
            ("now*2h", false, None),
            ("2025-02-29 12:00:00", false, None),
            ("2026-13-01", false, None),
            ("2026-01-01 24:00:00", false, None),
            ("2026-01-01 09:60", false, None),
            ("2026-1-1 09:10:00", false, None),
            ("2026-01-01 09:10:00 extra", false, None),
            ("now-99999999999999999999y", false, None),
        ];
        for &(text, up, want) in table {
            assert_eq!(parse_end(text, NOW, up).map(iso), want.map(str::to_string), "{text:?} (round up {up})");
        }
    }

    #[test]
    fn the_picker_checks_both_fields() {
        let range = |from: &str, to: &str| TimeRange { from: from.into(), to: to.into() };
        let none = Problems::default();
        type Case = (TimeRange, Result<(i64, i64), Problems>);
        let table: &[Case] = &[
            (range("now-1h", "now"), Ok((NOW - HOUR, NOW))),
            (
                range("2026-01-01 09:00:00", "2026-01-01 09:20:00"),
                Ok((at("2026-01-01 09:00:00"), at("2026-01-01 09:20:00"))),
            ),
            (range("now-1h", "later"), Err(Problems { to: Some(Problem::Invalid), ..none })),
            (range("soon", "later"), Err(Problems { from: Some(Problem::Invalid), to: Some(Problem::Invalid) })),
            (range("now", "now-1h"), Err(Problems { from: Some(Problem::FromAfterTo), ..none })),
            (
                range("2026-01-01 10:00:00", "2026-01-01 09:00:00"),
                Err(Problems { from: Some(Problem::FromAfterTo), ..none }),
            ),
        ];
        for (r, want) in table {
            assert_eq!(check(r, NOW), *want, "{r:?}");
        }
        assert_eq!(Problem::Invalid.message(), "Please enter a past date or \"now\"");
        assert!(is_relative(&range("now-6h", "now-1h")));
        assert!(!is_relative(&range("2026-01-01 09:00:00", "now")));
    }

    #[test]
    fn absolute_times_print_as_the_picker_and_the_json_write_them() {
        assert_eq!(format(NOW), "2026-01-01 09:30:15");
        assert_eq!(iso(NOW), "2026-01-01T09:30:15.250Z");
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format(at("2000-03-01 00:00:00") - 1), "2000-02-29 23:59:59");
        assert_eq!(shown("2026-01-01T09:30:15.250Z", NOW, false), "2026-01-01 09:30:15");
        assert_eq!(shown(" now-6h ", NOW, false), "now-6h");
        assert_eq!(shown("junk", NOW, false), "junk");
        let r = absolute_range(NOW - HOUR, NOW);
        assert_eq!((r.from.as_str(), r.to.as_str()), ("2026-01-01T08:30:15.250Z", "2026-01-01T09:30:15.250Z"));
        // Every day of a few centuries round-trips.
        for day in (-400 * 366..400 * 366).step_by(17) {
            let (y, m, d) = civil(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
