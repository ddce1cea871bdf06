//! Auctions, a module per part of their lifecycle.

mod bidding;
mod ending;
mod opening;
mod queries;
