//! What the horizontal pod autoscaler does with the replica count its
//! metrics propose before it scales (horizontal.go's normalizeDesiredReplicas
//! and normalizeDesiredReplicasWithBehaviors): stabilise it against recent
//! recommendations, limit how fast it may move, keep it within min and max,
//! and say why in the AbleToScale and ScalingLimited conditions.
//! [`History`] is what the controller remembers of one autoscaler: its
//! recent recommendations and, when it has a behavior, its scale events.

use crate::time::{Millis, Time, MINUTE, SECOND};
use k8s_openapi::api::autoscaling::v2::HPAScalingRules;

/// `--horizontal-pod-autoscaler-downscale-stabilization`.
pub const DOWNSCALE_STABILIZATION: Millis = 5 * MINUTE;

/// Without a behavior a scale-up may at most double the replicas, or reach
/// four, whichever is more.
const SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
const SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;

/// A reason and message for a condition.
pub type Why = (&'static str, &'static str);

const READY: Why = ("ReadyForNewScale", "recommended size matches current size");
const DOWN_STABILIZED: Why = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);
const UP_STABILIZED: Why = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
const WITHIN_RANGE: Why = ("DesiredWithinRange", "the desired count is within the acceptable range");
const UP_LIMIT: Why = ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate");
const DOWN_LIMIT: Why =
    ("ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate");
const TOO_MANY: Why = ("TooManyReplicas", "the desired replica count is more than the maximum replica count");
const TOO_FEW: Why = ("TooFewReplicas", "the desired replica count is less than the minimum replica count");

/// How a direction picks among its policies' limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// The policy allowing the biggest change.
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No change in this direction at all.
    Disabled,
}

/// A policy: at most `value` pods, or `value` percent, per `period` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub percent: bool,
    pub value: i32,
    pub period: i32,
}

/// One direction of a behavior, every field filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The stabilization window, in seconds.
    pub window: i32,
    pub select: Select,
    pub policies: Vec<Policy>,
}

impl Rules {
    /// A direction as the API server's defaulting leaves it (fields it did
    /// not fill take the same defaults here); a scale-down window left
    /// unset is the controller's downscale stabilization.
    pub fn from_api(rules: Option<&HPAScalingRules>, up: bool) -> Rules {
        let default_policies = if up {
            vec![Policy { percent: false, value: 4, period: 15 }, Policy { percent: true, value: 100, period: 15 }]
        } else {
            vec![Policy { percent: true, value: 100, period: 15 }]
        };
        let default_window = if up { 0 } else { (DOWNSCALE_STABILIZATION / SECOND) as i32 };
        let Some(rules) = rules else {
            return Rules { window: default_window, select: Select::Max, policies: default_policies };
        };
        let select = match rules.select_policy.as_deref() {
            Some("Min") => Select::Min,
            Some("Disabled") => Select::Disabled,
            _ => Select::Max,
        };
        let policies = match &rules.policies {
            Some(list) => list
                .iter()
                .filter(|p| p.type_ == "Pods" || p.type_ == "Percent")
                .map(|p| Policy { percent: p.type_ == "Percent", value: p.value, period: p.period_seconds })
                .collect(),
            None => default_policies,
        };
        Rules { window: rules.stabilization_window_seconds.unwrap_or(default_window), select, policies }
    }

    fn longest_period(&self) -> i32 {
        self.policies.iter().map(|p| p.period).max().unwrap_or(0)
    }
}

/// The replica count to scale to, and what the conditions say about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub replicas: i32,
    /// AbleToScale (True) reason and message.
    pub able: Why,
    /// Whether ScalingLimited is True, and its reason and message.
    pub limited: bool,
    pub limit: Why,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ScaleEvent {
    change: i32,
    at: Time,
    outdated: bool,
}

/// What the controller remembers about one autoscaler.
#[derive(Clone, Debug, Default)]
pub struct History {
    recommendations: Vec<(i32, Time)>,
    ups: Vec<ScaleEvent>,
    downs: Vec<ScaleEvent>,
}

impl History {
    /// The first sync remembers the current size as a recommendation, so a
    /// fresh controller does not scale down before a window has passed.
    pub fn record_initial(&mut self, current: i32, now: Time) {
        if self.recommendations.is_empty() {
            self.recommendations.push((current, now));
        }
    }

    /// Without a behavior: the highest recommendation of the last five
    /// minutes, at most double the current size (or four), within min and max.
    pub fn legacy(&mut self, now: Time, current: i32, desired: i32, min: i32, max: i32) -> Verdict {
        let stabilized = self.stabilize(now, desired);
        let able = if stabilized != desired { DOWN_STABILIZED } else { READY };
        let scale_up_limit = (SCALE_UP_LIMIT_FACTOR * f64::from(current)).max(SCALE_UP_LIMIT_MINIMUM) as i32;
        let (maximum, over) = if max > scale_up_limit { (scale_up_limit, UP_LIMIT) } else { (max, TOO_MANY) };
        let (replicas, limit) = if stabilized < min {
            (min, TOO_FEW)
        } else if stabilized > maximum {
            (maximum, over)
        } else {
            (stabilized, WITHIN_RANGE)
        };
        Verdict { replicas, able, limited: replicas != stabilized, limit }
    }

    /// Records `desired`, replacing the oldest-placed recommendation that
    /// has left the window, and returns the highest one still inside it.
    fn stabilize(&mut self, now: Time, desired: i32) -> i32 {
        let cutoff = now.plus(-DOWNSCALE_STABILIZATION);
        let mut highest = desired;
        let mut old = None;
        for (i, (recommendation, at)) in self.recommendations.iter().enumerate() {
            if *at < cutoff {
                old = Some(i);
            } else if *recommendation > highest {
                highest = *recommendation;
            }
        }
        self.record(old, desired, now);
        highest
    }

    fn record(&mut self, old: Option<usize>, desired: i32, now: Time) {
        match old.and_then(|i| self.recommendations.get_mut(i)) {
            Some(slot) => *slot = (desired, now),
            None => self.recommendations.push((desired, now)),
        }
    }

    /// With a behavior: each direction's stabilization window, then its
    /// policies' rate limits over recent scale events, then min and max.
    #[allow(clippy::too_many_arguments)]
    pub fn with_behavior(
        &mut self,
        now: Time,
        up: &Rules,
        down: &Rules,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
    ) -> Verdict {
        let (stabilized, moved) = self.stabilize_with(now, up, down, current, desired);
        let able = if stabilized != desired { moved } else { READY };
        let (replicas, limit) = self.rate_limit(now, up, down, current, stabilized, min, max);
        Verdict { replicas, able, limited: replicas != stabilized, limit }
    }

    fn stabilize_with(&mut self, now: Time, up: &Rules, down: &Rules, current: i32, desired: i32) -> (i32, Why) {
        let up_cutoff = now.plus(-i64::from(up.window) * SECOND);
        let down_cutoff = now.plus(-i64::from(down.window) * SECOND);
        let (mut lowest, mut highest) = (desired, desired);
        let mut old = None;
        for (i, (recommendation, at)) in self.recommendations.iter().enumerate() {
            if *at > up_cutoff {
                lowest = lowest.min(*recommendation);
            }
            if *at > down_cutoff {
                highest = highest.max(*recommendation);
            }
            if *at < up_cutoff && *at < down_cutoff {
                old = Some(i);
            }
        }
        let stabilized = current.max(lowest).min(highest);
        self.record(old, desired, now);
        (stabilized, if desired >= current { UP_STABILIZED } else { DOWN_STABILIZED })
    }

    #[allow(clippy::too_many_arguments)]
    fn rate_limit(
        &self,
        now: Time,
        up: &Rules,
        down: &Rules,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
    ) -> (i32, Why) {
        if desired > current {
            // Until old events age out, the limit cannot go below where we are.
            let limit = self.limit(now, up, current, true).max(current);
            let (maximum, why) = if max > limit { (limit, UP_LIMIT) } else { (max, TOO_MANY) };
            if desired > maximum {
                return (maximum, why);
            }
        } else if desired < current {
            let limit = self.limit(now, down, current, false).min(current);
            let (minimum, why) = if min < limit { (limit, DOWN_LIMIT) } else { (min, TOO_FEW) };
            if desired < minimum {
                return (minimum, why);
            }
        }
        (desired, WITHIN_RANGE)
    }

    /// The replicas at the start of a policy's period: now, less what was
    /// added within it, plus what was removed.
    fn period_start(&self, now: Time, period: i32, current: i32) -> i32 {
        let cutoff = now.plus(-i64::from(period) * SECOND);
        let within = |events: &[ScaleEvent]| events.iter().filter(|e| e.at > cutoff).map(|e| e.change).sum::<i32>();
        current - within(&self.ups) + within(&self.downs)
    }

    /// The most (scaling up) or least (scaling down) replicas the rules'
    /// policies allow now: each policy proposes from the start of its
    /// period, and selectPolicy picks the loosest (Max) or tightest (Min).
    fn limit(&self, now: Time, rules: &Rules, current: i32, up: bool) -> i32 {
        let loosest = match rules.select {
            Select::Disabled => return current,
            Select::Max => true,
            Select::Min => false,
        };
        // Up, the loosest limit is the highest; down, the lowest.
        let highest = loosest == up;
        let pick: fn(i32, i32) -> i32 = if highest { i32::max } else { i32::min };
        let mut limit = if highest { i32::MIN } else { i32::MAX };
        for policy in &rules.policies {
            let start = self.period_start(now, policy.period, current);
            let proposed = match (policy.percent, up) {
                // Rounded up, so a small target can always grow by one.
                (true, true) => (f64::from(start) * (1.0 + f64::from(policy.value) / 100.0)).ceil() as i32,
                (true, false) => (f64::from(start) * (1.0 - f64::from(policy.value) / 100.0)) as i32,
                (false, true) => start.saturating_add(policy.value),
                (false, false) => start.saturating_sub(policy.value),
            };
            limit = pick(limit, proposed);
        }
        limit
    }

    /// Remembers a rescale for the policies' periods (only with a
    /// behavior: the legacy path never reads them), reusing a slot that
    /// has aged out of the longest period.
    pub fn store_event(&mut self, rules: Option<(&Rules, &Rules)>, now: Time, previous: i32, new: i32) {
        let Some((up, down)) = rules else { return };
        let (events, longest, change) = if new > previous {
            (&mut self.ups, up.longest_period(), new - previous)
        } else {
            (&mut self.downs, down.longest_period(), previous - new)
        };
        let cutoff = now.plus(-i64::from(longest) * SECOND);
        for event in events.iter_mut() {
            if event.at < cutoff {
                event.outdated = true;
            }
        }
        let event = ScaleEvent { change, at: now, outdated: false };
        match events.iter().rposition(|e| e.outdated) {
            Some(i) => events[i] = event,
            None => events.push(event),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Time = Time(1_767_258_000_000);

    fn at(seconds: i64) -> Time {
        T0.plus(seconds * SECOND)
    }

    fn rules(window: i32, select: Select, policies: &[(bool, i32, i32)]) -> Rules {
        Rules {
            window,
            select,
            policies: policies.iter().map(|&(percent, value, period)| Policy { percent, value, period }).collect(),
        }
    }

    #[test]
    fn legacy_scale_down_waits_for_the_window() {
        let mut h = History::default();
        h.record_initial(10, at(0));
        // Every 15 s the metrics ask for 2; for five minutes the 10 holds.
        for s in (15..=300).step_by(15) {
            let v = h.legacy(at(s), 10, 2, 1, 10);
            assert_eq!(v.replicas, 10, "at {s}s");
            assert_eq!(v.able, DOWN_STABILIZED);
            assert!(!v.limited);
        }
        // The first recommendation is now older than the window.
        let v = h.legacy(at(315), 10, 2, 1, 10);
        assert_eq!((v.replicas, v.able, v.limit), (2, READY, WITHIN_RANGE));
    }

    #[test]
    fn legacy_takes_the_highest_recent_recommendation() {
        let mut h = History::default();
        h.record_initial(4, at(0));
        assert_eq!(h.legacy(at(15), 4, 7, 1, 10).replicas, 7);
        assert_eq!(h.legacy(at(30), 7, 5, 1, 10).replicas, 7);
        // A scale up is never held back by the window.
        assert_eq!(h.legacy(at(45), 7, 9, 1, 10).replicas, 9);
    }

    /// name, current, desired, min, max, replicas, limit, limited.
    type Row = (&'static str, i32, i32, i32, i32, i32, Why, bool);

    #[test]
    fn legacy_scale_up_limit_and_clamps() {
        let cases: &[Row] = &[
            ("four from one", 1, 5, 1, 10, 4, UP_LIMIT, true),
            ("double from three", 3, 9, 1, 10, 6, UP_LIMIT, true),
            ("max below the rate limit", 4, 9, 1, 6, 6, TOO_MANY, true),
            ("max equal to the rate limit", 4, 9, 1, 8, 8, TOO_MANY, true),
            ("below min", 3, 0, 2, 10, 2, TOO_FEW, true),
            ("within range", 3, 5, 1, 10, 5, WITHIN_RANGE, false),
            ("at max", 5, 10, 1, 10, 10, WITHIN_RANGE, false),
        ];
        for &(name, current, desired, min, max, want, why, limited) in cases {
            let mut h = History::default();
            let v = h.legacy(at(0), current, desired, min, max);
            assert_eq!((v.replicas, v.limit, v.limited), (want, why, limited), "{name}");
        }
    }

    #[test]
    fn behavior_defaults_match_the_api_server() {
        let up = Rules::from_api(None, true);
        assert_eq!(up, rules(0, Select::Max, &[(false, 4, 15), (true, 100, 15)]));
        let down = Rules::from_api(Some(&HPAScalingRules::default()), false);
        assert_eq!(down, rules(300, Select::Max, &[(true, 100, 15)]));
        let set = HPAScalingRules {
            select_policy: Some("Disabled".into()),
            stabilization_window_seconds: Some(60),
            policies: None,
        };
        assert_eq!(Rules::from_api(Some(&set), false), rules(60, Select::Disabled, &[(true, 100, 15)]));
    }

    #[test]
    fn behavior_policies_limit_each_period() {
        let down = Rules::from_api(None, false);
        let cases: &[(&str, Rules, i32, i32, i32, Why)] = &[
            // Default scale-up: 4 pods or 100% per 15 s, whichever is more.
            ("pods policy wins from one", Rules::from_api(None, true), 1, 20, 5, UP_LIMIT),
            ("percent policy wins from ten", Rules::from_api(None, true), 10, 50, 20, UP_LIMIT),
            (
                "min picks the smaller change",
                rules(0, Select::Min, &[(false, 4, 15), (true, 100, 15)]),
                10,
                50,
                14,
                UP_LIMIT,
            ),
            ("percent rounds up", rules(0, Select::Max, &[(true, 10, 60)]), 3, 9, 4, UP_LIMIT),
            ("max replicas below the rate", Rules::from_api(None, true), 10, 50, 12, TOO_MANY),
            ("disabled holds", rules(0, Select::Disabled, &[(false, 4, 15)]), 3, 9, 3, UP_LIMIT),
        ];
        for (name, up, current, desired, want, why) in cases {
            let mut h = History::default();
            let max = if *name == "max replicas below the rate" { 12 } else { 100 };
            let v = h.with_behavior(at(0), up, &down, *current, *desired, 1, max);
            assert_eq!((v.replicas, v.limit), (*want, *why), "{name}");
        }
    }

    #[test]
    fn behavior_counts_scale_events_within_the_period() {
        let up = rules(0, Select::Max, &[(false, 2, 60)]);
        let down = rules(0, Select::Max, &[(true, 50, 60)]);
        let both = Some((&up, &down));
        let mut h = History::default();
        // 2 → 4 at 0 s: the period allows two more pods from where it began.
        let v = h.with_behavior(at(0), &up, &down, 2, 10, 1, 20);
        assert_eq!(v.replicas, 4);
        h.store_event(both, at(0), 2, 4);
        // 30 s later the period still began at 2: no room.
        assert_eq!(h.with_behavior(at(30), &up, &down, 4, 10, 1, 20).replicas, 4);
        // Exactly a period later the event no longer counts.
        assert_eq!(h.with_behavior(at(60), &up, &down, 4, 10, 1, 20).replicas, 6);
        // Down by half per minute, truncated.
        let mut h = History::default();
        let v = h.with_behavior(at(0), &up, &down, 9, 1, 1, 20);
        assert_eq!((v.replicas, v.limit), (4, DOWN_LIMIT));
        h.store_event(both, at(0), 9, 4);
        // The removed pods count back in: the period began at 9.
        assert_eq!(h.with_behavior(at(20), &up, &down, 4, 1, 1, 20).replicas, 4);
        // A minimum above the policy's floor is the limit instead.
        let v = History::default().with_behavior(at(0), &up, &down, 9, 1, 6, 20);
        assert_eq!((v.replicas, v.limit), (6, TOO_FEW));
    }

    #[test]
    fn behavior_select_policy_for_scale_down() {
        let up = Rules::from_api(None, true);
        let policies = [(false, 1, 15), (true, 50, 15)];
        // From 10: one pod leaves 9, half leaves 5.
        let cases = [(Select::Max, 5), (Select::Min, 9), (Select::Disabled, 10)];
        for (select, want) in cases {
            let down = rules(0, select, &policies);
            let v = History::default().with_behavior(at(0), &up, &down, 10, 2, 1, 20);
            assert_eq!(v.replicas, want, "{select:?}");
        }
    }

    #[test]
    fn behavior_stabilization_windows() {
        let up = rules(60, Select::Max, &[(true, 100, 15)]);
        let down = rules(120, Select::Max, &[(true, 100, 15)]);
        let mut h = History::default();
        h.record_initial(5, at(0));
        // Up: the lowest recommendation of the last minute (the initial 5).
        let v = h.with_behavior(at(15), &up, &down, 5, 8, 1, 20);
        assert_eq!((v.replicas, v.able), (5, UP_STABILIZED));
        // Once the minute has passed the 8s stand alone.
        assert_eq!(h.with_behavior(at(75), &up, &down, 5, 8, 1, 20).replicas, 8);
        // Down: the highest of the last two minutes.
        let v = h.with_behavior(at(90), &up, &down, 8, 3, 1, 20);
        assert_eq!((v.replicas, v.able), (8, DOWN_STABILIZED));
        assert_eq!(h.with_behavior(at(200), &up, &down, 8, 3, 1, 20).replicas, 3);
    }

    #[test]
    fn scale_events_reuse_aged_slots() {
        let up = rules(0, Select::Max, &[(false, 4, 15)]);
        let down = Rules::from_api(None, false);
        let mut h = History::default();
        h.store_event(Some((&up, &down)), at(0), 1, 2);
        h.store_event(Some((&up, &down)), at(5), 2, 3);
        h.store_event(Some((&up, &down)), at(30), 3, 4);
        assert_eq!(h.ups.len(), 2, "the aged event's slot is reused");
        // Without a behavior nothing is kept.
        h.store_event(None, at(40), 4, 8);
        assert_eq!(h.ups.len(), 2);
    }
}
