//! Metrics the cluster serves about itself.

pub mod resource;
