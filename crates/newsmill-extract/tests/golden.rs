//! Golden tests: placeholder harness, filled in below.
fn main() {}
