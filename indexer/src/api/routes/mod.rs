//! The groups of routes, one module each with a `router()`; [`crate::api`] merges them.

pub mod access;
pub mod auth;
pub mod calendar;
pub mod chat;
pub mod creators;
pub mod feeds;
pub mod gating;
pub mod goals;
pub mod health;
pub mod leaderboards;
pub mod meetings;
pub mod ppv;
pub mod streams;
pub mod subscriptions;
pub mod surprises;
