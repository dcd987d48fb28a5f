//! ImageLocality: nodes that already hold the pod's images score higher,
//! each image's size scaled by how widely it is spread (so one node with a
//! common image does not attract everything).

use super::super::snapshot::{NodeInfo, Snapshot};
use k8s_openapi::api::core::v1::Pod;
use std::borrow::Cow;

pub const NAME: &str = "ImageLocality";
const MB: i64 = 1024 * 1024;
const MIN_THRESHOLD: i64 = 23 * MB;
const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

/// The pod's images as the snapshot knows them, and its threshold.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    /// (image id, nodes holding it), for images some node holds.
    images: Vec<(u32, u32)>,
    total_nodes: i64,
    max_threshold: i64,
}

/// kube-scheduler's only normalisation of a container's image: a tag.
pub(crate) fn normalized(image: &str) -> Cow<'_, str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') || last.contains(':') {
        Cow::Borrowed(image)
    } else {
        Cow::Owned(format!("{image}:latest"))
    }
}

pub(crate) fn pre_score(pod: &Pod, snapshot: &Snapshot) -> State {
    let Some(spec) = pod.spec.as_ref() else { return State::default() };
    let containers = spec.init_containers.iter().flatten().chain(&spec.containers);
    let count = spec.init_containers.as_ref().map_or(0, Vec::len) + spec.containers.len();
    let images = containers
        .filter_map(|c| c.image.as_deref())
        .filter_map(|i| snapshot.image_id(&normalized(i)))
        .map(|id| (id, snapshot.image_nodes.get(id as usize).copied().unwrap_or(0)))
        .collect();
    State { images, total_nodes: snapshot.order.len() as i64, max_threshold: MAX_CONTAINER_THRESHOLD * count as i64 }
}

/// Whether any node holds one of the pod's images (else every score is 0).
pub(crate) fn scores(state: &State) -> bool {
    !state.images.is_empty()
}

pub(crate) fn score(state: &State, node: &NodeInfo) -> i64 {
    if state.images.is_empty() {
        return 0;
    }
    let sum: i64 = state
        .images
        .iter()
        .filter_map(|(id, spread)| node.has_image(*id).map(|size| scaled(size, *spread as i64, state.total_nodes)))
        .sum();
    from_sum(sum, state.max_threshold)
}

fn scaled(size: i64, nodes_with: i64, total: i64) -> i64 {
    if total == 0 {
        return 0;
    }
    (size as f64 * (nodes_with as f64 / total as f64)) as i64
}

/// The score of a sum of scaled image sizes.
pub fn from_sum(sum: i64, max_threshold: i64) -> i64 {
    if max_threshold <= MIN_THRESHOLD {
        return 0;
    }
    let clamped = sum.clamp(MIN_THRESHOLD, max_threshold);
    100 * (clamped - MIN_THRESHOLD) / (max_threshold - MIN_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_table() {
        // (image size, nodes with it, total nodes, containers, want)
        let cases = [
            ("below the minimum", 10 * MB, 1, 1, 1, 0),
            ("250 MiB on every node", 250 * MB, 3, 3, 1, 23),
            ("250 MiB on one of three", 250 * MB, 1, 3, 1, 6),
            ("above the maximum", 2000 * MB, 1, 1, 1, 100),
            ("two containers raise the maximum", 1000 * MB, 1, 1, 2, 49),
        ];
        for (name, size, with, total, containers, want) in cases {
            let sum = scaled(size, with, total);
            assert_eq!(from_sum(sum, MAX_CONTAINER_THRESHOLD * containers), want, "{name}");
        }
    }

    #[test]
    fn names_get_a_tag() {
        assert_eq!(normalized("nginx"), "nginx:latest");
        assert_eq!(normalized("nginx:1.27"), "nginx:1.27");
        assert_eq!(normalized("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalized("nginx@sha256:abc"), "nginx@sha256:abc");
    }
}
