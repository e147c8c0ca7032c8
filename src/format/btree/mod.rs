//! Version 1 and version 2 B-trees (spec: "Version 1 B-trees", "Version 2 B-trees").

pub mod v1;
pub mod v2;
