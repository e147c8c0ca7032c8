//! A minimal ordered JSON value and writer (no_std) for the canonical document.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// A JSON value whose objects keep insertion order.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer (values above `i64::MAX`).
    UInt(u64),
    /// A float; NaN and infinities are written as the strings `"nan"`, `"inf"`, `"-inf"`.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Array(Vec<Json>),
    /// An object, in insertion order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// An empty object.
    pub fn object() -> Self {
        Json::Object(Vec::new())
    }

    /// Append `key: value` to an object (no-op on other kinds).
    pub fn push(&mut self, key: &str, value: Json) {
        if let Json::Object(v) = self {
            v.push((String::from(key), value));
        }
    }

    /// Builder form of [`Json::push`].
    #[must_use]
    pub fn with(mut self, key: &str, value: Json) -> Self {
        self.push(key, value);
        self
    }

    /// A string value.
    pub fn str(s: &str) -> Self {
        Json::Str(String::from(s))
    }

    /// Compact encoding (no spaces), as Python's `json.dumps(separators=(',', ':'))`.
    pub fn to_compact(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, None, 0);
        s
    }

    /// Indented encoding (one space per level), as Python's `json.dumps(indent=1)`.
    pub fn to_pretty(&self) -> String {
        let mut s = String::new();
        self.write(&mut s, Some(1), 0);
        s
    }

    fn newline(out: &mut String, indent: Option<usize>, level: usize) {
        if let Some(n) = indent {
            out.push('\n');
            for _ in 0..n * level {
                out.push(' ');
            }
        }
    }

    fn write(&self, out: &mut String, indent: Option<usize>, level: usize) {
        let sep = if indent.is_some() { ": " } else { ":" };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::UInt(u) => {
                let _ = write!(out, "{u}");
            }
            Json::Float(f) => write_float(out, *f),
            Json::Str(s) => write_str(out, s),
            Json::Array(v) => {
                if v.is_empty() {
                    out.push_str("[]");
                    return;
                }
                out.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Self::newline(out, indent, level + 1);
                    x.write(out, indent, level + 1);
                }
                Self::newline(out, indent, level);
                out.push(']');
            }
            Json::Object(v) => {
                if v.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (k, x)) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Self::newline(out, indent, level + 1);
                    write_str(out, k);
                    out.push_str(sep);
                    x.write(out, indent, level + 1);
                }
                Self::newline(out, indent, level);
                out.push('}');
            }
        }
    }
}

fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str("\"nan\"");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "\"inf\"" } else { "\"-inf\"" });
    } else if f.abs() < 1e16 && is_integral(f) {
        // Integral floats keep a ".0" so they stay floats, as Python writes them.
        let _ = write!(out, "{f:.1}");
    } else {
        // Debug prints the shortest representation that round-trips.
        let _ = write!(out, "{f:?}");
    }
}

/// Whether `f` (with |f| < 1e16) has no fractional part (`f64::trunc` is not in `core`).
#[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
fn is_integral(f: f64) -> bool {
    (f as i64) as f64 == f
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes() {
        let j = Json::object()
            .with("a", Json::Int(-1))
            .with(
                "b",
                Json::Array(alloc::vec![
                    Json::Float(0.5),
                    Json::Float(f64::NAN),
                    Json::Float(2.0)
                ]),
            )
            .with("c\"", Json::str("x\ny\u{1}"));
        assert_eq!(
            j.to_compact(),
            "{\"a\":-1,\"b\":[0.5,\"nan\",2.0],\"c\\\"\":\"x\\ny\\u0001\"}"
        );
        assert_eq!(Json::Array(alloc::vec![]).to_pretty(), "[]");
        assert_eq!(
            Json::object().with("k", Json::Null).to_pretty(),
            "{\n \"k\": null\n}"
        );
    }
}
