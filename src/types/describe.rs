//! Short human-readable names of file datatypes, for conversion errors: numpy-like codes with
//! the byte order (`i4<`, `u8>`, `f2<`), then the class-specific details.

use crate::format::message::datatype::{
    ByteOrder, CharacterSet, Class, Datatype, Integer, StringPadding, VlenKind,
};
use alloc::string::String;
use core::fmt::Write;

fn order(o: ByteOrder) -> &'static str {
    match o {
        ByteOrder::LittleEndian => "<",
        ByteOrder::BigEndian => ">",
        ByteOrder::Vax => "(vax)",
    }
}

fn int(s: &mut String, kind: char, i: &Integer, size: u32) {
    let _ = write!(s, "{kind}{size}{}", order(i.order));
    if i.bit_offset != 0 || u32::from(i.precision) != 8 * size {
        let _ = write!(s, "(p{},o{})", i.precision, i.bit_offset);
    }
}

fn padding(p: StringPadding) -> String {
    match p {
        StringPadding::NULL_TERMINATE => "nullterm".into(),
        StringPadding::NULL_PAD => "nullpad".into(),
        StringPadding::SPACE_PAD => "spacepad".into(),
        StringPadding(n) => alloc::format!("padding {n}"),
    }
}

fn charset(c: CharacterSet) -> String {
    match c {
        CharacterSet::ASCII => "ascii".into(),
        CharacterSet::UTF8 => "utf-8".into(),
        CharacterSet(n) => alloc::format!("charset {n}"),
    }
}

/// The name of `dt`, e.g. `i4<`, `string(8, nullterm, ascii)`, `compound{a: i4<, b: f8<}`.
pub(crate) fn describe(dt: &Datatype) -> String {
    let mut s = String::new();
    put(&mut s, dt);
    s
}

fn put(s: &mut String, dt: &Datatype) {
    match &dt.class {
        Class::FixedPoint(i) => int(s, if i.signed { 'i' } else { 'u' }, i, dt.size),
        Class::Bitfield(i) => int(s, 'b', i, dt.size),
        Class::FloatingPoint(f) => {
            let _ = write!(s, "f{}{}", dt.size, order(f.order));
            if !f.is_standard_ieee(dt.size()) {
                let _ = write!(
                    s,
                    "(p{},e{}:{},m{}:{})",
                    f.precision,
                    f.exponent_location,
                    f.exponent_size,
                    f.mantissa_location,
                    f.mantissa_size
                );
            }
        }
        Class::Time {
            order: o,
            precision,
        } => {
            let _ = write!(s, "time{}{}(p{precision})", dt.size, order(*o));
        }
        Class::String {
            padding: p,
            charset: c,
        } => {
            let _ = write!(s, "string({}, {}, {})", dt.size, padding(*p), charset(*c));
        }
        Class::Opaque { .. } => {
            let _ = write!(s, "opaque({})", dt.size);
        }
        Class::Compound { members } => {
            s.push_str("compound{");
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "{}: ", m.name);
                put(s, &m.dtype);
            }
            s.push('}');
        }
        Class::Reference(t) => {
            let _ = write!(
                s,
                "ref({})",
                match t.0 {
                    0 => "object",
                    1 => "region",
                    _ => "revised",
                }
            );
        }
        Class::Enum { base, .. } => {
            s.push_str("enum(");
            put(s, base);
            s.push(')');
        }
        Class::VarLen { kind, base } => match kind {
            VlenKind::String {
                padding: _,
                charset: c,
            } => {
                let _ = write!(s, "vlen string({})", charset(*c));
            }
            VlenKind::Sequence => {
                s.push_str("vlen(");
                put(s, base);
                s.push(')');
            }
        },
        Class::Array { dims, base } => {
            s.push_str("array(");
            for (i, d) in dims.iter().enumerate() {
                let _ = write!(s, "{}{d}", if i == 0 { "" } else { "x" });
            }
            s.push_str(", ");
            put(s, base);
            s.push(')');
        }
        Class::Complex { base } => {
            s.push_str("complex(");
            put(s, base);
            s.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Cursor;
    use crate::testutil::hex;

    fn dt(h: &str) -> Datatype {
        let b = hex(h);
        Datatype::decode(&mut Cursor::new(&b, 0, "t")).unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(describe(&dt("100100000400000000002000")), "u4>");
        assert_eq!(describe(&dt("100800000400000000002000")), "i4<");
        assert_eq!(
            describe(&dt("11200f0002000000000010000a05000a0f000000")),
            "f2<"
        );
        assert_eq!(
            describe(&dt("1901010010000000100000000100000000000800")),
            "vlen string(utf-8)"
        );
        assert_eq!(
            describe(&dt("1900000010000000100800000400000000002000")),
            "vlen(i4<)"
        );
        assert_eq!(
            describe(&dt("3a00000018000000020200000003000000\
                 11201f000400000000002000170800177f000000")),
            "array(2x3, f4<)"
        );
    }
}
