//! The image manager of one node: which images it has, the serial puller
//! (one pull at a time, so a second pod waits its turn, as the kubelet's
//! default `serializeImagePulls` does), and the pull policy.

use crate::runtime::images;
use crate::time::{Millis, Time};
use std::collections::BTreeSet;

/// A registry round trip that finds nothing new (a `:latest` image pulled
/// again, a tag that does not exist).
pub(super) const CHECK_MILLIS: Millis = 800;

#[derive(Clone, Debug, Default)]
pub(super) struct ImageStore {
    present: BTreeSet<String>,
    /// Images asked for and not yet there: a second pull of one finds its
    /// layers already fetched by the first.
    asked: BTreeSet<String>,
    /// When the puller is next free.
    free_at: Time,
}

/// A pull the puller has taken on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pull {
    pub requested: Time,
    pub done: Time,
    /// The time spent pulling, without the wait for the puller.
    pub took: Millis,
}

impl ImageStore {
    pub fn has(&self, image: &str) -> bool {
        self.present.contains(&images::normalize(image))
    }

    pub fn add(&mut self, image: &str) {
        let image = images::normalize(image);
        self.asked.remove(&image);
        self.present.insert(image);
    }

    pub fn extend(&mut self, names: impl IntoIterator<Item = String>) {
        self.present.extend(names.into_iter().map(|n| images::normalize(&n)));
    }

    /// Queues a pull of `image` at `now`.
    pub fn pull(&mut self, image: &str, now: Time) -> Pull {
        let fetched = !self.asked.insert(images::normalize(image));
        let took = if fetched || self.has(image) || images::resolve(image).is_err() {
            CHECK_MILLIS
        } else {
            images::pull_millis(image).max(CHECK_MILLIS)
        };
        let start = self.free_at.max(now);
        self.free_at = start.plus(took);
        Pull { requested: now, done: self.free_at, took }
    }
}

/// Whether the kubelet pulls `image` under `policy` when the node has it or
/// not; `None` when the policy forbids pulling an image it lacks.
pub(super) fn must_pull(policy: Option<&str>, image: &str, present: bool) -> Option<bool> {
    let policy = policy.map(str::to_string).unwrap_or_else(|| default_policy(image).to_string());
    match policy.as_str() {
        "Always" => Some(true),
        "Never" => present.then_some(false),
        _ => Some(!present),
    }
}

/// The API server's default: `Always` for `:latest` or no tag.
fn default_policy(image: &str) -> &'static str {
    match crate::apiserver::image_tag(image) {
        Some("latest") | None if !image.contains('@') => "Always",
        _ => "IfNotPresent",
    }
}
