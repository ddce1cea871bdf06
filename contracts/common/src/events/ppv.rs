//! Events of the `ppv` contract.
