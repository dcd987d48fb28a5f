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
    fn big_images_take_longer() {
        assert!(pull_millis("mysql:8") > pull_millis("nginx") && pull_millis("nginx") > pull_millis("busybox"));
        assert_eq!(size("nginx:1.27"), size("nginx"));
        assert_eq!(digest("nginx"), digest("docker.io/library/nginx:latest"));
    }
}
