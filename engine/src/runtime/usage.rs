//! What a running container uses, as the kubelet's cAdvisor would measure
//! it: CPU in nanocores and memory (working set) in bytes. Each image has a
//! resting profile; the reading wanders around it from one 15-second window
//! to the next, the same way on every replay.

use super::images;
use super::process;

/// A container's use during one window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub nanocores: u64,
    pub memory: u64,
}

impl Usage {
    pub fn add(self, other: Usage) -> Usage {
        Usage {
            nanocores: self.nanocores.saturating_add(other.nanocores),
            memory: self.memory.saturating_add(other.memory),
        }
    }
}

const MI: u64 = 1024 * 1024;
const MILLI: u64 = 1_000_000;

/// Resting use by image, in millicores (×1000 for fractions) and MiB.
const PROFILES: &[(&str, u64, u64)] = &[
    ("nginx", 400, 3),
    ("httpd", 1_000, 8),
    ("redis", 1_500, 3),
    ("mysql", 6_000, 380),
    ("postgres", 2_000, 28),
    ("mongo", 5_000, 160),
    ("hpa-example", 300, 10),
    ("pause", 0, 0),
    ("etcd", 20_000, 48),
    ("kube-apiserver", 45_000, 260),
    ("kube-controller-manager", 14_000, 48),
    ("kube-scheduler", 3_000, 20),
    ("coredns", 2_000, 14),
    ("kube-proxy", 1_000, 16),
    ("node", 22_000, 105),
    ("kube-controllers", 1_500, 14),
    ("metrics-server", 3_500, 18),
    ("prometheus", 12_000, 190),
    ("node-exporter", 1_500, 16),
    ("kube-state-metrics", 2_000, 22),
    ("alertmanager", 1_000, 20),
];

/// The resting use of a container running `image` with this command,
/// with what its process allocates on top (`stress --vm-bytes`).
pub(crate) fn resting(image: &str, command: Option<&[String]>, args: Option<&[String]>) -> Usage {
    let name = images::short_name(image);
    let plan = process::plan_with_output(image, command, args);
    let held = Usage { nanocores: plan.cpu, memory: plan.memory };
    // calico/node is called `node`; only the calico one runs here.
    if let Some((_, micro, mib)) = PROFILES.iter().find(|(n, _, _)| *n == name) {
        return Usage { nanocores: micro * 1_000, memory: mib * MI }.add(held);
    }
    let base = match plan.exit {
        // A shell, a loop, a sleep: next to nothing.
        process::Exit::After { .. } => Usage { nanocores: 50_000, memory: MI / 3 },
        process::Exit::Never if process::reads_terminal(image, command, args) => Usage { nanocores: 0, memory: MI / 2 },
        process::Exit::Never => Usage { nanocores: MILLI, memory: 8 * MI },
    };
    base.add(held)
}

/// The container's use in window `window` (a 15-second slot of the clock),
/// `seed` telling containers apart: within ±15% of its resting use.
pub fn in_window(image: &str, command: Option<&[String]>, args: Option<&[String]>, seed: &str, window: i64) -> Usage {
    let base = resting(image, command, args);
    let wander = |salt: u64| {
        let h = fnv(seed.as_bytes(), window as u64 ^ salt);
        // 850‰ … 1150‰
        850 + h % 301
    };
    Usage { nanocores: base.nanocores * wander(1) / 1000, memory: base.memory * wander(2) / 1000 }
}

/// What the node itself (kubelet, containerd, the OS) uses besides its
/// pods, by its share of memory.
pub fn node_overhead(control_plane: bool, seed: &str, window: i64) -> Usage {
    let (micro, mib) = if control_plane { (95_000, 1_050) } else { (70_000, 720) };
    let h = fnv(seed.as_bytes(), window as u64);
    let wander = 900 + h % 201;
    Usage { nanocores: micro * 1_000 * wander / 1000, memory: mib * MI * (950 + h % 101) / 1000 }
}

/// FNV-1a over the bytes and a number: stable across platforms and runs.
fn fnv(bytes: &[u8], extra: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes.iter().copied().chain(extra.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_wander_near_the_profile_and_replay() {
        let a = in_window("nginx:1.27", None, None, "uid-1/nginx", 10);
        assert_eq!(a, in_window("nginx:1.27", None, None, "uid-1/nginx", 10));
        assert!((340_000..=460_000).contains(&a.nanocores), "{a:?}");
        assert!((3 * MI * 85 / 100..=3 * MI * 115 / 100).contains(&a.memory), "{a:?}");
        let apiserver = in_window("registry.k8s.io/kube-apiserver:v1.32.0", None, None, "x", 3);
        assert!(apiserver.memory > 200 * MI);
        let sleeper = in_window("busybox", Some(&["sleep".into(), "3600".into()]), None, "s", 1);
        assert!(sleeper.memory < MI);
    }
}
