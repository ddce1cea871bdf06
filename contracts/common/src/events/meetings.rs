//! Events of the `meetings` contract.
