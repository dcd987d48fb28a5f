//! Metrics the cluster serves about itself.

pub mod api;
pub mod openmetrics;
pub mod promql;
pub mod promtool;
pub mod resource;
