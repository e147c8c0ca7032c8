//! Building version 2 B-trees ("BTHD", "BTIN", "BTLF") bottom-up from a complete, sorted list
//! of records: the name and creation-order indexes of dense groups and dense attribute storage
//! (types 5, 6, 8, 9), and the chunk index of datasets with several unlimited dimensions
//! (types 10, 11). Spec: "Version 2 B-trees"; see `spec-notes/btree-v2.md`.
//!
//! The tree gets the least depth whose capacity holds every record. Each internal node has
//! the fewest children that can hold its records, and the records are spread evenly over the
//! children (one record between two neighbouring children), so every node is at least about
//! half full. Internal node pointers carry the child's record count and, above depth 1, the
//! child's subtree total.

use super::Sink;
use crate::error::{Error, Result};
use crate::format::btree::v2::{ChildPointer, Geometry, Header, Node, Record, RecordFormat};
use crate::format::Addr;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Creation parameters of a v2 B-tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    /// Size of every node in bytes.
    pub node_size: u32,
    /// Percent full at which libhdf5 splits a node.
    pub split_percent: u8,
    /// Percent full below which libhdf5 merges nodes.
    pub merge_percent: u8,
}

impl Params {
    /// What libhdf5 uses for link and attribute indexes (name and creation order): 512-byte
    /// nodes, split at 100 %, merge at 40 %.
    pub const LINKS_AND_ATTRIBUTES: Params = Params {
        node_size: 512,
        split_percent: 100,
        merge_percent: 40,
    };
    /// What libhdf5 uses for chunk indexes (layout v4 index type 5): 2048-byte nodes, split at
    /// 100 %, merge at 40 %.
    pub const CHUNKS: Params = Params {
        node_size: 2048,
        split_percent: 100,
        merge_percent: 40,
    };
}

/// What a written tree looks like to the message that references it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Address of the header ("BTHD").
    pub header: Addr,
    /// Depth of the tree (0: the root is a leaf).
    pub depth: u16,
    /// Number of records.
    pub total_records: u64,
}

/// Deepest tree the builder makes (far beyond any real tree: depth 6 of 512-byte link nodes
/// already holds more than 10^9 records).
const MAX_DEPTH: u16 = 32;

fn usage(what: &str) -> Error {
    Error::Usage(alloc::format!("v2 B-tree: {what}"))
}

/// Write a v2 B-tree holding `records` (already in the tree type's order; chunk records are
/// checked to be strictly increasing) with records of `format` (see
/// [`RecordFormat::for_writing`]) and nodes of `params`. The header is allocated first, then
/// the nodes, children before parents. An empty list writes only a header with an undefined
/// root, as libhdf5 does for an empty index.
///
/// # Errors
/// `Usage` when a record does not fit the format, chunk records are out of order, the node
/// size cannot hold a record (or an internal node one record), or the tree would be deeper
/// than 32; the sink's errors.
pub fn write_btree_v2<S: Sink + ?Sized>(
    sink: &mut S,
    format: &RecordFormat,
    records: &[Record],
    params: Params,
) -> Result<Written> {
    let ctx = sink.ctx();
    if format.ctx != ctx {
        return Err(usage("record format of other file widths"));
    }
    if matches!(format.btree_type.0, 10 | 11) {
        for w in records.windows(2) {
            if let [a, b] = w {
                let key = match b {
                    Record::Chunk { scaled, .. } | Record::FilteredChunk { scaled, .. } => {
                        crate::format::btree::v2::Key::Scaled(scaled)
                    }
                    _ => return Err(usage("a chunk tree holds only chunk records")),
                };
                if a.compare(&key) != Some(Ordering::Less) {
                    return Err(usage("chunk records not in strictly increasing order"));
                }
            }
        }
    }
    let total = records.len() as u64;
    let mut header = Header {
        btree_type: format.btree_type,
        node_size: params.node_size,
        record_size: format.record_size,
        depth: 0,
        split_percent: params.split_percent,
        merge_percent: params.merge_percent,
        root: None,
        root_records: 0,
        total_records: total,
    };
    let header_addr = sink.alloc(Header::size(ctx) as u64)?;
    if !records.is_empty() {
        let geom = loop {
            let g = geometry(&header, ctx)?;
            if g.level(header.depth)?.max_total_records >= total {
                break g;
            }
            header.depth += 1;
            if header.depth > MAX_DEPTH {
                return Err(usage("too many records for the node size"));
            }
        };
        let root = write_subtree(sink, &geom, format, records, header.depth)?;
        header.root = Some(root.addr);
        header.root_records =
            u16::try_from(root.records).map_err(|_| usage("root record count"))?;
    }
    sink.write(header_addr, &header.encode(ctx))?;
    Ok(Written {
        header: header_addr,
        depth: header.depth,
        total_records: total,
    })
}

fn geometry(h: &Header, ctx: crate::format::Ctx) -> Result<Geometry> {
    // Errors here are caller errors (a node size too small for the records).
    h.geometry(0, ctx, u32::from(MAX_DEPTH))
        .map_err(|_| usage("node size too small for the records"))
}

/// Write the subtree of depth `depth` holding `records`; returns its pointer.
fn write_subtree<S: Sink + ?Sized>(
    sink: &mut S,
    geom: &Geometry,
    format: &RecordFormat,
    records: &[Record],
    depth: u16,
) -> Result<ChildPointer> {
    let n = records.len() as u64;
    let node = if depth == 0 {
        Node {
            depth,
            records: records.to_vec(),
            children: Vec::new(),
        }
    } else {
        let below = geom.level(depth - 1)?.max_total_records;
        // Fewest children c with n <= c * below + (c - 1).
        let c = n
            .checked_add(1)
            .map(|m| m.div_ceil(below.saturating_add(1)))
            .ok_or_else(|| usage("record count"))?
            .max(1);
        let in_children = n - (c - 1);
        let (q, r) = (in_children / c, in_children % c);
        let mut children = Vec::new();
        let mut own = Vec::new();
        let mut pos = 0usize;
        for i in 0..c {
            let len = usize::try_from(q + u64::from(i < r)).map_err(|_| usage("record count"))?;
            let part = records
                .get(pos..pos + len)
                .ok_or_else(|| usage("record count"))?;
            children.push(write_subtree(sink, geom, format, part, depth - 1)?);
            pos += len;
            if i + 1 < c {
                own.push(
                    records
                        .get(pos)
                        .cloned()
                        .ok_or_else(|| usage("record count"))?,
                );
                pos += 1;
            }
        }
        Node {
            depth,
            records: own,
            children,
        }
    };
    let bytes = node.encode(geom, format)?;
    let addr = sink.put(&bytes)?;
    Ok(ChildPointer {
        addr,
        records: node.records.len() as u64,
        total_records: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::btree::v2::BTreeType;
    use crate::format::Ctx;

    #[test]
    fn depth_grows_with_the_count() {
        let f = RecordFormat::for_writing(BTreeType::LINK_NAME, Ctx::DEFAULT, 0, 0).unwrap();
        for (n, depth) in [(0u32, 0u16), (1, 0), (45, 0), (46, 1), (1149, 1), (1150, 2)] {
            let recs: Vec<Record> = (0..n)
                .map(|h| Record::LinkName {
                    hash: h,
                    heap_id: [0; 7],
                })
                .collect();
            let mut w = super::super::Writer::new(
                Vec::new(),
                0,
                Ctx::DEFAULT,
                super::super::FileSpace::new(0),
            );
            let t = write_btree_v2(&mut w, &f, &recs, Params::LINKS_AND_ATTRIBUTES).unwrap();
            assert_eq!((t.depth, t.total_records), (depth, u64::from(n)));
        }
    }
}
