//! A catalog of common images with their sizes, so pulls take believable time
//! and the second pull on a node is instant.

/// Compressed size in bytes of the images the catalog knows.
const SIZES: &[(&str, u64)] = &[
    ("docker.io/library/nginx", 72_188_133),
    ("docker.io/library/httpd", 58_390_312),
    ("docker.io/library/busybox", 2_167_032),
    ("docker.io/library/alpine", 3_644_432),
    ("docker.io/library/ubuntu", 29_754_290),
    ("docker.io/library/redis", 45_178_612),
    ("docker.io/library/mysql", 172_624_521),
    ("docker.io/library/postgres", 158_373_870),
    ("docker.io/library/mongo", 263_154_117),
    ("registry.k8s.io/hpa-example", 186_475_412),
    ("registry.k8s.io/pause", 320_368),
    ("quay.io/prometheus/prometheus", 110_428_515),
    ("quay.io/prometheus/node-exporter", 11_337_210),
    ("quay.io/prometheus/alertmanager", 30_614_832),
    ("registry.k8s.io/kube-state-metrics/kube-state-metrics", 15_804_112),
];

/// Pull throughput of the lab's network, bytes per millisecond (≈ 20 MB/s).
const BYTES_PER_MS: u64 = 20_000;

/// A size for images the catalog does not list.
const DEFAULT_SIZE: u64 = 50_000_000;

/// The image's own name, without registry, path or tag: `nginx` for
/// `docker.io/library/nginx:1.27`, `kube-apiserver` for
/// `registry.k8s.io/kube-apiserver:v1.32.0`.
pub fn short_name(image: &str) -> String {
    let normalized = normalize(image);
    let repo = normalized.split('@').next().unwrap_or(&normalized);
    let repo = match repo.rsplit_once(':') {
        Some((r, tag)) if !tag.contains('/') => r,
        _ => repo,
    };
    repo.rsplit('/').next().unwrap_or(repo).to_string()
}

/// The fully qualified reference the runtime reports, as containerd does:
/// `nginx` → `docker.io/library/nginx:latest`.
pub fn normalize(image: &str) -> String {
    let (name, suffix) = match image.find('@') {
        Some(at) => (&image[..at], image[at..].to_string()),
        None => match crate::apiserver::image_tag(image) {
            Some(tag) => (&image[..image.len() - tag.len() - 1], format!(":{tag}")),
            None => (image, ":latest".to_string()),
        },
    };
    let first = name.split('/').next().unwrap_or_default();
    let has_registry = name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let qualified = if has_registry {
        name.to_string()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    format!("{qualified}{suffix}")
}

fn repository(normalized: &str) -> &str {
    let end = normalized
        .rfind(['@'])
        .or_else(|| normalized.rfind(':').filter(|i| !normalized[*i..].contains('/')))
        .unwrap_or(normalized.len());
    &normalized[..end]
}

/// Compressed size of an image.
pub fn size(image: &str) -> u64 {
    let normalized = normalize(image);
    let repo = repository(&normalized);
    SIZES.iter().find(|(name, _)| *name == repo).map_or(DEFAULT_SIZE, |(_, s)| *s)
}

/// How long pulling the image takes on a node that does not have it.
pub fn pull_millis(image: &str) -> i64 {
    (size(image) / BYTES_PER_MS) as i64
}

/// Official (docker.io/library) images a registry would find; any other
/// library name is a typo the registry refuses.
const OFFICIAL: &[&str] = &[
    "nginx",
    "httpd",
    "busybox",
    "alpine",
    "ubuntu",
    "debian",
    "centos",
    "fedora",
    "amazonlinux",
    "redis",
    "mysql",
    "mariadb",
    "postgres",
    "mongo",
    "memcached",
    "rabbitmq",
    "elasticsearch",
    "python",
    "node",
    "perl",
    "ruby",
    "golang",
    "openjdk",
    "eclipse-temurin",
    "php",
    "wordpress",
    "tomcat",
    "jenkins",
    "registry",
    "traefik",
    "haproxy",
    "caddy",
    "hello-world",
    "bash",
    "vault",
    "consul",
    "influxdb",
    "telegraf",
    "nats",
    "cassandra",
    "zookeeper",
    "rust",
    "gradle",
    "maven",
    "docker",
];

/// Whether the playground knows what the image holds: an official image,
/// or one whose size it lists (the system images).
pub fn known(image: &str) -> bool {
    let normalized = normalize(image);
    let repo = repository(&normalized);
    repo.strip_prefix("docker.io/library/").is_some_and(|name| OFFICIAL.contains(&name))
        || SIZES.iter().any(|(name, _)| *name == repo)
        || repo.starts_with("registry.k8s.io/")
}

/// Words image tags are made of besides version numbers.
const TAG_WORDS: &[&str] = &[
    "latest",
    "stable",
    "mainline",
    "alpine",
    "slim",
    "perl",
    "otel",
    "bookworm",
    "bullseye",
    "buster",
    "jammy",
    "noble",
    "focal",
    "jdk",
    "jre",
    "lts",
    "glibc",
    "musl",
    "uclibc",
    "management",
    "fpm",
    "apache",
    "cli",
    "git",
];

/// Whether the registry has the image, as a pull finds out: `Err` carries
/// containerd's error as the kubelet reports it.
pub fn resolve(image: &str) -> Result<(), String> {
    let normalized = normalize(image);
    let repo = repository(&normalized);
    let official = repo.strip_prefix("docker.io/library/");
    if official.is_some_and(|name| !OFFICIAL.contains(&name)) {
        return Err(format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{normalized}\": failed to resolve reference \"{normalized}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
        ));
    }
    let tag = normalized[repo.len()..].strip_prefix(':').unwrap_or_default();
    // Only official images' tags are known; anyone else's may be anything.
    let known_word = |part: &str| {
        let part = part.strip_prefix('v').unwrap_or(part);
        let part = if TAG_WORDS.contains(&part.trim_end_matches(|c: char| c.is_ascii_digit())) {
            part.trim_end_matches(|c: char| c.is_ascii_digit())
        } else {
            part
        };
        TAG_WORDS.contains(&part) || (!part.is_empty() && part.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    let nginx_too_new = official == Some("nginx")
        && tag.split('.').nth(1).and_then(|minor| minor.split('-').next()?.parse::<u32>().ok()).is_some_and(|m| m > 29);
    if official.is_none() || (tag.split(['-', '_']).all(known_word) && !nginx_too_new) {
        return Ok(());
    }
    Err(format!(
        "rpc error: code = NotFound desc = failed to pull and unpack image \"{normalized}\": failed to resolve reference \"{normalized}\": {normalized}: not found"
    ))
}

/// The ports a server image listens on once started.
pub fn ports(image: &str) -> &'static [i32] {
    match short_name(image).as_str() {
        "nginx" | "nginx-slim" | "httpd" | "hpa-example" | "wordpress" => &[80],
        "redis" => &[6379],
        "mysql" | "mariadb" => &[3306, 33060],
        "postgres" => &[5432],
        "mongo" => &[27017],
        "etcd" => &[2379, 2380, 2381],
        "kube-apiserver" => &[6443],
        "kube-controller-manager" => &[10257],
        "kube-scheduler" => &[10259],
        "coredns" => &[53, 8080, 8181, 9153],
        "kube-proxy" => &[10249, 10256],
        "metrics-server" => &[10250],
        "tomcat" | "jenkins" | "hello-app" => &[8080],
        "podinfo" => &[9797, 9898, 9999],
        "prometheus" => &[9090],
        "node-exporter" => &[9100],
        "kube-state-metrics" => &[8080, 8081],
        "alertmanager" => &[9093, 9094],
        "http-echo" => &[5678],
        _ => &[],
    }
}

/// Whether the image serves plain HTTP on its ports (so an httpGet probe
/// gets an answer rather than a broken response).
pub fn speaks_http(image: &str) -> bool {
    !matches!(short_name(image).as_str(), "redis" | "mysql" | "mariadb" | "postgres" | "mongo")
}

/// A stable content digest for an image reference.
pub fn digest(image: &str) -> String {
    let normalized = normalize(image);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::from("sha256:");
    for round in 0..4u64 {
        for b in normalized.bytes().chain(round.to_le_bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// The `imageID` a running container reports: `repo@sha256:…`.
pub fn image_id(image: &str) -> String {
    let normalized = normalize(image);
    format!("{}@{}", repository(&normalized), digest(image))
}

/// The nginx release an `nginx` image tag stands for (`1.27` → `1.27.3`).
pub fn nginx_version(image: &str) -> String {
    let normalized = normalize(image);
    let tag = normalized.rsplit_once(':').map_or("latest", |(_, t)| t);
    match tag {
        t if t.matches('.').count() >= 2 => t.split('-').next().unwrap_or(t).to_string(),
        "1.25" => "1.25.5".into(),
        "1.26" => "1.26.3".into(),
        _ => "1.27.3".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_normalised_like_containerd() {
        let cases = [
            ("nginx", "docker.io/library/nginx:latest"),
            ("nginx:1.27", "docker.io/library/nginx:1.27"),
            ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
            ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
            ("localhost:5000/app", "localhost:5000/app:latest"),
        ];
        for (image, want) in cases {
            assert_eq!(normalize(image), want);
        }
        assert_eq!(image_id("nginx:1.27").split('@').next(), Some("docker.io/library/nginx"));
    }

    #[test]
    fn registries_find_real_images_and_refuse_typos() {
        for image in ["nginx", "nginx:1.27", "nginx:1.27.3-alpine", "busybox:1.36", "redis:7-alpine", "polinux/stress"]
        {
            assert_eq!(resolve(image), Ok(()), "{image}");
        }
        let not_found = resolve("nginx:1.99").unwrap_err();
        assert!(not_found.starts_with("rpc error: code = NotFound"), "{not_found}");
        assert!(not_found.ends_with("docker.io/library/nginx:1.99: not found"), "{not_found}");
        let typo = resolve("ngnix").unwrap_err();
        assert!(typo.contains("pull access denied, repository does not exist"), "{typo}");
        assert!(resolve("nginx:notexist").is_err());
    }

    #[test]
    fn big_images_take_longer() {
        assert!(pull_millis("mysql:8") > pull_millis("nginx") && pull_millis("nginx") > pull_millis("busybox"));
        assert_eq!(size("nginx:1.27"), size("nginx"));
        assert_eq!(digest("nginx"), digest("docker.io/library/nginx:latest"));
    }
}
