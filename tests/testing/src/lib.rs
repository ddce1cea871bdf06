//! What every Mesi cw-multi-test suite starts from, so each contract's tests only add their own
//! contract and helpers.
//!
//! - [`PlatformBuilder`] / [`Platform`]: an [`App`] with funded accounts, CW20 tokens
//!   (cw20-base) and the real `creators` registry, plus registry and time helpers.
//! - [`contract!`]: a cw-multi-test contract from a crate's entry points; [`suite_on_platform!`]:
//!   a contract's own suite reads as the platform it builds on.
//! - [`money`]: balances and CW20 payments for any app.
//! - [`events`]: the Mesi events of a response, decoded as the indexer decodes them.
//! - [`error`]: reading a contract's own error back out of a failed execution.

pub mod error;
pub mod events;
pub mod money;
mod platform;

pub use platform::{Platform, PlatformBuilder, Token};

pub use cw_multi_test::App;

/// The native stablecoin of the test chains.
pub const USDC: &str = "uusdc";
/// A second accepted native coin.
pub const ATOM: &str = "uatom";
/// Seconds in a day.
pub const DAY: u64 = 86_400;

/// A boxed cw-multi-test contract from a module's `execute`, `instantiate`, `query` (and
/// `migrate`, when given as a second argument), e.g. `contract!(crate::contract, migrate)`.
#[macro_export]
macro_rules! contract {
    ($module:path) => {{
        use $module as entry;
        Box::new($crate::cw_multi_test::ContractWrapper::new(
            entry::execute,
            entry::instantiate,
            entry::query,
        )) as Box<dyn $crate::cw_multi_test::Contract<$crate::cosmwasm_std::Empty>>
    }};
    ($module:path, migrate) => {{
        use $module as entry;
        Box::new(
            $crate::cw_multi_test::ContractWrapper::new(
                entry::execute,
                entry::instantiate,
                entry::query,
            )
            .with_migrate(entry::migrate),
        ) as Box<dyn $crate::cw_multi_test::Contract<$crate::cosmwasm_std::Empty>>
    }};
}

/// Makes a suite struct with a `platform: Platform` field read as the platform it builds on
/// (`Deref`/`DerefMut`), so `suite.app`, `suite.balance(..)` and the registry helpers work on it.
#[macro_export]
macro_rules! suite_on_platform {
    ($suite:ty) => {
        impl ::std::ops::Deref for $suite {
            type Target = $crate::Platform;

            fn deref(&self) -> &$crate::Platform {
                &self.platform
            }
        }

        impl ::std::ops::DerefMut for $suite {
            fn deref_mut(&mut self) -> &mut $crate::Platform {
                &mut self.platform
            }
        }
    };
}

#[doc(hidden)]
pub use {cosmwasm_std, cw_multi_test};

/// The cw20-base token contract.
pub fn cw20_contract() -> Box<dyn cw_multi_test::Contract<cosmwasm_std::Empty>> {
    contract!(cw20_base::contract)
}

/// The `creators` registry.
pub fn creators_contract() -> Box<dyn cw_multi_test::Contract<cosmwasm_std::Empty>> {
    contract!(mesi_creators::contract, migrate)
}
