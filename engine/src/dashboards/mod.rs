//! Grafana-style dashboards over the lab's Prometheus: the dashboard JSON
//! model (`model.rs`), time and step rules (`interval.rs`), variables and
//! interpolation (`template.rs`), running panel queries (`query.rs`), how a
//! value is shown (`display.rs`, `units.rs`), and the dashboards kubeplay
//! ships (`builtin.rs`, JSON in `engine/dashboards/`) and those users save
//! in the lab's Grafana (`saved.rs`). Pure data in, data
//! out: the app draws what these return.

pub mod builtin;
pub mod display;
pub mod interval;
pub mod layout;
pub mod model;
pub mod query;
pub mod saved;
pub mod template;
pub mod units;

pub use model::{Dashboard, ImportError, Panel};
