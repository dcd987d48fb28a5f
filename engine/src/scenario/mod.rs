//! What lessons and tests build clusters from: presets (as data) and the
//! bootstrap that turns one into a running cluster.

mod bootstrap;
mod control_plane;
mod endpoints;
mod ingress_nginx;
pub mod lesson;
mod metallb;
mod monitoring;
mod nodes;
mod presets;

pub use bootstrap::bootstrap;
pub use nodes::{join, NewNode, ZONE};
pub use presets::{NodeGroup, Preset, PresetIngressNginx, PresetMetalLb, PresetNode, PresetStorageClass};
