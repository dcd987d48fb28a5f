//! The page's look: one palette, large type for projectors, and a colour
//! per pod STATUS shared by every picture.

/// Colours of the dark theme.
pub mod palette {
    pub const BG: &str = "#0f1419";
    pub const PANEL: &str = "#171d24";
    pub const PANEL_EDGE: &str = "#2a333d";
    pub const TEXT: &str = "#e6e1cf";
    pub const MUTED: &str = "#8a95a3";
    pub const ACCENT: &str = "#4fb3ff";
    pub const OK: &str = "#7fd962";
    pub const WARN: &str = "#ffb454";
    pub const ERROR: &str = "#ff6b6b";
    pub const DONE: &str = "#8c9cff";
}

/// The chip colour for a kubectl STATUS.
pub fn status_color(status: &str) -> &'static str {
    use palette::*;
    match status {
        "Running" => OK,
        "Completed" | "Succeeded" => DONE,
        "Terminating" => MUTED,
        s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("Crash") => WARN,
        "Pending" | "ContainerCreating" | "PodInitializing" => WARN,
        _ => ERROR,
    }
}
