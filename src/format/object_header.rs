//! Object headers v1 and v2.
