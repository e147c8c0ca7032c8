//! Reading version 2 B-trees: open a tree by its header address, then walk its records in key
//! order lazily (one node per level in memory), or search records by key without a full scan.
//! Spec: "Version 2 B-trees".
//!
//! Every node read is checksum-verified; the walk detects cycles (a node address seen twice),
//! caps the depth at [`crate::Limits::max_btree_depth`] and the number of nodes at
//! [`crate::Limits::max_btree_nodes`].

use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::btree::v2::{
    BTreeType, ChildPointer, Geometry, Header, Key, Node, Record, RecordFormat, RecordParams,
};
use crate::format::Addr;
use alloc::collections::BTreeSet;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// An open version 2 B-tree: its header and derived geometry.
#[derive(Debug, Clone)]
pub struct BTreeV2 {
    addr: Addr,
    header: Header,
    geometry: Geometry,
    format: RecordFormat,
}

impl BTreeV2 {
    /// Open the tree whose header is at `addr`. Chunk trees (types 10 and 11) whose rank or chunk
    /// size width cannot be derived from the record size need [`BTreeV2::open_with`].
    ///
    /// # Errors
    /// Header decode errors (`Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`,
    /// `InvalidValue`), `OutOfBounds` when the header is outside the file, `LimitExceeded` when
    /// the tree is deeper than `max_btree_depth`, `Usage` for a type-11 tree without parameters.
    pub fn open(r: &Reader, addr: Addr) -> Result<Self> {
        Self::open_with(r, addr, RecordParams::default())
    }

    /// Open the tree at `addr` with record parameters (the dataset rank and chunk size width of
    /// chunk index trees; ignored by other types).
    ///
    /// # Errors
    /// As [`BTreeV2::open`]; `InvalidValue` when the parameters do not match the record size.
    pub fn open_with(r: &Reader, addr: Addr, params: RecordParams) -> Result<Self> {
        let size = Header::size(r.ctx) as u64;
        let data = r.block(addr, size, "v2 B-tree header")?;
        let header = Header::decode(&data, addr.0, r.ctx)?;
        let geometry = header.geometry(addr.0, r.ctx, r.limits.max_btree_depth)?;
        let format = RecordFormat::new(&header, addr.0, r.ctx, params)?;
        Ok(BTreeV2 {
            addr,
            header,
            geometry,
            format,
        })
    }

    /// Address of the header.
    pub fn addr(&self) -> Addr {
        self.addr
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The tree type.
    pub fn btree_type(&self) -> BTreeType {
        self.header.btree_type
    }

    /// The node geometry (capacities and count widths per level).
    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// How records of this tree are decoded (type, size, chunk rank and widths).
    pub fn record_format(&self) -> &RecordFormat {
        &self.format
    }

    /// All records, in key order, read lazily.
    pub fn records<'a>(&'a self, r: &'a Reader) -> Records<'a> {
        Records::new(self, r, None)
    }

    /// The records whose key compares equal to `key`, in order, read lazily: the walk descends
    /// only into nodes that can hold such records and stops at the first greater record. For name
    /// hashes (types 5 and 8) several names can share a hash; the caller tells them apart.
    ///
    /// # Errors
    /// `Usage` when `key` does not order records of this tree's type.
    pub fn search<'a>(&'a self, r: &'a Reader, key: Key<'a>) -> Result<Records<'a>> {
        if !key.applies_to(self.header.btree_type) {
            return Err(Error::Usage(alloc::format!(
                "{key:?} is not a key of v2 B-tree type {}",
                self.header.btree_type
            )));
        }
        Ok(Records::new(self, r, Some(key)))
    }

    /// The first record whose key equals `key`, if any.
    ///
    /// # Errors
    /// As [`BTreeV2::search`] and the node errors of [`Records`].
    pub fn find(&self, r: &Reader, key: Key<'_>) -> Result<Option<Record>> {
        self.search(r, key)?.next().transpose()
    }

    fn read_node(&self, r: &Reader, ptr: &ChildPointer, depth: u16) -> Result<Node> {
        let what = if depth == 0 {
            "v2 B-tree leaf node"
        } else {
            "v2 B-tree internal node"
        };
        let data = r.block_upto(ptr.addr, self.geometry.node_size(), what)?;
        Node::decode(
            &data,
            ptr.addr.0,
            &self.geometry,
            &self.format,
            depth,
            ptr.records,
        )
    }
}

/// One node on the walk's stack, with the position of the walk inside it.
#[derive(Debug)]
struct Frame {
    depth: u16,
    records: vec::IntoIter<Record>,
    children: vec::IntoIter<ChildPointer>,
    /// In an internal node, the next step descends into a child (children and records
    /// alternate, starting and ending with a child).
    child_next: bool,
}

/// A lazy in-order walk over the records of a [`BTreeV2`] (optionally restricted to one key).
/// Yields `Err` once and then ends when a node is malformed.
#[derive(Debug)]
pub struct Records<'a> {
    tree: &'a BTreeV2,
    r: &'a Reader,
    key: Option<Key<'a>>,
    stack: Vec<Frame>,
    visited: BTreeSet<u64>,
    nodes: u64,
    started: bool,
    done: bool,
}

impl<'a> Records<'a> {
    fn new(tree: &'a BTreeV2, r: &'a Reader, key: Option<Key<'a>>) -> Self {
        Records {
            tree,
            r,
            key,
            stack: Vec::new(),
            visited: BTreeSet::new(),
            nodes: 0,
            started: false,
            done: false,
        }
    }

    /// Number of nodes read so far.
    pub fn nodes_read(&self) -> u64 {
        self.nodes
    }

    fn push(&mut self, ptr: ChildPointer, depth: u16) -> Result<()> {
        if !self.visited.insert(ptr.addr.0) {
            return Err(Error::format(
                FormatErrorKind::Cycle,
                "v2 B-tree node",
                ptr.addr.0,
            ));
        }
        self.nodes += 1;
        crate::Limits::check("max_btree_nodes", self.nodes, self.r.limits.max_btree_nodes)?;
        let node = self.tree.read_node(self.r, &ptr, depth)?;
        self.stack.push(Frame {
            depth,
            child_next: depth > 0,
            records: node.records.into_iter(),
            children: node.children.into_iter(),
        });
        Ok(())
    }

    fn compare(&self, rec: &Record) -> Ordering {
        match &self.key {
            None => Ordering::Equal,
            Some(k) => rec.compare(k).unwrap_or(Ordering::Equal),
        }
    }

    fn step(&mut self) -> Result<Option<Record>> {
        if !self.started {
            self.started = true;
            let h = &self.tree.header;
            let Some(root) = h.root else { return Ok(None) };
            let ptr = ChildPointer {
                addr: root,
                records: u64::from(h.root_records),
                total_records: h.total_records,
            };
            self.push(ptr, h.depth)?;
        }
        loop {
            let Some(top) = self.stack.last_mut() else {
                return Ok(None);
            };
            if top.child_next {
                top.child_next = false;
                let depth = top.depth;
                let Some(child) = top.children.next() else {
                    return Err(Error::invalid(
                        "v2 B-tree internal node child pointers",
                        self.tree.addr.0,
                    ));
                };
                // Skip a child whose every record sorts before the key: they are all <= the
                // record that follows it.
                if self.key.is_some() {
                    let after = self.stack.last().and_then(|f| f.records.as_slice().first());
                    if let Some(rec) = after {
                        if self.compare(rec) == Ordering::Less {
                            continue;
                        }
                    }
                }
                self.push(child, depth - 1)?;
                continue;
            }
            match top.records.next() {
                None => {
                    self.stack.pop();
                }
                Some(rec) => {
                    top.child_next = top.depth > 0;
                    match self.compare(&rec) {
                        Ordering::Less => {}
                        Ordering::Equal => return Ok(Some(rec)),
                        Ordering::Greater => {
                            self.stack.clear();
                            return Ok(None);
                        }
                    }
                }
            }
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        super::fused_step(&mut self.done, step)
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    use crate::format::Ctx;
    use crate::testutil::seal;
    use crate::Limits;
    use alloc::sync::Arc;

    fn put(file: &mut Vec<u8>, at: usize, bytes: &[u8]) {
        if file.len() < at + bytes.len() {
            file.resize(at + bytes.len(), 0);
        }
        file[at..at + bytes.len()].copy_from_slice(bytes);
    }

    fn header(t: u8, rec: u16, depth: u16, root: u64, nroot: u16, total: u64) -> Vec<u8> {
        let mut b = b"BTHD\x00".to_vec();
        b.push(t);
        b.extend_from_slice(&128u32.to_le_bytes());
        b.extend_from_slice(&rec.to_le_bytes());
        b.extend_from_slice(&depth.to_le_bytes());
        b.extend_from_slice(&[100, 40]);
        b.extend_from_slice(&root.to_le_bytes());
        b.extend_from_slice(&nroot.to_le_bytes());
        b.extend_from_slice(&total.to_le_bytes());
        seal(b)
    }

    /// Type-9 records (13 bytes) with creation order `o`.
    fn rec9(o: u32) -> Vec<u8> {
        let mut v = vec![o as u8; 8];
        v.push(0);
        v.extend_from_slice(&o.to_le_bytes());
        v
    }

    fn leaf(orders: &[u32]) -> Vec<u8> {
        let mut b = b"BTLF\x00\x09".to_vec();
        for &o in orders {
            b.extend(rec9(o));
        }
        seal(b)
    }

    /// A depth-2 tree of creation orders 0..n over 128-byte nodes. Leaf capacity (128-10)/13 = 9
    /// records (1-byte counts); depth-1 capacity (118-9)/(13+9) = 4; total width of level 1 =
    /// bytes for 5*9+4 = 49 -> 1; depth-2 pointer 8+1+1.
    fn tree_file(corrupt_cycle: bool) -> (Vec<u8>, u64) {
        let mut f = vec![0u8; 0x100];
        let mut next = 0u64;
        let mut leaves = |f: &mut Vec<u8>, orders: &[u32]| {
            let at = 0x1000 + next * 0x80;
            next += 1;
            put(f, at as usize, &leaf(orders));
            at
        };
        // Level-1 node A: leaves [0,1] 2 [3,4] 5 [6]; node B: leaves [8,9] 10 [11].
        let l0 = leaves(&mut f, &[0, 1]);
        let l1 = leaves(&mut f, &[3, 4]);
        let l2 = leaves(&mut f, &[6]);
        let l3 = leaves(&mut f, &[8, 9]);
        let l4 = leaves(&mut f, &[11]);
        let internal = |recs: &[u32], kids: &[(u64, u8)]| {
            let mut b = b"BTIN\x00\x09".to_vec();
            for &o in recs {
                b.extend(rec9(o));
            }
            for &(a, n) in kids {
                b.extend_from_slice(&a.to_le_bytes());
                b.push(n);
            }
            seal(b)
        };
        let a = internal(&[2, 5], &[(l0, 2), (l1, 2), (l2, 1)]);
        let b = internal(&[10], &[(l3, 2), (if corrupt_cycle { l0 } else { l4 }, 1)]);
        put(&mut f, 0x2000, &a);
        put(&mut f, 0x2080, &b);
        let mut root = b"BTIN\x00\x09".to_vec();
        root.extend(rec9(7));
        for (addr, n, tot) in [(0x2000u64, 2u8, 7u8), (0x2080, 1, 4)] {
            root.extend_from_slice(&addr.to_le_bytes());
            root.push(n);
            root.push(tot);
        }
        put(&mut f, 0x3000, &seal(root));
        put(&mut f, 0x40, &header(9, 13, 2, 0x3000, 1, 12));
        f.resize(0x3100, 0);
        (f, 0x40)
    }

    fn reader(f: Vec<u8>) -> Reader {
        Reader::new(Arc::new(f), 0, Ctx::DEFAULT, Limits::default()).unwrap()
    }

    fn order(r: &Record) -> u32 {
        match r {
            Record::AttributeCreationOrder { creation_order, .. } => *creation_order,
            _ => panic!("{r:?}"),
        }
    }

    #[test]
    fn walk_depth_two() {
        let (f, h) = tree_file(false);
        let r = reader(f);
        let t = BTreeV2::open(&r, Addr(h)).unwrap();
        assert_eq!(t.header().depth, 2);
        assert_eq!(t.geometry().level(0).unwrap().max_records, 9);
        assert_eq!(t.geometry().level(1).unwrap().max_records, 4);
        let got: Vec<u32> = t.records(&r).map(|x| order(&x.unwrap())).collect();
        assert_eq!(got, (0..12).collect::<Vec<_>>());
        // Keyed search reads only the path to the key.
        for k in 0..12u32 {
            let mut it = t.search(&r, Key::CreationOrder(u64::from(k))).unwrap();
            let got = it.next().unwrap().unwrap();
            assert_eq!(order(&got), k);
            assert!(it.nodes_read() <= 3, "{k}: {}", it.nodes_read());
            // Looking for duplicates may read down the next path too, never the whole tree
            // (8 nodes).
            assert!(it.next().is_none());
            assert!(it.nodes_read() <= 5, "{k}: {}", it.nodes_read());
        }
        assert_eq!(t.find(&r, Key::CreationOrder(12)).unwrap(), None);
        assert!(matches!(t.search(&r, Key::Hash(1)), Err(Error::Usage(_))));
    }

    #[test]
    fn walk_errors() {
        let (f, h) = tree_file(true);
        let r = reader(f);
        let t = BTreeV2::open(&r, Addr(h)).unwrap();
        let res: Vec<_> = t.records(&r).collect();
        let err = res.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.format_kind(), Some(FormatErrorKind::Cycle));
        assert_eq!(res.len(), 12);

        // A flipped byte in a leaf: checksum error at that leaf.
        let (mut f, h) = tree_file(false);
        f[0x1080 + 7] ^= 1;
        let r = reader(f);
        let t = BTreeV2::open(&r, Addr(h)).unwrap();
        let err = t.records(&r).find_map(|x| x.err()).unwrap();
        assert_eq!(
            err,
            Error::format(
                FormatErrorKind::BadChecksum,
                "v2 B-tree leaf node",
                0x1080 + 6 + 26
            )
        );

        // Node budget.
        let (f, h) = tree_file(false);
        let lim = Limits {
            max_btree_nodes: 3,
            ..Limits::default()
        };
        let r = Reader::new(Arc::new(f), 0, Ctx::DEFAULT, lim).unwrap();
        let t = BTreeV2::open(&r, Addr(h)).unwrap();
        let err = t.records(&r).find_map(|x| x.err()).unwrap();
        assert!(matches!(
            err,
            Error::LimitExceeded {
                limit: "max_btree_nodes",
                ..
            }
        ));

        // Depth budget.
        let (f, h) = tree_file(false);
        let lim = Limits {
            max_btree_depth: 1,
            ..Limits::default()
        };
        let r = Reader::new(Arc::new(f), 0, Ctx::DEFAULT, lim).unwrap();
        assert!(matches!(
            BTreeV2::open(&r, Addr(h)),
            Err(Error::LimitExceeded {
                limit: "max_btree_depth",
                ..
            })
        ));

        // Header outside the file, empty tree.
        let mut f = vec![0u8; 0x40];
        f.extend(header(9, 13, 0, u64::MAX, 0, 0));
        let r = reader(f);
        assert_eq!(
            BTreeV2::open(&r, Addr(0x1000)).unwrap_err().format_kind(),
            Some(FormatErrorKind::OutOfBounds)
        );
        let t = BTreeV2::open(&r, Addr(0x40)).unwrap();
        assert_eq!(t.records(&r).count(), 0);
    }
}
