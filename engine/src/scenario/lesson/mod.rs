//! Lessons as data: a `lessons/NN-slug/lesson.yaml` read into a [`Lesson`]
//! (format.rs), the lessons built into the engine (library.rs), the conditions its checks state (check.rs, dashboard.rs for
//! saved Grafana dashboards), and the runner
//! that plays a lesson against a live cluster (run.rs). A teacher writes
//! lessons without Rust; lessons/README.md documents the format.

mod check;
mod dashboard;
mod format;
pub mod library;
mod run;

pub use format::{Action, Check, Condition, DashboardWant, Lesson, PanelWant, Quiz, Step, Text};
pub use run::{LessonRun, Verdict};
