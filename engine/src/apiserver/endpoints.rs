//! Defaulting and validation of Endpoints and EndpointSlices, which users
//! write by hand for Services without a selector (core and discovery
//! validation, in the API server's words).

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, Endpoints};
use k8s_openapi::api::discovery::v1::EndpointSlice;

const PROTOCOLS: &str = "\"SCTP\", \"TCP\", \"UDP\"";

/// Ports without a protocol are TCP; a slice's unnamed ports are named "".
pub fn defaults(endpoints: Option<&mut Endpoints>, slice: Option<&mut EndpointSlice>) {
    if let Some(ep) = endpoints {
        for port in ep.subsets.iter_mut().flatten().flat_map(|s| s.ports.iter_mut().flatten()) {
            port.protocol.get_or_insert_with(|| "TCP".into());
        }
    }
    if let Some(slice) = slice {
        for port in slice.ports.iter_mut().flatten() {
            port.name.get_or_insert_with(String::new);
            port.protocol.get_or_insert_with(|| "TCP".into());
        }
    }
}

/// An IP address of either family.
fn parse_ip(text: &str) -> Option<std::net::IpAddr> {
    text.parse().ok()
}

/// The addresses no endpoint may have (ValidateNonSpecialIP).
fn special(path: &str, text: &str, causes: &mut Vec<String>) {
    let Some(ip) = parse_ip(text) else {
        causes.push(format!("{path}: Invalid value: {text:?}: must be a valid IP address"));
        return;
    };
    let (unspecified, loopback, link_local, link_local_multicast) = match ip {
        std::net::IpAddr::V4(v4) => {
            let o = v4.octets();
            (v4.is_unspecified(), v4.is_loopback(), v4.is_link_local(), o[0] == 224 && o[1] == 0 && o[2] == 0)
        }
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            (v6.is_unspecified(), v6.is_loopback(), s[0] & 0xffc0 == 0xfe80, s[0] & 0xff0f == 0xff02)
        }
    };
    if unspecified {
        causes.push(format!("{path}: Invalid value: {text:?}: may not be unspecified ({text})"));
    }
    if loopback {
        causes
            .push(format!("{path}: Invalid value: {text:?}: may not be in the loopback range (127.0.0.0/8, ::1/128)"));
    }
    if link_local {
        causes.push(format!(
            "{path}: Invalid value: {text:?}: may not be in the link-local range (169.254.0.0/16, fe80::/10)"
        ));
    }
    if link_local_multicast {
        causes.push(format!(
            "{path}: Invalid value: {text:?}: may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
        ));
    }
}

fn address(path: &str, a: &EndpointAddress, causes: &mut Vec<String>) {
    if parse_ip(&a.ip).is_none() {
        causes.push(format!(
            "{path}.ip: Invalid value: {:?}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            a.ip
        ));
    }
    special(&format!("{path}.ip"), &a.ip, causes);
}

fn port_number(path: &str, port: i32, causes: &mut Vec<String>) {
    if !(1..=65535).contains(&port) {
        causes.push(format!("{path}: Invalid value: {port}: must be between 1 and 65535, inclusive"));
    }
}

fn protocol(path: &str, protocol: Option<&str>, causes: &mut Vec<String>) {
    match protocol {
        None | Some("") => causes.push(format!("{path}: Required value")),
        Some(p) if !["TCP", "UDP", "SCTP"].contains(&p) => {
            causes.push(format!("{path}: Unsupported value: {p:?}: supported values: {PROTOCOLS}"))
        }
        Some(_) => {}
    }
}

fn port(path: &str, p: &EndpointPort, named: bool, causes: &mut Vec<String>) {
    if named && p.name.as_deref().unwrap_or_default().is_empty() {
        causes.push(format!("{path}.name: Required value"));
    }
    port_number(&format!("{path}.port"), p.port, causes);
    protocol(&format!("{path}.protocol"), p.protocol.as_deref(), causes);
}

/// What is wrong with an Endpoints object.
pub fn validate_endpoints(ep: &Endpoints, causes: &mut Vec<String>) {
    for (i, subset) in ep.subsets.iter().flatten().enumerate() {
        let at = format!("subsets[{i}]");
        let ready = subset.addresses.as_deref().unwrap_or_default();
        let not_ready = subset.not_ready_addresses.as_deref().unwrap_or_default();
        if ready.is_empty() && not_ready.is_empty() {
            causes.push(format!("{at}: Required value: must specify `addresses` or `notReadyAddresses`"));
        }
        for (j, a) in ready.iter().enumerate() {
            address(&format!("{at}.addresses[{j}]"), a, causes);
        }
        for (j, a) in not_ready.iter().enumerate() {
            address(&format!("{at}.notReadyAddresses[{j}]"), a, causes);
        }
        let ports = subset.ports.as_deref().unwrap_or_default();
        for (j, p) in ports.iter().enumerate() {
            port(&format!("{at}.ports[{j}]"), p, ports.len() > 1, causes);
        }
    }
}

/// What is wrong with an EndpointSlice.
pub fn validate_slice(slice: &EndpointSlice, causes: &mut Vec<String>) {
    let family = slice.address_type.as_str();
    match family {
        "" => causes.push("addressType: Required value".into()),
        "IPv4" | "IPv6" | "FQDN" => {}
        other => causes
            .push(format!("addressType: Unsupported value: {other:?}: supported values: \"FQDN\", \"IPv4\", \"IPv6\"")),
    }
    for (i, e) in slice.endpoints.iter().enumerate() {
        let at = format!("endpoints[{i}].addresses");
        if e.addresses.is_empty() {
            causes.push(format!("{at}: Required value: must contain at least 1 address"));
        }
        for (j, a) in e.addresses.iter().enumerate() {
            let path = format!("{at}[{j}]");
            let fits = match (family, parse_ip(a)) {
                ("IPv4", Some(std::net::IpAddr::V4(_))) | ("IPv6", Some(std::net::IpAddr::V6(_))) => true,
                ("IPv4" | "IPv6", _) => false,
                _ => continue,
            };
            if !fits {
                causes.push(format!("{path}: Invalid value: {a:?}: must be a valid {family} address"));
            }
            special(&path, a, causes);
        }
    }
    for (i, p) in slice.ports.iter().flatten().enumerate() {
        if let Some(n) = p.port {
            port_number(&format!("ports[{i}].port"), n, causes);
        }
        protocol(&format!("ports[{i}].protocol"), p.protocol.as_deref(), causes);
    }
}
