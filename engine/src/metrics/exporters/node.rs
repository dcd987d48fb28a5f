//! node-exporter v1.8 on one of the lab's Ubuntu 22.04 VMs: what `/proc`
//! and `/sys` say about CPUs, memory, disks, file systems and interfaces.

use super::{labels, seconds, Scene};
use crate::api::Kind;
use crate::metrics::counters::{self, NodeCounters};
use crate::metrics::exposition::{Family, Type};
use crate::metrics::resource::RESOLUTION;
use crate::object::Object;
use crate::runtime::usage;
use k8s_openapi::api::core::v1::Node;

const GI: f64 = 1024.0 * 1024.0 * 1024.0;

/// How a busy CPU's time divides between modes.
const BUSY_MODES: &[(&str, f64)] = &[
    ("iowait", 0.05),
    ("irq", 0.01),
    ("nice", 0.0),
    ("softirq", 0.04),
    ("steal", 0.01),
    ("system", 0.27),
    ("user", 0.62),
];

pub fn families(scene: &Scene, node: &Node) -> Vec<Family> {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let empty = NodeCounters::default();
    let c = scene.counters.nodes.get(name).unwrap_or(&empty);
    let cores = counters::cores(node) as usize;
    let mut out = Vec::new();

    let mut cpu = Family::new("node_cpu_seconds_total", Type::Counter, "Seconds the CPUs spent in each mode.");
    // The first CPU takes a little more of the work, as interrupts land on it.
    let weights: Vec<f64> = (0..cores).map(|i| 1.0 / (1.0 + 0.15 * i as f64)).collect();
    let sum: f64 = weights.iter().sum();
    for (i, w) in weights.iter().enumerate() {
        let total = c.total / cores as f64;
        let busy = (c.busy * w / sum).min(total);
        let id = i.to_string();
        cpu.add(labels(&[("cpu", &id), ("mode", "idle")]), round2(total - busy));
        for (mode, share) in BUSY_MODES {
            cpu.add(labels(&[("cpu", &id), ("mode", mode)]), round2(busy * share));
        }
    }
    cpu.samples.sort_by(|a, b| a.1.cmp(&b.1));
    out.push(cpu);

    for (metric, value, help) in [
        ("node_load1", c.load[0], "1m load average."),
        ("node_load5", c.load[1], "5m load average."),
        ("node_load15", c.load[2], "15m load average."),
    ] {
        let mut f = Family::new(metric, Type::Gauge, help);
        f.add(Vec::new(), round2(value));
        out.push(f);
    }

    let total = memory(node);
    let used = used_memory(scene, node);
    let buffers = (total * 0.02).round();
    let cached = ((total - used - buffers).max(0.0) * 0.35).round();
    let free = (total - used - buffers - cached).max(0.0);
    for (metric, value) in [
        ("node_memory_Buffers_bytes", buffers),
        ("node_memory_Cached_bytes", cached),
        ("node_memory_MemAvailable_bytes", free + buffers + (cached * 0.8).round()),
        ("node_memory_MemFree_bytes", free),
        ("node_memory_MemTotal_bytes", total),
        ("node_memory_SwapFree_bytes", 0.0),
        ("node_memory_SwapTotal_bytes", 0.0),
    ] {
        let mut f = Family::new(metric, Type::Gauge, "Memory information field from /proc/meminfo.");
        f.add(Vec::new(), value);
        out.push(f);
    }

    let root = [("device", "/dev/mapper/ubuntu--vg-ubuntu--lv"), ("fstype", "ext4"), ("mountpoint", "/")];
    let run = [("device", "tmpfs"), ("fstype", "tmpfs"), ("mountpoint", "/run")];
    let pods = scene.store.pods_on_node(name).count() as f64;
    let disk = 38.0 * GI;
    let disk_used = 8.6 * GI + pods * 0.05 * GI;
    for (metric, help, root_value, run_value) in [
        (
            "node_filesystem_avail_bytes",
            "Filesystem space available to non-root users in bytes.",
            disk - disk_used - 2.0 * GI,
            total * 0.1 - 2.1e6,
        ),
        ("node_filesystem_free_bytes", "Filesystem free space in bytes.", disk - disk_used, total * 0.1 - 2.1e6),
        ("node_filesystem_size_bytes", "Filesystem size in bytes.", disk, total * 0.1),
    ] {
        let mut f = Family::new(metric, Type::Gauge, help);
        f.add(labels(&root), root_value.round());
        f.add(labels(&run), (run_value / 4096.0).round() * 4096.0);
        out.push(f);
    }

    // eth0 is the VM's NAT interface; eth1 the lab's host-only network,
    // where the cluster's traffic goes.
    for (metric, help, eth1, per_packet) in [
        ("node_network_receive_bytes_total", "Network device statistic receive_bytes.", c.received, 1.0),
        ("node_network_transmit_bytes_total", "Network device statistic transmit_bytes.", c.transmitted, 1.0),
        ("node_network_receive_packets_total", "Network device statistic receive_packets.", c.received, 410.0),
        ("node_network_transmit_packets_total", "Network device statistic transmit_packets.", c.transmitted, 380.0),
    ] {
        let mut f = Family::new(metric, Type::Counter, help);
        f.add(labels(&[("device", "eth0")]), (eth1 * 0.04 / per_packet).round());
        f.add(labels(&[("device", "eth1")]), (eth1 / per_packet).round());
        f.add(labels(&[("device", "lo")]), (eth1 * 0.3 / per_packet).round());
        out.push(f);
    }
    for metric in [
        "node_network_receive_drop_total",
        "node_network_receive_errs_total",
        "node_network_transmit_drop_total",
        "node_network_transmit_errs_total",
    ] {
        let mut f = Family::new(metric, Type::Counter, "Network device statistic.");
        for device in ["eth0", "eth1", "lo"] {
            f.add(labels(&[("device", device)]), 0.0);
        }
        out.push(f);
    }

    let uptime = (scene.now.0 - c.boot.0) as f64 / 1000.0;
    for (metric, help, value) in [
        ("node_disk_read_bytes_total", "The total number of bytes read successfully.", c.disk_read.round()),
        (
            "node_disk_reads_completed_total",
            "The total number of reads completed successfully.",
            (c.disk_read / 16_384.0).round(),
        ),
        ("node_disk_written_bytes_total", "The total number of bytes written successfully.", c.disk_written.round()),
        (
            "node_disk_writes_completed_total",
            "The total number of writes completed successfully.",
            (c.disk_written / 8_192.0).round(),
        ),
        (
            "node_disk_io_time_seconds_total",
            "Total seconds spent doing I/Os.",
            round2(uptime * 0.004 + c.disk_written / 2.5e8),
        ),
    ] {
        let mut f = Family::new(metric, Type::Counter, help);
        f.add(labels(&[("device", "sda")]), value);
        out.push(f);
    }

    let running = c.cores_busy.ceil().max(1.0);
    for (metric, kind, help, value) in [
        ("node_boot_time_seconds", Type::Gauge, "Node boot time, in unixtime.", seconds(c.boot).floor()),
        ("node_context_switches_total", Type::Counter, "Total number of context switches.", c.context_switches.round()),
        ("node_filefd_allocated", Type::Gauge, "File descriptor statistics: allocated.", 2_400.0 + 60.0 * pods),
        ("node_filefd_maximum", Type::Gauge, "File descriptor statistics: maximum.", 9.223372036854776e18),
        ("node_forks_total", Type::Counter, "Total number of forks.", (uptime * 3.2).round()),
        ("node_intr_total", Type::Counter, "Total number of interrupts serviced.", c.interrupts.round()),
        ("node_netstat_Tcp_CurrEstab", Type::Gauge, "Statistic TcpCurrEstab.", 28.0 + 4.0 * pods),
        (
            "node_nf_conntrack_entries",
            Type::Gauge,
            "Number of currently allocated flow entries for connection tracking.",
            180.0 + 12.0 * pods,
        ),
        ("node_nf_conntrack_entries_limit", Type::Gauge, "Maximum size of connection tracking table.", 131_072.0),
        ("node_procs_blocked", Type::Gauge, "Number of processes blocked waiting for I/O to complete.", 0.0),
        ("node_procs_running", Type::Gauge, "Number of processes in runnable state.", running),
        ("node_time_seconds", Type::Gauge, "System time in seconds since epoch (1970).", seconds(scene.now)),
        ("node_timex_estimated_error_seconds", Type::Gauge, "Estimated error in seconds.", 0.0),
        ("node_timex_maxerror_seconds", Type::Gauge, "Maximum error in seconds.", 0.016),
        ("node_timex_sync_status", Type::Gauge, "Is clock synchronized to a reliable server (1 = yes, 0 = no).", 1.0),
    ] {
        let mut f = Family::new(metric, kind, help);
        f.add(Vec::new(), value);
        out.push(f);
    }
    let mut uname =
        Family::new("node_uname_info", Type::Gauge, "Labeled system information as provided by the uname system call.");
    uname.add(
        labels(&[
            ("domainname", "(none)"),
            ("machine", "x86_64"),
            ("nodename", name),
            ("release", "5.15.0-126-generic"),
            ("sysname", "Linux"),
            ("version", "#136-Ubuntu SMP Wed Nov 6 10:38:22 UTC 2024"),
        ]),
        1.0,
    );
    out.push(uname);
    let mut build = Family::new("node_exporter_build_info", Type::Gauge, "A metric with a constant '1' value labeled by version, revision, branch, goversion from which node_exporter was built, and the goos and goarch for the build.");
    build.add(
        labels(&[
            ("branch", "HEAD"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("goversion", "go1.22.5"),
            ("revision", "f1e0e8360aa60b6cb5e5cc1560bed348fc2c1895"),
            ("tags", "unknown"),
            ("version", "1.8.2"),
        ]),
        1.0,
    );
    out.push(build);
    out.sort_by(|a, b| a.name.cmp(b.name));
    out
}

/// The node's memory in bytes.
pub fn memory(node: &Node) -> f64 {
    let q = node.status.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("memory"));
    q.and_then(|q| crate::quantity::parse_milli(&q.0)).map(|m| (m / 1000) as f64).unwrap_or(0.0)
}

/// What the node's own processes and its containers hold in memory.
fn used_memory(scene: &Scene, node: &Node) -> f64 {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let window = scene.counters.at.0.div_euclid(RESOLUTION) - 1;
    let control_plane = crate::labels::is_control_plane(&node.metadata);
    let mut used = usage::node_overhead(control_plane, name, window).memory as f64;
    for (ns, pod_name) in scene.store.pods_on_node(name) {
        let Some(Object::Pod(pod)) = scene.store.get(Kind::Pod, ns, pod_name).map(|o| &**o) else { continue };
        for container in pod.spec.iter().flat_map(|s| &s.containers) {
            let Some(id) = counters::container_id(pod, &container.name) else { continue };
            used += scene.counters.containers.get(id).map(|c| c.memory as f64).unwrap_or(0.0);
        }
    }
    used.min(memory(node))
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
