//! One component per file.

pub mod app;
pub mod cluster_map;
pub mod context_picker;
pub mod editor;
pub mod events;
pub mod lesson;
pub mod lesson_step;
pub mod markdown;
pub mod notice;
pub mod object_tree;
pub mod past_banner;
pub mod pictures;
pub mod playground;
pub mod service_picture;
pub mod settings;
pub mod share_panel;
pub mod splitter;
pub mod terminal;
pub mod ticker;
pub mod time_controls;
pub mod top_bar;
pub mod yaml_paint;
