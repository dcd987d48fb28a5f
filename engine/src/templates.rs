//! Starting manifests for the editor, one per common kind, written to
//! apply as they are on a fresh cluster (in this order: the Deployment
//! before the HPA and PDB that name it).

/// A template: the kind it starts, and its manifest.
pub struct Template {
    /// The kind, as `kind:` names it.
    pub kind: &'static str,
    /// The YAML.
    pub manifest: &'static str,
}

macro_rules! templates {
    ($($kind:literal => $file:literal),* $(,)?) => {
        /// Every template, in the order the editor's menu lists them.
        pub const TEMPLATES: &[Template] = &[
            $(Template { kind: $kind, manifest: include_str!(concat!("../templates/", $file)) }),*
        ];
    };
}

templates! {
    "Pod" => "pod.yaml",
    "Deployment" => "deployment.yaml",
    "Service" => "service.yaml",
    "ConfigMap" => "configmap.yaml",
    "Secret" => "secret.yaml",
    "Ingress" => "ingress.yaml",
    "PersistentVolumeClaim" => "persistentvolumeclaim.yaml",
    "StatefulSet" => "statefulset.yaml",
    "DaemonSet" => "daemonset.yaml",
    "Job" => "job.yaml",
    "CronJob" => "cronjob.yaml",
    "HorizontalPodAutoscaler" => "horizontalpodautoscaler.yaml",
    "Namespace" => "namespace.yaml",
    "ResourceQuota" => "resourcequota.yaml",
    "LimitRange" => "limitrange.yaml",
    "PodDisruptionBudget" => "poddisruptionbudget.yaml",
}
