//! What every route shares on the HTTP side: the one error type, extractors that answer bad
//! input with it, validated parameters and text, what the OpenAPI document says of every route, the one page shape of lists, per-client limits and
//! request metrics.

pub mod error;
pub mod extract;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod page;
pub mod params;
pub mod text;
