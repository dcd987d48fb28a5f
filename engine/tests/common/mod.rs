//! Helpers shared by integration tests. Each test file uses some of them,
//! so the parts one file leaves unused are not dead code.
#![allow(dead_code)]

pub mod oracle;
#[path = "../../src/bin/kubeplay/real_prometheus.rs"]
pub mod real_prometheus;
pub mod series;
