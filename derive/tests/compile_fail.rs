//! Misuse of the derives is a compile error with a clear message (`trybuild`; refresh the
//! `.stderr` files with `TRYBUILD=overwrite cargo test` after checking the new output).

#[test]
fn misuse_is_a_compile_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/compile_fail/*.rs");
}
