//! The engine knows nothing about the browser: it must build natively and for
//! wasm32 alike, so no web crate may appear among its dependencies or in its
//! source.

use std::path::Path;

const WEB_CRATES: &[&str] = &["yew", "web-sys", "js-sys", "wasm-bindgen", "gloo", "stylist", "plotters-canvas"];

#[test]
fn engine_depends_on_no_web_crate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("engine manifest");
    for line in manifest.lines() {
        let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
        assert!(!WEB_CRATES.contains(&name), "engine/Cargo.toml depends on {name}");
    }
    let mut stack = vec![dir.join("src")];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).expect("source folder") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).expect("source file");
                for krate in WEB_CRATES {
                    let ident = krate.replace('-', "_");
                    assert!(!text.contains(&format!("{ident}::")), "{} uses {ident}", p.display());
                }
            }
        }
    }
}
