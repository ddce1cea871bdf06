//! `abci_query` paths: the gRPC queries a wallet library makes through CometBFT's RPC
//! (protobuf request in, protobuf response out), answered from the devnet's state.

use cosmrs::proto::cosmos::auth::v1beta1::{
    BaseAccount, QueryAccountRequest, QueryAccountResponse,
};
use cosmrs::proto::cosmos::bank::v1beta1::{
    QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest, QueryBalanceResponse,
};
use cosmrs::proto::cosmos::base::abci::v1beta1::{GasInfo, Result as AbciResult};
use cosmrs::proto::cosmos::base::query::v1beta1::PageResponse;
use cosmrs::proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmrs::proto::cosmos::crypto::secp256k1::PubKey;
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{
    ContractInfo, QueryContractInfoRequest, QueryContractInfoResponse,
    QueryRawContractStateRequest, QueryRawContractStateResponse, QuerySmartContractStateRequest,
    QuerySmartContractStateResponse,
};
use cosmrs::proto::traits::Message;
use cosmrs::Any;

use crate::node::Node;
use crate::tx::SdkError;

fn decode<M: Message + Default>(data: &[u8]) -> Result<M, SdkError> {
    M::decode(data).map_err(|err| SdkError::tx_decode(format!("invalid request: {err}")))
}

/// gRPC `NotFound`, as the SDK wraps it (cosmjs recognises "rpc error: code = NotFound").
fn not_found(detail: String) -> SdkError {
    SdkError {
        codespace: "sdk".into(),
        code: 22,
        log: format!("rpc error: code = NotFound desc = {detail}: key not found"),
    }
}

fn proto_coin(coin: &mesi_chain::Coin) -> ProtoCoin {
    ProtoCoin {
        denom: coin.denom.clone(),
        amount: coin.amount.to_string(),
    }
}

fn query_error(err: mesi_chain::QueryError) -> SdkError {
    SdkError {
        codespace: err.codespace,
        code: err.code,
        log: err.log,
    }
}

/// Answers `path` with the protobuf response bytes.
pub fn query(node: &Node, path: &str, data: &[u8]) -> Result<Vec<u8>, SdkError> {
    let chain = node.chain();
    Ok(match path {
        "/cosmos.auth.v1beta1.Query/Account" => {
            let request: QueryAccountRequest = decode(data)?;
            let (account_number, state) = node
                .account(&request.address)
                .ok_or_else(|| not_found(format!("account {} not found", request.address)))?;
            let account = BaseAccount {
                address: request.address,
                pub_key: state.public_key.map(|key| Any {
                    type_url: "/cosmos.crypto.secp256k1.PubKey".into(),
                    value: PubKey { key }.encode_to_vec(),
                }),
                account_number,
                sequence: state.sequence,
            };
            QueryAccountResponse {
                account: Some(Any {
                    type_url: "/cosmos.auth.v1beta1.BaseAccount".into(),
                    value: account.encode_to_vec(),
                }),
            }
            .encode_to_vec()
        }
        "/cosmos.bank.v1beta1.Query/Balance" => {
            let request: QueryBalanceRequest = decode(data)?;
            let amount = chain
                .balance(&request.address, &request.denom)
                .map_err(query_error)?;
            QueryBalanceResponse {
                balance: Some(ProtoCoin {
                    denom: request.denom,
                    amount: amount.to_string(),
                }),
            }
            .encode_to_vec()
        }
        "/cosmos.bank.v1beta1.Query/AllBalances" => {
            let request: QueryAllBalancesRequest = decode(data)?;
            let balances = chain.all_balances(&request.address).map_err(query_error)?;
            QueryAllBalancesResponse {
                pagination: Some(PageResponse {
                    next_key: Vec::new(),
                    total: balances.len() as u64,
                }),
                balances: balances.iter().map(proto_coin).collect(),
            }
            .encode_to_vec()
        }
        "/cosmos.tx.v1beta1.Service/Simulate" => {
            let request: SimulateRequest = decode(data)?;
            let simulation = node.simulate(&request.tx_bytes)?;
            #[allow(deprecated)]
            SimulateResponse {
                gas_info: Some(GasInfo {
                    gas_wanted: simulation.gas_wanted,
                    gas_used: simulation.gas_used,
                }),
                result: Some(AbciResult {
                    data: simulation.data,
                    log: String::new(),
                    events: simulation
                        .events
                        .iter()
                        .map(|e| cosmrs::proto::tendermint::v0_38::abci::Event {
                            r#type: e.ty.clone(),
                            attributes: e
                                .attributes
                                .iter()
                                .map(|a| cosmrs::proto::tendermint::v0_38::abci::EventAttribute {
                                    key: a.key.clone(),
                                    value: a.value.clone(),
                                    index: true,
                                })
                                .collect(),
                        })
                        .collect(),
                    msg_responses: simulation.msg_responses,
                }),
            }
            .encode_to_vec()
        }
        "/cosmwasm.wasm.v1.Query/SmartContractState" => {
            let request: QuerySmartContractStateRequest = decode(data)?;
            let result = chain
                .query(&request.address, &request.query_data)
                .map_err(query_error)?;
            QuerySmartContractStateResponse { data: result.data }.encode_to_vec()
        }
        "/cosmwasm.wasm.v1.Query/RawContractState" => {
            let request: QueryRawContractStateRequest = decode(data)?;
            let value = chain
                .raw_query(&request.address, &request.query_data)
                .map_err(query_error)?;
            QueryRawContractStateResponse {
                data: value.unwrap_or_default(),
            }
            .encode_to_vec()
        }
        "/cosmwasm.wasm.v1.Query/ContractInfo" => {
            let request: QueryContractInfoRequest = decode(data)?;
            let info = chain
                .contract_info(&request.address)
                .ok_or_else(|| not_found(format!("contract {} not found", request.address)))?;
            QueryContractInfoResponse {
                address: request.address,
                contract_info: Some(ContractInfo {
                    code_id: info.code_id,
                    creator: info.creator,
                    admin: info.admin.unwrap_or_default(),
                    label: info.label,
                    created: None,
                    ibc_port_id: String::new(),
                    extension: None,
                }),
            }
            .encode_to_vec()
        }
        other => {
            return Err(SdkError::unknown_request(format!(
                "no query route for {other}"
            )))
        }
    })
}
