//! What the API server counts about the requests it serves, for its own
//! `/metrics` (`apiserver_request_total`, `apiserver_request_duration_seconds`).
//! Only writes pass through the API server here (reads go to the store), so
//! only writes are counted.

use crate::api::{ApiError, Kind, Reason};
use std::collections::BTreeMap;

/// The duration histogram's bucket bounds, in seconds, as the API server
/// defines them.
pub const BUCKETS: &[f64] = &[
    0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0,
    45.0, 60.0,
];

/// One request kind: verb, the resource's group, version and plural, scope,
/// and the response code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub verb: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    pub resource: &'static str,
    pub scope: &'static str,
    pub code: u16,
}

/// Counts and durations of one request kind.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub count: u64,
    /// Requests at or under each of [`BUCKETS`].
    pub buckets: Vec<u64>,
    pub sum: f64,
}

/// Every request served so far.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    tallies: BTreeMap<Key, Tally>,
}

impl Requests {
    /// Counts one request for `kind` with its outcome.
    pub fn record<T>(&mut self, verb: &'static str, kind: Kind, outcome: &Result<T, ApiError>) {
        let info = crate::api::info(kind);
        let code = match outcome {
            Ok(_) if verb == "POST" => 201,
            Ok(_) => 200,
            Err(e) => status(e.reason),
        };
        let key = Key {
            verb,
            group: info.group,
            version: info.version,
            resource: info.plural,
            scope: if info.namespaced { "resource" } else { "cluster" },
            code,
        };
        let tally = self.tallies.entry(key).or_default();
        tally.count += 1;
        // A write takes a few milliseconds, longer for the heavier verbs and
        // now and then much longer (etcd's fsync): a fixed spread replayed
        // from the count, so runs agree.
        let base = match verb {
            "DELETE" => 0.006,
            "POST" => 0.004,
            _ => 0.003,
        };
        let spread = [1.0, 1.3, 0.8, 2.1, 1.1, 0.9, 6.5, 1.2, 1.6, 0.7, 3.2, 1.0, 12.0, 1.4, 0.85, 1.05];
        let seconds = base * spread[(tally.count as usize * 7 + usize::from(code)) % spread.len()];
        tally.sum += seconds;
        if tally.buckets.len() != BUCKETS.len() {
            tally.buckets = vec![0; BUCKETS.len()];
        }
        for (n, le) in tally.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= *le {
                *n += 1;
            }
        }
    }

    /// Every request kind seen, with its tally.
    pub fn tallies(&self) -> impl Iterator<Item = (&Key, &Tally)> {
        self.tallies.iter()
    }
}

/// The HTTP status a failed request is answered with.
fn status(reason: Reason) -> u16 {
    match reason {
        Reason::NotFound => 404,
        Reason::AlreadyExists | Reason::Conflict => 409,
        Reason::Invalid => 422,
        Reason::Forbidden => 403,
        Reason::BadRequest => 400,
        Reason::TooManyRequests => 429,
        Reason::InternalError => 500,
    }
}
