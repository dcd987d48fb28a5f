//! Metrics the cluster serves about itself.

pub mod api;
pub mod counters;
pub mod exporters;
pub mod exposition;
pub mod http;
pub mod monitoring;
pub mod openmetrics;
pub mod promql;
pub mod promtool;
pub mod resource;
pub mod rules;
pub mod scrape;
