//! Deploying the Mesi suite: store every artifact, instantiate the MESI CW20 token (cw20-base),
//! the `creators` registry and the five product contracts, then tell the registry its siblings.
//! The plan (order, terms, messages) is `mesi-deployment`'s; this runs it on a chain.
//!
//! The steps run through a [`Submit`]: the devnet's own genesis blocks ([`NodeSubmitter`]), a
//! devnet or chain over RPC ([`crate::client::RpcSubmitter`]); `scripts/deploy --cli` asks
//! `mesi-devnet deploy-msg` for the same messages and sends them with a chain's own CLI.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use cosmrs::Any;
use mesi_chain::Event;

pub use mesi_deployment::{
    instantiate_message, wire_message, Contracts, DeployParams, Deployment, CONTRACTS,
    CREATOR_RECHECK_INTERVAL_SECS, DISPUTE_WINDOW_SECS, FEES, MAX_OPEN_AUCTIONS,
    REVEAL_WINDOW_SECS,
};

use crate::keys::DevKey;
use crate::node::Node;
use crate::sign::{execute_msg, instantiate_msg, sign_tx, store_code_msg, SignOptions};

/// Gas limit of a store-code transaction of `len` bytes: 10 per transaction byte (x/auth) and
/// 3 per wasm byte (wasmd's compile cost), with room.
pub fn store_gas(len: usize) -> u64 {
    len as u64 * 14 + 1_000_000
}
/// Gas limit of the other deployment transactions.
pub const TX_GAS: u64 = 2_000_000;

/// One transaction of the deployment, signed by the owner, that must succeed.
pub trait Submit {
    /// Signs `msgs` and has them run in a block; returns the events of the transaction.
    fn submit(&mut self, msgs: Vec<Any>, gas_limit: u64) -> anyhow::Result<Vec<Event>>;
}

fn event_attribute<'a>(events: &'a [Event], ty: &str, key: &str) -> Option<&'a str> {
    events
        .iter()
        .filter(|e| e.ty == ty)
        .find_map(|e| e.get(key))
}

/// Runs the whole deployment through `submitter`.
pub fn deploy(
    submitter: &mut impl Submit,
    artifacts: &Path,
    params: &DeployParams,
) -> anyhow::Result<Deployment> {
    let mut deployment = Deployment::default();
    for (name, artifact, _) in CONTRACTS {
        let path = artifacts.join(artifact);
        let wasm = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read {} (build it with scripts/build-wasm and scripts/build-anchors)",
                path.display()
            )
        })?;
        let gas = store_gas(wasm.len());
        let events = submitter
            .submit(vec![store_code_msg(&params.owner, wasm)], gas)
            .with_context(|| format!("storing {artifact}"))?;
        let code_id = event_attribute(&events, "store_code", "code_id")
            .ok_or_else(|| anyhow!("storing {artifact}: no store_code event"))?
            .parse()?;
        deployment.code_ids.insert(name.to_string(), code_id);
    }
    for (name, _, label) in CONTRACTS {
        let msg = instantiate_message(name, params, &deployment.contracts)?;
        let code_id = deployment.code_ids[name];
        let events = submitter
            .submit(
                vec![instantiate_msg(
                    &params.owner,
                    Some(&params.owner),
                    code_id,
                    label,
                    &msg,
                )],
                TX_GAS,
            )
            .with_context(|| format!("instantiating {name}"))?;
        let address = event_attribute(&events, "instantiate", "_contract_address")
            .ok_or_else(|| anyhow!("instantiating {name}: no instantiate event"))?;
        deployment.contracts.set(name, address.to_string());
    }
    let wire = wire_message(&deployment.contracts)?;
    submitter
        .submit(
            vec![execute_msg(
                &params.owner,
                &deployment.contracts.creators,
                &wire,
                vec![],
            )],
            TX_GAS,
        )
        .context("telling the registry its sibling contracts")?;
    Ok(deployment)
}

/// Submits into the devnet's open block, signed with the owner's key.
pub struct NodeSubmitter<'a> {
    pub node: &'a mut Node,
    pub key: &'a DevKey,
}

impl Submit for NodeSubmitter<'_> {
    fn submit(&mut self, msgs: Vec<Any>, gas_limit: u64) -> anyhow::Result<Vec<Event>> {
        let (account_number, account) = self
            .node
            .account(&self.key.address)
            .ok_or_else(|| anyhow!("the deployer {} has no account", self.key.address))?;
        let config = self.node.config().clone();
        let options = SignOptions {
            chain_id: config.chain_id,
            account_number,
            sequence: account.sequence,
            gas_limit,
            fee: vec![crate::sign::coin(
                config.min_gas_price.fee_for(gas_limit),
                &config.fee_denom,
            )],
            memo: String::new(),
            timeout_height: 0,
        };
        let bytes = sign_tx(self.key, msgs, &options);
        let outcome = self.node.deliver(&bytes);
        if !outcome.is_ok() {
            bail!(
                "transaction failed with {}/{}: {}",
                outcome.codespace,
                outcome.code,
                outcome.log
            );
        }
        Ok(outcome.events)
    }
}

/// The artifacts folder of this repository (`<repo>/artifacts`).
pub fn default_artifacts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../artifacts")
}
