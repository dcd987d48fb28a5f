//! Metrics the cluster serves about itself.

pub mod counters;
pub mod exporters;
pub mod exposition;
pub mod http;
pub mod monitoring;
pub mod promql;
pub mod resource;
pub mod rules;
pub mod scrape;
