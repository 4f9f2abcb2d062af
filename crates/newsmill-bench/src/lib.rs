//! Benchmarks only: see `benches/`. Vendored inputs live in `resources/` (README there).

/// The directory holding the vendored benchmark inputs.
pub const RESOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/resources");
