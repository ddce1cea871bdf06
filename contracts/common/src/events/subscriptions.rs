//! Events of the `subscriptions` contract.
