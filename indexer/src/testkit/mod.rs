//! Test and benchmark support (feature `testkit`): a generated chain full of Mesi events, a
//! local CometBFT RPC server over it that injects faults, throwaway PostgreSQL databases, and
//! an indexer following a chain's RPC with its API, for end-to-end tests.

pub mod chain;
pub mod follow;
pub mod pg;
pub mod rpc_server;

pub use chain::{Chain, ChainSpec, Dialect};
pub use follow::Follower;
pub use pg::{chain_independent_digests, table_digests, TestDb};
pub use rpc_server::{Faults, RpcServer, ServerOptions};
