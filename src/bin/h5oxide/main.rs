//! The `h5oxide` command-line tool.

fn main() {}
