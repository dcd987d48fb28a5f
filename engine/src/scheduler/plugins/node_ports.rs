//! NodePorts: a host port can be taken once per node (per protocol and
//! address, the wildcard address clashing with every other).

use super::super::framework::{Code, Status};
use super::super::snapshot::{HostPort, NodeInfo};

pub const NAME: &str = "NodePorts";
pub const REASON: &str = "node(s) didn't have free ports for the requested pod ports";

pub(crate) fn fits(wanted: &[HostPort], used: &[HostPort]) -> bool {
    !wanted.iter().any(|w| used.iter().any(|u| w.conflicts(u)))
}

// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
pub(crate) fn filter(wanted: &[HostPort], node: &NodeInfo) -> Option<Status> {
    if wanted.is_empty() || fits(wanted, &node.ports) {
        return None;
    }
    Some(Status::new(NAME, Code::Unschedulable, vec![REASON.into()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(protocol: &str, ip: &str, port: i32) -> HostPort {
        HostPort { protocol: protocol.into(), ip: ip.into(), port }
    }

    #[test]
    fn conflicts_table() {
        let cases = [
            ("same port", port("TCP", "", 80), port("TCP", "", 80), false),
            ("other port", port("TCP", "", 80), port("TCP", "", 81), true),
            ("other protocol", port("UDP", "", 80), port("TCP", "", 80), true),
            ("wildcard against an address", port("TCP", "0.0.0.0", 80), port("TCP", "10.0.0.1", 80), false),
            ("two addresses", port("TCP", "10.0.0.2", 80), port("TCP", "10.0.0.1", 80), true),
        ];
        for (name, want, used, ok) in cases {
            assert_eq!(fits(&[want], &[used]), ok, "{name}");
        }
    }
}
