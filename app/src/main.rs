//! kubeplay in the browser: a Yew app over the engine. Views only draw the
//! engine's state and forward what the user types; every rule of the
//! simulated cluster lives in the engine.

mod bridge;
mod components;
mod dashboards;
mod i18n;
mod progress;
mod route;
mod session;
mod share;
mod style;

// Memory grown 16 MiB at a time: each growth costs the page a JS garbage
// collection (engine/src/wasm_alloc.rs).
#[global_allocator]
static ALLOCATOR: engine::SteppedAlloc = engine::SteppedAlloc::new();

fn main() {
    yew::Renderer::<components::app::App>::new().render();
}
