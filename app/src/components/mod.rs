//! One component per file.

pub mod app;
pub mod cluster_map;
pub mod editor;
pub mod terminal;
