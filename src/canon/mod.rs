//! The canonical JSON document of a file (`../shared/DUMP-FORMAT.md`, format `h5canon/1`):
//! one description of everything readable, independent of how the file was written.

pub mod doc;
pub mod dtype;
pub mod json;
pub mod value;

pub use json::Json;
