#!/usr/bin/env python3
"""Build the seed corpora of the fuzz targets from the committed test files.

    python3 fuzz/seed.py            # writes fuzz/corpus/<target>/ (git-ignored)
    python3 fuzz/seed.py --clean    # empties each corpus directory first

Whole-file targets get the files as they are. Structure targets get structures cut out of
the files: signatures are searched for ("TREE", "BTHD", "HEAP", "GCOL", "FRHP", "FHDB",
"FHIB", "FAHD", "FADB", "EAHD", "EAIB", "EASB", "EADB", "SNOD"), object headers are found
through h5py (their addresses) and their messages split. Each seed is written in the input
layout its target documents (see `fuzz/src/lib.rs` and the header comment of each target):
a ctx byte choosing the offset/length widths, parameters, and length-prefixed parts.

Seed names are content hashes, so running the script twice gives the same corpus.
"""

import glob
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPUS = os.path.join(HERE, "corpus")

# Must match CTXS in fuzz/src/lib.rs.
CTXS = [(8, 8), (4, 4), (4, 8), (8, 4), (2, 2), (2, 8)]
SIGNATURE = b"\x89HDF\r\n\x1a\n"
# Largest window cut for a structure whose size is not worked out here.
WINDOW = 4096
# Traversal seeds carry a whole file image: only images up to MAX_IMAGE bytes, and at most
# TRAVERSALS seeds per file and traversal kind.
MAX_IMAGE = 128 << 10
TRAVERSALS = 3

TARGETS = [
    "whole_file", "differential", "superblock", "object_header", "datatype", "messages",
    "filter_pipeline", "btree_v1", "btree_v2", "local_heap", "global_heap", "fractal_heap",
    "fixed_array", "extensible_array", "selection", "reference", "virtual_layout",
    "symbol_table", "traversal",
]


def le(b, n=None):
    return int.from_bytes(b if n is None else b[:n], "little")


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v & 0xFFFFFFFF)


def part(b):
    b = bytes(b)[:0xFFFF]
    return u16(len(b)) + b


def ctx_byte(o, l):
    return CTXS.index((o, l)) if (o, l) in CTXS else 0


def bytes_needed(v):
    n = 1
    while v >> (8 * n):
        n += 1
    return n


class Corpus:
    def __init__(self):
        self.counts = {}
        self.per_file = {}
        self.file = None

    def add(self, target, data):
        data = bytes(data)
        if target == "traversal":
            # Whole images are big: at most TRAVERSALS seeds per file and kind.
            if len(data) > MAX_IMAGE:
                return
            key = (self.file, data[0])
            self.per_file[key] = self.per_file.get(key, 0) + 1
            if self.per_file[key] > TRAVERSALS:
                return
        d = os.path.join(CORPUS, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(d, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.counts[target] = self.counts.get(target, 0) + 1


class H5:
    """One file: its image from the superblock on (HDF5 address 0) and its widths."""

    def __init__(self, path):
        self.path = path
        raw = open(path, "rb").read()
        self.base = None
        pos = 0
        while pos + 8 <= len(raw):
            if raw[pos:pos + 8] == SIGNATURE:
                self.base = pos
                break
            pos = 512 if pos == 0 else pos * 2
        if self.base is None:
            raise ValueError("no superblock")
        self.raw = raw
        img = raw[self.base:]
        self.img = img
        v = img[8]
        if v in (0, 1):
            self.o, self.l = img[13], img[14]
        else:
            self.o, self.l = img[9], img[10]
        self.ctx = ctx_byte(self.o, self.l)

    def find(self, sig):
        out = []
        start = 0
        while True:
            p = self.img.find(sig, start)
            if p < 0:
                return out
            out.append(p)
            start = p + 1

    def off(self, p):
        v = le(self.img[p:p + self.o])
        return None if v == (1 << (8 * self.o)) - 1 else v

    def length(self, p):
        return le(self.img[p:p + self.l])

    def cut(self, p, n):
        return self.img[p:p + max(0, min(n, WINDOW * 16))]


# ---------------------------------------------------------------- object headers (via h5py)

def object_headers(h):
    """(address, kind, [(msg type, msg bytes)], filter_pipeline seed or None) of every object
    h5py reaches."""
    try:
        import h5py
    except ImportError:
        return []
    out = []
    seen = set()
    try:
        f = h5py.File(h.path, "r")
    except Exception:
        return []
    with f:
        objs = [("/", f)]

        def visit(name, obj):
            objs.append((name, obj))

        try:
            f.visititems(visit)
        except Exception:
            pass
        for name, obj in objs:
            try:
                addr = h5py.h5o.get_info(obj.id).addr
            except Exception:
                continue
            if addr in seen:
                continue
            seen.add(addr)
            kind = "dataset" if isinstance(obj, h5py.Dataset) else "other"
            try:
                msgs = header_messages(h, addr)
            except Exception:
                msgs = []
            fseed = filter_seed(h, obj) if kind == "dataset" else None
            out.append((addr, kind, msgs, fseed))
    return out


def header_messages(h, a):
    img = h.img
    msgs = []
    blocks = []
    if img[a:a + 4] == b"OHDR":
        flags = img[a + 5]
        pos = a + 6
        if flags & 0x20:
            pos += 16
        if flags & 0x10:
            pos += 4
        n = 1 << (flags & 3)
        size = le(img[pos:pos + n])
        pos += n
        blocks.append((pos, pos + size, 2, flags))
    elif img[a] == 1:
        size = le(img[a + 8:a + 12])
        blocks.append((a + 16, a + 16 + size, 1, 0))
    todo = blocks
    done = 0
    while todo and done < 64:
        start, end, ver, flags = todo.pop(0)
        done += 1
        pos = start
        while pos + 4 <= end:
            if ver == 2:
                t = img[pos]
                sz = le(img[pos + 1:pos + 3])
                pos += 4 + (2 if flags & 0x04 else 0)
            else:
                t = le(img[pos:pos + 2])
                sz = le(img[pos + 2:pos + 4])
                pos += 8
            body = img[pos:pos + sz]
            msgs.append((t, body))
            if t == 0x10 and len(body) >= h.o + h.l:
                ca = le(body[:h.o])
                cl = le(body[h.o:h.o + h.l])
                if ver == 2 and img[ca:ca + 4] == b"OCHK":
                    todo.append((ca + 4, ca + cl - 4, 2, flags))
                elif ver == 1:
                    todo.append((ca, ca + cl, 1, 0))
            pos += sz
    return msgs


def header_bytes(h, a):
    """The first block of the object header at `a` (prefix included)."""
    img = h.img
    if img[a:a + 4] == b"OHDR":
        flags = img[a + 5]
        pos = a + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        n = 1 << (flags & 3)
        size = le(img[pos:pos + n])
        return img[a:pos + n + size + 4]
    size = le(img[a + 8:a + 12])
    return img[a:a + 16 + size]


# ---------------------------------------------------------------- structure seeds

def seed_btree_v1(c, h):
    o, l = h.o, h.l
    for p in h.find(b"TREE"):
        ntype, n = h.img[p + 4], le(h.img[p + 6:p + 8])
        hdr = 8 + 2 * o
        if ntype == 0:
            used = hdr + n * o + (n + 1) * l
            c.add("btree_v1", bytes([h.ctx, 0]) + u16(16) + h.cut(p, used))
        elif ntype == 1:
            for ndims in range(2, 7):
                key = 8 + 8 * ndims
                used = hdr + n * o + (n + 1) * key
                body = h.img[p + hdr:p + used]
                if len(body) < used - hdr:
                    continue
                # Plausible: every key's last offset (within the element) is 0.
                ok = all(
                    le(body[i * (key + o) + key - 8:i * (key + o) + key]) == 0
                    for i in range(n + 1)
                )
                if ok:
                    c.add("btree_v1", bytes([h.ctx, 1 | ndims << 1]) + u16(32) + h.cut(p, used))


def btree_v2_header(h, p):
    img, o, l = h.img, h.o, h.l
    size = 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + o + 2 + l + 4
    t = img[p + 5]
    node_size = le(img[p + 6:p + 10])
    rec = le(img[p + 10:p + 12])
    depth = le(img[p + 12:p + 14])
    root = h.off(p + 16)
    nroot = le(img[p + 16 + o:p + 18 + o])
    return dict(size=size, type=t, node_size=node_size, rec=rec, depth=depth, root=root,
                nroot=nroot)


def chunk_tree_ranks(h, hd):
    """Candidate (rank, width) parameters of a chunk v2 B-tree (0 = derive)."""
    if hd["type"] == 10:
        return [(0, 0)]
    if hd["type"] == 11:
        out = []
        for r in range(1, 6):
            w = hd["rec"] - h.o - 4 - 8 * r
            if 1 <= w <= 8:
                out.append((r, 0))
        return out or [(1, 0)]
    return [(0, 0)]


def seed_btree_v2(c, h):
    for p in h.find(b"BTHD"):
        hd = btree_v2_header(h, p)
        node = h.cut(hd["root"], hd["node_size"]) if hd["root"] is not None else b""
        for r, w in chunk_tree_ranks(h, hd):
            c.add("btree_v2", bytes([h.ctx, r, w]) + part(h.img[p:p + hd["size"]]) + node)
            c.add("traversal", bytes([0, h.ctx]) + u32(p) + part(bytes([r, w])) + h.img)


def seed_local_heap(c, h):
    o, l = h.o, h.l
    for p in h.find(b"HEAP"):
        size = 8 + 2 * l + o
        seg_size = h.length(p + 8)
        seg = h.off(p + 8 + 2 * l)
        segment = h.cut(seg, seg_size) if seg is not None else b""
        c.add("local_heap", bytes([h.ctx]) + part(h.img[p:p + size]) + segment)
        offs = b"".join(u16(v) for v in (0, 1, 8, 16, 24, 32))
        c.add("traversal", bytes([4, h.ctx]) + u32(p) + part(offs) + h.img)


def gcol_objects(h, p):
    """(index, data) of the objects of the collection at `p`."""
    img, l = h.img, h.l
    size = h.length(p + 8)
    hdr = (8 + l + 7) // 8 * 8
    pos = p + hdr
    out = []
    while pos + hdr <= p + size:
        idx = le(img[pos:pos + 2])
        osz = le(img[pos + 8:pos + 8 + l])
        if idx == 0:
            break
        out.append((idx, img[pos + hdr:pos + hdr + osz]))
        pos += hdr + (osz + 7) // 8 * 8
    return out


def seed_global_heap(c, h):
    for p in h.find(b"GCOL"):
        size = h.length(p + 8)
        gid = p.to_bytes(h.o, "little") + u32(1)
        c.add("global_heap", bytes([h.ctx]) + part(gid) + h.cut(p, size))
        idx = b"".join(u16(v) for v in (1, 2, 3, 0, 100))
        c.add("traversal", bytes([5, h.ctx]) + u32(p) + part(idx) + h.img)


def heap_ids(h):
    """Fractal heap IDs found in the records of v2 B-tree leaves (links and attributes)."""
    ids = []
    for p in h.find(b"BTLF"):
        t = h.img[p + 5]
        rec = {5: (4, 7, 11), 6: (8, 7, 15), 8: (0, 8, 17), 9: (0, 8, 13)}.get(t)
        if rec is None:
            continue
        at, n, size = rec
        pos = p + 6
        for _ in range(8):
            ids.append(h.img[pos + at:pos + at + n])
            pos += size
    return ids


def frhp(h, p):
    img, o, l = h.img, h.o, h.l
    flen = le(img[p + 7:p + 9])
    size = 4 + 1 + 2 + 2 + 1 + 4 + 12 * l + 3 * o + 2 + 2 + 2 + 2 + 4
    if flen:
        size += l + 4 + flen
    idlen = le(img[p + 5:p + 7])
    flags = img[p + 9]
    max_managed = le(img[p + 10:p + 14])
    tw = p + 14 + 10 * l + 2 * o
    sbs = h.length(tw + 2)
    max_direct = h.length(tw + 2 + l)
    bits = le(img[tw + 2 + 2 * l:tw + 4 + 2 * l])
    root = h.off(tw + 6 + 2 * l)
    rows = le(img[tw + 6 + 2 * l + o:tw + 8 + 2 * l + o])
    return dict(size=size, idlen=idlen, flags=flags, sbs=sbs, root=root, rows=rows, bits=bits,
                max_managed=max_managed, max_direct=max_direct)


def seed_fractal_heap(c, h):
    real_ids = heap_ids(h)
    for p in h.find(b"FRHP"):
        fh = frhp(h, p)
        hdr = h.img[p:p + fh["size"]]
        # Synthetic managed IDs: the first object of the root block, a tiny ID.
        ow = (fh["bits"] + 7) // 8
        lw = bytes_needed(min(fh["max_direct"], fh["max_managed"]) or 1)
        prefix = 4 + 1 + h.o + ow + (4 if fh["flags"] & 2 else 0)
        ids = [b"\x00" + prefix.to_bytes(ow, "little") + (8).to_bytes(lw, "little"),
               bytes([0x20 | 3]) + b"abcd"]
        ids = [i.ljust(fh["idlen"], b"\0")[:fh["idlen"]] for i in ids]
        ids += [i.ljust(fh["idlen"], b"\0")[:fh["idlen"]] for i in real_ids[:32]]
        blocks = []
        if fh["root"] is not None:
            n = fh["sbs"] if fh["rows"] == 0 else WINDOW
            blocks.append((fh["rows"], h.cut(fh["root"], min(n, WINDOW))))
        for sig in (b"FHDB", b"FHIB"):
            for q in h.find(sig):
                if h.off(q + 5) == p and q != fh["root"]:
                    blocks.append((0, h.cut(q, min(fh["sbs"], WINDOW))))
        for rows, blk in blocks[:6]:
            c.add("fractal_heap", bytes([h.ctx, rows & 0xFF]) + part(hdr) + part(blk)
                  + b"".join(ids[:8]))
        c.add("traversal", bytes([1, h.ctx]) + u32(p) + part(b"".join(ids[:48])) + h.img)


def element_format(h, client, size):
    if client == 0:
        return 0
    w = size - h.o - 4
    return w if 1 <= w <= 8 else 8


def seed_fixed_array(c, h):
    o, l = h.o, h.l
    for p in h.find(b"FAHD"):
        img = h.img
        client, esize, bits = img[p + 5], img[p + 6], img[p + 7]
        n = h.length(p + 8)
        dblk = h.off(p + 8 + l)
        hdr = img[p:p + 12 + l + o]
        fmt = element_format(h, client, esize)
        seed = bytes([h.ctx, fmt]) + part(hdr)
        if dblk is not None:
            page = 1 << bits
            prefix = 6 + o
            if n > page:
                pages = (n + page - 1) // page
                dsize = prefix + (pages + 7) // 8 + 4
                seed += part(h.cut(dblk, dsize))
                at = dblk + dsize
                for i in range(min(pages, 4)):
                    cnt = min(page, n - i * page)
                    seed += part(h.cut(at, cnt * esize + 4))
                    at += page * esize + 4
            else:
                seed += part(h.cut(dblk, prefix + esize * n + 4))
        c.add("fixed_array", seed)


def ea_geometry(h, p):
    img = h.img
    g = dict(client=img[p + 5], esize=img[p + 6], bits=img[p + 7], ibe=img[p + 8],
             dmin=img[p + 9], smin=img[p + 10], pbits=img[p + 11])
    g["ib"] = h.off(p + 12 + 6 * h.l)
    g["size"] = 16 + 6 * h.l + h.o
    return g


def seed_extensible_array(c, h):
    for p in h.find(b"EAHD"):
        g = ea_geometry(h, p)
        fmt = element_format(h, g["client"], g["esize"])
        seed = bytes([h.ctx, fmt]) + part(h.img[p:p + g["size"]])
        blocks = []
        if g["ib"] is not None:
            blocks.append(part(bytes([0, 0, 0]) + h.cut(g["ib"], WINDOW)))
        dmin = max(g["dmin"], 1)
        ob = (g["bits"] + 7) // 8
        for sig in (b"EASB", b"EADB"):
            for q in h.find(sig):
                if h.off(q + 6) != p:
                    continue
                stored = le(h.img[q + 6 + h.o:q + 6 + h.o + ob])
                for s in range(0, 64):
                    start = ((1 << s) - 1) * dmin
                    nel = (1 << ((s + 1) // 2)) * dmin
                    if start > stored:
                        break
                    if sig == b"EASB":
                        if start == stored:
                            blocks.append(part(bytes([s]) + u16(0) + h.cut(q, WINDOW)))
                    elif (stored - start) % nel == 0:
                        d = (stored - start) // nel
                        if d < 0xFFFF:
                            blocks.append(part(bytes([s]) + u16(d) + h.cut(q, WINDOW)))
        for i in range(0, max(len(blocks), 1), 4):
            c.add("extensible_array", seed + b"".join(blocks[i:i + 4]))


def seed_symbol_table(c, h):
    for p in h.find(b"SNOD"):
        n = le(h.img[p + 6:p + 8])
        c.add("symbol_table", bytes([h.ctx]) + h.cut(p, 8 + n * (2 * h.o + 24)))


def seed_references(c, h):
    """Region references and VDS mapping blocks live in global heap objects."""
    vds = "vds" in os.path.basename(h.path)
    for p in h.find(b"GCOL"):
        for _, data in gcol_objects(h, p):
            if vds:
                for rank in (1, 2, 3):
                    c.add("virtual_layout", bytes([h.ctx, rank]) + data)
            # Old region reference objects: object address, then the selection.
            sel = data[h.o:]
            if len(sel) >= 8 and le(sel[:4]) <= 3 and 1 <= le(sel[4:8]) <= 3:
                c.add("selection", bytes([0, 10]) + sel)
                c.add("reference", bytes([3, h.ctx, 0]) + data)
            # Revised references: type, flags, then the body.
            if len(data) > 3 and data[0] in (2, 3, 4):
                c.add("reference", bytes([5 | data[1] << 3, h.ctx, data[0]]) + data[2:])


def synthetic_selections(c):
    """Every selection encoding, from the spec's layouts (for the selection target)."""
    def hdr(t, v):
        return u32(t) + u32(v)
    seeds = [
        hdr(0, 1) + u32(0) + u32(0),
        hdr(3, 1) + u32(0) + u32(0),
        hdr(1, 1) + u32(0) + u32(0) + u32(2) + u32(3) + b"".join(u32(v) for v in range(6)),
        hdr(1, 2) + bytes([4]) + u32(2) + u32(2) + b"".join(u32(v) for v in (1, 2, 3, 4)),
        hdr(1, 2) + bytes([2]) + u32(1) + u16(3) + b"".join(u16(v) for v in (5, 6, 7)),
        hdr(2, 1) + u32(0) + u32(0) + u32(2) + u32(2)
        + b"".join(u32(v) for v in (0, 0, 1, 1, 2, 2, 4, 3)),
        hdr(2, 2) + bytes([1]) + u32(0) + u32(2)
        + b"".join(struct.pack("<Q", v) for v in (0, 2, 3, 1, 1, 4, 2, 2)),
        hdr(2, 2) + bytes([0]) + u32(0) + u32(1) + struct.pack("<Q", 2)
        + b"".join(struct.pack("<Q", v) for v in (0, 3, 2, 9)),
        hdr(2, 3) + bytes([1, 2]) + u32(1) + b"".join(u16(v) for v in (1, 3, 4, 2)),
        hdr(2, 3) + bytes([0, 4]) + u32(2) + u32(2)
        + b"".join(u32(v) for v in (0, 0, 3, 3, 2, 2, 5, 5)),
    ]
    for s in seeds:
        c.add("selection", bytes([0, 10]) + s)
        c.add("selection", bytes([2, 10]) + s)
        c.add("reference", bytes([3, 0, 0]) + struct.pack("<Q", 800) + s)
        body = bytes([8]) + struct.pack("<Q", 800) + u32(len(s)) + u32(2) + s
        c.add("reference", bytes([5, 0, 3]) + body)
    c.add("reference", bytes([0, 0, 0]) + struct.pack("<Q", 4096) + u32(1))
    c.add("reference", bytes([1, 0, 0]) + struct.pack("<Q", 800))
    c.add("reference", bytes([2, 0, 0]) + struct.pack("<Q", 4096) + u32(3))
    c.add("reference", bytes([4, 0, 0]) + bytes([2, 0, 8]) + struct.pack("<Q", 800)
          + bytes([3, 0]) + u32(40) + struct.pack("<Q", 4096) + u32(2))
    c.add("reference", bytes([5 | 1 << 3, 0, 4]) + bytes([8]) + struct.pack("<Q", 800)
          + u16(5) + b"f.h5\0" + u16(4) + b"attr")


# Message types of the `messages` target (its selector, low 4 bits).
MESSAGES = {0x01: 0, 0x02: 1, 0x05: 2, 0x04: 3, 0x06: 4, 0x07: 5, 0x08: 6, 0x0A: 7,
            0x0B: 8, 0x0C: 9, 0x15: 10, 0x11: 12, 0x13: 13, 0x0F: 14}
FILTER_IDS = [1, 2, 3, 4, 5, 6, 32000, 32008]


def seed_objects(c, h):
    for addr, kind, msgs, fseed in object_headers(h):
        if fseed:
            c.add("filter_pipeline", fseed)
        c.add("object_header", header_bytes(h, addr))
        space = layout = None
        filtered = False
        for t, body in msgs:
            if t == 3:
                c.add("datatype", body)
            if t in MESSAGES:
                sel = MESSAGES[t] | (0x80 if h.o == 4 and h.l == 4 else 0)
                c.add("messages", bytes([sel]) + body)
            if t == 1:
                space = body
            elif t == 8:
                layout = body
            elif t == 0x0B:
                filtered = True
        if space is None or layout is None or len(layout) < 2:
            continue
        version, cls = layout[0], layout[1]
        if cls != 2:
            continue
        params = bytes([1 if filtered else 0]) + part(space) + layout
        c.add("traversal", bytes([6, h.ctx]) + u32(0) + part(params) + h.img)
        if version == 3:
            ndims = layout[2]
            bt = le(layout[3:3 + h.o])
            dims = layout[3 + h.o:3 + h.o + 4 * ndims]
            c.add("traversal", bytes([3, h.ctx]) + u32(bt) + part(dims) + h.img)


def filter_seed(h, dset):
    """A filter_pipeline seed from the first chunk of a filtered dataset: the pipeline (by the
    target's filter table), the mask, the expected size, then the stored chunk."""
    try:
        pipeline = dset.id.get_create_plist()
        nf = pipeline.get_nfilters()
        ids = [pipeline.get_filter(i)[0] for i in range(nf)]
        n = dset.id.get_num_chunks()
    except Exception:
        return None
    ids = [i for i in ids if i in FILTER_IDS][:4]
    if not ids or not n:
        return None
    info = dset.id.get_chunk_info(0)
    chunk = h.raw[info.byte_offset:info.byte_offset + min(info.size, 1 << 14)]
    expected = min(dset.id.get_storage_size(), 0xFFFF)
    try:
        import numpy
        expected = min(int(numpy.prod(dset.chunks)) * dset.dtype.itemsize, 0xFFFF)
    except Exception:
        pass
    head = bytes([len(ids), info.filter_mask & 0xFF]) + u16(expected)
    sel = [FILTER_IDS.index(i) for i in ids] + [0] * (4 - len(ids))
    return head + bytes(sel) + chunk


def seed_group_trees(c, h):
    heaps = h.find(b"HEAP")[:3]
    for p in h.find(b"TREE"):
        if h.img[p + 4] != 0:
            continue
        for q in heaps:
            c.add("traversal", bytes([2, h.ctx]) + u32(p) + part(u32(q)) + h.img)


def main():
    if "--clean" in sys.argv:
        for t in TARGETS:
            d = os.path.join(CORPUS, t)
            if os.path.isdir(d):
                for f in os.listdir(d):
                    os.remove(os.path.join(d, f))
    files = sorted(glob.glob(os.path.join(ROOT, "testdata", "fixtures", "*.h5"))
                   + glob.glob(os.path.join(ROOT, "testdata", "unit", "*.h5"))
                   + [os.path.join(ROOT, "testdata", "sample.h5")])
    c = Corpus()
    synthetic_selections(c)
    for path in files:
        raw = open(path, "rb").read()
        c.file = path
        c.add("whole_file", raw)
        if len(raw) <= MAX_IMAGE:
            # Each run opens and reads the file three times: keep it small.
            c.add("differential", raw)
        try:
            h = H5(path)
        except Exception as e:
            print(f"skip {path}: {e}", file=sys.stderr)
            continue
        c.add("superblock", h.img[:256])
        for fn in (seed_btree_v1, seed_btree_v2, seed_local_heap, seed_global_heap,
                   seed_fractal_heap, seed_fixed_array, seed_extensible_array,
                   seed_symbol_table, seed_references, seed_objects, seed_group_trees):
            try:
                fn(c, h)
            except Exception as e:  # a malformed test file must not stop the others
                print(f"{fn.__name__} {os.path.basename(path)}: {e!r}", file=sys.stderr)
    for t in TARGETS:
        d = os.path.join(CORPUS, t)
        total = len(os.listdir(d)) if os.path.isdir(d) else 0
        print(f"{t:18} {c.counts.get(t, 0):5} new, {total:5} in corpus")


if __name__ == "__main__":
    main()
