//! The API server's validation messages, family by family, compared as
//! exact strings with the wording in ../shared/corpora/k8s-validation-messages.txt.

use engine::Cluster;

fn pod(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
}

fn deployment(spec: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n{spec}")
}

fn hpa(spec: &str) -> String {
    format!("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n{spec}")
}

const TEMPLATE: &str = "  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

#[test]
fn validation_messages_match_the_api_server() {
    let cases: Vec<(String, String)> = vec![
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Web_App\n".into(),
            format!("The ConfigMap \"Web_App\" is invalid: metadata.name: Invalid value: \"Web_App\": {SUBDOMAIN}"),
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: My_NS\n".into(),
            "The Namespace \"My_NS\" is invalid: metadata.name: Invalid value: \"My_NS\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".into(),
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    bad key!: x\n".into(),
            "The ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into(),
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app: bad value!\n".into(),
            "The ConfigMap \"c\" is invalid: metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into(),
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  bad key: x\n".into(),
            "The ConfigMap \"c\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into(),
        ),
        (pod("  containers: []\n"), "The Pod \"p\" is invalid: spec.containers: Required value".into()),
        (pod("  containers:\n  - name: web\n"), "The Pod \"p\" is invalid: spec.containers[0].image: Required value".into()),
        (
            pod("  containers:\n  - name: nginx\n    image: nginx\n  - name: nginx\n    image: nginx\n"),
            "The Pod \"p\" is invalid: spec.containers[1].name: Duplicate value: \"nginx\"".into(),
        ),
        (
            pod("  restartPolicy: Sometimes\n  containers:\n  - name: web\n    image: nginx\n"),
            "The Pod \"p\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"".into(),
        ),
        (
            pod("  containers:\n  - name: web\n    image: nginx\n    imagePullPolicy: Sometimes\n"),
            "The Pod \"p\" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"".into(),
        ),
        (
            pod("  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 0\n"),
            "The Pod \"p\" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive".into(),
        ),
        (
            pod("  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: 80\n      protocol: ICMP\n"),
            "The Pod \"p\" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"".into(),
        ),
        (
            pod("  containers:\n  - name: web\n    image: nginx\n    env:\n    - name: 1FOO\n      value: x\n"),
            "The Pod \"p\" is invalid: spec.containers[0].env[0].name: Invalid value: \"1FOO\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')".into(),
        ),
        (
            pod("  containers:\n  - name: web\n    image: nginx\n    resources:\n      requests:\n        cpu: \"2\"\n      limits:\n        cpu: \"1\"\n"),
            "The Pod \"p\" is invalid: spec.containers[0].resources.requests: Invalid value: \"2\": must be less than or equal to cpu limit of 1".into(),
        ),
        (
            pod("  containers:\n  - name: web\n    image: nginx\n    livenessProbe:\n      exec:\n        command: [\"true\"]\n      successThreshold: 2\n"),
            "The Pod \"p\" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1".into(),
        ),
        (
            pod("  volumes:\n  - name: data\n    emptyDir: {}\n  - name: data\n    emptyDir: {}\n  containers:\n  - name: web\n    image: nginx\n    volumeMounts:\n    - name: cache\n      mountPath: /cache\n"),
            "The Pod \"p\" is invalid: \n* spec.volumes[1].name: Duplicate value: \"data\"\n* spec.containers[0].volumeMounts[0].name: Not found: \"cache\"\n".into(),
        ),
        (
            deployment(&format!("  selector:\n    matchLabels:\n      app: other\n{TEMPLATE}")),
            "The Deployment \"d\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`".into(),
        ),
        (
            deployment(&format!("  replicas: -1\n  selector:\n    matchLabels:\n      app: web\n{TEMPLATE}")),
            "The Deployment \"d\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0".into(),
        ),
        (
            deployment(&format!("  strategy:\n    type: Blue\n  selector:\n    matchLabels:\n      app: web\n{TEMPLATE}")),
            "The Deployment \"d\" is invalid: spec.strategy.type: Unsupported value: \"Blue\": supported values: \"Recreate\", \"RollingUpdate\"".into(),
        ),
        (
            deployment(&format!("  strategy:\n    rollingUpdate:\n      maxUnavailable: 150%\n  selector:\n    matchLabels:\n      app: web\n{TEMPLATE}")),
            "The Deployment \"d\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: \"150%\": must not be greater than 100%".into(),
        ),
        (
            deployment(&format!("  strategy:\n    type: Recreate\n    rollingUpdate:\n      maxSurge: 1\n  selector:\n    matchLabels:\n      app: web\n{TEMPLATE}")),
            "The Deployment \"d\" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'".into(),
        ),
        (
            deployment(&format!("  selector:\n    matchLabels:\n      app: web\n{TEMPLATE}      restartPolicy: Never\n")),
            "The Deployment \"d\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"".into(),
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n  - port: 70000\n".into(),
            "The Service \"s\" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n".into(),
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n".into(),
            "The Service \"s\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767".into(),
        ),
        (
            hpa("  minReplicas: 0\n  maxReplicas: 0\n"),
            "The HorizontalPodAutoscaler \"h\" is invalid: \n* spec.minReplicas: Invalid value: 0: must be greater than or equal to 1\n* spec.maxReplicas: Invalid value: 0: must be greater than 0\n".into(),
        ),
        (
            hpa("  minReplicas: 3\n  maxReplicas: 1\n"),
            "The HorizontalPodAutoscaler \"h\" is invalid: spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`".into(),
        ),
        (
            hpa("  maxReplicas: 3\n  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target:\n        type: Utilization\n        averageUtilization: 0\n"),
            "The HorizontalPodAutoscaler \"h\" is invalid: spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0".into(),
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: nowhere\nspec:\n  containers:\n  - name: web\n    image: nginx\n".into(),
            "Error from server (NotFound): error when creating \"STDIN\": namespaces \"nowhere\" not found".into(),
        ),
    ];
    for (manifest, want) in cases {
        let mut cluster = Cluster::new("default", 1).expect("preset");
        let before = cluster.version();
        let out = cluster.apply(&manifest);
        assert_eq!(out.stderr.trim_end_matches('\n'), want.trim_end_matches('\n'), "{manifest}");
        assert_eq!(out.exit_code, 1);
        assert_eq!(cluster.version(), before, "a rejected request changes nothing: {manifest}");
    }
}

#[test]
fn an_immutable_selector_stays() {
    let mut cluster = Cluster::new("default", 1).expect("preset");
    let first = deployment(&format!("  selector:\n    matchLabels:\n      app: web\n{TEMPLATE}"));
    assert_eq!(cluster.apply(&first).stdout, "deployment.apps/d created\n");
    let changed = deployment(&format!(
        "  selector:\n    matchLabels:\n      app: web\n      tier: a\n{}",
        TEMPLATE.replace("        app: web\n", "        app: web\n        tier: a\n")
    ));
    let out = cluster.apply(&changed);
    assert_eq!(
        out.stderr,
        "The Deployment \"d\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"a\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable\n"
    );
}
