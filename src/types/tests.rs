//! Byte-level tests of every conversion path and error.

use super::*;
use crate::error::{ConversionErrorKind, Error, FormatErrorKind};
use crate::format::message::datatype::{
    ByteOrder, CharacterSet, Class, Datatype, EnumMember, Float, Integer, MantissaNorm, Member,
    ReferenceType, StringPadding, VlenKind,
};
use crate::format::selection::Selection;
use crate::format::{Addr, Ctx, Cursor};
use crate::testutil::hex;
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use half::f16;

const LE: ByteOrder = ByteOrder::LittleEndian;
const BE: ByteOrder = ByteOrder::BigEndian;

fn int_t(size: u32, signed: bool, order: ByteOrder) -> Datatype {
    Datatype {
        version: 1,
        size,
        class: Class::FixedPoint(Integer {
            order,
            signed,
            lo_pad: false,
            hi_pad: false,
            bit_offset: 0,
            precision: u16::try_from(size * 8).unwrap(),
        }),
    }
}

fn ieee(size: u32, order: ByteOrder) -> Float {
    let (sign, epos, esize, msize, bias) = match size {
        2 => (15, 10, 5, 10, 15),
        4 => (31, 23, 8, 23, 127),
        _ => (63, 52, 11, 52, 1023),
    };
    Float {
        order,
        lo_pad: false,
        hi_pad: false,
        int_pad: false,
        norm: MantissaNorm::Implied,
        sign_location: sign,
        bit_offset: 0,
        precision: u16::try_from(size * 8).unwrap(),
        exponent_location: epos,
        exponent_size: esize,
        mantissa_location: 0,
        mantissa_size: msize,
        exponent_bias: bias,
    }
}

fn float_t(size: u32, order: ByteOrder) -> Datatype {
    Datatype {
        version: 1,
        size,
        class: Class::FloatingPoint(ieee(size, order)),
    }
}

fn string_t(size: u32, padding: StringPadding) -> Datatype {
    Datatype {
        version: 1,
        size,
        class: Class::String {
            padding,
            charset: CharacterSet::UTF8,
        },
    }
}

fn vlen_t(kind: VlenKind, base: Datatype) -> Datatype {
    Datatype {
        version: 1,
        size: 16,
        class: Class::VarLen {
            kind,
            base: Box::new(base),
        },
    }
}

fn vstr_t() -> Datatype {
    let mut base = string_t(1, StringPadding::NULL_TERMINATE);
    base.class = Class::String {
        padding: StringPadding::NULL_TERMINATE,
        charset: CharacterSet::UTF8,
    };
    vlen_t(
        VlenKind::String {
            padding: StringPadding::NULL_TERMINATE,
            charset: CharacterSet::UTF8,
        },
        base,
    )
}

fn member(name: &str, offset: u64, dtype: Datatype) -> Member {
    Member {
        name: name.into(),
        offset,
        dtype,
    }
}

fn compound_t(size: u32, members: Vec<Member>) -> Datatype {
    Datatype {
        version: 3,
        size,
        class: Class::Compound { members },
    }
}

fn array_t(dims: Vec<u32>, base: Datatype) -> Datatype {
    let n: u32 = dims.iter().product();
    Datatype {
        version: 3,
        size: n * base.size,
        class: Class::Array {
            dims,
            base: Box::new(base),
        },
    }
}

#[derive(Default)]
struct MapHeap(BTreeMap<(u64, u32), Vec<u8>>);

impl Heap for MapHeap {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        self.0
            .get(&(collection.0, index))
            .cloned()
            .ok_or(Error::NotFound(alloc::format!("{collection}:{index}")))
    }
}

fn vlen_elem(count: u32, addr: u64, index: u32) -> Vec<u8> {
    let mut v = count.to_le_bytes().to_vec();
    v.extend(addr.to_le_bytes());
    v.extend(index.to_le_bytes());
    v
}

fn conv_with<T: H5Type>(
    dt: &Datatype,
    src: &[u8],
    opts: ConvertOptions,
    heap: &dyn Heap,
) -> Result<Vec<T>> {
    let plan = Plan::for_type::<T>(dt, Ctx::DEFAULT, opts)?;
    plan.convert_vec(src, heap)
}

fn conv<T: H5Type>(dt: &Datatype, src: &[u8]) -> Result<Vec<T>> {
    conv_with(dt, src, ConvertOptions::new(), &NoHeap)
}

fn sat<T: H5Type>(dt: &Datatype, src: &[u8]) -> Result<Vec<T>> {
    conv_with(dt, src, ConvertOptions::new().saturate(true), &NoHeap)
}

/// Both entry points (into a slice and into a new vector) agree.
fn conv_both<T: H5Type + Default + Clone + PartialEq + core::fmt::Debug>(
    dt: &Datatype,
    src: &[u8],
) -> Vec<T> {
    let v = conv::<T>(dt, src).unwrap();
    let plan = Plan::for_type::<T>(dt, Ctx::DEFAULT, ConvertOptions::new()).unwrap();
    let mut s = vec![T::default(); v.len()];
    plan.convert(src, &mut s, &NoHeap).unwrap();
    assert_eq!(s, v);
    v
}

fn kind(e: &Error) -> Option<ConversionErrorKind> {
    match e {
        Error::Conversion { kind, .. } => Some(*kind),
        _ => None,
    }
}

fn le_bytes<const N: usize, I: IntoIterator<Item = [u8; N]>>(it: I) -> Vec<u8> {
    it.into_iter().flatten().collect()
}

#[test]
fn int_same_layout_and_swap() {
    let vals = [i32::MIN, -1, 0, 7, i32::MAX];
    let le = le_bytes(vals.map(i32::to_le_bytes));
    let be = le_bytes(vals.map(i32::to_be_bytes));
    assert_eq!(conv_both::<i32>(&int_t(4, true, LE), &le), vals);
    assert_eq!(conv_both::<i32>(&int_t(4, true, BE), &be), vals);
    let u = [0u64, 1, u64::MAX];
    let be = le_bytes(u.map(u64::to_be_bytes));
    assert_eq!(conv_both::<u64>(&int_t(8, false, BE), &be), u);
    assert_eq!(conv_both::<u8>(&int_t(1, false, BE), &[0, 255]), [0, 255]);
}

#[test]
fn int_widening() {
    let be = le_bytes([-2i16, 300].map(i16::to_be_bytes));
    assert_eq!(conv_both::<i64>(&int_t(2, true, BE), &be), [-2, 300]);
    assert_eq!(
        conv_both::<i32>(&int_t(1, true, LE), &[0x80, 0x7f]),
        [-128, 127]
    );
    assert_eq!(conv_both::<u32>(&int_t(1, false, LE), &[0xff]), [255]);
    // unsigned to a wider signed type always fits
    let b = le_bytes([u32::MAX].map(u32::to_le_bytes));
    assert_eq!(conv_both::<i64>(&int_t(4, false, LE), &b), [4294967295]);
}

#[test]
fn int_narrowing_and_sign_change() {
    let t = int_t(8, true, LE);
    let b = le_bytes([5i64, -5, 300, -300].map(i64::to_le_bytes));
    // in range: fine
    assert_eq!(conv::<i8>(&t, b.get(..16).unwrap()).unwrap(), [5, -5]);
    // out of range: an error naming both types
    let e = conv::<i8>(&t, &b).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
    let Error::Conversion { from, to, .. } = &e else {
        panic!()
    };
    assert_eq!((from.as_str(), to.as_str()), ("300 (i8<)", "i8"));
    // saturate: clamped like libhdf5
    assert_eq!(sat::<i8>(&t, &b).unwrap(), [5, -5, 127, -128]);
    assert_eq!(sat::<u8>(&t, &b).unwrap(), [5, 0, 255, 0]);
    // sign change
    let e = conv::<u16>(&int_t(2, true, LE), &(-1i16).to_le_bytes()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
    let b = u64::MAX.to_be_bytes();
    let e = conv::<i64>(&int_t(8, false, BE), &b).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
    assert_eq!(sat::<i64>(&int_t(8, false, BE), &b).unwrap(), [i64::MAX]);
    // same size, other signedness: value checked, not bits copied
    assert_eq!(
        conv::<u32>(&int_t(4, true, LE), &[7, 0, 0, 0]).unwrap(),
        [7]
    );
    assert_eq!(
        sat::<u32>(&int_t(4, true, LE), &(-7i32).to_le_bytes()).unwrap(),
        [0]
    );
}

#[test]
fn int_odd_layouts() {
    // i2<(p12,o0): -2048 stored in 12 bits
    let mut t = int_t(2, true, LE);
    let Class::FixedPoint(i) = &mut t.class else {
        panic!()
    };
    i.precision = 12;
    assert_eq!(
        conv::<i16>(&t, &[0x00, 0x08, 0xff, 0x0f, 0xff, 0x07]).unwrap(),
        [-2048, -1, 2047]
    );
    // u4>(p20,o4): 12345 << 4
    let mut t = int_t(4, false, BE);
    let Class::FixedPoint(i) = &mut t.class else {
        panic!()
    };
    i.precision = 20;
    i.bit_offset = 4;
    let b = (12345u32 << 4).to_be_bytes();
    assert_eq!(conv::<u64>(&t, &b).unwrap(), [12345]);
    assert_eq!(conv::<f64>(&t, &b).unwrap(), [12345.0]);
    assert_eq!(sat::<i8>(&t, &b).unwrap(), [127]);
    // 3-byte integer
    let mut t = int_t(3, true, LE);
    let Class::FixedPoint(i) = &mut t.class else {
        panic!()
    };
    i.precision = 24;
    assert_eq!(
        conv::<i32>(&t, &[0, 0, 0x80, 5, 0, 0]).unwrap(),
        [-(1 << 23), 5]
    );
    // more than 64 bits: refused up front
    let mut t = int_t(16, true, LE);
    let Class::FixedPoint(i) = &mut t.class else {
        panic!()
    };
    i.precision = 128;
    assert!(matches!(
        Plan::for_type::<i64>(&t, Ctx::DEFAULT, ConvertOptions::new()),
        Err(Error::Unsupported { .. })
    ));
}

#[test]
fn floats() {
    let v = [0.1f32, -0.0, f32::INFINITY, f32::MIN_POSITIVE, 1.0e-45];
    let le = le_bytes(v.map(f32::to_le_bytes));
    let be = le_bytes(v.map(f32::to_be_bytes));
    let same = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
    assert!(same(&conv_both::<f32>(&float_t(4, LE), &le), &v));
    assert!(same(&conv_both::<f32>(&float_t(4, BE), &be), &v));
    // widening is exact
    let w = conv_both::<f64>(&float_t(4, BE), &be);
    assert_eq!(w, v.map(f64::from));
    // narrowing rounds to nearest, overflows to infinity
    let d = [0.1f64, 1e300, -1e300, 1e-300, f64::NAN];
    let b = le_bytes(d.map(f64::to_le_bytes));
    let n = conv::<f32>(&float_t(8, LE), &b).unwrap();
    assert_eq!(n[0], 0.1f32);
    assert_eq!(n[1], f32::INFINITY);
    assert_eq!(n[2], f32::NEG_INFINITY);
    assert_eq!(n[3], 0.0);
    assert!(n[4].is_nan());
    // f16 both ways
    let h = conv::<f16>(&float_t(8, LE), &b).unwrap();
    assert_eq!(h[0], f16::from_f64(0.1));
    assert_eq!(h[1], f16::INFINITY);
    let hb = le_bytes([f16::from_f32(1.5), f16::MAX].map(|x| x.to_be_bytes()));
    assert_eq!(conv::<f32>(&float_t(2, BE), &hb).unwrap(), [1.5, 65504.0]);
    assert_eq!(
        conv::<f16>(&float_t(2, BE), &hb).unwrap(),
        [f16::from_f32(1.5), f16::MAX]
    );
}

#[test]
fn non_ieee_float() {
    // bfloat16: sign 15, exponent 7..15, mantissa 0..7, bias 127
    let t = Datatype {
        version: 1,
        size: 2,
        class: Class::FloatingPoint(Float {
            precision: 16,
            sign_location: 15,
            exponent_location: 7,
            exponent_size: 8,
            mantissa_size: 7,
            exponent_bias: 127,
            ..ieee(4, LE)
        }),
    };
    let b = le_bytes([0x3fc0u16, 0xc010, 0x4380].map(u16::to_le_bytes));
    assert_eq!(conv::<f32>(&t, &b).unwrap(), [1.5, -2.25, 256.0]);
    assert_eq!(conv::<i32>(&t, &b).unwrap(), [1, -2, 256]);
}

#[test]
fn int_to_float_and_back() {
    let b = le_bytes([i64::MAX, -3].map(i64::to_le_bytes));
    assert_eq!(
        conv::<f64>(&int_t(8, true, LE), &b).unwrap(),
        [9.223_372_036_854_776e18, -3.0]
    );
    assert_eq!(
        conv::<f16>(&int_t(1, false, LE), &[200]).unwrap(),
        [f16::from_f32(200.0)]
    );
    // float to integer truncates toward zero
    let f = [2.7f64, -2.7, 0.5, -0.0];
    let b = le_bytes(f.map(f64::to_le_bytes));
    assert_eq!(conv::<i32>(&float_t(8, LE), &b).unwrap(), [2, -2, 0, 0]);
    // NaN and out of range fail, or clamp (NaN to 0) when saturating
    let f = [f64::NAN, 1e10, f64::NEG_INFINITY, -1.0];
    let b = le_bytes(f.map(f64::to_le_bytes));
    let t = float_t(8, LE);
    for i in 0..3 {
        let e = conv::<i32>(&t, b.get(8 * i..8 * i + 8).unwrap()).unwrap_err();
        assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow), "{i}");
    }
    assert_eq!(sat::<i32>(&t, &b).unwrap(), [0, i32::MAX, i32::MIN, -1]);
    assert_eq!(sat::<u8>(&t, &b).unwrap(), [0, 255, 0, 0]);
    let f4 = le_bytes([3.99f32].map(f32::to_be_bytes));
    assert_eq!(conv::<u8>(&float_t(4, BE), &f4).unwrap(), [3]);
}

fn enum_t(base: Datatype, members: &[(&str, i64)]) -> Datatype {
    let size = base.size;
    Datatype {
        version: 3,
        size,
        class: Class::Enum {
            members: members
                .iter()
                .map(|(n, v)| EnumMember {
                    name: (*n).into(),
                    value: v.to_le_bytes().get(..size as usize).unwrap().to_vec(),
                })
                .collect(),
            base: Box::new(base),
        },
    }
}

#[test]
fn bools_and_enums() {
    // h5py's bool: enum {FALSE, TRUE} of i1
    let t = enum_t(int_t(1, true, LE), &[("FALSE", 0), ("TRUE", 1)]);
    assert_eq!(conv_both::<bool>(&t, &[1, 0, 1]), [true, false, true]);
    let e = conv::<bool>(&t, &[2]).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
    assert_eq!(sat::<bool>(&t, &[2, 0]).unwrap(), [true, false]);
    assert_eq!(conv::<i64>(&t, &[1, 0]).unwrap(), [1, 0]);
    // bool from a plain integer, and from a wide odd integer
    assert_eq!(conv::<bool>(&int_t(2, false, BE), &[0, 1]).unwrap(), [true]);
    // enum read as its base integer (big-endian base)
    let t = enum_t(int_t(4, true, BE), &[("A", 7), ("B", -7)]);
    let b = le_bytes([7i32, -7, 70000].map(i32::to_be_bytes));
    assert_eq!(conv::<i32>(&t, &b).unwrap(), [7, -7, 70000]);
    assert_eq!(sat::<i16>(&t, &b).unwrap(), [7, -7, 32767]);
    // float to bool: no conversion
    let e =
        Plan::for_type::<bool>(&float_t(4, LE), Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
}

#[test]
fn bitfield_and_time() {
    let mut t = int_t(2, false, BE);
    let Class::FixedPoint(i) = t.class else {
        panic!()
    };
    t.class = Class::Bitfield(i);
    assert_eq!(conv::<u32>(&t, &[0x12, 0x34]).unwrap(), [0x1234]);
    let t = Datatype {
        version: 1,
        size: 8,
        class: Class::Time {
            order: BE,
            precision: 64,
        },
    };
    let b = (-5i64).to_be_bytes();
    assert_eq!(conv::<i64>(&t, &b).unwrap(), [-5]);
    // time is not a float source
    assert!(Plan::for_type::<f64>(&t, Ctx::DEFAULT, ConvertOptions::new()).is_err());
}

#[test]
fn fixed_strings() {
    let data = b"ab\0cd\0\0\0hello   12345678x\xff\0\0\0\0\0\0";
    let t = |p| string_t(8, p);
    let s = conv::<Bytes>(&t(StringPadding::NULL_TERMINATE), data).unwrap();
    let raw: Vec<&[u8]> = s.iter().map(|b| b.0.as_slice()).collect();
    assert_eq!(raw, [&b"ab"[..], b"hello   ", b"12345678", b"x\xff"]);
    // null-padded strings also end at the first NUL (libhdf5 2.0)
    let s = conv::<Bytes>(&t(StringPadding::NULL_PAD), data).unwrap();
    assert_eq!(s[0].0, b"ab");
    // space-padded: only trailing spaces go
    let s = conv::<Bytes>(&t(StringPadding::SPACE_PAD), data).unwrap();
    let raw: Vec<&[u8]> = s.iter().map(|b| b.0.as_slice()).collect();
    assert_eq!(
        raw,
        [
            &b"ab\0cd\0\0\0"[..],
            b"hello",
            b"12345678",
            b"x\xff\0\0\0\0\0\0"
        ]
    );
    // String: UTF-8 checked
    let t8 = t(StringPadding::NULL_TERMINATE);
    assert_eq!(
        conv_both::<String>(&t8, data.get(..24).unwrap()),
        ["ab", "hello   ", "12345678"]
    );
    let e = conv::<String>(&t8, data).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::InvalidUtf8));
    // unknown paddings are refused up front
    assert!(matches!(
        Plan::for_type::<String>(&t(StringPadding(7)), Ctx::DEFAULT, ConvertOptions::new()),
        Err(Error::Unsupported { .. })
    ));
    // strings are not numbers
    let e = Plan::for_type::<i32>(&t8, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    let Error::Conversion { from, to, .. } = e else {
        panic!()
    };
    assert_eq!(
        (from.as_str(), to.as_str()),
        ("string(8, nullterm, utf-8)", "i32")
    );
}

#[test]
fn vlen_strings() {
    let mut heap = MapHeap::default();
    heap.0.insert((0x800, 1), b"h\xc3\xa9llo\0junk".to_vec());
    heap.0.insert((0x800, 2), b"x\xff".to_vec());
    let mut src = vlen_elem(6, 0x800, 1);
    src.extend(vlen_elem(0, 0, 0)); // never written: empty
    let t = vstr_t();
    let opts = ConvertOptions::new();
    let v = conv_with::<String>(&t, &src, opts, &heap).unwrap();
    assert_eq!(v, ["h\u{e9}llo", ""]);
    let bad = vlen_elem(2, 0x800, 2);
    let e = conv_with::<String>(&t, &bad, opts, &heap).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::InvalidUtf8));
    let b = conv_with::<Bytes>(&t, &bad, opts, &heap).unwrap();
    assert_eq!(b[0].0, b"x\xff");
    // a count with a nil heap id
    let e = conv_with::<String>(&t, &vlen_elem(3, 0, 0), opts, &heap).unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    // a heap object shorter than the count
    let e = conv_with::<String>(&t, &vlen_elem(30, 0x800, 2), opts, &heap).unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
    // a missing heap object: the heap's error
    let e = conv_with::<String>(&t, &vlen_elem(1, 0x900, 1), opts, &heap).unwrap_err();
    assert!(matches!(e, Error::NotFound(_)));
    // no heap at all
    let e = conv::<String>(&t, &vlen_elem(1, 0x800, 1)).unwrap_err();
    assert!(matches!(e, Error::Usage(_)));
    // the heap budget bounds repeated large objects
    let src: Vec<u8> = (0..4).flat_map(|_| vlen_elem(6, 0x800, 1)).collect();
    let e = conv_with::<String>(&t, &src, opts.max_heap_bytes(30), &heap).unwrap_err();
    assert!(matches!(
        e,
        Error::LimitExceeded {
            limit: "max_heap_bytes",
            ..
        }
    ));
    // the element size must match the file's address width
    let e = Plan::for_type::<String>(
        &t,
        Ctx {
            offset_size: 4,
            length_size: 4,
        },
        opts,
    )
    .unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
}

#[test]
fn opaque() {
    let t = Datatype {
        version: 1,
        size: 3,
        class: Class::Opaque {
            tag: b"tag".to_vec(),
        },
    };
    let v = conv::<Bytes>(&t, b"abc\0\0\0").unwrap();
    assert_eq!(v, [Bytes(b"abc".to_vec()), Bytes(vec![0, 0, 0])]);
    let e = Plan::for_type::<String>(&t, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
}

#[test]
fn arrays() {
    let t = array_t(vec![4], int_t(2, true, BE));
    let b = le_bytes([-6i16, -5, -4, -3, 1, 2, 3, 4].map(i16::to_be_bytes));
    assert_eq!(
        conv_both::<[i16; 4]>(&t, &b),
        [[-6, -5, -4, -3], [1, 2, 3, 4]]
    );
    assert_eq!(conv::<[i64; 4]>(&t, &b).unwrap()[1], [1, 2, 3, 4]);
    // 2x3: nested or flat
    let t = array_t(vec![2, 3], float_t(4, LE));
    let b = le_bytes([0f32, 1., 2., 3., 4., 5.].map(f32::to_le_bytes));
    assert_eq!(
        conv_both::<[[f32; 3]; 2]>(&t, &b),
        [[[0., 1., 2.], [3., 4., 5.]]]
    );
    assert_eq!(conv_both::<[f64; 6]>(&t, &b), [[0., 1., 2., 3., 4., 5.]]);
    // wrong sizes are refused up front
    for e in [
        Plan::for_type::<[f32; 5]>(&t, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err(),
        Plan::for_type::<[[f32; 2]; 3]>(&t, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err(),
        Plan::for_type::<[f32; 4]>(&float_t(4, LE), Ctx::DEFAULT, ConvertOptions::new())
            .unwrap_err(),
    ] {
        assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    }
    // overflow inside an array element
    let t = array_t(vec![2], int_t(2, true, LE));
    let e = conv::<[i8; 2]>(&t, &le_bytes([1i16, 1000].map(i16::to_le_bytes))).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
}

#[test]
fn vlen_sequences() {
    let mut heap = MapHeap::default();
    heap.0.insert(
        (0x1000, 1),
        le_bytes([1i16, 2, 3, -300].map(i16::to_be_bytes)),
    );
    let t = vlen_t(VlenKind::Sequence, int_t(2, true, BE));
    let mut src = vlen_elem(3, 0x1000, 1);
    src.extend(vlen_elem(0, 0, 0));
    src.extend(vlen_elem(4, 0x1000, 1));
    let v = conv_with::<Vec<i32>>(&t, &src, ConvertOptions::new(), &heap).unwrap();
    assert_eq!(v, [vec![1, 2, 3], vec![], vec![1, 2, 3, -300]]);
    // Vec<u8> is a sequence, never a string
    let e = Plan::for_type::<Vec<u8>>(&vstr_t(), Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    let e = conv_with::<Vec<i8>>(&t, &src, ConvertOptions::new(), &heap).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
    // the whole heap object is more than the count needs; a longer count is truncated data
    let e = conv_with::<Vec<i32>>(&t, &vlen_elem(5, 0x1000, 1), ConvertOptions::new(), &heap)
        .unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
}

#[derive(Debug, Default, Clone, PartialEq)]
#[repr(C)]
struct Rec {
    b: f64,
    a: i16,
}

impl H5Type for Rec {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Compound(Compound::new(
            core::mem::size_of::<Rec>(),
            vec![
                Field::of::<f64>("b", core::mem::offset_of!(Rec, b)),
                Field::of::<i16>("a", core::mem::offset_of!(Rec, a)),
            ],
        ))
    }
    fn from_fields(f: &mut Fields<'_, '_>) -> Result<Self> {
        Ok(Rec {
            b: f.field()?,
            a: f.field()?,
        })
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Outer {
    inner: Rec,
    tag: String,
}

impl H5Type for Outer {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Compound(Compound::new(
            core::mem::size_of::<Outer>(),
            vec![
                Field::of::<Rec>("inner", core::mem::offset_of!(Outer, inner)),
                Field::of::<String>("tag", core::mem::offset_of!(Outer, tag)),
            ],
        ))
    }
    fn from_fields(f: &mut Fields<'_, '_>) -> Result<Self> {
        Ok(Outer {
            inner: f.field()?,
            tag: f.field()?,
        })
    }
}

/// Reads one field too many.
struct Greedy;

impl H5Type for Greedy {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Compound(Compound::new(0, vec![Field::of::<i32>("a", 0)]))
    }
    fn from_fields(f: &mut Fields<'_, '_>) -> Result<Self> {
        let _: i32 = f.field()?;
        let _: i32 = f.field()?;
        Ok(Greedy)
    }
}

/// Describes a compound but does not implement `from_fields`.
struct Lazy;

impl H5Type for Lazy {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Compound(Compound::new(0, vec![Field::of::<i32>("a", 0)]))
    }
}

#[test]
fn compounds_by_name() {
    // file {a: i4<, c: u1, b: f4>}: memory reads b then a, skips c
    let t = compound_t(
        9,
        vec![
            member("a", 0, int_t(4, true, LE)),
            member("c", 4, int_t(1, false, LE)),
            member("b", 5, float_t(4, BE)),
        ],
    );
    let mut b = Vec::new();
    for (a, c, x) in [(1i32, 9u8, 1.5f32), (-2, 8, -0.25)] {
        b.extend(a.to_le_bytes());
        b.push(c);
        b.extend(x.to_be_bytes());
    }
    assert_eq!(
        conv_both::<Rec>(&t, &b),
        [Rec { b: 1.5, a: 1 }, Rec { b: -0.25, a: -2 }]
    );
    // a memory member missing from the file
    let t2 = compound_t(4, vec![member("a", 0, int_t(4, true, LE))]);
    let e = Plan::for_type::<Rec>(&t2, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    assert!(
        alloc::format!("{e}").contains("no member named \"b\""),
        "{e}"
    );
    // nested compound and a fixed-string member
    let t3 = compound_t(
        13,
        vec![
            member("tag", 0, string_t(4, StringPadding::NULL_PAD)),
            member("inner", 4, t.clone()),
        ],
    );
    let mut b3 = b"xy\0\0".to_vec();
    b3.extend(b.get(..9).unwrap());
    assert_eq!(
        conv::<Outer>(&t3, &b3).unwrap(),
        [Outer {
            inner: Rec { b: 1.5, a: 1 },
            tag: "xy".into()
        }]
    );
    // member conversion errors surface
    let t4 = compound_t(
        10,
        vec![
            member("a", 0, int_t(8, true, LE)),
            member("b", 8, float_t(2, LE)),
        ],
    );
    let mut b4 = (1i64 << 40).to_le_bytes().to_vec();
    b4.extend([0, 0x3c]);
    let e = conv::<Rec>(&t4, &b4).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Overflow));
    assert_eq!(sat::<Rec>(&t4, &b4).unwrap(), [Rec { b: 1.0, a: 32767 }]);
    // a compound is not a number, a number is not a compound
    assert!(Plan::for_type::<i32>(&t, Ctx::DEFAULT, ConvertOptions::new()).is_err());
    assert!(
        Plan::for_type::<Rec>(&int_t(4, true, LE), Ctx::DEFAULT, ConvertOptions::new()).is_err()
    );
    // misbehaving impls get errors, not panics
    let t5 = compound_t(4, vec![member("a", 0, int_t(4, true, LE))]);
    let e = conv::<Greedy>(&t5, &[1, 0, 0, 0]).err().unwrap();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    let e = conv::<Lazy>(&t5, &[1, 0, 0, 0]).err().unwrap();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
}

#[test]
fn complex_both_forms() {
    // class 11 of f16 parts into Complex<f32>
    let t = Datatype {
        version: 5,
        size: 4,
        class: Class::Complex {
            base: Box::new(float_t(2, LE)),
        },
    };
    let b = le_bytes([f16::from_f32(0.5), f16::from_f32(-65504.0)].map(|x| x.to_le_bytes()));
    assert_eq!(
        conv::<Complex<f32>>(&t, &b).unwrap(),
        [Complex::new(0.5, -65504.0)]
    );
    // h5py's compound {r, i}, here with the parts stored imaginary first
    let t = compound_t(
        16,
        vec![
            member("i", 0, float_t(8, BE)),
            member("r", 8, float_t(8, BE)),
        ],
    );
    let b = le_bytes([-1.0f64, 3.0].map(f64::to_be_bytes));
    assert_eq!(
        conv::<Complex<f64>>(&t, &b).unwrap(),
        [Complex::new(3.0, -1.0)]
    );
    assert_eq!(
        conv::<Complex<f16>>(&t, &b).unwrap(),
        [Complex::new(f16::from_f32(3.0), f16::from_f32(-1.0))]
    );
    // other member names or classes are not complex
    let bad = compound_t(
        16,
        vec![
            member("x", 0, float_t(8, BE)),
            member("y", 8, float_t(8, BE)),
        ],
    );
    let e = Plan::for_type::<Complex<f64>>(&bad, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    let ints = compound_t(
        8,
        vec![
            member("r", 0, int_t(4, true, LE)),
            member("i", 4, int_t(4, true, LE)),
        ],
    );
    assert!(Plan::for_type::<Complex<f64>>(&ints, Ctx::DEFAULT, ConvertOptions::new()).is_err());
}

fn ref_t(t: ReferenceType, size: u32) -> Datatype {
    Datatype {
        version: 4,
        size,
        class: Class::Reference(t),
    }
}

#[test]
fn references() {
    // old object references: address, 0 is null
    let t = ref_t(ReferenceType::OBJECT1, 8);
    let b = le_bytes([800u64, 0].map(u64::to_le_bytes));
    assert_eq!(
        conv::<ObjectRef>(&t, &b).unwrap(),
        [ObjectRef(Some(Addr(800))), ObjectRef(None)]
    );
    assert_eq!(
        conv::<Reference>(&t, &b).unwrap(),
        [Reference::Object(Addr(800)), Reference::Null]
    );
    let e = Plan::for_type::<RegionRef>(&t, Ctx::DEFAULT, ConvertOptions::new()).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    // old region references: a heap object holding the dataset address and the selection
    let mut heap = MapHeap::default();
    heap.0.insert(
        (0x990, 1),
        hex("b300000000000000020000000300000001020200000001000100010002000200010001000300"),
    );
    let t = ref_t(ReferenceType::DATASET_REGION1, 12);
    let mut b = hex("900900000000000001000000");
    b.extend([0; 12]);
    let v = conv_with::<RegionRef>(&t, &b, ConvertOptions::new(), &heap).unwrap();
    let Some(r) = &v[0].0 else { panic!() };
    assert_eq!(r.object, Addr(0xb3));
    assert!(matches!(r.selection, Selection::Regular { .. }));
    assert_eq!(v[1], RegionRef(None));
    assert!(Plan::for_type::<ObjectRef>(&t, Ctx::DEFAULT, ConvertOptions::new()).is_err());
    // revised: inline object, null, heap region (libhdf5 2.0 bytes)
    heap.0.insert(
        (0x10e2, 1),
        hex(
            "082807000000000000280000000200000002000000010000000000000018000000020000000100\
             000001000000010000000200000003000000",
        ),
    );
    let t = ref_t(ReferenceType::OBJECT2, 18);
    let mut b = hex("020008200300000000000000000000000000");
    b.extend([0; 18]);
    b.extend(hex("030039000000e21000000000000001000000"));
    let v = conv_with::<Reference>(&t, &b, ConvertOptions::new(), &heap).unwrap();
    assert_eq!(v[0], Reference::Object(Addr(800)));
    assert_eq!(v[1], Reference::Null);
    let Reference::Region(r) = &v[2] else {
        panic!("{:?}", v[2])
    };
    assert_eq!(r.object, Addr(0x728));
    assert_eq!(
        r.selection,
        Selection::Blocks {
            rank: 2,
            corners: vec![1, 1, 2, 3]
        }
    );
    // reading a region element as an object reference is an error
    let e = conv_with::<ObjectRef>(&t, &b, ConvertOptions::new(), &heap).unwrap_err();
    assert_eq!(kind(&e), Some(ConversionErrorKind::Incompatible));
    let v = conv_with::<ObjectRef>(&t, b.get(..36).unwrap(), ConvertOptions::new(), &heap).unwrap();
    assert_eq!(v, [ObjectRef(Some(Addr(800))), ObjectRef(None)]);
    // sizes must match the address width
    let e = Plan::for_type::<ObjectRef>(
        &ref_t(ReferenceType::OBJECT1, 4),
        Ctx::DEFAULT,
        ConvertOptions::new(),
    )
    .unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
}

#[test]
fn plan_misuse() {
    let t = int_t(4, true, LE);
    let plan = Plan::for_type::<i32>(&t, Ctx::DEFAULT, ConvertOptions::new()).unwrap();
    assert_eq!(plan.element_size(), 4);
    assert_eq!(plan.file_type(), &t);
    assert_eq!(
        plan.memory_type(),
        &TypeDescriptor::Integer {
            size: 4,
            signed: true
        }
    );
    // another memory type than planned
    let mut d = [0i64; 1];
    assert!(matches!(
        plan.convert(&[0; 4], &mut d, &NoHeap),
        Err(Error::Usage(_))
    ));
    // wrong lengths
    let mut d = [0i32; 2];
    assert!(matches!(
        plan.convert(&[0; 4], &mut d, &NoHeap),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        plan.convert_vec::<i32>(&[0; 5], &NoHeap),
        Err(Error::Usage(_))
    ));
    assert_eq!(
        plan.convert_vec::<i32>(&[], &NoHeap).unwrap(),
        Vec::<i32>::new()
    );
    // malformed descriptors
    for mem in [
        TypeDescriptor::Integer {
            size: 3,
            signed: true,
        },
        TypeDescriptor::Float { size: 16 },
    ] {
        assert!(matches!(
            Plan::new(&t, &mem, Ctx::DEFAULT, ConvertOptions::new()),
            Err(Error::Usage(_))
        ));
    }
    // descriptor names
    assert_eq!(
        alloc::format!("{}", <[Vec<Complex<f32>>; 2]>::type_descriptor()),
        "[Vec<Complex<f32>>; 2]"
    );
    assert_eq!(
        alloc::format!("{}", Rec::type_descriptor()),
        "struct {b: f64, a: i16}"
    );
}

#[test]
fn datatype_from_bytes() {
    // a decoded h5py compound, to tie the tests to real encodings: {a: i4<, bb: f8<}
    let b = hex(
        "360200000c0000006100001008000004000000000020006262000411203f000800000000004000340b0034ff030000",
    );
    let t = Datatype::decode(&mut Cursor::new(&b, 0, "t")).unwrap();
    #[derive(Debug, PartialEq)]
    struct Ab {
        bb: f32,
        a: u8,
    }
    impl H5Type for Ab {
        fn type_descriptor() -> TypeDescriptor {
            TypeDescriptor::Compound(Compound::new(
                8,
                vec![Field::of::<f32>("bb", 0), Field::of::<u8>("a", 4)],
            ))
        }
        fn from_fields(f: &mut Fields<'_, '_>) -> Result<Self> {
            Ok(Ab {
                bb: f.field()?,
                a: f.field()?,
            })
        }
    }
    let mut e = 7i32.to_le_bytes().to_vec();
    e.extend(0.5f64.to_le_bytes());
    assert_eq!(conv::<Ab>(&t, &e).unwrap(), [Ab { bb: 0.5, a: 7 }]);
}
