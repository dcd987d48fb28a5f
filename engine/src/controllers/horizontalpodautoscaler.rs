//! The horizontal pod autoscaler controller (horizontal.go): every 15
//! seconds per HorizontalPodAutoscaler it reads the target's scale, asks
//! each metric for a replica count (`replicacalculator`), takes the highest,
//! stabilises and limits it (`hpanormalize`), writes the target's replicas
//! as the scale subresource would and the autoscaler's status, and reports
//! with the real controller's conditions and Events.

use super::hpametrics;
use super::hpanormalize::{History, Rules, Verdict};
use super::replicacalculator::{
    total, Calculator, Phase, PodState, Readiness, Samples, Tolerances, CPU_INITIALIZATION_PERIOD,
    INITIAL_READINESS_DELAY,
};
use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::{Kind, ResourceInfo, RESOURCES};
use crate::apiserver::PatchType;
use crate::events::Source;
use crate::labels::{BadOperator, Selector};
use crate::object::Object;
use crate::quantity::{self, Amount};
use crate::store::{Change, ChangeType, Store};
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricStatus, CrossVersionObjectReference, ExternalMetricStatus, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus, MetricTarget,
    MetricValueStatus, ObjectMetricStatus, PodsMetricStatus, ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;
use std::sync::Arc;

const SOURCE: Source = Source { component: "horizontal-pod-autoscaler", host: None };

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD: Millis = 15 * SECOND;

#[derive(Debug, Default)]
pub struct HorizontalPodAutoscalerController {
    // Recommendations and scale events by namespace and name. Kubernetes
    // keeps them in the controller's memory too, so a restarted
    // kube-controller-manager starts each autoscaler afresh (its first sync
    // records the current size, which holds off a scale-down for one
    // window). Cloning a `Manager` builds fresh controllers, which is that
    // restart: the clone forgets this, as a real cluster would.
    history: BTreeMap<(String, String), History>,
}

impl Controller for HorizontalPodAutoscalerController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        // The real controller queues every change with the sync period as
        // its delay, and a queued key absorbs later ones: the autoscaler is
        // looked at on its own beat, one period after it was made, so only
        // its creation starts anything.
        if change.change == ChangeType::Added && matches!(&*change.object, Object::HorizontalPodAutoscaler(_)) {
            queue.push(key_of(&change.object));
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let (namespace, name) = (key.1.clone(), key.2.clone());
        let Ok(object) = ctx.api.get(Kind::HorizontalPodAutoscaler, &namespace, &name) else {
            self.history.remove(&(namespace, name));
            return Action::AwaitChange;
        };
        let Object::HorizontalPodAutoscaler(hpa) = &*object else { return Action::AwaitChange };
        if let Some(wait) = until_due(hpa, ctx.now) {
            return Action::RequeueAfter(wait);
        }
        let history = self.history.entry((namespace, name)).or_default();
        let mut sync =
            Sync { ctx, object: object.clone(), hpa, status: hpa.status.clone().unwrap_or_default(), history };
        sync.run();
        Action::RequeueAfter(SYNC_PERIOD)
    }
}

/// How long until the autoscaler's next sync, if now is not one: syncs
/// fall every period after its creation. A wake-up between them (a timer
/// left by an earlier autoscaler of the same name) moves back onto the beat.
fn until_due(hpa: &HorizontalPodAutoscaler, now: Time) -> Option<Millis> {
    let created = hpa.metadata.creation_timestamp.as_ref().map_or(now, Time::from_k8s);
    let since = now.since(created);
    if since < SYNC_PERIOD {
        return Some(SYNC_PERIOD - since);
    }
    let off = since % SYNC_PERIOD;
    (off != 0).then_some(SYNC_PERIOD - off)
}

/// The scale subresource of the target: its replicas and selector.
struct Scale {
    object: Arc<Object>,
    info: &'static ResourceInfo,
    replicas: i32,
    status_replicas: i32,
    selector: Option<LabelSelector>,
}

/// Reads the target's scale as the scale client would, failing in its words.
fn scale_of(store: &Store, namespace: &str, target: &CrossVersionObjectReference) -> Result<Scale, String> {
    let group = match target.api_version.as_deref().unwrap_or_default() {
        "" | "/" => "",
        v => match v.matches('/').count() {
            0 => "",
            1 => v.split('/').next().unwrap_or_default(),
            _ => return Err(format!("unexpected GroupVersion string: {v}")),
        },
    };
    let info = RESOURCES
        .iter()
        .find(|r| r.kind_name == target.kind && r.group == group)
        .ok_or_else(|| format!("no matches for kind \"{}\" in group \"{group}\"", target.kind))?;
    if !matches!(info.kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::ReplicationController) {
        return Err("the server could not find the requested resource".into());
    }
    let Some(object) = store.get(info.kind, namespace, &target.name).cloned() else {
        let resource =
            if group.is_empty() { format!("{}/scale", info.plural) } else { format!("{}/scale.{group}", info.plural) };
        return Err(format!("{resource} \"{}\" not found", target.name));
    };
    let (replicas, status_replicas, selector) = match &*object {
        Object::Deployment(d) => {
            let spec = d.spec.as_ref();
            (
                spec.and_then(|s| s.replicas),
                d.status.as_ref().and_then(|s| s.replicas),
                spec.map(|s| s.selector.clone()),
            )
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.as_ref();
            (spec.and_then(|s| s.replicas), rs.status.as_ref().map(|s| s.replicas), spec.map(|s| s.selector.clone()))
        }
        Object::StatefulSet(ss) => {
            let spec = ss.spec.as_ref();
            (spec.and_then(|s| s.replicas), ss.status.as_ref().map(|s| s.replicas), spec.map(|s| s.selector.clone()))
        }
        Object::ReplicationController(rc) => {
            let spec = rc.spec.as_ref();
            let selector = spec
                .and_then(|s| s.selector.clone())
                .map(|labels| LabelSelector { match_labels: Some(labels), match_expressions: None });
            (spec.and_then(|s| s.replicas), rc.status.as_ref().map(|s| s.replicas), selector)
        }
        _ => (None, None, None),
    };
    Ok(Scale { object, info, replicas: replicas.unwrap_or(1), status_replicas: status_replicas.unwrap_or(0), selector })
}

/// One metric's answer: the replicas it proposes, the name the conditions
/// and Events give it, and its status.
struct Proposal {
    replicas: i32,
    metric: String,
    status: MetricStatus,
}

/// Why a metric gave no answer: the ScalingActive condition it would set
/// and the error the controller reports.
struct Failure {
    reason: &'static str,
    message: String,
    error: String,
}

/// The replicas the metrics ask for, the metric that asked, and every
/// metric's status.
type Computed = ((i32, String), Vec<MetricStatus>);

/// One sync of one autoscaler.
struct Sync<'a, 'c> {
    ctx: &'a mut Ctx<'c>,
    object: Arc<Object>,
    hpa: &'a HorizontalPodAutoscaler,
    status: HorizontalPodAutoscalerStatus,
    history: &'a mut History,
}

impl Sync<'_, '_> {
    fn run(&mut self) {
        let spec = self.hpa.spec.clone().unwrap_or_default();
        let namespace = self.object.namespace().to_string();
        let scale = match scale_of(self.ctx.api.store(), &namespace, &spec.scale_target_ref) {
            Ok(scale) => scale,
            Err(e) => {
                self.event("Warning", "FailedGetScale", &e);
                let message = format!("the HPA controller was unable to get the target's current scale: {e}");
                self.condition("AbleToScale", false, "FailedGetScale", &message);
                self.write();
                return;
            }
        };
        self.condition(
            "AbleToScale",
            true,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        );
        let current = scale.replicas;
        self.history.record_initial(current, self.ctx.now);
        let min = spec.min_replicas.unwrap_or(1);
        let max = spec.max_replicas;
        let mut statuses = None;
        let mut reason = String::new();
        let desired;
        let mut rescale = true;
        if current == 0 && min != 0 {
            desired = 0;
            rescale = false;
            self.condition(
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            );
        } else if current > max {
            reason = "Current number of replicas above Spec.MaxReplicas".into();
            desired = max;
        } else if current < min {
            reason = "Current number of replicas below Spec.MinReplicas".into();
            desired = min;
        } else {
            let metrics = spec.metrics.clone().unwrap_or_default();
            let (proposal, metric_statuses) = match self.for_metrics(&scale, &metrics) {
                Ok(found) => found,
                Err((error, metric_statuses)) => {
                    self.set_status(current, self.status.desired_replicas, Some(metric_statuses), false);
                    self.write();
                    self.event("Warning", "FailedComputeMetricsReplicas", &error);
                    return;
                }
            };
            statuses = Some(metric_statuses);
            let (proposed, metric) = proposal;
            if proposed > current {
                reason = format!("{metric} above target");
            } else if proposed < current {
                reason = "All metrics below target".into();
            }
            let verdict = match &spec.behavior {
                None => self.history.legacy(self.ctx.now, current, proposed, min, max),
                Some(behavior) => {
                    let up = Rules::from_api(behavior.scale_up.as_ref(), true);
                    let down = Rules::from_api(behavior.scale_down.as_ref(), false);
                    self.history.with_behavior(self.ctx.now, &up, &down, current, proposed, min, max)
                }
            };
            self.verdict(&verdict);
            desired = verdict.replicas;
            rescale = desired != current;
        }
        let desired =
            if rescale { self.rescale(&scale, &spec, current, desired, &reason, &statuses) } else { Some(current) };
        let Some(desired) = desired else { return };
        self.set_status(current, desired, statuses, rescale);
        self.write();
    }

    /// Writes the new size through the scale subresource (spec.replicas
    /// only); `None` when that failed and the status is already written.
    fn rescale(
        &mut self,
        scale: &Scale,
        spec: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerSpec,
        current: i32,
        desired: i32,
        reason: &str,
        statuses: &Option<Vec<MetricStatus>>,
    ) -> Option<i32> {
        let patch = serde_json::json!({"spec": {"replicas": desired}});
        let (namespace, name) = (scale.object.namespace().to_string(), scale.object.name().to_string());
        let now = self.ctx.now;
        if let Err(e) = self.ctx.api.patch(scale.info.kind, &namespace, &name, PatchType::Merge, &patch, now) {
            let message = format!("New size: {desired}; reason: {reason}; error: {}", e.message);
            self.event("Warning", "FailedRescale", &message);
            let condition = format!("the HPA controller was unable to update the target scale: {}", e.message);
            self.condition("AbleToScale", false, "FailedUpdateScale", &condition);
            self.set_status(current, self.status.desired_replicas, statuses.clone(), false);
            self.write();
            return None;
        }
        let message = format!("the HPA controller was able to update the target scale to {desired}");
        self.condition("AbleToScale", true, "SucceededRescale", &message);
        self.event("Normal", "SuccessfulRescale", &format!("New size: {desired}; reason: {reason}"));
        let rules = spec
            .behavior
            .as_ref()
            .map(|b| (Rules::from_api(b.scale_up.as_ref(), true), Rules::from_api(b.scale_down.as_ref(), false)));
        self.history.store_event(rules.as_ref().map(|(u, d)| (u, d)), now, current, desired);
        Some(desired)
    }

    fn verdict(&mut self, verdict: &Verdict) {
        self.condition("AbleToScale", true, verdict.able.0, verdict.able.1);
        self.condition("ScalingLimited", verdict.limited, verdict.limit.0, verdict.limit.1);
    }

    /// computeReplicasForMetrics: the highest proposal of the metrics that
    /// answered, or the error (with every metric's status) when none did or
    /// a failing one might have asked for more than the others.
    fn for_metrics(&mut self, scale: &Scale, metrics: &[MetricSpec]) -> Result<Computed, (String, Vec<MetricStatus>)> {
        let selector = match scale.selector.as_ref().map(Selector::from_api) {
            Some(Ok(selector)) if !selector.is_empty() => selector,
            Some(Err(BadOperator(op))) => {
                let message = format!(
                    "couldn't convert selector into a corresponding internal selector object: \"{op}\" is not a valid label selector operator"
                );
                self.event("Warning", "InvalidSelector", &message);
                self.condition("ScalingActive", false, "InvalidSelector", &message);
                return Err((message, Vec::new()));
            }
            _ => {
                self.event("Warning", "SelectorRequired", "selector is required");
                self.condition(
                    "ScalingActive",
                    false,
                    "InvalidSelector",
                    "the HPA target's scale is missing a selector",
                );
                return Err(("selector is required".into(), Vec::new()));
            }
        };
        let pods: Vec<Pod> = self
            .ctx
            .api
            .store()
            .select(Kind::Pod, Some(self.object.namespace()), &selector)
            .into_iter()
            .filter_map(|o| o.as_pod().cloned())
            .collect();
        let mut statuses = vec![MetricStatus { type_: String::new(), ..Default::default() }; metrics.len()];
        let mut best: Option<(i32, String)> = None;
        let mut invalid = 0;
        let mut first: Option<Failure> = None;
        for (i, metric) in metrics.iter().enumerate() {
            match self.for_metric(scale, metric, &selector, &pods) {
                Ok(p) => {
                    statuses[i] = p.status;
                    if best.as_ref().is_none_or(|(r, _)| *r == 0 || p.replicas > *r) {
                        best = Some((p.replicas, p.metric));
                    }
                }
                Err(failure) => {
                    invalid += 1;
                    first.get_or_insert(failure);
                }
            }
        }
        let error = first.as_ref().map(|f| {
            format!("invalid metrics ({invalid} invalid out of {}), first error is: {}", metrics.len(), f.error)
        });
        let replicas = best.as_ref().map_or(0, |(r, _)| *r);
        match (best, first, error) {
            (Some(best), _, _) if invalid == 0 || replicas >= scale.replicas => {
                let message = format!("the HPA was able to successfully calculate a replica count from {}", best.1);
                self.condition("ScalingActive", true, "ValidMetricFound", &message);
                Ok((best, statuses))
            }
            (_, Some(failure), Some(error)) => {
                self.condition("ScalingActive", false, failure.reason, &failure.message);
                Err((error, statuses))
            }
            // No metrics at all: nothing proposes a change.
            _ => Ok(((scale.replicas, String::new()), statuses)),
        }
    }

    /// computeReplicasForMetric for one metric spec.
    fn for_metric(
        &mut self,
        scale: &Scale,
        metric: &MetricSpec,
        selector: &Selector,
        pods: &[Pod],
    ) -> Result<Proposal, Failure> {
        let current = scale.replicas;
        match metric.type_.as_str() {
            "Resource" | "ContainerResource" => {
                let (name, target, container) = match (&metric.resource, &metric.container_resource) {
                    (Some(r), _) if metric.type_ == "Resource" => (r.name.as_str(), &r.target, None),
                    (_, Some(c)) if metric.type_ == "ContainerResource" => {
                        (c.name.as_str(), &c.target, Some(c.container.as_str()))
                    }
                    _ => {
                        return Err(self.missing_source(if metric.type_ == "Resource" {
                            "resource"
                        } else {
                            "containerResource"
                        }))
                    }
                };
                let reason =
                    if container.is_some() { "FailedGetContainerResourceMetric" } else { "FailedGetResourceMetric" };
                let outer = |e: &str| match container {
                    Some(c) => format!("failed to get {c} container metric value: {e}"),
                    None => format!("failed to get {name} resource metric value: {e}"),
                };
                match self.resource_metric(current, name, target, container, selector, pods) {
                    Ok((replicas, metric_name, value)) => {
                        let status = match container {
                            Some(c) => MetricStatus {
                                type_: "ContainerResource".into(),
                                container_resource: Some(ContainerResourceMetricStatus {
                                    name: name.into(),
                                    container: c.into(),
                                    current: value,
                                }),
                                ..Default::default()
                            },
                            None => MetricStatus {
                                type_: "Resource".into(),
                                resource: Some(ResourceMetricStatus { name: name.into(), current: value }),
                                ..Default::default()
                            },
                        };
                        Ok(Proposal { replicas, metric: metric_name, status })
                    }
                    Err(e) => {
                        let wrapped = outer(&e);
                        Err(self.unable(reason, &e, wrapped))
                    }
                }
            }
            "Pods" => self.pods_metric(metric, current, pods),
            "Object" => self.object_metric(metric, scale, pods),
            "External" => self.external_metric(metric, scale, pods),
            other => {
                let e = format!("unknown metric source type \"{other}\"");
                Err(self.unable("InvalidMetricSourceType", &e, e.clone()))
            }
        }
    }

    /// computeStatusForPodsMetric. Pods metrics come from the custom
    /// metrics API, which no adapter serves here: the read fails as it does
    /// on such a cluster, and the rest is what an answer would go through.
    fn pods_metric(&mut self, metric: &MetricSpec, current: i32, pods: &[Pod]) -> Result<Proposal, Failure> {
        let Some(source) = &metric.pods else { return Err(self.missing_source("pods")) };
        let name = source.metric.name.as_str();
        let read: Result<Samples, String> = Err(hpametrics::custom_metrics_unserved());
        let calc = self.calculator();
        let target = milli(source.target.average_value.as_ref());
        let result = read
            .map_err(|e| format!("unable to get metric {name}: {e}"))
            .and_then(|samples| calc.plain_replicas(current, target, false, &pod_states(pods, "", None), samples));
        match result {
            Ok(p) => Ok(Proposal {
                replicas: p.replicas,
                metric: format!("pods metric {name}"),
                status: MetricStatus {
                    type_: "Pods".into(),
                    pods: Some(PodsMetricStatus {
                        metric: source.metric.clone(),
                        current: MetricValueStatus {
                            average_value: Some(milli_quantity(p.usage)),
                            ..Default::default()
                        },
                    }),
                    ..Default::default()
                },
            }),
            Err(e) => {
                let wrapped = format!("failed to get pods metric value: {e}");
                Err(self.unable("FailedGetPodsMetric", &e, wrapped))
            }
        }
    }

    /// computeStatusForObjectMetric, read from the custom metrics API.
    fn object_metric(&mut self, metric: &MetricSpec, scale: &Scale, pods: &[Pod]) -> Result<Proposal, Failure> {
        let Some(source) = &metric.object else { return Err(self.missing_source("object")) };
        let (name, kind) = (source.metric.name.as_str(), source.described_object.kind.as_str());
        let read: Result<i64, String> = Err(format!(
            "unable to get metric {name}: {kind} on {} {}/{}",
            self.object.namespace(),
            source.described_object.name,
            hpametrics::custom_metrics_unserved()
        ));
        let calc = self.calculator();
        let target = &source.target;
        let status = |current| MetricStatus {
            type_: "Object".into(),
            object: Some(ObjectMetricStatus {
                described_object: source.described_object.clone(),
                metric: source.metric.clone(),
                current,
            }),
            ..Default::default()
        };
        if target.type_ == "Value" && target.value.is_some() {
            let states = pod_states(pods, "", None);
            let result = read.and_then(|usage| {
                calc.value_replicas(scale.replicas, milli(target.value.as_ref()), usage, &states).map(|r| (r, usage))
            });
            return match result {
                Ok((replicas, usage)) => Ok(Proposal {
                    replicas,
                    metric: format!("{kind} metric {name}"),
                    status: status(MetricValueStatus { value: Some(milli_quantity(usage)), ..Default::default() }),
                }),
                Err(e) => {
                    let wrapped = format!("failed to get object metric value: {e}");
                    Err(self.unable("FailedGetObjectMetric", &e, wrapped))
                }
            };
        }
        if target.type_ == "AverageValue" && target.average_value.is_some() {
            let per_pod = milli(target.average_value.as_ref());
            return match read {
                Ok(usage) => {
                    let p = calc.average_value_replicas(scale.status_replicas, per_pod, usage);
                    let mut status = status(MetricValueStatus {
                        average_value: Some(milli_quantity(p.usage)),
                        ..Default::default()
                    });
                    // The per-pod status leaves out the described object, as Kubernetes' does.
                    if let Some(object) = status.object.as_mut() {
                        object.described_object = CrossVersionObjectReference::default();
                    }
                    let selector = go_label_selector(source.metric.selector.as_ref());
                    Ok(Proposal { replicas: p.replicas, metric: format!("external metric {name}({selector})"), status })
                }
                Err(e) => {
                    let wrapped = format!("failed to get object metric value: failed to get {name} object metric: {e}");
                    Err(self.unable("FailedGetObjectMetric", &e, wrapped))
                }
            };
        }
        let e = "invalid object metric source: neither a value target nor an average value target was set";
        Err(self.unable("FailedGetObjectMetric", e, format!("failed to get object metric value: {e}")))
    }

    /// computeStatusForExternalMetric, read from the external metrics API.
    fn external_metric(&mut self, metric: &MetricSpec, scale: &Scale, pods: &[Pod]) -> Result<Proposal, Failure> {
        let Some(source) = &metric.external else { return Err(self.missing_source("external")) };
        let name = source.metric.name.as_str();
        let selector = go_label_selector(source.metric.selector.as_ref());
        let read: Result<Vec<i64>, String> = Err(format!(
            "unable to get external metric {}/{name}/{selector}: {}",
            self.object.namespace(),
            hpametrics::external_metrics_unserved(name)
        ));
        let calc = self.calculator();
        let target = &source.target;
        let status = |current| MetricStatus {
            type_: "External".into(),
            external: Some(ExternalMetricStatus { metric: source.metric.clone(), current }),
            ..Default::default()
        };
        let outer = |e: &str| format!("failed to get {name} external metric value: {e}");
        let proposal = |replicas, current| Proposal {
            replicas,
            metric: format!("external metric {name}({selector})"),
            status: status(current),
        };
        if let Some(per_pod) = &target.average_value {
            return match read {
                Ok(values) => {
                    let p = calc.average_value_replicas(scale.status_replicas, milli(Some(per_pod)), total(&values));
                    let current =
                        MetricValueStatus { average_value: Some(milli_quantity(p.usage)), ..Default::default() };
                    Ok(proposal(p.replicas, current))
                }
                Err(e) => {
                    let wrapped = outer(&format!("failed to get {name} external metric: {e}"));
                    Err(self.unable("FailedGetExternalMetric", &e, wrapped))
                }
            };
        }
        if let Some(value) = &target.value {
            let states = pod_states(pods, "", None);
            let result = read.and_then(|values| {
                let usage = total(&values);
                calc.value_replicas(scale.replicas, milli(Some(value)), usage, &states).map(|r| (r, usage))
            });
            return match result {
                Ok((replicas, usage)) => Ok(proposal(
                    replicas,
                    MetricValueStatus { value: Some(milli_quantity(usage)), ..Default::default() },
                )),
                Err(e) => {
                    let wrapped = outer(&format!("failed to get external metric {name}: {e}"));
                    Err(self.unable("FailedGetExternalMetric", &e, wrapped))
                }
            };
        }
        let e = "invalid external metric source: neither a value target nor an average value target was set";
        Err(self.unable("FailedGetExternalMetric", e, outer(e)))
    }

    /// A metric of a type whose source is missing: validation refuses
    /// these, so only an object stored around it gets here.
    fn missing_source(&mut self, field: &str) -> Failure {
        let e = format!("invalid metric source: {field} is not set");
        self.unable("InvalidMetricSourceType", &e, e.clone())
    }

    /// computeStatusForResourceMetricGeneric: a Resource or ContainerResource
    /// metric read from metrics-server.
    fn resource_metric(
        &self,
        current: i32,
        name: &str,
        target: &MetricTarget,
        container: Option<&str>,
        selector: &Selector,
        pods: &[Pod],
    ) -> Result<(i32, String, MetricValueStatus), String> {
        let store = self.ctx.api.store();
        let samples = hpametrics::resource_samples(
            store,
            self.object.namespace(),
            selector,
            name,
            container,
            self.ctx.now,
            self.ctx.traffic,
        );
        let states = pod_states(pods, name, container);
        let calc = self.calculator();
        if let Some(average) = &target.average_value {
            let p = calc
                .raw_resource_replicas(current, milli(Some(average)), name, &states, samples)
                .map_err(|e| format!("failed to get {name} usage: {e}"))?;
            let status = MetricValueStatus { average_value: Some(milli_quantity(p.usage)), ..Default::default() };
            return Ok((p.replicas, format!("{name} resource"), status));
        }
        let Some(utilization) = target.average_utilization else {
            return Err(
                "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"
                    .into(),
            );
        };
        let p = calc
            .resource_replicas(current, utilization, name, container, &states, samples)
            .map_err(|e| format!("failed to get {name} utilization: {e}"))?;
        let status = MetricValueStatus {
            average_utilization: Some(p.utilization),
            average_value: Some(milli_quantity(p.raw_average)),
            value: None,
        };
        let metric_name = if container.is_some() {
            format!("{name} container resource utilization (percentage of request)")
        } else {
            format!("{name} resource utilization (percentage of request)")
        };
        Ok((p.replicas, metric_name, status))
    }

    fn calculator(&self) -> Calculator {
        Calculator {
            now: self.ctx.now,
            tolerances: Tolerances::DEFAULT,
            cpu_initialization: CPU_INITIALIZATION_PERIOD,
            readiness_delay: INITIAL_READINESS_DELAY,
        }
    }

    /// getUnableComputeReplicaCountCondition: the Warning goes out now; the
    /// condition is set only if this turns out to be the error reported.
    fn unable(&mut self, reason: &'static str, error: &str, wrapped: String) -> Failure {
        self.event("Warning", reason, error);
        let message = format!("the HPA was unable to compute the replica count: {error}");
        Failure { reason, message, error: if wrapped.is_empty() { error.to_string() } else { wrapped } }
    }

    /// setStatus: the status rebuilt around the kept conditions.
    fn set_status(&mut self, current: i32, desired: i32, metrics: Option<Vec<MetricStatus>>, rescaled: bool) {
        self.status.current_replicas = (current != 0).then_some(current);
        self.status.desired_replicas = desired;
        self.status.current_metrics = metrics.filter(|m| !m.is_empty());
        if rescaled {
            self.status.last_scale_time = Some(self.ctx.now.to_k8s());
        }
    }

    /// Sets a condition, moving its transition time only when its status flips.
    fn condition(&mut self, type_: &str, status: bool, reason: &str, message: &str) {
        let status = if status { "True" } else { "False" };
        let conditions = self.status.conditions.get_or_insert_with(Vec::new);
        let now = self.ctx.now.to_k8s();
        match conditions.iter_mut().find(|c| c.type_ == type_) {
            Some(c) => {
                if c.status != status {
                    c.last_transition_time = Some(now);
                }
                c.status = status.into();
                c.reason = Some(reason.into());
                c.message = Some(message.into());
            }
            None => conditions.push(HorizontalPodAutoscalerCondition {
                type_: type_.into(),
                status: status.into(),
                reason: Some(reason.into()),
                message: Some(message.into()),
                last_transition_time: Some(now),
            }),
        }
    }

    fn event(&mut self, type_: &str, reason: &str, message: &str) {
        let now = self.ctx.now;
        self.ctx.events.record(self.ctx.api, now, &self.object, SOURCE, type_, reason, message);
    }

    /// updateStatusIfNeeded: a write only when the status changed.
    fn write(&mut self) {
        if self.hpa.status.as_ref() == Some(&self.status) {
            return;
        }
        let mut updated = (*self.hpa).clone();
        updated.status = Some(self.status.clone());
        self.ctx.api.put_raw(Object::HorizontalPodAutoscaler(Box::new(updated)), self.ctx.now);
    }
}

/// What the calculation reads of each pod, requests of `resource` taken
/// from the containers that run for the pod's life (or just `container`).
fn pod_states(pods: &[Pod], resource: &str, container: Option<&str>) -> Vec<PodState> {
    pods.iter()
        .map(|pod| {
            let status = pod.status.as_ref();
            let ready = status
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                .map(|c| Readiness {
                    ready: match c.status.as_str() {
                        "True" => Some(true),
                        "False" => Some(false),
                        _ => None,
                    },
                    since: c.last_transition_time.as_ref().map_or(Time(0), Time::from_k8s),
                });
            let spec = pod.spec.as_ref();
            let containers = spec.into_iter().flat_map(|s| {
                s.containers
                    .iter()
                    .chain(s.init_containers.iter().flatten().filter(|c| c.restart_policy.as_deref() == Some("Always")))
            });
            let requests = containers
                .filter(|c| container.is_none_or(|name| name == c.name))
                .map(|c| {
                    let request = c.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get(resource));
                    let milli =
                        request.and_then(|q| quantity::parse_milli(&q.0)).map(|m| i64::try_from(m).unwrap_or(i64::MAX));
                    (c.name.clone(), milli)
                })
                .collect();
            PodState {
                name: pod.metadata.name.clone().unwrap_or_default(),
                phase: Phase::parse(status.and_then(|s| s.phase.as_deref())),
                deleting: pod.metadata.deletion_timestamp.is_some(),
                start: status.and_then(|s| s.start_time.as_ref()).map(Time::from_k8s),
                ready,
                requests,
            }
        })
        .collect()
}

/// A quantity's thousandths (Quantity.MilliValue).
fn milli(q: Option<&Quantity>) -> i64 {
    q.and_then(|q| quantity::parse_milli(&q.0)).map_or(0, |m| i64::try_from(m).unwrap_or(i64::MAX))
}

/// resource.NewMilliQuantity(v, DecimalSI), as it prints.
fn milli_quantity(value: i64) -> Quantity {
    Quantity(Amount { milli: i128::from(value), binary: false }.to_string())
}

/// A `*metav1.LabelSelector` as Go's `%+v` prints it (through its
/// generated String method).
fn go_label_selector(selector: Option<&LabelSelector>) -> String {
    let Some(s) = selector else { return "nil".into() };
    let labels: String = s.match_labels.iter().flatten().map(|(k, v)| format!("{k}: {v},")).collect();
    let expressions: String = s
        .match_expressions
        .iter()
        .flatten()
        .map(|e| {
            let values = e.values.clone().unwrap_or_default().join(" ");
            format!("LabelSelectorRequirement{{Key:{},Operator:{},Values:[{values}],}},", e.key, e.operator)
        })
        .collect();
    format!("&LabelSelector{{MatchLabels:map[string]string{{{labels}}},MatchExpressions:[]LabelSelectorRequirement{{{expressions}}},}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncs_fall_on_the_creation_beat() {
        let created = Time(1_767_258_000_000);
        let mut hpa = HorizontalPodAutoscaler::default();
        hpa.metadata.creation_timestamp = Some(created.to_k8s());
        assert_eq!(until_due(&hpa, created), Some(SYNC_PERIOD));
        assert_eq!(until_due(&hpa, created.plus(4 * SECOND)), Some(11 * SECOND));
        assert_eq!(until_due(&hpa, created.plus(15 * SECOND)), None);
        assert_eq!(until_due(&hpa, created.plus(37 * SECOND)), Some(8 * SECOND));
        assert_eq!(until_due(&hpa, created.plus(45 * SECOND)), None);
    }

    #[test]
    fn scale_target_errors_in_the_scale_clients_words() {
        let store = Store::default();
        let target = |api_version: &str, kind: &str| CrossVersionObjectReference {
            api_version: Some(api_version.into()),
            kind: kind.into(),
            name: "web".into(),
        };
        let err = |t| scale_of(&store, "default", &t).err();
        assert_eq!(err(target("apps/v1", "Deployment")).as_deref(), Some("deployments/scale.apps \"web\" not found"));
        assert_eq!(
            err(target("v1", "ReplicationController")).as_deref(),
            Some("replicationcontrollers/scale \"web\" not found")
        );
        assert_eq!(
            err(target("extensions/v1beta1", "Deployment")).as_deref(),
            Some("no matches for kind \"Deployment\" in group \"extensions\"")
        );
        assert_eq!(
            err(target("apps/v1/x", "Deployment")).as_deref(),
            Some("unexpected GroupVersion string: apps/v1/x")
        );
        assert_eq!(
            err(target("apps/v1", "DaemonSet")).as_deref(),
            Some("the server could not find the requested resource")
        );
    }

    #[test]
    fn go_prints_label_selectors() {
        assert_eq!(go_label_selector(None), "nil");
        let s = LabelSelector {
            match_labels: Some([("app".to_string(), "web".to_string())].into()),
            match_expressions: None,
        };
        assert_eq!(
            go_label_selector(Some(&s)),
            "&LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}"
        );
    }
}
