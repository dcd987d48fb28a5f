//! Cron schedules as CronJobs take them: five fields (minute, hour, day of
//! month, month, day of week) with `*`, lists, ranges, steps and names, or
//! the `@hourly`-style macros. Times are UTC.

use crate::time::{Time, MINUTE};
use k8s_openapi::jiff::{civil, tz::TimeZone, Timestamp};

/// A parsed schedule: which values each field allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: Vec<bool>,
    months: Vec<bool>,
    weekdays: Vec<bool>,
    /// Both day fields restricted: either may match (cron's rule).
    either_day: bool,
}

const MONTHS: &[&str] = &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn field(text: &str, min: u32, max: u32, names: &[&str], name_base: u32) -> Result<(Vec<bool>, bool), String> {
    let mut allowed = vec![false; (max + 1) as usize];
    let mut restricted = true;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>().map_err(|_| {
                    format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax")
                })?,
            ),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("step of range should be a positive number: {part}"));
        }
        let value = |v: &str| -> Result<u32, String> {
            if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
                return Ok(i as u32 + name_base);
            }
            v.parse::<u32>()
                .map_err(|_| format!("failed to parse int from {v}: strconv.Atoi: parsing \"{v}\": invalid syntax"))
        };
        let (lo, hi) = if range == "*" || range == "?" {
            if step == 1 {
                restricted = false;
            }
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a)?, value(b)?)
        } else {
            let v = value(range)?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("end of range ({hi}) above maximum ({max}): {part}"));
        }
        let mut v = lo;
        while v <= hi {
            allowed[v as usize] = true;
            v += step;
        }
    }
    Ok((allowed, restricted))
}

impl Schedule {
    /// Parses a schedule, with robfig/cron's error wording.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let spec = match text.trim() {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = spec.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!("expected exactly 5 fields, found {}: {text}", fields.len()));
        }
        let (minutes, _) = field(fields[0], 0, 59, &[], 0)?;
        let (hours, _) = field(fields[1], 0, 23, &[], 0)?;
        let (days, days_restricted) = field(fields[2], 1, 31, &[], 0)?;
        let (months, _) = field(fields[3], 1, 12, MONTHS, 1)?;
        let (mut weekdays, weekdays_restricted) = field(fields[4], 0, 7, DAYS, 0)?;
        if weekdays[7] {
            weekdays[0] = true;
        }
        Ok(Schedule { minutes, hours, days, months, weekdays, either_day: days_restricted && weekdays_restricted })
    }

    fn matches(&self, dt: civil::DateTime) -> bool {
        let day = self.days[dt.day() as usize];
        let weekday = self.weekdays[dt.weekday().to_sunday_zero_offset() as usize];
        let day_ok = if self.either_day { day || weekday } else { day && weekday };
        self.minutes[dt.minute() as usize]
            && self.hours[dt.hour() as usize]
            && self.months[dt.month() as usize]
            && day_ok
    }

    /// The first scheduled minute strictly after `after`, within about five
    /// years (a schedule like `0 0 30 2 *` never fires).
    pub fn next_after(&self, after: Time) -> Option<Time> {
        let start = after.0.div_euclid(MINUTE) * MINUTE + MINUTE;
        let mut t = start;
        let limit = start + 5 * 366 * 24 * 60 * MINUTE;
        while t < limit {
            let ts = Timestamp::from_millisecond(t).ok()?;
            let dt = ts.to_zoned(TimeZone::UTC).datetime();
            if !self.months[dt.month() as usize] {
                // Skip to the first minute of the next month.
                let month_start = civil::DateTime::from_parts(dt.date().first_of_month(), civil::Time::midnight());
                let next_month = month_start.checked_add(k8s_openapi::jiff::Span::new().months(1)).ok()?;
                t = next_month.to_zoned(TimeZone::UTC).ok()?.timestamp().as_millisecond();
                continue;
            }
            if self.matches(dt) {
                return Some(Time(t));
            }
            t += MINUTE;
        }
        None
    }

    /// The latest scheduled minute in `(after, upto]`, if any.
    pub fn last_between(&self, after: Time, upto: Time) -> Option<Time> {
        let mut found = None;
        let mut t = after;
        while let Some(next) = self.next_after(t) {
            if next > upto {
                break;
            }
            found = Some(next);
            t = next;
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::EPOCH;

    fn at(s: &str) -> Time {
        Time(s.parse::<Timestamp>().map(|t| t.as_millisecond()).unwrap_or(0))
    }

    #[test]
    fn next_times() {
        // EPOCH is Thursday 2026-01-01T09:00:00Z.
        let cases = [
            ("*/5 * * * *", "2026-01-01T09:05:00Z"),
            ("* * * * *", "2026-01-01T09:01:00Z"),
            ("@hourly", "2026-01-01T10:00:00Z"),
            ("@daily", "2026-01-02T00:00:00Z"),
            ("30 8 * * mon-fri", "2026-01-02T08:30:00Z"),
            ("0 0 1 feb *", "2026-02-01T00:00:00Z"),
            ("15,45 9 * * *", "2026-01-01T09:15:00Z"),
            ("0 12 * * 0", "2026-01-04T12:00:00Z"),
            ("0 12 * * 7", "2026-01-04T12:00:00Z"),
        ];
        for (spec, want) in cases {
            let s = Schedule::parse(spec).expect("valid schedule");
            assert_eq!(s.next_after(EPOCH).map(|t| t.rfc3339()), Some(want.to_string()), "{spec}");
        }
        let every5 = Schedule::parse("*/5 * * * *").expect("valid");
        assert_eq!(every5.last_between(EPOCH, at("2026-01-01T09:17:30Z")), Some(at("2026-01-01T09:15:00Z")));
        assert_eq!(every5.last_between(EPOCH, at("2026-01-01T09:04:59Z")), None);
    }

    #[test]
    fn bad_schedules() {
        assert_eq!(Schedule::parse("bad").err().as_deref(), Some("expected exactly 5 fields, found 1: bad"));
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("*/0 * * * *").is_err());
        assert!(Schedule::parse("x * * * *").is_err());
    }
}
