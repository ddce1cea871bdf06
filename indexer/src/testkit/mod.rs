//! Test and benchmark support (feature `testkit`): a generated chain full of Mesi events, a
//! local CometBFT RPC server over it that injects faults, and throwaway PostgreSQL databases.

pub mod chain;
pub mod pg;
pub mod rpc_server;

pub use chain::{Chain, ChainSpec, Dialect};
pub use pg::{table_digests, TestDb};
pub use rpc_server::{Faults, RpcServer, ServerOptions};
