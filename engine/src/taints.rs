//! Which tolerations let a pod stay with a taint: shared by the scheduler
//! (may a pod go there?) and the taint-eviction controller (may it stay?).

use k8s_openapi::api::core::v1::{Taint, Toleration};

/// The tolerations that match `taint`.
pub fn tolerating<'a>(tolerations: &'a [Toleration], taint: &'a Taint) -> impl Iterator<Item = &'a Toleration> {
    tolerations.iter().filter(move |t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
        let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty()) || t.key.as_deref() == Some(taint.key.as_str());
        let value_ok = match t.operator.as_deref() {
            Some("Exists") => true,
            _ => t.value.as_deref().unwrap_or_default() == taint.value.as_deref().unwrap_or_default(),
        };
        effect_ok && key_ok && value_ok
    })
}
