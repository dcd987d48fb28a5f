//! A MetalLB IPAddressPool: the IPv4 addresses it may hand out, in order,
//! from the ranges (`a-b`), CIDRs and single addresses a preset lists.

use crate::scenario::PresetMetalLb;

/// A named pool of IPv4 addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressPool {
    name: String,
    /// Inclusive ranges, as listed.
    ranges: Vec<(u32, u32)>,
}

/// An IPv4 address as a number.
pub fn parse_ipv4(text: &str) -> Option<u32> {
    let octets: Vec<u8> = text.trim().split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else { return None };
    Some(u32::from_be_bytes([a, b, c, d]))
}

/// A number as an IPv4 address.
pub fn format_ipv4(ip: u32) -> String {
    let [a, b, c, d] = ip.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

fn range(entry: &str) -> Option<(u32, u32)> {
    if let Some((from, to)) = entry.split_once('-') {
        let (from, to) = (parse_ipv4(from)?, parse_ipv4(to)?);
        return (from <= to).then_some((from, to));
    }
    if let Some((base, bits)) = entry.split_once('/') {
        let bits: u32 = bits.trim().parse().ok().filter(|b| *b <= 32)?;
        let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
        let first = parse_ipv4(base)? & mask;
        return Some((first, first | !mask));
    }
    parse_ipv4(entry).map(|ip| (ip, ip))
}

impl AddressPool {
    /// The preset's pool; entries that are not addresses are left out (the
    /// bundled presets are checked to have none).
    pub fn new(spec: &PresetMetalLb) -> AddressPool {
        AddressPool { name: spec.pool.clone(), ranges: spec.addresses.iter().filter_map(|e| range(e)).collect() }
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many addresses it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.ranges.iter().map(|(a, b)| (b - a) as usize + 1).sum()
    }

    /// Whether `ip` is one of its addresses.
    pub fn contains(&self, ip: u32) -> bool {
        self.ranges.iter().any(|(a, b)| (*a..=*b).contains(&ip))
    }

    /// Its addresses in the order MetalLB tries them.
    pub fn addresses(&self) -> impl Iterator<Item = u32> + '_ {
        self.ranges.iter().flat_map(|(a, b)| *a..=*b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(entries: &[&str]) -> AddressPool {
        AddressPool::new(&PresetMetalLb {
            pool: "p".into(),
            addresses: entries.iter().map(|e| e.to_string()).collect(),
        })
    }

    #[test]
    fn ranges_cidrs_and_single_addresses() {
        let p = pool(&["192.168.1.11-192.168.1.13", "10.0.0.0/30", "172.16.0.9", "nonsense"]);
        assert_eq!(p.len(), 8);
        let all: Vec<String> = p.addresses().map(format_ipv4).collect();
        assert_eq!(all[..4], ["192.168.1.11", "192.168.1.12", "192.168.1.13", "10.0.0.0"]);
        assert!(p.contains(parse_ipv4("10.0.0.3").unwrap_or_default()));
        assert!(!p.contains(parse_ipv4("192.168.1.14").unwrap_or_default()));
        assert_eq!(parse_ipv4("1.2.3"), None);
        assert_eq!(parse_ipv4("1.2.3.400"), None);
    }
}
