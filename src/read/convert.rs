//! File-to-file conversion of numeric elements, as libhdf5 converts a virtual dataset's source
//! data into the virtual dataset's type: integers and floats of any size and byte order,
//! saturating on overflow (libhdf5's default), floats to integers truncated toward zero.

use crate::error::{Error, Result};
use crate::format::message::datatype::{ByteOrder, Class, Datatype, Float, IntValue, Integer};
use alloc::vec::Vec;

enum Value {
    Int(i128),
    Float(f64),
}

fn decode(dt: &Datatype, b: &[u8]) -> Option<Value> {
    match &dt.class {
        Class::FixedPoint(i) => i.decode_value(b).map(|v| match v {
            IntValue::Signed(x) => Value::Int(i128::from(x)),
            IntValue::Unsigned(x) => Value::Int(i128::from(x)),
        }),
        Class::FloatingPoint(f) => f.decode_f64(b).map(Value::Float),
        _ => None,
    }
}

fn put(order: ByteOrder, le: &[u8], out: &mut Vec<u8>) -> Option<()> {
    match order {
        ByteOrder::LittleEndian => out.extend_from_slice(le),
        ByteOrder::BigEndian => out.extend(le.iter().rev()),
        _ => return None,
    }
    Some(())
}

fn encode_int(i: &Integer, size: usize, v: Value, out: &mut Vec<u8>) -> Option<()> {
    if i.bit_offset != 0 || usize::from(i.precision) != size * 8 || size > 8 {
        return None;
    }
    let bits = size * 8;
    let (lo, hi): (i128, i128) = if i.signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let x = match v {
        Value::Int(x) => x.clamp(lo, hi),
        // NaN converts to 0 like libhdf5's default handler; others truncate and saturate.
        #[allow(clippy::cast_possible_truncation)]
        Value::Float(f) => {
            if f.is_nan() {
                0
            } else {
                (f as i128).clamp(lo, hi)
            }
        }
    };
    let le = x.to_le_bytes();
    put(i.order, le.get(..size)?, out)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn encode_float(f: &Float, size: u64, v: Value, out: &mut Vec<u8>) -> Option<()> {
    if !f.is_standard_ieee(size) {
        return None;
    }
    let x = match v {
        Value::Int(x) => x as f64,
        Value::Float(x) => x,
    };
    match size {
        4 => put(f.order, &(x as f32).to_le_bytes(), out),
        8 => put(f.order, &x.to_le_bytes(), out),
        _ => None,
    }
}

/// Convert `data` (elements of `from`) into elements of `to`.
///
/// # Errors
/// [`Error::Unsupported`] for anything but integer and float classes (and half-precision or
/// non-IEEE targets).
pub fn convert(from: &Datatype, to: &Datatype, data: &[u8]) -> Result<Vec<u8>> {
    let unsupported = || Error::unsupported("conversion between these datatypes", 0);
    let (fs, ts) = (
        usize::try_from(from.size()).map_err(|_| unsupported())?,
        usize::try_from(to.size()).map_err(|_| unsupported())?,
    );
    if fs == 0 {
        return Err(unsupported());
    }
    let mut out = Vec::with_capacity(data.len() / fs * ts);
    for e in data.chunks_exact(fs) {
        let v = decode(from, e).ok_or_else(unsupported)?;
        let ok = match &to.class {
            Class::FixedPoint(i) => encode_int(i, ts, v, &mut out),
            Class::FloatingPoint(f) => encode_float(f, to.size(), v, &mut out),
            _ => None,
        };
        ok.ok_or_else(unsupported)?;
    }
    Ok(out)
}
