//! The macros' compile-time rules: one failing file per rule (its first line names the rule,
//! its `.stderr` holds the expected error), and every supported form compiling and running.
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p xpander-runtime --test macros_ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
