//! The calendar functions (`hour`, `day_of_week`, …), in UTC.

/// `name` applied to a Unix time in seconds.
pub fn apply(name: &str, seconds: f64) -> f64 {
    if !seconds.is_finite() {
        return f64::NAN;
    }
    let secs = seconds.trunc() as i64;
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    match name {
        "day_of_month" => d as f64,
        "day_of_week" => (days + 4).rem_euclid(7) as f64,
        "day_of_year" => (days - days_from_civil(y, 1, 1) + 1) as f64,
        "days_in_month" => days_in_month(y, m) as f64,
        "hour" => (of_day / 3600) as f64,
        "minute" => (of_day % 3600 / 60) as f64,
        "month" => m as f64,
        _ => y as f64,
    }
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1–12) of year `y`.
pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub(crate) fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day), proleptic Gregorian, to days since 1970-01-01.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -1, 0, 59, 10_957, 20_454, 2_932_896] {
            let (y, m, d) = civil(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // 2026-01-01T09:00:00Z, the playground's epoch: a Thursday.
        assert_eq!(apply("year", 1_767_258_000.0), 2026.0);
        assert_eq!(apply("hour", 1_767_258_000.0), 9.0);
        assert_eq!(apply("day_of_week", 1_767_258_000.0), 4.0);
        assert_eq!(apply("days_in_month", 951_782_400.0), 29.0);
    }
}
