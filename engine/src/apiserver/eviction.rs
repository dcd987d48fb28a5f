//! The pod `eviction` subresource: a delete that asks the pod's
//! PodDisruptionBudget first, which is what `kubectl drain` uses.

use super::ApiServer;
use crate::api::{ApiError, Kind, Reason};
use crate::controllers::pods::ready_since;
use crate::labels::Selector;
use crate::object::Object;
use crate::time::Time;

impl ApiServer {
    /// Evicts a pod: refused with 429 while its budget allows no
    /// disruption; a pod that is not running yet, has finished or is
    /// already going needs no budget.
    pub fn evict(&mut self, namespace: &str, name: &str, grace: Option<i64>, now: Time) -> Result<(), ApiError> {
        let current = self.get(Kind::Pod, namespace, name)?;
        let Some(pod) = current.as_pod() else { return Err(ApiError::not_found("pods", name)) };
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
        let exempt = matches!(phase, "Succeeded" | "Failed" | "Pending") || pod.metadata.deletion_timestamp.is_some();
        if !exempt {
            self.charge_budget(namespace, pod.metadata.labels.as_ref(), ready_since(pod).is_some(), now)?;
        }
        self.delete(Kind::Pod, namespace, name, grace, now).map(|_| ())
    }

    /// Takes one allowed disruption from the budget covering the pod, or
    /// says why it cannot.
    fn charge_budget(
        &mut self,
        namespace: &str,
        labels: Option<&std::collections::BTreeMap<String, String>>,
        healthy: bool,
        now: Time,
    ) -> Result<(), ApiError> {
        let budgets: Vec<_> = self
            .store()
            .list(Kind::PodDisruptionBudget, Some(namespace))
            .filter(|o| {
                let selector = o.as_pdb().and_then(|p| p.spec.as_ref()).and_then(|s| s.selector.as_ref());
                selector.and_then(|s| Selector::from_api(s).ok()).is_some_and(|s| !s.is_empty() && s.matches(labels))
            })
            .cloned()
            .collect();
        let budget =
            match budgets.as_slice() {
                [] => return Ok(()),
                [one] => one,
                _ => return Err(ApiError::new(
                    Reason::InternalError,
                    "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                )),
            };
        let Some(pdb) = budget.as_pdb() else { return Ok(()) };
        let status = pdb.status.clone().unwrap_or_default();
        // An unhealthy pod does not count against a budget that is met.
        if !healthy && status.current_healthy >= status.desired_healthy {
            return Ok(());
        }
        if status.disruptions_allowed <= 0 {
            return Err(ApiError::new(
                Reason::TooManyRequests,
                "Cannot evict pod as it would violate the pod's disruption budget.",
            ));
        }
        let mut updated = pdb.clone();
        if let Some(s) = updated.status.as_mut() {
            s.disruptions_allowed -= 1;
        }
        self.update(Object::PodDisruptionBudget(Box::new(updated)), now).map(|_| ())
    }
}
