//! Grafana-style dashboards over the lab's Prometheus: the dashboard JSON
//! model (`model.rs`), time and step rules (`interval.rs`), variables and
//! interpolation (`template.rs`), running panel queries (`query.rs`, and
//! `run.rs` for every panel type over a cluster; `cache.rs` keeps range
//! results between refreshes), heatmap cells
//! (`heatmap.rs`), log lines (`logs.rs`), alert rules (`alerts.rs`), how a
//! value is shown (`display.rs`, `mappings.rs`, `units.rs`), and the dashboards kubeplay
//! ships (`builtin.rs`, JSON in `engine/dashboards/`) and those users save
//! in the lab's Grafana (`saved.rs`). Pure data in, data
//! out: the app draws what these return.

pub mod alerts;
pub mod builtin;
pub mod cache;
pub mod display;
pub mod grid;
pub mod heatmap;
pub mod interval;
pub mod layout;
pub mod logs;
pub mod mappings;
pub mod model;
pub mod query;
pub mod run;
pub mod saved;
pub mod template;
pub mod timerange;
pub mod units;

pub use model::{Dashboard, ImportError, Panel};
