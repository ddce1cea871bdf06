//! Events of the `creators` contract.
