//! Canonical dtype strings (`DUMP-FORMAT.md`, "dtype strings").
//!
//! Decisions beyond the table (also in `spec-notes/datatypes.md`):
//! - byte order: `<` little-endian, `>` big-endian, `v` VAX; nothing for one-byte types;
//! - integers and bitfields append `(pP,oO)` only when the precision is not the full width or
//!   the bit offset is not 0;
//! - floats that are not the standard IEEE half/single/double layout append
//!   `(pP,oO,sS,eE:ES,mM:MS,bBIAS,NORM)`: precision, bit offset, sign bit, exponent position and
//!   size, mantissa position and size, exponent bias, and the normalization as `implied`,
//!   `msbset` or `none` (bfloat16: `f2<(p16,o0,s15,e7:8,m0:7,b127,implied)`);
//! - unknown string paddings and character sets print as `padN` and `csetN`;
//! - a bool-enum is an enum over a signed 8-bit integer (precision 8, offset 0) whose members
//!   are exactly `FALSE` = 0 then `TRUE` = 1.

use super::Json;
use crate::format::message::datatype::{
    ByteOrder, CharacterSet, Class, Datatype, EnumMember, IntValue, Integer, MantissaNorm,
    ReferenceType, StringPadding, VlenKind,
};
use alloc::format;
use alloc::string::String;
use core::fmt::Write;

/// The canonical dtype string of `dt`.
pub fn dtype_string(dt: &Datatype) -> String {
    let mut s = String::new();
    write_dtype(&mut s, dt);
    s
}

fn order(o: ByteOrder, size: u32) -> &'static str {
    if size == 1 {
        return "";
    }
    match o {
        ByteOrder::LittleEndian => "<",
        ByteOrder::BigEndian => ">",
        ByteOrder::Vax => "v",
    }
}

fn quote(s: &str) -> String {
    Json::str(s).to_compact()
}

fn padding(p: StringPadding) -> String {
    match p {
        StringPadding::NULL_TERMINATE => "nullterm".into(),
        StringPadding::NULL_PAD => "nullpad".into(),
        StringPadding::SPACE_PAD => "spacepad".into(),
        StringPadding(n) => format!("pad{n}"),
    }
}

fn charset(c: CharacterSet) -> String {
    match c {
        CharacterSet::ASCII => "ascii".into(),
        CharacterSet::UTF8 => "utf8".into(),
        CharacterSet(n) => format!("cset{n}"),
    }
}

fn write_integer(s: &mut String, letter: char, i: &Integer, size: u32) {
    let _ = write!(s, "{letter}{size}{}", order(i.order, size));
    if u64::from(i.precision) != 8 * u64::from(size) || i.bit_offset != 0 {
        let _ = write!(s, "(p{},o{})", i.precision, i.bit_offset);
    }
}

/// The integer value of an enum member, as the enum's base type reads it.
pub(crate) fn enum_value(base: &Datatype, m: &EnumMember) -> Option<IntValue> {
    match &base.class {
        Class::FixedPoint(i) => i.decode_value(&m.value),
        _ => None,
    }
}

fn is_bool_enum(base: &Datatype, members: &[EnumMember]) -> bool {
    let Class::FixedPoint(i) = &base.class else {
        return false;
    };
    let int_ok = base.size == 1 && i.signed && i.precision == 8 && i.bit_offset == 0;
    let names: [(&str, i64); 2] = [("FALSE", 0), ("TRUE", 1)];
    int_ok
        && members.len() == 2
        && members.iter().zip(names).all(|(m, (name, v))| {
            m.name == name && enum_value(base, m) == Some(IntValue::Signed(v))
        })
}

fn write_dtype(s: &mut String, dt: &Datatype) {
    let size = dt.size;
    match &dt.class {
        Class::FixedPoint(i) => write_integer(s, if i.signed { 'i' } else { 'u' }, i, size),
        Class::Bitfield(i) => write_integer(s, 'b', i, size),
        Class::FloatingPoint(f) => {
            let _ = write!(s, "f{size}{}", order(f.order, size));
            if !f.is_standard_ieee(dt.size()) {
                let norm = match f.norm {
                    MantissaNorm::Implied => "implied",
                    MantissaNorm::MsbSet => "msbset",
                    MantissaNorm::None => "none",
                };
                let _ = write!(
                    s,
                    "(p{},o{},s{},e{}:{},m{}:{},b{},{norm})",
                    f.precision,
                    f.bit_offset,
                    f.sign_location,
                    f.exponent_location,
                    f.exponent_size,
                    f.mantissa_location,
                    f.mantissa_size,
                    f.exponent_bias
                );
            }
        }
        Class::Time { order: o, .. } => {
            let _ = write!(s, "time({size}{})", order(*o, size));
        }
        Class::String {
            padding: p,
            charset: c,
        } => {
            let _ = write!(s, "S{size}/{}/{}", padding(*p), charset(*c));
        }
        Class::Opaque { tag } => {
            if tag.is_empty() {
                let _ = write!(s, "opaque({size})");
            } else {
                let t = String::from_utf8_lossy(tag);
                let _ = write!(s, "opaque({size},{})", quote(&t));
            }
        }
        Class::Compound { members } => {
            let _ = write!(s, "compound[{size}]{{");
            for (k, m) in members.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{}@{}:", quote(&m.name), m.offset);
                write_dtype(s, &m.dtype);
            }
            s.push('}');
        }
        Class::Reference(r) => match *r {
            ReferenceType::OBJECT1 => s.push_str("ref-object"),
            ReferenceType::DATASET_REGION1 => s.push_str("ref-region"),
            _ => {
                let _ = write!(s, "ref({size})");
            }
        },
        Class::Enum { base, members } => {
            if is_bool_enum(base, members) {
                s.push_str("bool-enum");
                return;
            }
            s.push_str("enum(");
            write_dtype(s, base);
            s.push_str("){");
            for (k, m) in members.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                let _ = write!(s, "{}=", quote(&m.name));
                match enum_value(base, m) {
                    Some(IntValue::Signed(v)) => {
                        let _ = write!(s, "{v}");
                    }
                    Some(IntValue::Unsigned(v)) => {
                        let _ = write!(s, "{v}");
                    }
                    // Not reachable for decoded enums (integer base, at most 64 bits are
                    // required by the value encoder too); printed as hex of the raw bytes.
                    None => {
                        s.push_str("0x");
                        for b in &m.value {
                            let _ = write!(s, "{b:02x}");
                        }
                    }
                }
            }
            s.push('}');
        }
        Class::VarLen { kind, base } => match kind {
            VlenKind::String { charset: c, .. } => {
                let _ = write!(s, "vlen-str-{}", charset(*c));
            }
            VlenKind::Sequence => {
                s.push_str("vlen(");
                write_dtype(s, base);
                s.push(')');
            }
        },
        Class::Array { dims, base } => {
            s.push_str("array(");
            for (k, d) in dims.iter().enumerate() {
                if k > 0 {
                    s.push('x');
                }
                let _ = write!(s, "{d}");
            }
            s.push(',');
            write_dtype(s, base);
            s.push(')');
        }
        Class::Complex { base } => {
            s.push_str("complex(");
            write_dtype(s, base);
            s.push(')');
        }
    }
}

/// In-memory sizes libhdf5 gives variable-length and reference types on 64-bit platforms:
/// `hvl_t`, `char *`, `hobj_ref_t`, `hdset_reg_ref_t`, `H5R_ref_t`.
const MEM_VLEN_SEQUENCE: u32 = 16;
const MEM_VLEN_STRING: u32 = 8;
const MEM_REF_OBJECT1: u32 = 8;
const MEM_REF_REGION1: u32 = 12;
const MEM_REF_REVISED: u32 = 64;

/// Whether libhdf5 marks the type "force conversion": it holds a variable-length or reference
/// type somewhere.
fn force_conv(dt: &Datatype) -> bool {
    match &dt.class {
        Class::VarLen { .. } | Class::Reference(_) => true,
        Class::Compound { members } => members.iter().any(|m| force_conv(&m.dtype)),
        Class::Array { base, .. } => force_conv(base),
        _ => false,
    }
}

/// The datatype as libhdf5's `H5Dget_type` / `H5Aget_type` report it, and so as h5py sees it:
/// variable-length and reference types take their in-memory sizes (64-bit platform), array
/// sizes follow, and compounds holding such members are sorted by offset and have every later
/// member shifted by the accumulated size change (libhdf5's `H5T_set_loc`). Types without
/// variable-length or reference parts are returned unchanged. With 8-byte file offsets only
/// variable-length strings (16 stored, 8 in memory) and revised references (18 stored, 64 in
/// memory) change; with 4-byte offsets every variable-length and reference type does.
pub fn memory_layout(dt: &Datatype) -> Datatype {
    if !force_conv(dt) {
        return dt.clone();
    }
    let mut out = dt.clone();
    match &mut out.class {
        Class::VarLen { kind, base } => {
            **base = memory_layout(base);
            out.size = match kind {
                VlenKind::Sequence => MEM_VLEN_SEQUENCE,
                VlenKind::String { .. } => MEM_VLEN_STRING,
            };
        }
        Class::Reference(r) => {
            out.size = match *r {
                ReferenceType::OBJECT1 => MEM_REF_OBJECT1,
                ReferenceType::DATASET_REGION1 => MEM_REF_REGION1,
                _ => MEM_REF_REVISED,
            };
        }
        Class::Array { dims, base } => {
            **base = memory_layout(base);
            let n = dims
                .iter()
                .fold(u64::from(base.size), |a, &d| a.saturating_mul(u64::from(d)));
            out.size = u32::try_from(n).unwrap_or(u32::MAX);
        }
        Class::Compound { members } => {
            members.sort_by_key(|m| m.offset);
            let mut change: i64 = 0;
            for m in members.iter_mut() {
                m.offset = m.offset.saturating_add_signed(change);
                let old = i64::from(m.dtype.size);
                m.dtype = memory_layout(&m.dtype);
                change += i64::from(m.dtype.size) - old;
            }
            let size = i64::from(out.size).saturating_add(change);
            out.size = u32::try_from(size).unwrap_or(0);
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Cursor;
    use crate::testutil::hex;

    fn ds(h: &str) -> String {
        let b = hex(h);
        dtype_string(&Datatype::decode(&mut Cursor::new(&b, 0, "t")).unwrap())
    }

    #[test]
    fn atomic() {
        assert_eq!(ds("100800000400000000002000"), "i4<");
        assert_eq!(ds("100100000800000000004000"), "u8>");
        assert_eq!(ds("100800000100000000000800"), "i1");
        assert_eq!(ds("100000000100000000000800"), "u1");
        assert_eq!(ds("100800000400000004000c00"), "i4<(p12,o4)");
        assert_eq!(ds("100000000200000000000c00"), "u2<(p12,o0)");
        assert_eq!(ds("11200f0002000000000010000a05000a0f000000"), "f2<");
        assert_eq!(ds("11211f000400000000002000170800177f000000"), "f4>");
        assert_eq!(ds("11203f000800000000004000340b0034ff030000"), "f8<");
        assert_eq!(
            ds("11200f000200000000001000070800077f000000"),
            "f2<(p16,o0,s15,e7:8,m0:7,b127,implied)"
        );
        assert_eq!(
            ds("1120070001000000000008000304000307000000"),
            "f1(p8,o0,s7,e3:4,m0:3,b7,implied)"
        );
        assert_eq!(
            ds("11004f001000000000005000400f0040ff3f0000"),
            "f16<(p80,o0,s79,e64:15,m0:64,b16383,none)"
        );
        assert_eq!(
            ds("31613f000800000000004000340b0034ff030000"),
            "f8v(p64,o0,s63,e52:11,m0:52,b1023,implied)"
        );
        assert_eq!(ds("140000000100000000000800"), "b1");
        assert_eq!(ds("140100000200000000001000"), "b2>");
        assert_eq!(ds("12000000040000002000"), "time(4<)");
        assert_eq!(ds("12010000080000004000"), "time(8>)");
    }

    #[test]
    fn strings_and_opaque() {
        assert_eq!(ds("130000000a000000"), "S10/nullterm/ascii");
        assert_eq!(ds("1311000004000000"), "S4/nullpad/utf8");
        assert_eq!(ds("1302000008000000"), "S8/spacepad/ascii");
        assert_eq!(ds("1305000008000000"), "S8/pad5/ascii");
        assert_eq!(
            ds("1901010010000000100000000100000000000800"),
            "vlen-str-utf8"
        );
        assert_eq!(
            ds("1901000010000000100000000100000000000800"),
            "vlen-str-ascii"
        );
        assert_eq!(ds("1500000007000000"), "opaque(7)");
        assert_eq!(
            ds("151000001000000068656c6c6f2074616700000000000000"),
            "opaque(16,\"hello tag\")"
        );
    }

    #[test]
    fn composite() {
        assert_eq!(
            ds("360200000c0000006100001008000004000000000020006262000411203f000800000000004000340b0034ff030000"),
            "compound[12]{\"a\"@0:i4<,\"bb\"@4:f8<}"
        );
        // h5py complex128 as a compound {r, i}
        assert_eq!(
            ds(
                "16020000100000007200000000000000000000000000000000000000000000000000000000000000\
                000000000000000011203f000800000000004000340b0034ff0300006900000000000000080000\
                000000000000000000000000000000000000000000000000000000000011203f00080000000000\
                4000340b0034ff030000"
            ),
            "compound[16]{\"r\"@0:f8<,\"i\"@8:f8<}"
        );
        assert_eq!(
            ds("36020000190000006100005a00000018000000020200000003000000100800000400000000002000620018100000000100000000000800"),
            "compound[25]{\"a\"@0:array(2x3,i4<),\"b\"@24:u1}"
        );
        assert_eq!(
            ds("2a00000018000000020000000200000003000000000000000100000011201f000400000000002000170800177f000000"),
            "array(2x3,f4<)"
        );
        assert_eq!(ds("1900000010000000100800000400000000002000"), "vlen(i4<)");
        assert_eq!(
            ds("5b0100001000000011203f000800000000004000340b0034ff030000"),
            "complex(f8<)"
        );
        assert_eq!(
            ds("5b0100000800000011211f000400000000002000170800177f000000"),
            "complex(f4>)"
        );
        // names are JSON-quoted
        let mut b = hex("36010000 04000000");
        b.extend(b"q\"\\\0");
        b.extend(hex("00 100800000400000000002000"));
        assert_eq!(
            dtype_string(&Datatype::decode(&mut Cursor::new(&b, 0, "t")).unwrap()),
            "compound[4]{\"q\\\"\\\\\"@0:i4<}"
        );
    }

    #[test]
    fn memory_layout_as_h5py_sees_it() {
        let dec = |h: &str| {
            let b = hex(h);
            Datatype::decode(&mut Cursor::new(&b, 0, "t")).unwrap()
        };
        // compound {a: i4, r: ref, g: regionref, s: vlen str, v: vlen u1} in a file with
        // 4-byte offsets: stored 40 bytes; H5Dget_type reports 48 with these offsets
        let t = dec(
            "360500002800000061000010080000040000000000200072000417000000040000006700081701000008             000000730010190101000c00000010000000010000000000080076001c190000000c0000001000000001             00000000000800",
        );
        assert_eq!(
            dtype_string(&t),
            "compound[40]{\"a\"@0:i4<,\"r\"@4:ref-object,\"g\"@8:ref-region,\"s\"@16:vlen-str-utf8,\"v\"@28:vlen(u1)}"
        );
        assert_eq!(
            dtype_string(&memory_layout(&t)),
            "compound[48]{\"a\"@0:i4<,\"r\"@4:ref-object,\"g\"@12:ref-region,\"s\"@24:vlen-str-utf8,\"v\"@32:vlen(u1)}"
        );
        // plain types are untouched
        let f8 = dec("11203f000800000000004000340b0034ff030000");
        assert_eq!(memory_layout(&f8), f8);
    }

    #[test]
    fn enums_and_references() {
        assert_eq!(
            ds("1803000004000000100800000400000000002000424c554500000000475245454e00000052454400000000002a0000000100000000000000"),
            "enum(i4<){\"BLUE\"=42,\"GREEN\"=1,\"RED\"=0}"
        );
        assert_eq!(
            ds("180200000100000010080000010000000000080046414c534500000054525545000000000001"),
            "bool-enum"
        );
        // TRUE before FALSE is not the h5py boolean
        assert_eq!(
            ds("380200000100000010080000010000000000080054525545 0046414c5345 00 01 00"),
            "enum(i1){\"TRUE\"=1,\"FALSE\"=0}"
        );
        // unsigned base is not the h5py boolean either
        assert_eq!(
            ds("380200000100000010000000010000000000080046414c5345005452554500 0001"),
            "enum(u1){\"FALSE\"=0,\"TRUE\"=1}"
        );
        // big-endian negative values
        assert_eq!(
            ds("38010000 02000000 100900000200000000001000 4100 fffe"),
            "enum(i2>){\"A\"=-2}"
        );
        assert_eq!(ds("1700000008000000"), "ref-object");
        assert_eq!(ds("170100000c000000"), "ref-region");
        assert_eq!(ds("4712000012000000"), "ref(18)");
    }
}
