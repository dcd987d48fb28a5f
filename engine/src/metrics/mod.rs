//! Metrics the cluster serves about itself.

pub mod promql;
pub mod resource;
pub mod rules;
