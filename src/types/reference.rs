//! Reference values: what a stored reference points at, decoded but not resolved (turning an
//! address into an object is the read engine's job). Spec: "Reference" datatype class; the
//! encodings are in [`crate::format::reference`].

use super::plan::{Env, Kind, Node, RefSrc};
use super::{conv_err, H5Type, TypeDescriptor};
use crate::error::{ConversionErrorKind, Error, Result};
use crate::format::reference::{
    decode_object1, decode_region1, RegionObject, RevisedElement, RevisedRef, RevisedTarget,
};
use crate::format::selection::Selection;
use crate::format::{to_usize, Addr, Cursor};
use alloc::string::String;
use alloc::vec::Vec;

/// A region of a dataset: the dataset's object header address and the selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Object header address of the dataset.
    pub object: Addr,
    /// The selected elements.
    pub selection: Selection,
}

/// Any stored reference, old (`H5T_STD_REF_OBJ`, `H5T_STD_REF_DSETREG`) or revised
/// (`H5T_STD_REF`, HDF5 1.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// The null reference.
    Null,
    /// An object in this file.
    Object(Addr),
    /// A region of a dataset in this file.
    Region(Region),
    /// An attribute of an object in this file (revised references only).
    Attribute {
        /// Object header address of the object holding the attribute.
        object: Addr,
        /// Attribute name.
        name: String,
    },
    /// A target in another file (revised references only).
    External {
        /// The file name as stored.
        file: String,
        /// The object token in that file, as stored.
        token: Vec<u8>,
        /// What in that object is referenced.
        target: RevisedTarget,
    },
}

/// An object reference: the object header address of the target, `None` for the null
/// reference. Reads old object references and revised references to local objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ObjectRef(pub Option<Addr>);

/// A dataset region reference, `None` for the null reference. Reads old region references and
/// revised references to local regions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegionRef(pub Option<Region>);

fn decode_revised(r: RevisedRef, at: u64) -> Result<Reference> {
    if let Some(file) = r.file {
        return Ok(Reference::External {
            file,
            token: r.token,
            target: r.target,
        });
    }
    let object = r.address(at)?;
    Ok(match r.target {
        RevisedTarget::Object => Reference::Object(object),
        RevisedTarget::Region { selection, .. } => Reference::Region(Region { object, selection }),
        RevisedTarget::Attribute(name) => Reference::Attribute { object, name },
    })
}

fn decode_ref(node: &Node, elem: &[u8], env: &Env<'_>, to: &str) -> Result<Reference> {
    let Kind::Ref(src) = &node.kind else {
        return Err(node.mismatch(to));
    };
    let ctx = env.ctx();
    let mut c = Cursor::new(elem, 0, "reference element");
    match src {
        RefSrc::Object1 => {
            Ok(decode_object1(&mut c, ctx)?.map_or(Reference::Null, Reference::Object))
        }
        RefSrc::Region1 => {
            let Some(id) = decode_region1(&mut c, ctx)? else {
                return Ok(Reference::Null);
            };
            let obj = env.object(id)?;
            let mut hc = Cursor::new(&obj, id.collection.0, "region reference heap object");
            let r = RegionObject::decode(&mut hc, ctx, None)?;
            Ok(Reference::Region(Region {
                object: r.object,
                selection: r.selection,
            }))
        }
        RefSrc::Revised => match RevisedElement::decode(&mut c, ctx)? {
            RevisedElement::Null => Ok(Reference::Null),
            RevisedElement::Inline(r) => decode_revised(r, 0),
            RevisedElement::Heap {
                ref_type,
                flags,
                size,
                id,
            } => {
                let at = id.collection.0;
                let blob = env.object(id)?;
                let mut hc = Cursor::new(&blob, at, "revised reference heap object");
                let mut body = hc.sub(
                    to_usize(u64::from(size), "reference size", at)?,
                    "reference",
                )?;
                decode_revised(RevisedRef::decode_body(ref_type, flags, &mut body)?, at)
            }
        },
    }
}

fn wrong_kind(node: &Node, what: &str, to: &str) -> Error {
    conv_err(
        ConversionErrorKind::Incompatible,
        alloc::format!("{what} ({})", node.from),
        to,
    )
}

impl H5Type for Reference {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Reference
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        decode_ref(node, elem, env, "Reference")
    }
}

impl H5Type for ObjectRef {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::ObjectRef
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        match decode_ref(node, elem, env, "ObjectRef")? {
            Reference::Null => Ok(ObjectRef(None)),
            Reference::Object(a) => Ok(ObjectRef(Some(a))),
            Reference::Region(_) => Err(wrong_kind(node, "region reference", "ObjectRef")),
            Reference::Attribute { .. } => {
                Err(wrong_kind(node, "attribute reference", "ObjectRef"))
            }
            Reference::External { .. } => {
                Err(wrong_kind(node, "reference into another file", "ObjectRef"))
            }
        }
    }
}

impl H5Type for RegionRef {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::RegionRef
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        match decode_ref(node, elem, env, "RegionRef")? {
            Reference::Null => Ok(RegionRef(None)),
            Reference::Region(r) => Ok(RegionRef(Some(r))),
            Reference::Object(_) => Err(wrong_kind(node, "object reference", "RegionRef")),
            Reference::Attribute { .. } => {
                Err(wrong_kind(node, "attribute reference", "RegionRef"))
            }
            Reference::External { .. } => {
                Err(wrong_kind(node, "reference into another file", "RegionRef"))
            }
        }
    }
}
