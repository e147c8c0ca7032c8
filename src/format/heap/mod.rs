//! Heaps: local (names of old-style groups), global (variable-length data) and fractal
//! (dense link and attribute storage).

pub mod fractal;
pub mod global;
pub mod local;
