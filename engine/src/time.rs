//! The virtual clock's units. The engine never reads the wall clock: every
//! timestamp it writes comes from [`Time`] values the cluster hands out, which
//! is what makes a scenario replay byte for byte.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as K8sTime;
use k8s_openapi::jiff::Timestamp;

/// Milliseconds; the engine's unit of elapsed time.
pub type Millis = i64;

/// One second in [`Millis`].
pub const SECOND: Millis = 1_000;
/// One minute in [`Millis`].
pub const MINUTE: Millis = 60 * SECOND;
/// One hour in [`Millis`].
pub const HOUR: Millis = 60 * MINUTE;

/// A point on the virtual clock: milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub i64);

/// Where every cluster's clock starts: a fixed date, so PromQL times, `-o yaml`
/// timestamps and exported metrics are the same on every run.
pub const EPOCH: Time = Time(1_767_258_000_000); // 2026-01-01T09:00:00Z

/// The longest one command may make simulated time run (`sleep`, `wait`,
/// `drain`, `run --attach`): a week.
pub const MAX_WAIT: Millis = 7 * 24 * HOUR;

impl Time {
    /// This time moved forward by `ms`.
    pub fn plus(self, ms: Millis) -> Time {
        Time(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (negative when `earlier` is later).
    pub fn since(self, earlier: Time) -> Millis {
        self.0.saturating_sub(earlier.0)
    }

    /// As the Kubernetes API's timestamp type (second precision, like the API server).
    pub fn to_k8s(self) -> K8sTime {
        let secs = self.0.div_euclid(SECOND);
        K8sTime(Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    /// From the Kubernetes API's timestamp type.
    pub fn from_k8s(t: &K8sTime) -> Time {
        Time(t.0.as_millisecond())
    }

    /// klog's header time, `MMDD hh:mm:ss.uuuuuu` (the lab's clocks are UTC).
    pub fn klog(self) -> String {
        let ts = self.to_k8s().0;
        let date = k8s_openapi::jiff::fmt::strtime::format("%m%d %H:%M:%S", ts).unwrap_or_default();
        format!("{date}.{:06}", self.0.rem_euclid(SECOND) * 1000)
    }

    /// RFC 3339 with second precision, as the API server writes timestamps.
    pub fn rfc3339(self) -> String {
        let ts = self.to_k8s().0;
        k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%dT%H:%M:%SZ", ts).unwrap_or_default()
    }
}

/// Go's `time.Duration.String()` to the millisecond: `4.5s`, `2m0.25s`.
pub fn go_duration(ms: Millis) -> String {
    if (1..1_000).contains(&ms) {
        return format!("{ms}ms");
    }
    let (h, m, s, milli) = (ms / 3_600_000, (ms / 60_000) % 60, (ms / 1_000) % 60, ms % 1_000);
    let seconds =
        if milli == 0 { format!("{s}s") } else { format!("{s}.{}s", format!("{milli:03}").trim_end_matches('0')) };
    match (h, m) {
        (0, 0) => seconds,
        (0, _) => format!("{m}m{seconds}"),
        _ => format!("{h}h{m}m{seconds}"),
    }
}

/// Parses a duration the way the playground's `sleep` and kubectl's duration
/// flags accept it: a bare number of seconds (`30`, `1.5`), or Go-style units
/// (`500ms`, `20s`, `5m`, `1h30m`, `2d`). `None` for anything else.
pub fn parse_duration(text: &str) -> Option<Millis> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(secs) = text.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| (secs * SECOND as f64).round() as Millis);
    }
    let mut total: f64 = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => SECOND as f64,
            "m" => MINUTE as f64,
            "h" => HOUR as f64,
            "d" => 24.0 * HOUR as f64,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * unit;
    }
    Some(total.round() as Millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_as_go_prints_them() {
        for (ms, text) in
            [(20_000, "20s"), (60_000, "1m0s"), (3_600_000, "1h0m0s"), (4_500, "4.5s"), (120_250, "2m0.25s")]
        {
            assert_eq!(go_duration(ms), text);
        }
    }

    #[test]
    fn epoch_prints_as_the_api_server_would() {
        assert_eq!(EPOCH.rfc3339(), "2026-01-01T09:00:00Z");
        assert_eq!(EPOCH.plus(1_999).rfc3339(), "2026-01-01T09:00:01Z");
        assert_eq!(Time::from_k8s(&EPOCH.to_k8s()), EPOCH);
    }

    #[test]
    fn durations() {
        let cases: &[(&str, Option<Millis>)] = &[
            ("30", Some(30 * SECOND)),
            ("1.5", Some(1_500)),
            ("20s", Some(20 * SECOND)),
            ("5m", Some(5 * MINUTE)),
            ("1h30m", Some(90 * MINUTE)),
            ("250ms", Some(250)),
            ("2d", Some(48 * HOUR)),
            ("", None),
            ("-3", None),
            ("5x", None),
            ("m", None),
            ("1.2.3s", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration(text), *want, "{text:?}");
        }
    }
}
