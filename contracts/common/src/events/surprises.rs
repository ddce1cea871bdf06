//! Events of the `surprises` contract.
