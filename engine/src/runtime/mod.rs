//! The simulated container runtime: what images exist and how they behave.

pub mod exec;
pub mod fs;
pub mod images;
pub mod logs;
pub mod process;
pub mod script;
pub mod usage;
pub mod volumes;
