//! Regenerates ui/src/lib/bindings/bindings.ts. CI runs this and then fails on
//! `git diff --exit-code`, so a stale file cannot land.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::path::PathBuf;

#[test]
fn typescript_bindings_cover_every_registered_command() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings/bindings.ts");
    kestrel_app::export_bindings(&path).unwrap();
    let ts = std::fs::read_to_string(&path).unwrap();
    for name in kestrel_app::commands::names() {
        assert!(
            ts.contains(&format!("\"{name}\"")),
            "{name} is in build.rs but not in the bindings"
        );
    }
    // `__TAURI_INVOKE("name"` or `__TAURI_INVOKE<T>("name"`; the import line is neither.
    let invokes = ts.matches("__TAURI_INVOKE(").count() + ts.matches("__TAURI_INVOKE<").count();
    assert_eq!(
        invokes,
        kestrel_app::commands::names().len(),
        "bindings have commands build.rs lacks"
    );
    for ty in [
        "MarketFrame",
        "AccountEvent",
        "OrderOutcome",
        "AppError",
        "OrderTicket",
    ] {
        assert!(
            ts.contains(&format!("export type {ty} ")),
            "{ty} missing from bindings"
        );
    }
}
