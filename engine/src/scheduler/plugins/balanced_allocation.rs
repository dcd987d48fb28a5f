//! NodeResourcesBalancedAllocation: nodes whose cpu and memory would be
//! used in similar fractions score higher. Uses actual requests, and skips
//! best-effort pods, which would not change the balance.

use super::super::snapshot::NodeInfo;
use super::node_resources_fit::Resources;

pub const NAME: &str = "NodeResourcesBalancedAllocation";

/// Whether the plugin scores the pod at all.
pub(crate) fn applies(request: &Resources) -> bool {
    request.cpu > 0 || request.memory > 0
}

pub(crate) fn score(request: &Resources, node: &NodeInfo) -> i64 {
    let fraction = |used: i64, want: i64, cap: i64| (cap > 0).then(|| ((used + want) as f64 / cap as f64).min(1.0));
    let cpu = fraction(node.requested.cpu, request.cpu, node.allocatable.cpu);
    let memory = fraction(node.requested.memory, request.memory, node.allocatable.memory);
    match (cpu, memory) {
        (Some(c), Some(m)) => from_fractions(&[c, m]),
        (Some(f), None) | (None, Some(f)) => from_fractions(&[f]),
        (None, None) => from_fractions(&[]),
    }
}

/// `(1 - std) * 100` truncated: half the difference for two resources,
/// the population standard deviation for more.
pub fn from_fractions(fractions: &[f64]) -> i64 {
    let std = match fractions.len() {
        0 | 1 => 0.0,
        2 => (fractions[0] - fractions[1]).abs() / 2.0,
        n => {
            let mean = fractions.iter().sum::<f64>() / n as f64;
            (fractions.iter().map(|f| (f - mean) * (f - mean)).sum::<f64>() / n as f64).sqrt()
        }
    };
    ((1.0 - std) * 100.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_table() {
        let cases: [(&str, &[f64], i64); 5] = [
            ("the reference's example", &[0.75, 0.5], 87),
            ("balanced", &[0.5, 0.5], 100),
            ("one full, one empty", &[1.0, 0.0], 50),
            ("one resource", &[0.3], 100),
            ("three resources", &[0.2, 0.5, 0.8], 75),
        ];
        for (name, fractions, want) in cases {
            assert_eq!(from_fractions(fractions), want, "{name}");
        }
    }
}
