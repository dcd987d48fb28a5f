//! The horizontal pod autoscaler's replica calculation, as
//! kube-controller-manager's replica_calculator.go does it: sort the
//! target's pods into ready, unready, missing and ignored, turn the ready
//! pods' metrics into a usage ratio against the target, and propose a replica
//! count — conservatively when some pods are unready or lack metrics, and
//! never in the direction opposite to the one the measured pods point to.
//! Pure: the controller hands it pods and samples, so Kubernetes' own test
//! table can be replayed against it.

use crate::time::{Millis, Time, MINUTE, SECOND};
use std::collections::{BTreeMap, BTreeSet};

/// `--horizontal-pod-autoscaler-cpu-initialization-period`: how long after a
/// pod starts its CPU samples are distrusted unless it has been ready for a
/// whole metric window.
pub const CPU_INITIALIZATION_PERIOD: Millis = 5 * MINUTE;
/// `--horizontal-pod-autoscaler-initial-readiness-delay`: within this of its
/// start a pod's readiness flapping counts as never having been ready.
pub const INITIAL_READINESS_DELAY: Millis = 30 * SECOND;

/// How far from 1 a usage ratio may stray, down and up, before the
/// autoscaler acts (both ends inclusive).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tolerances {
    pub down: f64,
    pub up: f64,
}

impl Tolerances {
    /// `--horizontal-pod-autoscaler-tolerance` (0.1) either way.
    pub const DEFAULT: Tolerances = Tolerances { down: 0.1, up: 0.1 };

    fn within(self, ratio: f64) -> bool {
        1.0 - self.down <= ratio && ratio <= 1.0 + self.up
    }
}

/// A pod's phase as the calculation tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl Phase {
    /// The API's phase string; a pod without one has not been admitted
    /// past Pending.
    pub fn parse(phase: Option<&str>) -> Phase {
        match phase {
            Some("Running") => Phase::Running,
            Some("Succeeded") => Phase::Succeeded,
            Some("Failed") => Phase::Failed,
            Some("Unknown") => Phase::Unknown,
            _ => Phase::Pending,
        }
    }
}

/// The Ready condition's status and when it last changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Readiness {
    /// `Some(true)` True, `Some(false)` False, `None` Unknown.
    pub ready: Option<bool>,
    pub since: Time,
}

/// What the calculation reads of one pod.
#[derive(Clone, Debug)]
pub struct PodState {
    pub name: String,
    pub phase: Phase,
    pub deleting: bool,
    pub start: Option<Time>,
    pub ready: Option<Readiness>,
    /// The metric's resource request of each container that runs for the
    /// pod's life (regular ones and restartable init containers), in
    /// thousandths; `None` where the container requests none.
    pub requests: Vec<(String, Option<i64>)>,
}

impl PodState {
    fn running_and_ready(&self) -> bool {
        self.phase == Phase::Running && self.ready.is_some_and(|r| r.ready == Some(true))
    }
}

/// One pod's metric value (in thousandths) and the window it was measured over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub value: i64,
    pub timestamp: Time,
    pub window: Millis,
}

/// Samples by pod name.
pub type Samples = BTreeMap<String, Sample>;

/// A proposal from a utilization target: the replicas, the ready pods'
/// utilization (percent of request, truncated) and their average raw value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtilizationProposal {
    pub replicas: i32,
    pub utilization: i32,
    pub raw_average: i64,
}

/// A proposal from a value target: the replicas and the usage it saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageProposal {
    pub replicas: i32,
    pub usage: i64,
}

/// The calculation's settings and clock.
#[derive(Clone, Copy, Debug)]
pub struct Calculator {
    pub now: Time,
    pub tolerances: Tolerances,
    pub cpu_initialization: Millis,
    pub readiness_delay: Millis,
}

struct Groups {
    ready: usize,
    unready: BTreeSet<String>,
    missing: BTreeSet<String>,
    ignored: BTreeSet<String>,
}

const NO_PODS: &str = "no pods returned by selector while calculating replica count";
const NONE_READY: &str = "did not receive metrics for targeted pods (pods might be unready)";

impl Calculator {
    /// GetResourceReplicas: replicas for a target utilization (percent of
    /// request) of `resource`, summed over the pod or read from one container.
    pub fn resource_replicas(
        &self,
        current: i32,
        target: i32,
        resource: &str,
        container: Option<&str>,
        pods: &[PodState],
        samples: Result<Samples, String>,
    ) -> Result<UtilizationProposal, String> {
        let mut samples = samples.map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
        if pods.is_empty() {
            return Err(NO_PODS.into());
        }
        let groups = self.group(pods, &samples, resource == "cpu");
        for name in groups.ignored.iter().chain(&groups.unready) {
            samples.remove(name);
        }
        if samples.is_empty() {
            return Err(NONE_READY.into());
        }
        let requests = requests(pods, container, resource)?;
        let (ratio, utilization, raw_average) = utilization_ratio(&samples, &requests, target)?;
        let proposal = |replicas| UtilizationProposal { replicas, utilization, raw_average };
        let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
        if !scale_up_with_unready && groups.missing.is_empty() {
            if self.tolerances.within(ratio) {
                return Ok(proposal(current));
            }
            return Ok(proposal(ceil(ratio * groups.ready as f64)));
        }
        // Pods without a trustworthy sample count as conservatively as
        // possible: at their request (or the target, if higher) when
        // scaling down, at nothing when scaling up.
        if ratio < 1.0 {
            let fallback = i64::from(target.max(100));
            for name in &groups.missing {
                let request = requests.get(name).copied().unwrap_or(0);
                samples.insert(name.clone(), filled(request.saturating_mul(fallback) / 100));
            }
        } else if ratio > 1.0 {
            for name in &groups.missing {
                samples.insert(name.clone(), filled(0));
            }
        }
        if scale_up_with_unready {
            for name in &groups.unready {
                samples.insert(name.clone(), filled(0));
            }
        }
        let (new_ratio, _, _) = utilization_ratio(&samples, &requests, target)?;
        Ok(proposal(self.settle(current, ratio, new_ratio, samples.len())))
    }

    /// GetRawResourceReplicas: replicas for a target average value of
    /// `resource` per pod.
    pub fn raw_resource_replicas(
        &self,
        current: i32,
        target: i64,
        resource: &str,
        pods: &[PodState],
        samples: Result<Samples, String>,
    ) -> Result<UsageProposal, String> {
        let samples = samples.map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
        self.plain_replicas(current, target, resource == "cpu", pods, samples)
    }

    /// calcPlainMetricReplicas: replicas for a target average value of a
    /// per-pod metric. Only CPU consults readiness.
    pub fn plain_replicas(
        &self,
        current: i32,
        target: i64,
        cpu: bool,
        pods: &[PodState],
        mut samples: Samples,
    ) -> Result<UsageProposal, String> {
        if pods.is_empty() {
            return Err(NO_PODS.into());
        }
        let groups = self.group(pods, &samples, cpu);
        for name in groups.ignored.iter().chain(&groups.unready) {
            samples.remove(name);
        }
        if samples.is_empty() {
            return Err(NONE_READY.into());
        }
        let (ratio, usage) = usage_ratio(&samples, target);
        let proposal = |replicas| UsageProposal { replicas, usage };
        let scale_up_with_unready = !groups.unready.is_empty() && ratio > 1.0;
        if !scale_up_with_unready && groups.missing.is_empty() {
            if self.tolerances.within(ratio) {
                return Ok(proposal(current));
            }
            return Ok(proposal(ceil(ratio * groups.ready as f64)));
        }
        if ratio < 1.0 {
            for name in &groups.missing {
                samples.insert(name.clone(), filled(target));
            }
        } else if ratio > 1.0 {
            for name in &groups.missing {
                samples.insert(name.clone(), filled(0));
            }
        }
        if scale_up_with_unready {
            for name in &groups.unready {
                samples.insert(name.clone(), filled(0));
            }
        }
        let (new_ratio, _) = usage_ratio(&samples, target);
        Ok(proposal(self.settle(current, ratio, new_ratio, samples.len())))
    }

    /// GetObjectMetricReplicas and GetExternalMetricReplicas: replicas for a
    /// target total value, spread over the ready pods.
    pub fn value_replicas(&self, current: i32, target: i64, usage: i64, pods: &[PodState]) -> Result<i32, String> {
        let ratio = usage as f64 / target as f64;
        if current == 0 {
            // Scaling from zero reads no pods: there are none to read.
            return Ok(ceil(ratio));
        }
        if self.tolerances.within(ratio) {
            return Ok(current);
        }
        if pods.is_empty() {
            return Err(format!("unable to calculate ready pods: {NO_PODS}"));
        }
        let ready = pods.iter().filter(|p| p.running_and_ready()).count();
        Ok(ceil(ratio * ready as f64))
    }

    /// GetObjectPerPodMetricReplicas and GetExternalPerPodMetricReplicas:
    /// replicas for a target value per pod of a total.
    pub fn average_value_replicas(&self, status_replicas: i32, target_per_pod: i64, usage: i64) -> UsageProposal {
        let mut replicas = status_replicas;
        let ratio = usage as f64 / (target_per_pod as f64 * f64::from(status_replicas));
        if !self.tolerances.within(ratio) {
            replicas = ceil(usage as f64 / target_per_pod as f64);
        }
        let average = if usage == i64::MAX { usage } else { (usage as f64 / f64::from(status_replicas)).ceil() as i64 };
        UsageProposal { replicas, usage: average }
    }

    /// groupPods.
    fn group(&self, pods: &[PodState], samples: &Samples, cpu: bool) -> Groups {
        let mut groups =
            Groups { ready: 0, unready: BTreeSet::new(), missing: BTreeSet::new(), ignored: BTreeSet::new() };
        for pod in pods {
            if pod.deleting || pod.phase == Phase::Failed {
                groups.ignored.insert(pod.name.clone());
                continue;
            }
            if pod.phase == Phase::Pending {
                groups.unready.insert(pod.name.clone());
                continue;
            }
            let Some(sample) = samples.get(&pod.name) else {
                groups.missing.insert(pod.name.clone());
                continue;
            };
            if cpu && self.cpu_unready(pod, sample) {
                groups.unready.insert(pod.name.clone());
                continue;
            }
            groups.ready += 1;
        }
        groups
    }

    /// Whether a pod's CPU sample should be distrusted: start-up burns CPU
    /// that says nothing about load.
    fn cpu_unready(&self, pod: &PodState, sample: &Sample) -> bool {
        let (Some(ready), Some(start)) = (pod.ready, pod.start) else { return true };
        let not_ready = ready.ready == Some(false);
        if start.plus(self.cpu_initialization) > self.now {
            not_ready || sample.timestamp < ready.since.plus(sample.window)
        } else {
            // Long started: only a pod that has never been ready is left out.
            not_ready && start.plus(self.readiness_delay) > ready.since
        }
    }

    /// The second pass's answer, kept at `current` when it is within
    /// tolerance or would move against the measured pods' direction.
    fn settle(&self, current: i32, ratio: f64, new_ratio: f64, counted: usize) -> i32 {
        if self.tolerances.within(new_ratio) || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
            return current;
        }
        let replicas = ceil(new_ratio * counted as f64);
        if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
            return current;
        }
        replicas
    }
}

/// A value standing in for a pod without a usable sample.
fn filled(value: i64) -> Sample {
    Sample { value, timestamp: Time(0), window: 0 }
}

/// `int32(math.Ceil(x))`, capped at the int32 range.
fn ceil(x: f64) -> i32 {
    let c = x.ceil();
    if c >= f64::from(i32::MAX) {
        i32::MAX
    } else if c <= f64::from(i32::MIN) {
        i32::MIN
    } else {
        c as i32
    }
}

/// Each pod's request of `resource` (one container's, if named).
fn requests(pods: &[PodState], container: Option<&str>, resource: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut out = BTreeMap::new();
    for pod in pods {
        let mut sum: i64 = 0;
        for (name, request) in &pod.requests {
            if container.is_some_and(|c| c != name) {
                continue;
            }
            match request {
                Some(r) => sum = sum.saturating_add(*r),
                None => {
                    return Err(format!("missing request for {resource} in container {name} of Pod {}", pod.name));
                }
            }
        }
        out.insert(pod.name.clone(), sum);
    }
    Ok(out)
}

/// GetResourceUtilizationRatio: samples without a known pod are extra and
/// left out; the utilization is truncated to a whole percent before the
/// ratio is taken.
fn utilization_ratio(
    samples: &Samples,
    requests: &BTreeMap<String, i64>,
    target: i32,
) -> Result<(f64, i32, i64), String> {
    let (mut total, mut requested, mut counted) = (0i64, 0i64, 0i64);
    for (name, sample) in samples {
        let Some(request) = requests.get(name) else { continue };
        total = total.saturating_add(sample.value);
        requested = requested.saturating_add(*request);
        counted += 1;
    }
    if requested == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let utilization = i32::try_from(total.saturating_mul(100) / requested).unwrap_or(i32::MAX);
    Ok((f64::from(utilization) / f64::from(target), utilization, total / counted))
}

/// GetMetricUsageRatio.
fn usage_ratio(samples: &Samples, target: i64) -> (f64, i64) {
    let total = samples.values().fold(0i64, |t, s| t.saturating_add(s.value));
    let usage = total / samples.len().max(1) as i64;
    (usage as f64 / target as f64, usage)
}

/// Sums samples as the external metrics client does, stopping at the
/// int64 ceiling instead of wrapping.
pub fn total(values: &[i64]) -> i64 {
    values.iter().fold(0i64, |t, v| t.saturating_add(*v))
}

#[cfg(test)]
mod tests {
    //! Kubernetes' replica_calculator_test.go cases, row for row (the
    //! table in /work/shared/reference/hpa.md), on its harness: two
    //! containers per pod, `requests` and `levels` per container, every
    //! sample stamped at Go's zero time with a one-minute window, pods
    //! started at Go's zero time unless "hot" (started now), readiness True
    //! since Go's zero time unless given.
    use super::*;
    use crate::controllers::hpametrics::{samples, PodMetrics};

    const NOW: Time = Time(1_767_258_000_000);
    const GO_ZERO: Time = Time(-62_135_596_800_000);
    const T: Option<bool> = Some(true);
    const F: Option<bool> = Some(false);
    const R: Phase = Phase::Running;
    const P: Phase = Phase::Pending;
    const X: Phase = Phase::Failed;
    const CONTAINERS: [&str; 2] = ["container1", "container2"];

    #[derive(Clone)]
    struct Case {
        name: &'static str,
        current: i32,
        requests: Vec<i64>,
        levels: Vec<[i64; 2]>,
        pod_names: Vec<&'static str>,
        ready: Vec<Option<bool>>,
        hot: Vec<usize>,
        phases: Vec<Phase>,
        deleting: Vec<usize>,
        container: Option<&'static str>,
        tolerances: Tolerances,
    }

    /// A case whose containers each request `requests[i]` (millicores) and
    /// each use `levels[i]`.
    fn case(name: &'static str, current: i32, requests: &[i64], levels: &[i64]) -> Case {
        Case {
            name,
            current,
            requests: requests.to_vec(),
            levels: levels.iter().map(|l| [*l, *l]).collect(),
            pod_names: Vec::new(),
            ready: Vec::new(),
            hot: Vec::new(),
            phases: Vec::new(),
            deleting: Vec::new(),
            container: None,
            tolerances: Tolerances::DEFAULT,
        }
    }

    impl Case {
        fn ready(mut self, ready: &[Option<bool>]) -> Case {
            self.ready = ready.to_vec();
            self
        }
        fn hot(mut self, pods: &[usize]) -> Case {
            self.hot = pods.to_vec();
            self
        }
        fn phases(mut self, phases: &[Phase]) -> Case {
            self.phases = phases.to_vec();
            self
        }
        fn deleting(mut self, pods: &[usize]) -> Case {
            self.deleting = pods.to_vec();
            self
        }
        fn named(mut self, names: &[&'static str]) -> Case {
            self.pod_names = names.to_vec();
            self
        }
        fn container(mut self, container: &'static str, levels: &[[i64; 2]]) -> Case {
            self.container = Some(container);
            self.levels = levels.to_vec();
            self
        }
        fn tolerances(mut self, down: f64, up: f64) -> Case {
            self.tolerances = Tolerances { down, up };
            self
        }

        fn calculator(&self) -> Calculator {
            Calculator {
                now: NOW,
                tolerances: self.tolerances,
                cpu_initialization: 2 * MINUTE,
                readiness_delay: 10 * SECOND,
            }
        }

        /// The pods listed: `current` of them, or as many as phases given.
        fn pods(&self) -> Vec<PodState> {
            let count = usize::try_from(self.current).unwrap_or(0).max(self.phases.len());
            (0..count)
                .map(|i| PodState {
                    name: format!("test-pod-{i}"),
                    phase: self.phases.get(i).copied().unwrap_or(R),
                    deleting: self.deleting.contains(&i),
                    start: Some(if self.hot.contains(&i) { NOW } else { GO_ZERO }),
                    ready: Some(Readiness { ready: self.ready.get(i).copied().unwrap_or(T), since: GO_ZERO }),
                    requests: CONTAINERS.iter().map(|c| (c.to_string(), self.requests.get(i).copied())).collect(),
                })
                .collect()
        }

        /// What metrics-server lists: one item per level row.
        fn metrics(&self) -> Vec<PodMetrics> {
            self.levels
                .iter()
                .enumerate()
                .map(|(i, level)| PodMetrics {
                    namespace: "test-namespace".into(),
                    name: self.pod_names.get(i).map_or_else(|| format!("test-pod-{i}"), |n| n.to_string()),
                    containers: CONTAINERS.iter().zip(level).map(|(c, v)| (c.to_string(), Some(*v))).collect(),
                })
                .collect()
        }

        /// The custom metrics client's samples: one value per pod.
        fn pod_samples(&self) -> Samples {
            self.levels
                .iter()
                .enumerate()
                .map(|(i, l)| (format!("test-pod-{i}"), Sample { value: l[0], timestamp: GO_ZERO, window: MINUTE }))
                .collect()
        }

        fn utilization(&self, target: i32) -> Result<(i32, i32, i64), String> {
            let listed = samples(&self.metrics(), self.container, GO_ZERO, MINUTE);
            let pods = self.pods();
            let p = self.calculator().resource_replicas(self.current, target, "cpu", self.container, &pods, listed)?;
            Ok((p.replicas, p.utilization, p.raw_average))
        }

        fn plain(&self, target: i64) -> Result<(i32, i64), String> {
            let p = self.calculator().plain_replicas(self.current, target, false, &self.pods(), self.pod_samples())?;
            Ok((p.replicas, p.usage))
        }
    }

    const ONE: [i64; 7] = [1000; 7];
    const SPREAD: [i64; 3] = [900, 1000, 1100];

    /// Replicas, utilization and raw average, or the error.
    type Want = Result<(i32, i32, i64), &'static str>;

    #[test]
    fn resource_utilization_rows() {
        let rows: Vec<(Case, i32, Want)> = vec![
            (case("scale up", 3, &ONE[..3], &[300, 500, 700]), 30, Ok((5, 50, 1000))),
            (
                case("scale up, container2 metric", 3, &ONE[..3], &[])
                    .container("container2", &[[1000, 300], [1000, 500], [1000, 700]]),
                30,
                Ok((5, 50, 500)),
            ),
            (case("unready pod scales less", 3, &ONE[..3], &[300, 500, 700]).ready(&[F, T, T]), 30, Ok((4, 60, 1200))),
            (case("hot-CPU pod scales less", 3, &ONE[..3], &[300, 500, 700]).hot(&[0]), 30, Ok((4, 60, 1200))),
            (
                case("hot-CPU container scales less", 3, &ONE[..3], &[])
                    .hot(&[0])
                    .container("container2", &[[0, 300], [0, 500], [0, 700]]),
                30,
                Ok((4, 60, 600)),
            ),
            (case("no scale: unready ignored", 3, &ONE[..3], &[400, 500, 700]).ready(&[T, F, F]), 30, Ok((3, 40, 800))),
            (
                case("no scale: hot-CPU pods ignored", 3, &ONE[..3], &[400, 500, 700]).ready(&[T, F, F]).hot(&[1, 2]),
                30,
                Ok((3, 40, 800)),
            ),
            (
                case("failed pods ignored", 2, &ONE[..4], &[500, 700]).ready(&[T, T, F, F]).phases(&[R, R, X, X]),
                30,
                Ok((4, 60, 1200)),
            ),
            (
                case("deleting pods ignored", 2, &ONE[..4], &[500, 700])
                    .ready(&[T, T, F, F])
                    .phases(&[R, R, R, R])
                    .deleting(&[2, 3]),
                30,
                Ok((4, 60, 1200)),
            ),
            (case("scale down", 5, &ONE[..5], &[100, 300, 500, 250, 250]), 50, Ok((3, 28, 560))),
            (
                case("scale down, container2 metric", 5, &ONE[..5], &[])
                    .container("container2", &[[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]]),
                50,
                Ok((3, 28, 280)),
            ),
            (
                case("scale down excl. unready", 5, &ONE[..5], &[100, 300, 500, 250, 250]).ready(&[T, T, T, F, F]),
                50,
                Ok((2, 30, 600)),
            ),
            (
                case("scale down excl. Pending", 5, &ONE[..5], &[100]).ready(&[T, F, F, F, F]).phases(&[R, P, P, P, P]),
                50,
                Ok((1, 10, 200)),
            ),
            (
                case("scale down ignore hot", 5, &ONE[..5], &[100, 300, 500, 250, 250]).hot(&[3, 4]),
                50,
                Ok((2, 30, 600)),
            ),
            (
                case("scale down failed ignored", 5, &ONE[..7], &[100, 300, 500, 250, 250])
                    .ready(&[T, T, T, T, T, F, F])
                    .phases(&[R, R, R, R, R, X, X]),
                50,
                Ok((3, 28, 560)),
            ),
            (case("tolerance", 3, &SPREAD, &[1010, 1030, 1020]), 100, Ok((3, 102, 2040))),
            (
                case("superfluous metrics (6 metrics, 4 pods)", 4, &ONE[..4], &[4000, 9500, 3000, 7000, 3200, 2000]),
                100,
                Ok((24, 587, 11750)),
            ),
            (case("missing metrics", 4, &ONE[..4], &[400, 95]), 100, Ok((3, 24, 495))),
            (case("missing, no change eq", 2, &ONE[..2], &[1000]), 100, Ok((2, 100, 2000))),
            (case("missing, no change gt", 2, &ONE[..2], &[1900]), 100, Ok((2, 190, 3800))),
            (case("missing, no change lt", 2, &ONE[..2], &[600]), 100, Ok((2, 60, 1200))),
            (case("missing + unready, no change", 3, &ONE[..3], &[100, 450]).ready(&[F, T, T]), 50, Ok((3, 45, 900))),
            (case("missing + hot CPU, no change", 3, &ONE[..3], &[100, 450]).hot(&[0]), 50, Ok((3, 45, 900))),
            (case("missing + unready scale up", 3, &ONE[..3], &[100, 2000]).ready(&[F, T, T]), 50, Ok((4, 200, 4000))),
            (
                case("missing + hot CPU scale up", 3, &ONE[..3], &[100, 2000]).ready(&[F, T, T]).hot(&[0]),
                50,
                Ok((4, 200, 4000)),
            ),
            (
                case("missing + unready scale down", 4, &ONE[..4], &[100, 100, 100]).ready(&[F, T, T, T]),
                50,
                Ok((3, 10, 200)),
            ),
            (
                case("missing, target>100 scale down", 4, &[1000, 1000, 2000, 2000], &[200, 100, 100])
                    .ready(&[F, T, T, T]),
                300,
                Ok((2, 6, 200)),
            ),
            (case("rolling update w/ maxSurge", 2, &ONE[..3], &[100, 100]).phases(&[R, R, R]), 50, Ok((2, 10, 200))),
            (case("0% tolerance", 3, &SPREAD, &[909, 1010, 1111]).tolerances(0.0, 0.0), 100, Ok((4, 101, 2020))),
            (case("200% up tolerance", 3, &SPREAD, &[1890, 1910, 1900]).tolerances(0.1, 2.0), 100, Ok((3, 190, 3800))),
            (case("8% up tolerance", 3, &SPREAD, &[1100, 1080, 1090]).tolerances(2.0, 0.08), 100, Ok((4, 109, 2180))),
            (case("36% down tolerance", 3, &SPREAD, &[660, 640, 650]).tolerances(0.36, 0.1), 100, Ok((3, 65, 1300))),
            (case("34% down tolerance", 3, &SPREAD, &[660, 640, 650]).tolerances(0.34, 0.1), 100, Ok((2, 65, 1300))),
            (
                case("disjoint metrics (metric for unknown pod)", 1, &ONE[..1], &[100]).named(&["an-older-pod-name"]),
                100,
                Err("no metrics returned matched known pods"),
            ),
            (
                case("empty CPU request", 1, &[], &[200]),
                100,
                Err("missing request for cpu in container container1 of Pod test-pod-0"),
            ),
            (
                case("no metrics", 4, &ONE[..3], &[]),
                100,
                Err("unable to get metrics for resource cpu: no metrics returned from resource metrics API"),
            ),
        ];
        for (case, target, want) in rows {
            assert_eq!(case.utilization(target), want.map_err(String::from), "{}", case.name);
        }
    }

    #[test]
    fn pods_metric_rows() {
        let rows: Vec<(Case, i64, (i32, i64))> = vec![
            (case("scale up CM", 3, &[], &[20000, 10000, 30000]), 15000, (4, 20000)),
            (
                case("unready hot, no less scale", 3, &[], &[50000, 10000, 30000]).ready(&[T, T, F]).hot(&[2]),
                15000,
                (6, 30000),
            ),
            (
                case("unready hot, would scale down", 3, &[], &[50000, 15000, 30000]).ready(&[F, T, F]).hot(&[0, 2]),
                15000,
                (7, 31666),
            ),
            (case("scale down CM", 5, &[], &[12000; 5]), 20000, (3, 12000)),
            (case("tolerance CM", 3, &[], &[20000, 21000, 21000]), 20000, (3, 20666)),
            (case("tolerance CM, up-tol .01", 3, &[], &[20000, 21000, 21000]).tolerances(0.1, 0.01), 20000, (4, 20666)),
            (case("missing metrics no change", 5, &[], &[20000, 19000, 21000]), 20000, (5, 20000)),
            (case("rolling update maxSurge CM", 2, &[], &[10000, 10000]).phases(&[R, R, R]), 17000, (2, 10000)),
        ];
        for (case, target, want) in rows {
            assert_eq!(case.plain(target), Ok(want), "{}", case.name);
        }
    }

    #[test]
    fn object_and_external_rows() {
        enum Target {
            Value(i64),
            PerPod(i64),
        }
        use Target::{PerPod, Value};
        let rows: Vec<(Case, i64, Target, (i32, i64))> = vec![
            (case("Object Value up", 3, &[], &[]), 20000, Value(15000), (4, 20000)),
            (case("Object AverageValue up", 3, &[], &[]), 20000, PerPod(5000), (4, 6667)),
            (case("Object ignores unready", 3, &[], &[]).ready(&[F, T, F]), 50000, Value(10000), (5, 50000)),
            (case("External Value ignores unready", 3, &[], &[]).ready(&[F, T, F]), 8600, Value(4400), (2, 8600)),
            (case("External AverageValue up", 3, &[], &[]), 8600, PerPod(2150), (4, 2867)),
            (case("Object Value down", 5, &[], &[]), 12000, Value(20000), (3, 12000)),
            (case("Object AverageValue down", 5, &[], &[]), 6000, PerPod(2000), (3, 1200)),
            (case("External Value down", 5, &[], &[]), 8600, Value(14334), (3, 8600)),
            (case("External AverageValue down", 5, &[], &[]), 8600, PerPod(2867), (3, 1720)),
            (case("Object tolerance", 3, &[], &[]), 20666, Value(20000), (3, 20666)),
            (case("Object AverageValue tolerance", 4, &[], &[]), 20166, PerPod(5000), (4, 5042)),
            (case("External tolerance", 3, &[], &[]), 8600, Value(8888), (3, 8600)),
            (case("External AverageValue tolerance", 3, &[], &[]), 8600, PerPod(2900), (3, 2867)),
            (case("Object up-tol .01", 3, &[], &[]).tolerances(0.1, 0.01), 20666, Value(20000), (4, 20666)),
            (case("Object AvgValue up-tol .01", 4, &[], &[]).tolerances(0.1, 0.01), 20208, PerPod(5000), (5, 5052)),
            (case("External up-tol .01", 3, &[], &[]).tolerances(0.1, 0.01), 8900, Value(8800), (4, 8900)),
            (case("External AvgValue up-tol .01", 3, &[], &[]).tolerances(0.1, 0.01), 8600, PerPod(2800), (4, 2867)),
            (case("Object overflow", 3, &[], &[]), i64::MAX, Value(1), (i32::MAX, i64::MAX)),
        ];
        for (case, usage, target, want) in rows {
            let calc = case.calculator();
            let got = match target {
                Value(t) => calc.value_replicas(case.current, t, total(&[usage]), &case.pods()).map(|r| (r, usage)),
                PerPod(t) => {
                    let p = calc.average_value_replicas(case.current, t, total(&[usage]));
                    Ok((p.replicas, p.usage))
                }
            };
            assert_eq!(got, Ok(want), "{}", case.name);
        }
    }

    #[test]
    fn worked_examples() {
        // 600+1000+1400 of 6000 requested is 50%, 50/30 of three pods is five.
        assert_eq!(case("", 3, &ONE[..3], &[300, 500, 700]).utilization(30), Ok((5, 50, 1000)));
        // An external sum stops at the int64 ceiling instead of wrapping.
        assert_eq!(total(&[i64::MAX / 2 + 1, i64::MAX / 2 + 1]), i64::MAX);
        // A value target read from zero replicas scales on the ratio alone.
        assert_eq!(case("", 0, &[], &[]).calculator().value_replicas(0, 1000, 2500, &[]), Ok(3));
    }
}
