#!/usr/bin/env python3
"""Regenerate testdata/unit/types_h5py.json: datatype messages, raw element bytes and global heap
objects of small h5py-written datasets, with the dtype string, JSON value and canonical bytes
computed independently here from what h5py reads (the rules of shared/DUMP-FORMAT.md).

Usage: python3 testdata/unit/types_h5py.py > testdata/unit/types_h5py.json
Needs h5py (written with 3.16 / libhdf5 2.0) and numpy.
"""
import json, os, struct, sys, tempfile
import numpy as np
import h5py
from h5py import h5t


def u(b, o, n):
    return int.from_bytes(b[o:o + n], 'little')


def messages(b, addr):
    """(type, body) of every message of the object header at addr (v1 or v2, 8-byte offsets)."""
    out = []
    if b[addr:addr + 4] == b'OHDR':
        flags = b[addr + 5]
        o = addr + 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        n = 1 << (flags & 3)
        size = u(b, o, n)
        o += n

        def chunk(o, end):
            while o + 4 <= end:
                t, sz = b[o], u(b, o + 1, 2)
                o += 4 + (2 if flags & 4 else 0)
                out.append((t, b[o:o + sz]))
                if t == 0x10:
                    ca, cl = u(b, o, 8), u(b, o + 8, 8)
                    chunk(ca + 4, ca + cl - 4)
                o += sz
        chunk(o, o + size)
    else:
        hsize = u(b, addr + 8, 4)

        def chunk(o, end):
            while o + 8 <= end:
                t, sz = u(b, o, 2), u(b, o + 2, 2)
                o += 8
                out.append((t, b[o:o + sz]))
                if t == 0x10:
                    ca, cl = u(b, o, 8), u(b, o + 8, 8)
                    chunk(ca, ca + cl)
                o += sz
        chunk(addr + 16, addr + 16 + hsize)
    return out


def heap_objects(b):
    """Every object of every global heap collection in the file: {"addr:index": hex}."""
    objs = {}
    pos = b.find(b'GCOL')
    while pos >= 0:
        size = u(b, pos + 8, 8)
        o, end = pos + 16, pos + size
        while o + 16 <= end:
            idx, sz = u(b, o, 2), u(b, o + 8, 8)
            if idx == 0:
                break
            objs[f'{pos}:{idx}'] = b[o + 16:o + 16 + sz].hex()
            o += 16 + (sz + 7) // 8 * 8
        pos = b.find(b'GCOL', pos + 4)
    return objs


# ---- dtype strings, from h5py's type objects ----
def order(t):
    if t.get_size() == 1:
        return ''
    return {h5t.ORDER_LE: '<', h5t.ORDER_BE: '>'}.get(t.get_order(), 'v')


def dstr(t):
    c = t.get_class()
    n = t.get_size()
    if c in (h5t.INTEGER, h5t.BITFIELD):
        letter = 'b' if c == h5t.BITFIELD else ('i' if t.get_sign() == h5t.SGN_2 else 'u')
        s = f'{letter}{n}{order(t)}'
        if t.get_precision() != 8 * n or t.get_offset() != 0:
            s += f'(p{t.get_precision()},o{t.get_offset()})'
        return s
    if c == h5t.FLOAT:
        s = f'f{n}{order(t)}'
        spos, epos, esize, mpos, msize = t.get_fields()
        std = {2: (15, 10, 5, 0, 10, 15), 4: (31, 23, 8, 0, 23, 127), 8: (63, 52, 11, 0, 52, 1023)}
        lay = (spos, epos, esize, mpos, msize, t.get_ebias())
        if not (std.get(n) == lay and t.get_norm() == h5t.NORM_IMPLIED and t.get_offset() == 0
                and t.get_precision() == 8 * n and order(t) != 'v'):
            norm = {h5t.NORM_IMPLIED: 'implied', h5t.NORM_MSBSET: 'msbset', h5t.NORM_NONE: 'none'}[t.get_norm()]
            s += (f'(p{t.get_precision()},o{t.get_offset()},s{spos},e{epos}:{esize},'
                  f'm{mpos}:{msize},b{t.get_ebias()},{norm})')
        return s
    if c == h5t.STRING:
        if t.is_variable_str():
            return 'vlen-str-' + ('utf8' if t.get_cset() == h5t.CSET_UTF8 else 'ascii')
        pad = {h5t.STR_NULLTERM: 'nullterm', h5t.STR_NULLPAD: 'nullpad', h5t.STR_SPACEPAD: 'spacepad'}[t.get_strpad()]
        return f'S{n}/{pad}/' + ('utf8' if t.get_cset() == h5t.CSET_UTF8 else 'ascii')
    if c == h5t.OPAQUE:
        tag = t.get_tag()
        return f'opaque({n})' if not tag else f'opaque({n},{json.dumps(tag.decode())})'
    if c == h5t.COMPOUND:
        ms = ','.join(f'{json.dumps(t.get_member_name(i).decode())}@{t.get_member_offset(i)}:{dstr(t.get_member_type(i))}'
                      for i in range(t.get_nmembers()))
        return f'compound[{n}]{{{ms}}}'
    if c == h5t.ENUM:
        base = t.get_super()
        ms = [(t.get_member_name(i).decode(), t.get_member_value(i)) for i in range(t.get_nmembers())]
        if (base.get_size() == 1 and base.get_sign() == h5t.SGN_2 and base.get_precision() == 8
                and ms == [('FALSE', 0), ('TRUE', 1)]):
            return 'bool-enum'
        return f'enum({dstr(base)}){{' + ','.join(f'{json.dumps(k)}={v}' for k, v in ms) + '}'
    if c == h5t.ARRAY:
        return 'array(' + 'x'.join(str(d) for d in t.get_array_dims()) + f',{dstr(t.get_super())})'
    if c == h5t.VLEN:
        return f'vlen({dstr(t.get_super())})'
    if c == h5t.REFERENCE:
        return 'ref-object' if t.equal(h5t.STD_REF_OBJ) else 'ref-region'
    if c == getattr(h5t, 'COMPLEX', 11):
        return f'complex({dstr(t.get_super())})'
    raise ValueError(c)


# ---- canonical bytes and JSON values, from numpy values ----
def enc(t, v, out):
    """Append v's canonical bytes (t: h5py type) to out; return its JSON value."""
    c = t.get_class()
    if c == h5t.ENUM:
        return enc(t.get_super(), v, out)
    if c in (h5t.INTEGER, h5t.BITFIELD):
        n = t.get_size()
        w = n if n in (1, 2, 4, 8) else 8
        iv = int(v)
        out += iv.to_bytes(w, 'little', signed=iv < 0)
        return iv
    if c == h5t.FLOAT:
        n = t.get_size()
        f = float(v)
        if dstr(t)[-1] == ')':
            out += struct.pack('<d', f)
        else:
            out += np.asarray(v).astype('<f%d' % n).tobytes()
        return f if f == f and abs(f) != float('inf') else {True: 'nan'}.get(f != f, 'inf' if f > 0 else '-inf')
    if c == h5t.STRING and not t.is_variable_str():
        n = t.get_size()
        b = bytes(v).split(b'\0')[0]
        if t.get_strpad() == h5t.STR_SPACEPAD:
            b = bytes(v).rstrip(b' ')
        out += b + b'\0' * (n - len(b))
        return text(b)
    if c == h5t.STRING:
        b = v.encode() if isinstance(v, str) else bytes(v)
        b = b.split(b'\0')[0]
        out += struct.pack('<Q', len(b)) + b
        return text(b)
    if c == h5t.OPAQUE:
        b = bytes(v.tobytes() if hasattr(v, 'tobytes') else v)
        out += b
        return {'hex': b.hex()}
    if c == h5t.COMPOUND:
        if np.iscomplexobj(v):  # h5py reads its {r, i} compound as a NumPy complex
            v = (v.real, v.imag)
        return {t.get_member_name(i).decode(): enc(t.get_member_type(i), v[i], out) for i in range(t.get_nmembers())}
    if c == h5t.ARRAY:
        a = np.asarray(v)
        flat = [enc(t.get_super(), x, out) for x in a.reshape(-1)]
        return nest(flat, list(t.get_array_dims()))
    if c == h5t.VLEN:
        out += struct.pack('<Q', len(v))
        return [enc(t.get_super(), x, out) for x in v]
    if c == getattr(h5t, 'COMPLEX', 11):
        base = t.get_super()
        w = 4 if base.get_size() <= 4 else 8
        re, im = np.asarray(v).real, np.asarray(v).imag
        out += np.asarray([re, im]).astype('<f%d' % w).tobytes()
        return [float(np.float32(re)) if w == 4 else float(re), float(np.float32(im)) if w == 4 else float(im)]
    raise ValueError(c)


def text(b):
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return {'hex': b.hex()}


def nest(flat, shape):
    if not shape:
        return flat[0]
    step = len(flat) // shape[0] if shape[0] else 0
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def case(name, libver, dtype, data, shape=None, mtype=None):
    with tempfile.TemporaryDirectory() as d:
        fn = os.path.join(d, 'f.h5')
        with h5py.File(fn, 'w', libver=(libver, 'latest')) as f:
            if isinstance(dtype, h5t.TypeID):
                arr = np.asarray(data)
                space = h5py.h5s.create_simple(np.shape(data) if shape is None else shape)
                ds = h5py.h5d.create(f.id, b'x', dtype, space)
                ds.write(h5py.h5s.ALL, h5py.h5s.ALL, arr, mtype=mtype or h5t.py_create(arr.dtype))
            else:
                arr = np.empty(len(data), dtype=dtype) if isinstance(data, list) else np.asarray(data, dtype)
                if isinstance(data, list):
                    for i, v in enumerate(data):
                        arr[i] = v
                f.create_dataset('x', data=arr)
        with h5py.File(fn, 'r') as f:
            x = f['x']
            addr = h5py.h5o.get_info(x.id).addr
            raw = open(fn, 'rb').read()
            msg = [m for t, m in messages(raw, addr) if t == 3][0]
            off, n = x.id.get_offset(), x.id.get_storage_size()
            elems = raw[off:off + n]
            t = x.id.get_type()
            try:
                vals = x[()]
            except OSError:  # e.g. a tagged opaque type: read it as stored
                vals = np.empty(x.shape, dtype=x.dtype)
                x.id.read(h5py.h5s.ALL, h5py.h5s.ALL, vals, mtype=x.id.get_type())
                vals = vals[()] if not x.shape else vals
            out = bytearray()
            va = np.asarray(vals, dtype=object if vals.dtype.kind == 'O' else None)
            # h5py expands array-type elements into trailing dimensions
            flat = [enc(t, v, out) for v in va.reshape((-1,) + va.shape[len(x.shape):])] \
                if x.shape else [enc(t, vals, out)]
            return {
                'name': f'{name}/{libver}', 'dtype_msg': msg.hex(), 'data': elems.hex(),
                'shape': list(x.shape), 'heap': heap_objects(raw),
                'dtype': dstr(t), 'json': nest(flat, list(x.shape)), 'bytes': bytes(out).hex(),
            }


def cases():
    odd = h5t.STD_I32LE.copy(); odd.set_precision(12); odd.set_offset(4)
    obe = h5t.STD_U16BE.copy(); obe.set_precision(10); obe.set_offset(3)
    tagged = h5t.create(h5t.OPAQUE, 4); tagged.set_tag(b'four')
    bf16 = h5t.IEEE_F32LE.copy(); bf16.set_fields(15, 7, 8, 0, 7); bf16.set_size(2); bf16.set_ebias(127)
    c = [
        ('i1', 'i1', [-128, 0, 127]),
        ('u2be', '>u2', [0, 1, 65535]),
        ('i8', '<i8', [-2**63, 2**63 - 1]),
        ('u8be', '>u8', [2**64 - 1, 3]),
        ('f2', '<f2', [1.5, -0.0, np.inf, 6e-8]),
        ('f4be', '>f4', [0.1, -np.inf, np.nan]),
        ('f8', '<f8', [1e-310, -2.5, 1e300]),
        ('odd_int', odd, np.array([-3, 2047], 'i4')),
        ('odd_uint_be', obe, np.array([1023, 5], 'u2')),
        ('bfloat16', bf16, np.array([1.0, -3.140625, 1e30], 'f4')),
        ('S5', 'S5', [b'ab', b'hello', b'']),
        ('opaque', 'V3', np.array([b'\x01\x02\x03'], 'V3')),
        ('opaque_tag', tagged, np.array([b'abcd'], 'V4'), tagged),
        ('enum', h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': -42}, basetype='i2'), [0, -42, 1]),
        ('bool', '?', [True, False]),
        ('compound', [('a', '<i4'), ('b', '>f8'), ('c', 'S3')], [(1, 2.5, b'xy'), (-1, -0.5, b'abc')]),
        ('complex128', '<c16', [1 + 2j, -0.5j]),
        ('complex64be', '>c8', [3 - 4j]),
        ('cmp_array', [('a', 'u1', (2,)), ('b', '<f4', (2, 2))], [((1, 2), ((1, 2), (3, 4)))]),
        ('vlen_str', h5py.string_dtype(), ['', 'abc', 'h\u00e9llo']),
        ('vlen_ascii', h5py.string_dtype('ascii'), [b'x', b'yz']),
        ('vlen_i4', h5py.vlen_dtype('<i4'), [np.array([], 'i4'), np.array([1, -2, 3], 'i4')]),
        ('vlen_cmp', h5py.vlen_dtype(np.dtype([('p', 'u1'), ('q', '<f4')])),
         [np.array([(1, 0.5), (2, 1.5)], dtype=[('p', 'u1'), ('q', '<f4')])]),
        ('cmp_vlen', [('s', h5py.string_dtype()), ('v', h5py.vlen_dtype('u2'))],
         [('hi', np.array([7, 8], 'u2'))]),
        ('scalar', '<i4', np.int32(42)),
        ('2d', 'u1', np.arange(6, dtype='u1').reshape(2, 3)),
    ]
    out = []
    for libver in ('earliest', 'latest'):
        for name, dt, data, *mtype in c:
            if isinstance(dt, h5t.TypeID):
                dt = dt.copy()
            out.append(case(name, libver, dt, data, mtype=mtype[0] if mtype else None))
    arr = h5t.array_create(h5t.STD_I16BE, (2, 3))
    for libver in ('earliest', 'latest'):
        out.append(case('array', libver, arr.copy(), np.arange(12, dtype='>i2').reshape(2, 2, 3), (2,), arr))
    out.append(case('complex_c11', 'latest', h5t.COMPLEX_IEEE_F64LE.copy(), np.array([1 - 1j, 0.25j])))
    out.append(case('complex_c11_f32be', 'latest', h5t.COMPLEX_IEEE_F32BE.copy(), np.array([2 + 0.5j], '>c8')))
    return out


if __name__ == '__main__':
    json.dump({'h5py': h5py.__version__, 'hdf5': h5py.version.hdf5_version, 'cases': cases()},
              sys.stdout, indent=0, sort_keys=False)
    sys.stdout.write('\n')
