//! client-go's `flowcontrol.Backoff` for one key, as the kubelet keeps it
//! per container (CrashLoopBackOff) and per image (ImagePullBackOff):
//! 10 s doubling to 5 min, forgotten once nothing failed for twice the cap.

use crate::time::{Millis, Time, SECOND};

const START: Millis = 10 * SECOND;
const MAX: Millis = 300 * SECOND;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Backoff {
    /// The current delay and when it was last stepped.
    entry: Option<(Millis, Time)>,
}

impl Backoff {
    /// Whether a failure at `since` still holds the next attempt back at `now`.
    pub fn holds(&self, since: Time, now: Time) -> bool {
        match self.entry {
            Some((delay, last)) => since.since(last) <= 2 * MAX && now.since(since) < delay,
            None => false,
        }
    }

    /// The delay now in force.
    pub fn delay(&self) -> Millis {
        self.entry.map_or(START, |(delay, _)| delay)
    }

    /// Steps the delay for a failure at `since`, the attempt made at `now`.
    pub fn next(&mut self, since: Time, now: Time) {
        let delay = match self.entry {
            Some((delay, last)) if since.since(last) <= 2 * MAX => (delay * 2).min(MAX),
            _ => START,
        };
        self.entry = Some((delay, now));
    }

    /// When an attempt held back since `since` may go ahead.
    pub fn until(&self, since: Time) -> Time {
        since.plus(self.delay())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_to_five_minutes_and_reset_after_ten() {
        let mut b = Backoff::default();
        let mut t = Time(0);
        assert!(!b.holds(t, t));
        let mut delays = Vec::new();
        for _ in 0..7 {
            b.next(t, t);
            delays.push(b.delay() / SECOND);
            t = t.plus(1);
            assert!(b.holds(t, t.plus(b.delay() - 1)) && !b.holds(t, t.plus(b.delay())));
        }
        assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300]);
        let later = t.plus(2 * MAX + 1);
        assert!(!b.holds(later, later));
        b.next(later, later);
        assert_eq!(b.delay(), START);
    }
}
