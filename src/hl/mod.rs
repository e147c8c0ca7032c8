//! The public typed API: [`File`], [`Group`], [`Dataset`], [`Attribute`], [`NamedDatatype`].
//!
//! Objects are cheap handles: each holds the shared file state and its own decoded object
//! header. Paths are resolved like h5py: `/`-separated, absolute from the root or relative to
//! a group, following hard and soft links (external links only when enabled).

mod file;
mod object;
mod repack;
mod vds;
mod writer;

pub use crate::read::selection::{Hyperslab, Selection, Sliced};
pub use file::{File, OpenOptions};
pub use object::{Attribute, Dataset, Group, LinkInfo, LinkKind, NamedDatatype, Object};
pub use repack::{repack, ChunkChoice, RepackOptions};
pub use vds::SourcePart;
pub use writer::{
    guess_chunk, CreateOptions, DatasetBuilder, FileWriter, MemWriter, ObjectId, Profile,
};
