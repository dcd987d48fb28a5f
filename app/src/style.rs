//! The page's look: two themes and a presenter look as CSS variables, and a
//! colour per pod STATUS shared by every picture. Components name colours
//! only through `palette`, so switching theme is one attribute on the root.

/// Colours, as the CSS variables each theme defines.
pub mod palette {
    pub const BG: &str = "var(--bg)";
    pub const PANEL: &str = "var(--panel)";
    pub const SUNKEN: &str = "var(--sunken)";
    pub const RAISED: &str = "var(--raised)";
    pub const PANEL_EDGE: &str = "var(--edge)";
    pub const TEXT: &str = "var(--text)";
    pub const MUTED: &str = "var(--muted)";
    pub const ACCENT: &str = "var(--accent)";
    pub const ON_ACCENT: &str = "var(--on-accent)";
    pub const OK: &str = "var(--ok)";
    pub const WARN: &str = "var(--warn)";
    pub const ERROR: &str = "var(--error)";
    pub const DONE: &str = "var(--done)";
    pub const MONO: &str = r#""JetBrains Mono", "DejaVu Sans Mono", "D2Coding", "NanumGothicCoding", monospace"#;
}

/// The variables of each look, keyed by the root's `data-theme` and
/// `data-presenter` attributes. Presenter mode is high contrast on purpose:
/// projectors wash out greys.
pub const THEMES: &str = r#"
:root, [data-theme="dark"] {
    --bg: #0f1419; --panel: #171d24; --sunken: #0b0e12; --raised: #1d252e; --edge: #2a333d;
    --text: #e6e1cf; --muted: #8a95a3; --accent: #4fb3ff; --on-accent: #08111a;
    --ok: #7fd962; --warn: #ffb454; --error: #ff6b6b; --done: #8c9cff;
}
[data-theme="light"] {
    --bg: #eef1f4; --panel: #ffffff; --sunken: #f7f8fa; --raised: #f0f3f6; --edge: #c9d1da;
    --text: #1b232c; --muted: #56616e; --accent: #0b63b6; --on-accent: #ffffff;
    --ok: #1f7a1f; --warn: #9a5b00; --error: #c0262d; --done: #4b4fc4;
}
[data-presenter="on"][data-theme="dark"] {
    --bg: #000000; --panel: #000000; --sunken: #000000; --raised: #111111; --edge: #9aa5b1;
    --text: #ffffff; --muted: #d0d6dc; --accent: #66c2ff;
    --ok: #8cff6b; --warn: #ffc266; --error: #ff7b7b; --done: #a9b5ff;
}
[data-presenter="on"][data-theme="light"] {
    --bg: #ffffff; --panel: #ffffff; --sunken: #ffffff; --raised: #f2f2f2; --edge: #30363d;
    --text: #000000; --muted: #2b3138; --accent: #004f9e;
    --ok: #0c5e0c; --warn: #7a4500; --error: #a3001b; --done: #2f31a8;
}
"#;

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
