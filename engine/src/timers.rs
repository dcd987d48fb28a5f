//! Work due at a point on the virtual clock. Components ask to be woken up
//! instead of polling, so idle parts of the cluster cost nothing per step.

use crate::time::Time;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Who to wake and about what.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A kubelet's pod worker has something due for one pod.
    PodWorker {
        /// The node whose kubelet runs the pod.
        node: String,
        /// The pod's namespace.
        namespace: String,
        /// The pod's name.
        name: String,
    },
    /// Every running kubelet renews its node's Lease.
    Heartbeat,
    /// Prometheus scrapes its targets; the exporters' counters move on.
    Scrape,
    /// The Alertmanager posts what is due to the chat.
    Post,
    /// The scheduler's queue: a back-off ends, or parked pods are flushed.
    Scheduler,
    /// A controller asked to look at a key again.
    Controller {
        /// Which controller (its place in the manager).
        index: usize,
        /// What to reconcile.
        key: crate::controllers::Key,
    },
}

/// A queue of timers ordered by due time, then by the order they were set,
/// so equal times fire deterministically.
#[derive(Clone, Debug, Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(Time, u64, Timer)>>,
    seq: u64,
}

impl Timers {
    /// Wakes `timer` at `due`.
    pub fn at(&mut self, due: Time, timer: Timer) {
        self.seq += 1;
        self.heap.push(Reverse((due, self.seq, timer)));
    }

    /// When the earliest timer is due.
    pub fn next_due(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse((due, _, _))| *due)
    }

    /// The earliest timer due at or before `limit`, removed from the queue.
    pub fn pop_due(&mut self, limit: Time) -> Option<(Time, Timer)> {
        let Reverse((due, _, _)) = self.heap.peek()?;
        if *due > limit {
            return None;
        }
        self.heap.pop().map(|Reverse((due, _, timer))| (due, timer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(name: &str) -> Timer {
        Timer::PodWorker { node: "w1".into(), namespace: "default".into(), name: name.into() }
    }

    #[test]
    fn fires_in_time_then_insertion_order() {
        let mut timers = Timers::default();
        timers.at(Time(20), worker("late"));
        timers.at(Time(10), worker("b"));
        timers.at(Time(10), worker("a"));
        assert_eq!(timers.pop_due(Time(5)), None);
        assert_eq!(timers.pop_due(Time(15)), Some((Time(10), worker("b"))));
        assert_eq!(timers.pop_due(Time(15)), Some((Time(10), worker("a"))));
        assert_eq!(timers.pop_due(Time(15)), None);
        assert_eq!(timers.pop_due(Time(20)), Some((Time(20), worker("late"))));
    }
}
