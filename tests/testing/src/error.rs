//! A failed execution's error, read back as the contract's own error type.

use std::fmt::{Debug, Display};

use cw_multi_test::error::AnyError;

/// The contract error `E` that made the execution fail; panics if it failed otherwise.
#[track_caller]
pub fn contract_error<E: Display + Debug + Send + Sync + 'static>(err: AnyError) -> E {
    err.downcast::<E>()
        .unwrap_or_else(|err| panic!("not a {} error: {err:?}", std::any::type_name::<E>()))
}

/// Asserts that `result` failed with `expected`, compared by text: an error that came back
/// through another contract (a CW20 `Send`, say) keeps only its text.
#[track_caller]
pub fn assert_error<T: Debug, E: Display>(result: Result<T, AnyError>, expected: E) {
    let err = result.expect_err("expected the execution to fail");
    assert_eq!(
        err.root_cause().to_string(),
        expected.to_string(),
        "{err:?}"
    );
}

/// Asserts that `result` failed with an error whose text contains `text`.
#[track_caller]
pub fn assert_error_text<T: Debug>(result: Result<T, AnyError>, text: &str) {
    let err = result.expect_err("expected the execution to fail");
    assert!(
        format!("{err:?}").contains(text),
        "expected {text:?} in {err:?}"
    );
}
