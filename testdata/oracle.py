#!/usr/bin/env python3
"""Reference oracle for h5oxide's canonical JSON dump ("h5canon/1").

    python3 testdata/oracle.py FILE [--values]

prints the document described in /work/shared/DUMP-FORMAT.md for FILE, computed with
h5py (pinned: h5py 3.16.0 with its bundled libhdf5 2.0.0).  The Rust side
(`h5oxide dump --json`) is tested against this output, so this script aims to be
obviously correct rather than short.

How values are read
-------------------
For every dataset / attribute / fill value we build, from the *file* datatype, a
"canonical memory type" (class Codec below) and let libhdf5 convert the stored
data into it:

  integer, enum  -> little-endian integer of the same sign at the canonical width
                    (stored width if 1/2/4/8 bytes, else 8) -- libhdf5 applies byte
                    order, precision and bit offset (enums: converted to their
                    integer value)
  bitfield       -> little-endian bitfield at the canonical width
  float          -> little-endian IEEE at the stored width for the standard
                    half/single/double layouts, else IEEE f8
  complex (11)   -> little-endian complex of f4 parts (parts <= 4 bytes) or f8 parts
  fixed string,
  opaque, time   -> the file type itself: the raw stored bytes, no conversion, so no
                    padding/stripping by h5py or numpy can hide anything
  vlen string    -> C string pointers (char*), dereferenced with ctypes
  vlen sequence  -> hvl_t {size_t len; void *p} of the canonical base type,
                    dereferenced with ctypes (h5py's own vlen->ndarray conversion
                    mislabels big-endian bases, so it is not used)
  reference      -> HDF5 1.12 H5R_ref_t (H5T_STD_REF, 64 bytes), decoded with the
                    H5R API (old object / region references convert to it)
  compound       -> packed compound (members in declared order) of the above
  array          -> array of the above

The memory bytes are then turned into the canonical byte stream and the JSON
value by the Codec tree.  For "flat" types (no strings, vlen, references or time
anywhere) the memory layout *is* the canonical layout, so big datasets are hashed
straight from the read buffer.

A few libhdf5 calls h5py does not expose (H5Treclaim, H5Pget_fill_value with an
arbitrary memory type, the H5R API for H5R_ref_t, H5Tget_order on time types) go
through ctypes into the very libhdf5 h5py has loaded.  Data whose type contains a
reference is also read through ctypes (H5Dread/H5Aread): h5py's proxy buffering
calls H5Tconvert outside the file context, which crashes when converting old-style
references to H5R_ref_t.
"""

import ctypes
import ctypes.util
import hashlib
import json
import math
import os
import struct
import sys

# libhdf5 reads these when resolving external raw-data files and VDS / external-link
# sources; the documented behaviour (README.md) is that of the defaults
for _var in ("HDF5_EXTFILE_PREFIX", "HDF5_VDS_PREFIX", "HDF5_EXT_PREFIX"):
    os.environ.pop(_var, None)

import numpy as np
import h5py
from h5py import h5a, h5d, h5i, h5l, h5o, h5s, h5t

FORMAT = "h5canon/1"
VALUE_LIMIT = 1024          # JSON "value" only when the canonical bytes are <= this


# ---------------------------------------------------------------------------
# ctypes bridge to the libhdf5 that h5py loaded
# ---------------------------------------------------------------------------

def _find_libhdf5():
    """Path of the libhdf5 shared object mapped into this process by h5py."""
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                base = os.path.basename(path)
                if base.startswith("libhdf5") and not base.startswith("libhdf5_hl") and ".so" in base:
                    return path
    except OSError:
        pass
    import glob
    libs = glob.glob(os.path.join(os.path.dirname(h5py.__file__), os.pardir, "h5py.libs", "libhdf5-*"))
    if libs:
        return libs[0]
    return ctypes.util.find_library("hdf5")


class _HDF5:
    """The handful of libhdf5 functions h5py does not wrap (see module docstring)."""

    H5P_DEFAULT = 0
    H5S_ALL = 0
    # H5R_type_t
    R_OBJECT1, R_DATASET_REGION1, R_OBJECT2, R_DATASET_REGION2, R_ATTR = 0, 1, 2, 3, 4
    REF_SIZE = 64               # sizeof(H5R_ref_t)

    def __init__(self):
        lib = ctypes.CDLL(_find_libhdf5())
        hid, herr, vp = ctypes.c_int64, ctypes.c_int, ctypes.c_void_p

        def fn(name, restype, *argtypes):
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        self.H5Dread = fn("H5Dread", herr, hid, hid, hid, hid, hid, vp)
        self.H5Aread = fn("H5Aread", herr, hid, hid, vp)
        self.H5Pget_fill_value = fn("H5Pget_fill_value", herr, hid, hid, vp)
        self.H5Treclaim = fn("H5Treclaim", herr, hid, hid, hid, vp)
        self.H5Tget_order = fn("H5Tget_order", ctypes.c_int, hid)
        self.H5Tget_precision = fn("H5Tget_precision", ctypes.c_size_t, hid)
        self.H5Tget_offset = fn("H5Tget_offset", ctypes.c_int, hid)
        self.H5Tcopy = fn("H5Tcopy", hid, hid)
        self.H5Rget_type = fn("H5Rget_type", ctypes.c_int, vp)
        self.H5Ropen_object = fn("H5Ropen_object", hid, vp, hid, hid)
        self.H5Ropen_region = fn("H5Ropen_region", hid, vp, hid, hid)
        self.H5Rget_attr_name = fn("H5Rget_attr_name", ctypes.c_ssize_t, vp, ctypes.c_char_p, ctypes.c_size_t)
        self.std_ref = hid.in_dll(lib, "H5T_STD_REF_g").value

    def check(self, status, what):
        if status < 0:
            raise RuntimeError(what + " failed")
        return status

    def std_ref_type(self):
        """A fresh h5py TypeID for H5T_STD_REF (the 1.12 H5R_ref_t memory type)."""
        return h5t.typewrap(self.check(self.H5Tcopy(self.std_ref), "H5Tcopy(H5T_STD_REF)"))


LIB = _HDF5()


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------

def u64(n):
    return struct.pack("<Q", n)


def text_or_hex(b):
    """JSON value of a byte string: the string when valid UTF-8, else {"hex": ...}."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return {"hex": b.hex()}


def name_str(b):
    """HDF5 names (links, attributes, members) as Python strings."""
    if isinstance(b, str):
        return b
    return b.decode("utf-8", errors="replace")


def qname(b):
    """A name JSON-quoted for dtype strings (compound members, enum members, tags)."""
    return json.dumps(name_str(b), ensure_ascii=False)


def json_float(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def nest(items, shape):
    """Nest a flat C-order list of element values into lists of the given shape."""
    if len(shape) == 0:
        return items[0]
    if len(shape) == 1:
        return list(items)
    step = int(np.prod(shape[1:], dtype=np.int64))
    return [nest(items[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def order_char(tid, size):
    """'<' or '>' for multi-byte atomic types, nothing for 1-byte ones."""
    if size == 1:
        return ""
    if isinstance(tid, h5t.TypeTimeID):       # h5py has no get_order for time types
        order = LIB.H5Tget_order(tid.id)
    else:
        order = tid.get_order()
    if order == h5t.ORDER_LE:
        return "<"
    if order == h5t.ORDER_BE:
        return ">"
    if order == h5t.ORDER_VAX:
        return "(vax)"
    return ""


def int_width(size):
    """Canonical width of integer-like values: stored width if 1/2/4/8, else 8."""
    return size if size in (1, 2, 4, 8) else 8


_INT_TYPES = {(1, True): h5t.STD_I8LE, (2, True): h5t.STD_I16LE, (4, True): h5t.STD_I32LE,
              (8, True): h5t.STD_I64LE, (1, False): h5t.STD_U8LE, (2, False): h5t.STD_U16LE,
              (4, False): h5t.STD_U32LE, (8, False): h5t.STD_U64LE}
_BIT_TYPES = {1: h5t.STD_B8LE, 2: h5t.STD_B16LE, 4: h5t.STD_B32LE, 8: h5t.STD_B64LE}
_FLOAT_TYPES = {2: h5t.IEEE_F16LE, 4: h5t.IEEE_F32LE, 8: h5t.IEEE_F64LE}
_FLOAT_FMT = {2: "<e", 4: "<f", 8: "<d"}
# (sign pos, exp pos, exp size, mant pos, mant size), bias of the IEEE layouts
_IEEE = {2: ((15, 10, 5, 0, 10), 15), 4: ((31, 23, 8, 0, 23), 127), 8: ((63, 52, 11, 0, 52), 1023)}
_NORM = {h5t.NORM_IMPLIED: "implied", h5t.NORM_MSBSET: "msbset", h5t.NORM_NONE: "none"}
_PAD = {h5t.STR_NULLTERM: "nullterm", h5t.STR_NULLPAD: "nullpad", h5t.STR_SPACEPAD: "spacepad"}
_CSET = {h5t.CSET_ASCII: "ascii", h5t.CSET_UTF8: "utf8"}


def int_suffix(tid):
    """'(pP,oO)' when an integer/bitfield does not use all bits of its storage."""
    size = tid.get_size()
    # h5py's TypeBitfieldID has no get_precision/get_offset: ask libhdf5 directly
    prec = LIB.H5Tget_precision(tid.id)
    off = LIB.H5Tget_offset(tid.id)
    if prec != 8 * size or off != 0:
        return "(p%d,o%d)" % (prec, off)
    return ""


def float_is_ieee(tid):
    size = tid.get_size()
    if size not in _IEEE:
        return False
    fields, bias = _IEEE[size]
    return (tuple(tid.get_fields()) == fields and tid.get_ebias() == bias
            and tid.get_norm() == h5t.NORM_IMPLIED and tid.get_precision() == 8 * size
            and tid.get_offset() == 0)


def float_dtype_str(tid):
    size = tid.get_size()
    s = "f%d%s" % (size, order_char(tid, size))
    if not float_is_ieee(tid):
        spos, epos, esize, mpos, msize = tid.get_fields()
        s += "(p%d,o%d,s%d,e%d:%d,m%d:%d,b%d,%s)" % (
            tid.get_precision(), tid.get_offset(), spos, epos, esize, mpos, msize,
            tid.get_ebias(), _NORM.get(tid.get_norm(), str(tid.get_norm())))
    return s


# ---------------------------------------------------------------------------
# Codecs: one per node of a datatype tree
# ---------------------------------------------------------------------------
#
# Each codec knows
#   dtype   -- the dtype string of the file type (DUMP-FORMAT.md table)
#   mtype   -- the memory TypeID libhdf5 converts into
#   msize   -- its size in bytes
#   flat    -- True when canonical bytes == memory bytes (no post-processing)
#   has_ref / has_vlen -- the tree holds references / heap-allocated memory
#   encode(mem, off) -> (canonical bytes, JSON value) of the element at mem[off:]

class Codec:
    flat = True
    has_ref = False
    has_vlen = False


class IntCodec(Codec):
    """integer, enum (as its integer value) and bitfield."""

    def __init__(self, dtype, size, signed, bitfield=False):
        self.dtype = dtype
        self.msize = int_width(size)
        self.signed = signed
        self.mtype = (_BIT_TYPES[self.msize] if bitfield else _INT_TYPES[(self.msize, signed)]).copy()

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        return raw, int.from_bytes(raw, "little", signed=self.signed)


class FloatCodec(Codec):
    def __init__(self, dtype, size):
        self.dtype = dtype
        self.msize = size
        self.mtype = _FLOAT_TYPES[size].copy()

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        return raw, json_float(struct.unpack(_FLOAT_FMT[self.msize], raw)[0])


class ComplexCodec(Codec):
    def __init__(self, dtype, part_size):
        self.dtype = dtype
        self.part = 4 if part_size <= 4 else 8
        self.msize = 2 * self.part
        self.mtype = (h5t.COMPLEX_IEEE_F32LE if self.part == 4 else h5t.COMPLEX_IEEE_F64LE).copy()

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        fmt = "<ff" if self.part == 4 else "<dd"
        re, im = struct.unpack(fmt, raw)
        return raw, [json_float(re), json_float(im)]


class RawCodec(Codec):
    """opaque: the stored bytes."""

    def __init__(self, dtype, tid):
        self.dtype = dtype
        self.mtype = tid.copy()
        self.msize = tid.get_size()

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        return raw, {"hex": raw.hex()}


class TimeCodec(Codec):
    """time class: stored bytes -> little-endian, value as a signed integer."""
    flat = False

    def __init__(self, dtype, tid, big_endian):
        self.dtype = dtype
        self.mtype = tid.copy()
        self.msize = tid.get_size()
        self.big = big_endian

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        if self.big:
            raw = raw[::-1]
        return raw, int.from_bytes(raw, "little", signed=True)


class FixedStringCodec(Codec):
    """Fixed-size string: logical content NUL-padded to the stored size."""
    flat = False

    def __init__(self, dtype, tid):
        self.dtype = dtype
        self.mtype = tid.copy()          # raw stored bytes, no conversion
        self.msize = tid.get_size()
        self.pad = tid.get_strpad()

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        if self.pad == h5t.STR_SPACEPAD:
            content = raw.rstrip(b" ")
        else:                            # nullterm, nullpad: up to the first NUL
            nul = raw.find(b"\0")
            content = raw if nul < 0 else raw[:nul]
        return content.ljust(self.msize, b"\0"), text_or_hex(content)


class VlenStringCodec(Codec):
    """Variable-length string: u64 byte length, then the bytes."""
    flat = False
    has_vlen = True
    msize = 8                            # char*

    def __init__(self, dtype, cset):
        self.dtype = dtype
        self.mtype = h5t.C_S1.copy()
        self.mtype.set_size(h5t.VARIABLE)
        self.mtype.set_cset(cset)

    def encode(self, mem, off):
        (ptr,) = struct.unpack_from("<Q", mem, off)
        data = ctypes.string_at(ptr) if ptr else b""    # NULL pointer: empty string
        return u64(len(data)) + data, text_or_hex(data)


class VlenSeqCodec(Codec):
    """Variable-length sequence: u64 element count, then the elements."""
    flat = False
    has_vlen = True
    msize = 16                           # hvl_t {size_t len; void *p}

    def __init__(self, dtype, base):
        self.dtype = dtype
        self.base = base
        self.has_ref = base.has_ref
        self.mtype = h5t.vlen_create(base.mtype)

    def encode(self, mem, off):
        n, ptr = struct.unpack_from("<QQ", mem, off)
        data = ctypes.string_at(ptr, n * self.base.msize) if n else b""
        parts, values = [u64(n)], []
        for i in range(n):
            b, v = self.base.encode(data, i * self.base.msize)
            parts.append(b)
            values.append(v)
        return b"".join(parts), values


class CompoundCodec(Codec):
    def __init__(self, dtype, members):
        # members: list of (name bytes, codec), declared order
        self.dtype = dtype
        self.members = []
        off = 0
        for name, c in members:
            self.members.append((name, c, off))
            off += c.msize
        self.msize = off
        self.mtype = h5t.create(h5t.COMPOUND, max(self.msize, 1))
        for name, c, moff in self.members:
            self.mtype.insert(name, moff, c.mtype)
        self.flat = all(c.flat for _, c, _ in self.members)
        self.has_ref = any(c.has_ref for _, c, _ in self.members)
        self.has_vlen = any(c.has_vlen for _, c, _ in self.members)

    def encode(self, mem, off):
        parts, value = [], {}
        for name, c, moff in self.members:
            b, v = c.encode(mem, off + moff)
            parts.append(b)
            value[name_str(name)] = v
        return b"".join(parts), value


class ArrayCodec(Codec):
    def __init__(self, dtype, dims, base):
        self.dtype = dtype
        self.dims = tuple(dims)
        self.base = base
        self.count = int(np.prod(self.dims, dtype=np.int64))
        self.msize = self.count * base.msize
        self.mtype = h5t.array_create(base.mtype, self.dims)
        self.flat, self.has_ref, self.has_vlen = base.flat, base.has_ref, base.has_vlen

    def encode(self, mem, off):
        parts, values = [], []
        for i in range(self.count):
            b, v = self.base.encode(mem, off + i * self.base.msize)
            parts.append(b)
            values.append(v)
        return b"".join(parts), nest(values, self.dims)


class RefCodec(Codec):
    """References (old object/region and 1.12 revised), read as H5R_ref_t.

    Canonical form: u64 length + UTF-8 of
      object reference:     the target's canonical path
      region reference:     compact JSON {"obj": path, "sel": {...}}
      attribute reference:  compact JSON {"obj": path, "attr": name}   (revised only)
      null reference:       "<null>"
    JSON value: the path string / the region or attribute object / null.
    """
    flat = False
    has_ref = True
    msize = _HDF5.REF_SIZE

    def __init__(self, dtype, ctx):
        self.dtype = dtype
        self.ctx = ctx
        self.mtype = LIB.std_ref_type()

    def encode(self, mem, off):
        raw = mem[off:off + self.msize]
        if raw.count(0) == len(raw):               # null reference
            return u64(6) + b"<null>", None
        buf = ctypes.create_string_buffer(raw, len(raw))
        kind = LIB.H5Rget_type(buf)
        oid = h5i.wrap_identifier(LIB.check(LIB.H5Ropen_object(buf, 0, 0), "H5Ropen_object"))
        path = self.ctx.path_of(oid)
        if kind in (LIB.R_OBJECT1, LIB.R_OBJECT2):
            value = path
            text = path
        elif kind in (LIB.R_DATASET_REGION1, LIB.R_DATASET_REGION2):
            space = h5s.SpaceID(LIB.check(LIB.H5Ropen_region(buf, 0, 0), "H5Ropen_region"))
            value = {"obj": path, "sel": selection_json(space)}
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif kind == LIB.R_ATTR:
            n = LIB.H5Rget_attr_name(buf, None, 0)
            nb = ctypes.create_string_buffer(n + 1)
            LIB.H5Rget_attr_name(buf, nb, n + 1)
            value = {"obj": path, "attr": name_str(nb.value)}
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            raise RuntimeError("unknown reference type %d" % kind)
        data = text.encode("utf-8")
        return u64(len(data)) + data, value


def selection_json(space):
    """The selection of a region reference, in the fixed key order of the spec."""
    st = space.get_select_type()
    sel = {"npoints": int(space.get_select_npoints())}
    if st == h5s.SEL_ALL:
        sel["type"] = "all"
    elif st == h5s.SEL_NONE:
        sel["type"] = "none"
    elif st == h5s.SEL_POINTS:
        sel["type"] = "points"
        pts = space.get_select_elem_pointlist()
        sel["points"] = [[int(c) for c in p] for p in np.asarray(pts).reshape(-1, space.get_simple_extent_ndims())]
    elif st == h5s.SEL_HYPERSLABS:
        sel["type"] = "hyperslab"
        rank = space.get_simple_extent_ndims()
        blocks = np.asarray(space.get_select_hyper_blocklist()).reshape(-1, 2, rank)
        sel["blocks"] = [[[int(c) for c in b[0]], [int(c) for c in b[1]]] for b in blocks]
    else:
        raise RuntimeError("unknown selection type %d" % st)
    return sel


def make_codec(tid, ctx):
    """Build the Codec tree for a file datatype (h5py TypeID)."""
    cls = tid.get_class()
    size = tid.get_size()

    if cls == h5t.INTEGER:
        signed = tid.get_sign() == h5t.SGN_2
        dtype = "%s%d%s%s" % ("i" if signed else "u", size, order_char(tid, size), int_suffix(tid))
        return IntCodec(dtype, size, signed)

    if cls == h5t.FLOAT:
        dtype = float_dtype_str(tid)
        return FloatCodec(dtype, size if float_is_ieee(tid) else 8)

    if cls == h5t.BITFIELD:
        dtype = "b%d%s%s" % (size, order_char(tid, size), int_suffix(tid))
        return IntCodec(dtype, size, False, bitfield=True)

    if cls == h5t.TIME:
        oc = order_char(tid, size)
        return TimeCodec("time(%d%s)" % (size, oc), tid, oc == ">")

    if cls == h5t.STRING:
        cset = tid.get_cset()
        if tid.is_variable_str():
            return VlenStringCodec("vlen-str-%s" % _CSET.get(cset, str(cset)), cset)
        dtype = "S%d/%s/%s" % (size, _PAD.get(tid.get_strpad(), str(tid.get_strpad())),
                               _CSET.get(cset, str(cset)))
        return FixedStringCodec(dtype, tid)

    if cls == h5t.OPAQUE:
        tag = tid.get_tag()
        dtype = "opaque(%d,%s)" % (size, qname(tag)) if tag else "opaque(%d)" % size
        return RawCodec(dtype, tid)

    if cls == h5t.COMPOUND:
        members, descr = [], []
        for i in range(tid.get_nmembers()):
            name = tid.get_member_name(i)
            c = make_codec(tid.get_member_type(i), ctx)
            members.append((name, c))
            descr.append("%s@%d:%s" % (qname(name), tid.get_member_offset(i), c.dtype))
        return CompoundCodec("compound[%d]{%s}" % (size, ",".join(descr)), members)

    if cls == h5t.ENUM:
        base = tid.get_super()
        bsize = base.get_size()
        signed = base.get_sign() == h5t.SGN_2
        bstr = "%s%d%s%s" % ("i" if signed else "u", bsize, order_char(base, bsize), int_suffix(base))
        names = [tid.get_member_name(i) for i in range(tid.get_nmembers())]
        values = [tid.get_member_value(i) for i in range(tid.get_nmembers())]
        if bstr == "i1" and names == [b"FALSE", b"TRUE"] and values == [0, 1]:
            dtype = "bool-enum"
        else:
            dtype = "enum(%s){%s}" % (bstr, ",".join("%s=%d" % (qname(n), v) for n, v in zip(names, values)))
        return IntCodec(dtype, bsize, signed)

    if cls == h5t.ARRAY:
        dims = tid.get_array_dims()
        base = make_codec(tid.get_super(), ctx)
        return ArrayCodec("array(%s,%s)" % ("x".join(str(d) for d in dims), base.dtype), dims, base)

    if cls == h5t.VLEN:
        base = make_codec(tid.get_super(), ctx)
        return VlenSeqCodec("vlen(%s)" % base.dtype, base)

    if cls == h5t.REFERENCE:
        if tid.equal(h5t.STD_REF_OBJ):
            dtype = "ref-object"
        elif tid.equal(h5t.STD_REF_DSETREG):
            dtype = "ref-region"
        else:
            dtype = "ref(%d)" % size
        return RefCodec(dtype, ctx)

    if cls == h5t.COMPLEX:
        part = tid.get_super()
        return ComplexCodec("complex(%s)" % float_dtype_str(part), part.get_size())

    raise RuntimeError("unsupported datatype class %d" % cls)


def dtype_string(tid, ctx):
    return make_codec(tid, ctx).dtype


# ---------------------------------------------------------------------------
# reading data through a codec
# ---------------------------------------------------------------------------

def space_info(space):
    """(space kind, shape, maxshape) of a dataspace."""
    kind = space.get_simple_extent_type()
    if kind == h5s.NULL:
        return "null", None, None
    if kind == h5s.SCALAR:
        return "scalar", [], []
    shape = [int(d) for d in space.get_simple_extent_dims()]
    maxshape = [None if m == h5s.UNLIMITED else int(m) for m in space.get_simple_extent_dims(True)]
    return "simple", shape, maxshape


def mem_space(shape):
    return h5s.create(h5s.SCALAR) if len(shape) == 0 else h5s.create_simple(tuple(shape))


def read_elements(codec, shape, reader):
    """Read all elements into a buffer of codec.mtype and encode them.

    reader(buf) fills the numpy buffer (shape `shape`, elements of codec.msize
    bytes).  Returns (nelements, canonical byte count, sha256 hex digest, values)
    where values is the flat C-order list of JSON element values, or None when
    the canonical bytes exceed VALUE_LIMIT.
    """
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    buf = np.zeros(tuple(shape), dtype="V%d" % codec.msize)
    if n:
        reader(buf)
    try:
        mem = buf.tobytes()
        hasher = hashlib.sha256()
        if codec.flat:
            # memory layout == canonical layout
            nbytes = len(mem)
            hasher.update(mem)
            values = None
            if nbytes <= VALUE_LIMIT:
                values = [codec.encode(mem, i * codec.msize)[1] for i in range(n)]
        else:
            nbytes, values = 0, []
            for i in range(n):
                b, v = codec.encode(mem, i * codec.msize)
                hasher.update(b)
                nbytes += len(b)
                values.append(v)
            if nbytes > VALUE_LIMIT:
                values = None
        return n, nbytes, hasher.hexdigest(), values
    finally:
        if n and (codec.has_vlen or codec.has_ref):
            # free what libhdf5 allocated: vlen data, H5R_ref_t internals
            space = mem_space(shape)     # keep a reference while its id is in use
            LIB.check(LIB.H5Treclaim(codec.mtype.id, space.id, 0, buf.ctypes.data), "H5Treclaim")


def dataset_reader(dset, codec):
    def read(buf):
        if codec.has_ref:
            LIB.check(LIB.H5Dread(dset.id, codec.mtype.id, 0, 0, 0, buf.ctypes.data), "H5Dread")
        else:
            dset.read(h5s.ALL, h5s.ALL, buf, mtype=codec.mtype)
    return read


def attr_reader(attr, codec):
    def read(buf):
        if codec.has_ref:
            LIB.check(LIB.H5Aread(attr.id, codec.mtype.id, buf.ctypes.data), "H5Aread")
        else:
            attr.read(buf, mtype=codec.mtype)
    return read


def err(e):
    return {"error": "%s: %s" % (type(e).__name__, e)}


# ---------------------------------------------------------------------------
# traversal
# ---------------------------------------------------------------------------

class Context:
    def __init__(self, fid):
        self.fid = fid
        self.first_path = {}     # object header address -> path of first emission

    def path_of(self, oid):
        addr = h5o.get_info(oid).addr
        if addr not in self.first_path:
            raise RuntimeError("reference to an object not reachable by hard links")
        return self.first_path[addr]


def join(parent, name):
    return ("/" if parent == "/" else parent + "/") + name


def link_names(gid):
    names = []
    gid.links.iterate(names.append)
    return sorted(names)         # ascending byte order of the UTF-8 names


def walk(fid, ctx):
    """First pass: the list of entries in emission order.

    Entries: ("object", path, oid, objtype) | ("hardlink", path, target)
             | ("softlink", path, target) | ("extlink", path, file, target)
             | ("error", path, message)
    Also fills ctx.first_path.
    """
    entries = []

    def visit(path, oid):
        info = h5o.get_info(oid)
        if info.addr in ctx.first_path:
            entries.append(("hardlink", path, ctx.first_path[info.addr]))
            return
        ctx.first_path[info.addr] = path
        entries.append(("object", path, oid, info.type))
        if info.type == h5o.TYPE_GROUP:
            for name in link_names(oid):
                child = join(path, name_str(name))
                try:
                    linfo = oid.links.get_info(name)
                    if linfo.type == h5l.TYPE_HARD:
                        visit(child, h5o.open(oid, name))
                    elif linfo.type == h5l.TYPE_SOFT:
                        entries.append(("softlink", child, name_str(oid.links.get_val(name))))
                    elif linfo.type == h5l.TYPE_EXTERNAL:
                        fname, target = oid.links.get_val(name)
                        entries.append(("extlink", child, name_str(fname), name_str(target)))
                    else:
                        entries.append(("error", child, "user-defined link type %d" % linfo.type))
                except Exception as e:          # noqa: BLE001 -- describe the rest anyway
                    entries.append(("error", child, err(e)["error"]))

    visit("/", h5o.open(fid, b"/"))
    return entries


def attrs_json(oid, ctx):
    names = []
    h5a.iterate(oid, names.append)
    out = {}
    for name in sorted(names):
        try:
            out[name_str(name)] = attr_json(h5a.open(oid, name), ctx)
        except Exception as e:      # noqa: BLE001
            out[name_str(name)] = err(e)
    return out


def attr_json(attr, ctx):
    tid = attr.get_type()
    codec = make_codec(tid, ctx)
    kind, shape, _ = space_info(attr.get_space())
    rec = {"dtype": codec.dtype, "space": kind, "shape": shape}
    if kind == "null":
        rec["nbytes"] = 0
        rec["value"] = None
        return rec
    try:
        n, nbytes, digest, values = read_elements(codec, shape, attr_reader(attr, codec))
    except Exception as e:          # noqa: BLE001
        rec.update(err(e))
        return rec
    rec["nbytes"] = nbytes
    rec["sha256"] = digest
    if values is not None:
        rec["value"] = nest(values, shape)
    return rec


_LAYOUT = {h5d.COMPACT: "compact", h5d.CONTIGUOUS: "contiguous", h5d.CHUNKED: "chunked",
           h5d.VIRTUAL: "virtual"}
_FILL = {h5d.FILL_VALUE_UNDEFINED: "undefined", h5d.FILL_VALUE_DEFAULT: "default",
         h5d.FILL_VALUE_USER_DEFINED: "user"}


def fill_json(dcpl, codec):
    status = _FILL.get(dcpl.fill_value_defined(), str(dcpl.fill_value_defined()))
    out = {"status": status, "value": None}
    if status == "undefined":
        return out
    try:
        if codec.has_ref:
            # H5Pget_fill_value would convert references outside the file context
            # (crashes libhdf5); a reference fill value cannot be set through
            # h5py anyway, so only the all-zero (null) default is decoded.
            if status != "default":
                raise RuntimeError("user fill value of a reference type not decoded")
            buf = np.zeros((), dtype="V%d" % codec.msize)
            out["value"] = codec.encode(buf.tobytes(), 0)[1]
            return out

        def reader(buf):
            LIB.check(LIB.H5Pget_fill_value(dcpl.id, codec.mtype.id, buf.ctypes.data), "H5Pget_fill_value")
        _, _, _, values = read_elements(codec, [], reader)
        if values is None:
            raise RuntimeError("fill value larger than %d canonical bytes" % VALUE_LIMIT)
        out["value"] = values[0]
    except Exception as e:          # noqa: BLE001
        out["value"] = err(e)
    return out


def dataset_json(path, dset, ctx, with_values):
    rec = {"path": path, "kind": "dataset"}
    codec = make_codec(dset.get_type(), ctx)
    rec["dtype"] = codec.dtype
    kind, shape, maxshape = space_info(dset.get_space())
    rec["space"] = kind
    rec["shape"] = shape
    rec["maxshape"] = maxshape
    dcpl = dset.get_create_plist()
    layout = dcpl.get_layout()
    rec["layout"] = _LAYOUT.get(layout, str(layout))
    rec["chunks"] = [int(c) for c in dcpl.get_chunk()] if layout == h5d.CHUNKED else None
    filters = []
    for i in range(dcpl.get_nfilters()):
        code, _flags, params, _name = dcpl.get_filter(i)
        filters.append({"id": int(code), "params": [int(p) for p in params]})
    rec["filters"] = filters
    rec["fillvalue"] = fill_json(dcpl, codec)
    if kind == "null":
        rec["data"] = None
    else:
        try:
            n, nbytes, digest, values = read_elements(codec, shape, dataset_reader(dset, codec))
            data = {"nelements": n, "nbytes": nbytes, "sha256": digest}
            if with_values and values is not None:
                data["value"] = nest(values, shape)
            rec["data"] = data
        except Exception as e:      # noqa: BLE001
            rec["data"] = err(e)
    rec["attrs"] = attrs_json(dset, ctx)
    return rec


def object_json(entry, ctx, with_values):
    _, path, oid, otype = entry
    if otype == h5o.TYPE_GROUP:
        return {"path": path, "kind": "group", "nlinks": int(oid.get_num_objs()),
                "attrs": attrs_json(oid, ctx)}
    if otype == h5o.TYPE_NAMED_DATATYPE:
        return {"path": path, "kind": "datatype", "dtype": dtype_string(oid, ctx),
                "attrs": attrs_json(oid, ctx)}
    if otype == h5o.TYPE_DATASET:
        return dataset_json(path, oid, ctx, with_values)
    raise RuntimeError("unknown object type %d" % otype)


def document(filename, with_values=False):
    """The canonical document of `filename`, read with the fixture's directory as CWD.

    libhdf5 2.0 resolves the relative names of *external raw-data files* against
    the process's current working directory (the default external-file prefix is
    empty; see testdata/README.md), and the relative source-file names of *virtual
    datasets* against the VDS file's own directory first, the CWD last.  The
    fixtures keep their external files and VDS source files next to them, so the
    oracle reads every file from inside its directory: the result then does not
    depend on where the oracle was started, and both kinds of names resolve against
    the fixture's directory.
    """
    path = os.path.abspath(filename)
    cwd = os.getcwd()
    os.chdir(os.path.dirname(path))
    try:
        f = h5py.File(os.path.basename(path), "r")
        try:
            return _document(f, with_values)
        finally:
            f.close()
    finally:
        os.chdir(cwd)


def _document(f, with_values):
    fid = f.id
    fcpl = fid.get_create_plist()
    sizes = fcpl.get_sizes()
    doc = {"format": FORMAT,
           "file": {"superblock_version": int(fcpl.get_version()[0]),
                    "userblock": int(fcpl.get_userblock()),
                    "sizeof_offsets": int(sizes[0]),
                    "sizeof_lengths": int(sizes[1])},
           "objects": []}
    ctx = Context(fid)
    for entry in walk(fid, ctx):
        kind, path = entry[0], entry[1]
        if kind == "object":
            try:
                rec = object_json(entry, ctx, with_values)
            except Exception as e:      # noqa: BLE001
                rec = {"path": path}
                rec.update(err(e))
        elif kind == "hardlink":
            rec = {"path": path, "kind": "hardlink", "target": entry[2]}
        elif kind == "softlink":
            rec = {"path": path, "kind": "softlink", "target": entry[2]}
        elif kind == "extlink":
            rec = {"path": path, "kind": "extlink", "file": entry[2], "target": entry[3]}
        else:
            rec = {"path": path, "error": entry[2]}
        doc["objects"].append(rec)
    return doc


def dump(doc):
    return json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv):
    """oracle.py FILE [--values]             the document of FILE on stdout
    oracle.py --outdir DIR FILE... [--values]
                                            DIR/<stem>.json for every FILE, in one
                                            process (regen.sh: saves a second of
                                            interpreter and h5py start-up per file)"""
    args = [a for a in argv[1:] if a != "--values"]
    with_values = "--values" in argv[1:]
    outdir = None
    if args and args[0] == "--outdir" and len(args) >= 2:
        outdir = args[1]
        args = args[2:]
    if (outdir is None and len(args) != 1) or (outdir is not None and not args):
        sys.stderr.write("usage: oracle.py FILE [--values] | oracle.py --outdir DIR FILE... [--values]\n")
        return 2
    if outdir is None:
        sys.stdout.write(dump(document(args[0], with_values)))
        return 0
    os.makedirs(outdir, exist_ok=True)
    for name in args:
        stem = os.path.splitext(os.path.basename(name))[0]
        text = dump(document(name, with_values))
        with open(os.path.join(outdir, stem + ".json"), "w", encoding="utf-8") as out:
            out.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
