//! The Dashboards page (`#/dashboards/<uid>`): Grafana-style dashboards over
//! the playground's cluster. The model, queries and number formatting are
//! the engine's (`engine::dashboards`); this folder draws them.

mod alertlist;
mod chart;
mod editor;
mod grid;
mod heatmap;
mod logs;
mod mappings;
mod options;
mod overrides;
pub mod page;
mod panels;
mod rows;
pub mod store;
mod text;
mod thresholds;
mod timepicker;
mod varbar;
mod variables;

pub use text::{tr, D};
