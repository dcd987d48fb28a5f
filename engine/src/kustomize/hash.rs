//! The name suffix kubectl and kustomize give generated ConfigMaps and
//! Secrets, derived from their content so a change rolls the pods using it.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// JSON as Go's encoding/json writes it: HTML characters escaped.
pub(crate) fn go_escape(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// The ten-character suffix kubectl and kustomize derive from an object's
/// content: SHA-256 of its JSON with sorted keys, hex, with the letters
/// that could spell words swapped out.
pub(crate) fn content_hash(encoded: &Value) -> String {
    let json = go_escape(&encoded.to_string());
    let digest = Sha256::digest(json.as_bytes());
    digest
        .iter()
        .flat_map(|b| [b >> 4, b & 15])
        .take(10)
        .map(|n| match n {
            0 => 'g',
            1 => 'h',
            3 => 'k',
            10 => 'm',
            14 => 't',
            n => char::from_digit(u32::from(n), 16).unwrap_or('0'),
        })
        .collect()
}
