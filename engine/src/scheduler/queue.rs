//! The scheduling queue: activeQ (what to try next, by PrioritySort),
//! backoffQ (pods waiting out their back-off after a failure) and
//! unschedulablePods (pods that fit nowhere, parked until a cluster event
//! may have changed that, or for at most five minutes).
//!
//! Time is the cluster's virtual clock; the queue only says when it next
//! needs waking, and the cluster sets a timer for it.

use super::snapshot::PodKey;
use crate::time::{Millis, Time, EPOCH};
use rustc_hash::FxHashMap as HashMap;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap};

/// kube-scheduler's podInitialBackoffDuration and podMaxBackoffDuration.
pub const INITIAL_BACKOFF: Millis = 1_000;
pub const MAX_BACKOFF: Millis = 10_000;
/// podMaxInUnschedulablePodsDuration, checked by a flush every 30 s.
pub const MAX_UNSCHEDULABLE: Millis = 5 * 60 * 1_000;
pub const FLUSH_PERIOD: Millis = 30_000;

/// The back-off after `attempts` failed attempts: 1 s doubling to 10 s.
pub fn backoff(attempts: u32) -> Millis {
    let mut d = INITIAL_BACKOFF;
    for _ in 1..attempts {
        d = d.saturating_mul(2);
        if d >= MAX_BACKOFF {
            return MAX_BACKOFF;
        }
    }
    d.min(MAX_BACKOFF)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Active,
    Backoff,
    Unschedulable,
}

#[derive(Clone, Debug)]
struct Entry {
    place: Place,
    priority: i32,
    attempts: u32,
    /// When the last attempt failed.
    failed_at: Time,
    /// When it entered its current place.
    since: Time,
    /// Which heap entry is current (older ones are stale).
    seq: u64,
    /// Whether a newly placed pod may satisfy its pod affinity.
    wants_pods: bool,
}

/// activeQ order: higher priority first, then earlier, then FIFO.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Ready {
    priority: i32,
    since: Time,
    seq: u64,
    key: PodKey,
}

impl Ord for Ready {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority
            .cmp(&other.priority)
            .then_with(|| other.since.cmp(&self.since))
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Ready {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Queue {
    pods: HashMap<PodKey, Entry>,
    active: BinaryHeap<Ready>,
    backoff: BinaryHeap<Reverse<(Time, u64, PodKey)>>,
    /// unschedulablePods by when they were parked.
    parked: BTreeSet<(Time, PodKey)>,
    seq: u64,
}

impl Queue {
    /// A new pending pod.
    pub fn add(&mut self, key: PodKey, priority: i32, now: Time) {
        if self.pods.contains_key(&key) {
            return;
        }
        let entry = Entry {
            place: Place::Active,
            priority,
            attempts: 0,
            failed_at: now,
            since: now,
            seq: 0,
            wants_pods: false,
        };
        self.pods.insert(key.clone(), entry);
        self.activate(&key, now);
    }

    fn activate(&mut self, key: &PodKey, now: Time) {
        self.seq += 1;
        let Some(e) = self.pods.get_mut(key) else { return };
        if e.place == Place::Unschedulable {
            self.parked.remove(&(e.since, key.clone()));
        }
        e.place = Place::Active;
        e.since = now;
        e.seq = self.seq;
        self.active.push(Ready { priority: e.priority, since: now, seq: self.seq, key: key.clone() });
    }

    /// The next pod to try.
    pub fn pop(&mut self) -> Option<PodKey> {
        while let Some(r) = self.active.pop() {
            if self.pods.get(&r.key).is_some_and(|e| e.place == Place::Active && e.seq == r.seq) {
                return Some(r.key);
            }
        }
        None
    }

    /// Bound, deleted or no longer ours: forgotten.
    pub fn forget(&mut self, key: &PodKey) {
        if let Some(e) = self.pods.remove(key) {
            if e.place == Place::Unschedulable {
                self.parked.remove(&(e.since, key.clone()));
            }
        }
    }

    /// An attempt failed: parked until something changes.
    pub fn failed(&mut self, key: &PodKey, now: Time, wants_pods: bool) {
        let Some(e) = self.pods.get_mut(key) else { return };
        if e.place == Place::Unschedulable {
            self.parked.remove(&(e.since, key.clone()));
        }
        e.attempts += 1;
        e.failed_at = now;
        e.since = now;
        e.wants_pods = wants_pods;
        e.place = Place::Unschedulable;
        self.parked.insert((now, key.clone()));
    }

    /// Parked pods move on: to activeQ, or to backoffQ while backing off.
    fn release(&mut self, keys: Vec<PodKey>, now: Time) {
        for key in keys {
            let Some(e) = self.pods.get(&key) else { continue };
            let until = e.failed_at.plus(backoff(e.attempts));
            if until > now {
                self.seq += 1;
                let seq = self.seq;
                self.parked.remove(&(e.since, key.clone()));
                if let Some(e) = self.pods.get_mut(&key) {
                    e.place = Place::Backoff;
                    e.since = now;
                    e.seq = seq;
                }
                self.backoff.push(Reverse((until, seq, key)));
            } else {
                self.activate(&key, now);
            }
        }
    }

    fn parked(&self, keep: impl Fn(&Entry) -> bool) -> Vec<PodKey> {
        self.parked.iter().filter(|(_, k)| self.pods.get(k).is_some_and(&keep)).map(|(_, k)| k.clone()).collect()
    }

    /// A cluster event that may make any parked pod schedulable.
    pub fn move_all(&mut self, now: Time) {
        if self.parked.is_empty() {
            return;
        }
        let keys = self.parked(|_| true);
        self.release(keys, now);
    }

    /// A pod was placed: pods waiting for pod affinity may fit now.
    pub fn move_wanting_pods(&mut self, now: Time) {
        if self.parked.is_empty() {
            return;
        }
        let keys = self.parked(|e| e.wants_pods);
        self.release(keys, now);
    }

    /// Moves what is due: finished back-offs, and parked pods past the
    /// five minutes at a flush.
    pub fn tick(&mut self, now: Time) {
        while let Some(Reverse((until, seq, key))) = self.backoff.peek().cloned() {
            if until > now {
                break;
            }
            self.backoff.pop();
            if self.pods.get(&key).is_some_and(|e| e.place == Place::Backoff && e.seq == seq) {
                self.activate(&key, now);
            }
        }
        if !self.parked.is_empty() && flush_aligned(now) {
            let keys = self.parked(|e| now.0 - e.since.0 > MAX_UNSCHEDULABLE);
            self.release(keys, now);
        }
    }

    /// When the queue next needs waking.
    pub fn next_due(&self) -> Option<Time> {
        // A stale back-off entry only costs a wake-up with nothing to do.
        let backoff = self.backoff.peek().map(|Reverse((t, _, _))| *t);
        let flush = self.parked.first().map(|(since, _)| flush_after(*since));
        backoff.into_iter().chain(flush).min()
    }
}

fn flush_aligned(now: Time) -> bool {
    (now.0 - EPOCH.0).rem_euclid(FLUSH_PERIOD) == 0
}

/// The first periodic flush that finds a pod parked at `since` overdue.
pub fn flush_after(since: Time) -> Time {
    let overdue = since.0 + MAX_UNSCHEDULABLE + 1;
    let offset = (overdue - EPOCH.0).max(0);
    let periods = (offset + FLUSH_PERIOD - 1) / FLUSH_PERIOD;
    Time(EPOCH.0 + periods * FLUSH_PERIOD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> PodKey {
        ("default".into(), name.into())
    }

    #[test]
    fn backoff_doubles_to_ten_seconds() {
        let got: Vec<Millis> = (1..=6).map(backoff).collect();
        assert_eq!(got, vec![1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    }

    #[test]
    fn priority_then_arrival() {
        let mut q = Queue::default();
        q.add(key("low-first"), 0, EPOCH);
        q.add(key("high"), 100, EPOCH);
        q.add(key("low-second"), 0, EPOCH);
        let order: Vec<String> = std::iter::from_fn(|| q.pop()).map(|k| k.1).collect();
        assert_eq!(order, vec!["high", "low-first", "low-second"]);
    }

    #[test]
    fn failed_pods_wait_for_an_event_then_their_backoff() {
        let mut q = Queue::default();
        q.add(key("web"), 0, EPOCH);
        assert_eq!(q.pop(), Some(key("web")));
        q.failed(&key("web"), EPOCH, false);
        assert_eq!(q.pop(), None);
        // An event at once: still backing off for a second.
        q.move_all(EPOCH.plus(200));
        assert_eq!(q.pop(), None);
        assert_eq!(q.next_due(), Some(EPOCH.plus(1_000)));
        q.tick(EPOCH.plus(1_000));
        assert_eq!(q.pop(), Some(key("web")));
        // Second failure: an event after the 2 s back-off goes straight in.
        q.failed(&key("web"), EPOCH.plus(1_000), false);
        q.move_all(EPOCH.plus(3_000));
        assert_eq!(q.pop(), Some(key("web")));
    }

    #[test]
    fn parked_pods_are_flushed_after_five_minutes() {
        let mut q = Queue::default();
        q.add(key("web"), 0, EPOCH);
        q.pop();
        q.failed(&key("web"), EPOCH.plus(10_000), false);
        let due = flush_after(EPOCH.plus(10_000));
        assert_eq!(due, EPOCH.plus(330_000));
        assert_eq!(q.next_due(), Some(due));
        q.tick(EPOCH.plus(300_000));
        assert_eq!(q.pop(), None);
        q.tick(due);
        assert_eq!(q.pop(), Some(key("web")));
    }
}
