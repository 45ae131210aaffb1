//! Developer and CI tasks.
fn main() {}
