//! The order the endpoint controllers put ports and subsets in is the order
//! of a hash of each struct as Go's spew library prints it (`%#v`, the
//! apimachinery hash config): MD5 for an Endpoints' ports and subsets,
//! FNV-128a for an EndpointSlice's ports. Reproducing the printing and the
//! hashes is the only way to list them as a real cluster does.

use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, ObjectReference};
use k8s_openapi::api::discovery::v1::EndpointPort as SlicePort;
use std::fmt::Write;

fn string_ptr(out: &mut String, value: Option<&str>) {
    match value {
        Some(v) => out.push_str(v),
        None => out.push_str("<nil>"),
    }
}

/// A core/v1 EndpointPort as spew prints it inside a struct (its own type
/// left to the caller).
fn port_fields(out: &mut String, p: &EndpointPort) {
    let _ = write!(
        out,
        "{{Name:(string){} Port:(int32){} Protocol:(v1.Protocol){} AppProtocol:(*string)",
        p.name.as_deref().unwrap_or_default(),
        p.port,
        p.protocol.as_deref().unwrap_or_default()
    );
    string_ptr(out, p.app_protocol.as_deref());
    out.push('}');
}

fn reference_fields(out: &mut String, r: &ObjectReference) {
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let _ = write!(
        out,
        "{{Kind:(string){} Namespace:(string){} Name:(string){} UID:(types.UID){} APIVersion:(string){} ResourceVersion:(string){} FieldPath:(string){}}}",
        field(&r.kind),
        field(&r.namespace),
        field(&r.name),
        field(&r.uid),
        field(&r.api_version),
        field(&r.resource_version),
        field(&r.field_path)
    );
}

fn address_fields(out: &mut String, a: &EndpointAddress) {
    let _ = write!(
        out,
        "{{IP:(string){} Hostname:(string){} NodeName:(*string)",
        a.ip,
        a.hostname.as_deref().unwrap_or_default()
    );
    string_ptr(out, a.node_name.as_deref());
    out.push_str(" TargetRef:(*v1.ObjectReference)");
    match &a.target_ref {
        Some(r) => reference_fields(out, r),
        None => out.push_str("<nil>"),
    }
    out.push('}');
}

/// A slice field: its type, then `<nil>` or the elements without their type.
fn list<T>(out: &mut String, type_name: &str, items: Option<&Vec<T>>, each: impl Fn(&mut String, &T)) {
    let _ = write!(out, "([]{type_name})");
    let Some(items) = items else {
        out.push_str("<nil>");
        return;
    };
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        each(out, item);
    }
    out.push(']');
}

/// `(v1.EndpointPort){Name:(string)dns Port:(int32)53 …}`
pub fn core_port(p: &EndpointPort) -> String {
    let mut out = String::from("(v1.EndpointPort)");
    port_fields(&mut out, p);
    out
}

/// `(v1.EndpointSubset){Addresses:([]v1.EndpointAddress)[…] …}`
pub fn core_subset(s: &EndpointSubset) -> String {
    let mut out = String::from("(v1.EndpointSubset){Addresses:");
    list(&mut out, "v1.EndpointAddress", s.addresses.as_ref(), address_fields);
    out.push_str(" NotReadyAddresses:");
    list(&mut out, "v1.EndpointAddress", s.not_ready_addresses.as_ref(), address_fields);
    out.push_str(" Ports:");
    list(&mut out, "v1.EndpointPort", s.ports.as_ref(), port_fields);
    out.push('}');
    out
}

/// `(v1.EndpointPort){Name:(*string)dns Protocol:(*v1.Protocol)UDP …}`
/// for discovery/v1, whose fields are all pointers.
pub fn slice_port(p: &SlicePort) -> String {
    let mut out = String::from("(v1.EndpointPort){Name:(*string)");
    string_ptr(&mut out, p.name.as_deref());
    out.push_str(" Protocol:(*v1.Protocol)");
    string_ptr(&mut out, p.protocol.as_deref());
    out.push_str(" Port:(*int32)");
    match p.port {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("<nil>"),
    }
    out.push_str(" AppProtocol:(*string)");
    string_ptr(&mut out, p.app_protocol.as_deref());
    out.push('}');
    out
}

/// RFC 1321 MD5.
pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    // floor(|sin(i + 1)| * 2^32), written out so no platform's sine can differ.
    const K: [u32; 64] = [
        0xd76a_a478,
        0xe8c7_b756,
        0x2420_70db,
        0xc1bd_ceee,
        0xf57c_0faf,
        0x4787_c62a,
        0xa830_4613,
        0xfd46_9501,
        0x6980_98d8,
        0x8b44_f7af,
        0xffff_5bb1,
        0x895c_d7be,
        0x6b90_1122,
        0xfd98_7193,
        0xa679_438e,
        0x49b4_0821,
        0xf61e_2562,
        0xc040_b340,
        0x265e_5a51,
        0xe9b6_c7aa,
        0xd62f_105d,
        0x0244_1453,
        0xd8a1_e681,
        0xe7d3_fbc8,
        0x21e1_cde6,
        0xc337_07d6,
        0xf4d5_0d87,
        0x455a_14ed,
        0xa9e3_e905,
        0xfcef_a3f8,
        0x676f_02d9,
        0x8d2a_4c8a,
        0xfffa_3942,
        0x8771_f681,
        0x6d9d_6122,
        0xfde5_380c,
        0xa4be_ea44,
        0x4bde_cfa9,
        0xf6bb_4b60,
        0xbebf_bc70,
        0x289b_7ec6,
        0xeaa1_27fa,
        0xd4ef_3085,
        0x0488_1d05,
        0xd9d4_d039,
        0xe6db_99e5,
        0x1fa2_7cf8,
        0xc4ac_5665,
        0xf429_2244,
        0x432a_ff97,
        0xab94_23a7,
        0xfc93_a039,
        0x655b_59c3,
        0x8f0c_cc92,
        0xffef_f47d,
        0x8584_5dd1,
        0x6fa8_7e4f,
        0xfe2c_e6e0,
        0xa301_4314,
        0x4e08_11a1,
        0xf753_7e82,
        0xbd3a_f235,
        0x2ad7_d2bb,
        0xeb86_d391,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_le_bytes());
    let mut state: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for chunk in message.chunks_exact(64) {
        let words: Vec<u32> = chunk.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let [mut a, mut b, mut c, mut d] = state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let rotated = a.wrapping_add(f).wrapping_add(K[i]).wrapping_add(words[g]).rotate_left(S[i]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(rotated);
        }
        state =
            [state[0].wrapping_add(a), state[1].wrapping_add(b), state[2].wrapping_add(c), state[3].wrapping_add(d)];
    }
    let mut out = [0u8; 16];
    for (i, word) in state.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
    }
    out
}

/// Go's `hash/fnv` 128-bit FNV-1a.
pub fn fnv128a(data: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    data.iter().fold(OFFSET, |h, b| (h ^ u128::from(*b)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hashes_match_their_published_vectors() {
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&md5(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        let long = b"12345678901234567890123456789012345678901234567890123456789012345678901234567890";
        assert_eq!(hex(&md5(long)), "57edf4a22be3c955ac49da2e2107b67a");
        assert_eq!(format!("{:032x}", fnv128a(b"")), "6c62272e07bb014262b821756295c58d");
        assert_eq!(format!("{:032x}", fnv128a(b"a")), "d228cb696f1a8caf78912b704e4a8964");
    }

    #[test]
    fn spew_prints_structs_with_their_types() {
        let port =
            EndpointPort { name: Some("dns".into()), port: 53, protocol: Some("UDP".into()), app_protocol: None };
        assert_eq!(
            core_port(&port),
            "(v1.EndpointPort){Name:(string)dns Port:(int32)53 Protocol:(v1.Protocol)UDP AppProtocol:(*string)<nil>}"
        );
        let subset = EndpointSubset {
            addresses: Some(vec![EndpointAddress {
                ip: "10.0.0.1".into(),
                node_name: Some("w1".into()),
                target_ref: Some(ObjectReference {
                    kind: Some("Pod".into()),
                    name: Some("web".into()),
                    namespace: Some("default".into()),
                    uid: Some("u".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            not_ready_addresses: None,
            ports: Some(vec![port]),
        };
        assert_eq!(
            core_subset(&subset),
            "(v1.EndpointSubset){Addresses:([]v1.EndpointAddress)[{IP:(string)10.0.0.1 Hostname:(string) NodeName:(*string)w1 TargetRef:(*v1.ObjectReference){Kind:(string)Pod Namespace:(string)default Name:(string)web UID:(types.UID)u APIVersion:(string) ResourceVersion:(string) FieldPath:(string)}}] NotReadyAddresses:([]v1.EndpointAddress)<nil> Ports:([]v1.EndpointPort)[{Name:(string)dns Port:(int32)53 Protocol:(v1.Protocol)UDP AppProtocol:(*string)<nil>}]}"
        );
    }
}
