//! Building and signing transactions as a wallet does (SIGN_MODE_DIRECT), for the deployer and
//! the tests. The devnet itself only verifies.

use cosmrs::proto::cosmos::bank::v1beta1::MsgSend;
use cosmrs::proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmrs::proto::cosmos::crypto::secp256k1::PubKey;
use cosmrs::proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmrs::proto::cosmos::tx::v1beta1::{
    mode_info, AuthInfo, Fee, ModeInfo, SignerInfo, TxBody, TxRaw,
};
use cosmrs::proto::cosmwasm::wasm::v1::{MsgExecuteContract, MsgInstantiateContract, MsgStoreCode};
use cosmrs::proto::traits::Message;
use cosmrs::Any;
use serde::Serialize;

use crate::keys::DevKey;
use crate::tx::sign_doc_bytes;

pub fn coin(amount: u128, denom: &str) -> ProtoCoin {
    ProtoCoin {
        denom: denom.into(),
        amount: amount.to_string(),
    }
}

fn any<M: Message>(type_url: &str, msg: &M) -> Any {
    Any {
        type_url: type_url.into(),
        value: msg.encode_to_vec(),
    }
}

fn json<T: Serialize>(msg: &T) -> Vec<u8> {
    serde_json::to_vec(msg).expect("contract messages serialize")
}

pub fn execute_msg<T: Serialize>(
    sender: &str,
    contract: &str,
    msg: &T,
    funds: Vec<ProtoCoin>,
) -> Any {
    any(
        "/cosmwasm.wasm.v1.MsgExecuteContract",
        &MsgExecuteContract {
            sender: sender.into(),
            contract: contract.into(),
            msg: json(msg),
            funds,
        },
    )
}

pub fn instantiate_msg<T: Serialize>(
    sender: &str,
    admin: Option<&str>,
    code_id: u64,
    label: &str,
    msg: &T,
) -> Any {
    any(
        "/cosmwasm.wasm.v1.MsgInstantiateContract",
        &MsgInstantiateContract {
            sender: sender.into(),
            admin: admin.unwrap_or_default().into(),
            code_id,
            label: label.into(),
            msg: json(msg),
            funds: vec![],
        },
    )
}

pub fn store_code_msg(sender: &str, wasm: Vec<u8>) -> Any {
    any(
        "/cosmwasm.wasm.v1.MsgStoreCode",
        &MsgStoreCode {
            sender: sender.into(),
            wasm_byte_code: wasm,
            instantiate_permission: None,
        },
    )
}

pub fn send_msg(from: &str, to: &str, amount: Vec<ProtoCoin>) -> Any {
    any(
        "/cosmos.bank.v1beta1.MsgSend",
        &MsgSend {
            from_address: from.into(),
            to_address: to.into(),
            amount,
        },
    )
}

/// Everything a signer decides about a transaction besides its messages.
#[derive(Clone, Debug)]
pub struct SignOptions {
    pub chain_id: String,
    pub account_number: u64,
    pub sequence: u64,
    pub gas_limit: u64,
    pub fee: Vec<ProtoCoin>,
    pub memo: String,
    pub timeout_height: u64,
}

/// A signed `TxRaw`, encoded.
pub fn sign_tx(key: &DevKey, msgs: Vec<Any>, options: &SignOptions) -> Vec<u8> {
    let body_bytes = TxBody {
        messages: msgs,
        memo: options.memo.clone(),
        timeout_height: options.timeout_height,
        ..Default::default()
    }
    .encode_to_vec();
    let auth_info_bytes = AuthInfo {
        signer_infos: vec![SignerInfo {
            public_key: Some(any(
                "/cosmos.crypto.secp256k1.PubKey",
                &PubKey {
                    key: key.public_key.clone(),
                },
            )),
            mode_info: Some(ModeInfo {
                sum: Some(mode_info::Sum::Single(mode_info::Single {
                    mode: SignMode::Direct as i32,
                })),
            }),
            sequence: options.sequence,
        }],
        fee: Some(Fee {
            amount: options.fee.clone(),
            gas_limit: options.gas_limit,
            payer: String::new(),
            granter: String::new(),
        }),
        ..Default::default()
    }
    .encode_to_vec();
    let signature = key.sign(&sign_doc_bytes(
        &body_bytes,
        &auth_info_bytes,
        &options.chain_id,
        options.account_number,
    ));
    TxRaw {
        body_bytes,
        auth_info_bytes,
        signatures: vec![signature],
    }
    .encode_to_vec()
}
