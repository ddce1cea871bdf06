//! Cosmos SDK transactions: decoding (`TxRaw`, `TxBody`, `AuthInfo`), the messages the devnet
//! runs, and the errors the SDK answers with (codespace `sdk`, its codes and log wording).

use std::io::Read;

use cosmrs::proto::cosmos::bank::v1beta1::MsgSend;
use cosmrs::proto::cosmos::base::v1beta1::Coin as ProtoCoin;
use cosmrs::proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmrs::proto::cosmos::tx::v1beta1::{mode_info, AuthInfo, TxBody, TxRaw};
use cosmrs::proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgInstantiateContract, MsgMigrateContract, MsgStoreCode,
};
use cosmrs::proto::traits::Message;
use cosmrs::Any;
use mesi_chain::{ChainMsg, Coin, Uint256};
use sha2::{Digest, Sha256};

/// An error as the SDK reports it in `code`, `codespace` and `log`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{codespace}/{code}: {log}")]
pub struct SdkError {
    pub codespace: String,
    pub code: u32,
    pub log: String,
}

impl SdkError {
    /// An `sdk` error; the log ends with the error's registered description, as the SDK's
    /// wrapped errors do.
    fn sdk(code: u32, detail: impl std::fmt::Display) -> Self {
        SdkError {
            codespace: "sdk".into(),
            code,
            log: format!("{detail}: {}", description(code)),
        }
    }

    pub fn tx_decode(detail: impl std::fmt::Display) -> Self {
        Self::sdk(2, detail)
    }
    pub fn unauthorized(detail: impl std::fmt::Display) -> Self {
        Self::sdk(4, detail)
    }
    pub fn insufficient_funds(detail: impl std::fmt::Display) -> Self {
        Self::sdk(5, detail)
    }
    pub fn unknown_request(detail: impl std::fmt::Display) -> Self {
        Self::sdk(6, detail)
    }
    pub fn invalid_address(detail: impl std::fmt::Display) -> Self {
        Self::sdk(7, detail)
    }
    pub fn invalid_pub_key(detail: impl std::fmt::Display) -> Self {
        Self::sdk(8, detail)
    }
    pub fn unknown_address(detail: impl std::fmt::Display) -> Self {
        Self::sdk(9, detail)
    }
    pub fn invalid_coins(detail: impl std::fmt::Display) -> Self {
        Self::sdk(10, detail)
    }
    pub fn out_of_gas(detail: impl std::fmt::Display) -> Self {
        Self::sdk(11, detail)
    }
    pub fn insufficient_fee(detail: impl std::fmt::Display) -> Self {
        Self::sdk(13, detail)
    }
    pub fn no_signatures(detail: impl std::fmt::Display) -> Self {
        Self::sdk(15, detail)
    }
    pub fn invalid_request(detail: impl std::fmt::Display) -> Self {
        Self::sdk(18, detail)
    }
    pub fn tx_in_mempool(detail: impl std::fmt::Display) -> Self {
        Self::sdk(19, detail)
    }
    pub fn not_found(detail: impl std::fmt::Display) -> Self {
        Self::sdk(22, detail)
    }
    pub fn timeout_height(detail: impl std::fmt::Display) -> Self {
        Self::sdk(30, detail)
    }
    pub fn wrong_sequence(detail: impl std::fmt::Display) -> Self {
        Self::sdk(32, detail)
    }
}

/// `types/errors/errors.go` descriptions of the codes used here.
fn description(code: u32) -> &'static str {
    match code {
        2 => "tx parse error",
        4 => "unauthorized",
        5 => "insufficient funds",
        6 => "unknown request",
        7 => "invalid address",
        8 => "invalid pubkey",
        9 => "unknown address",
        10 => "invalid coins",
        11 => "out of gas",
        13 => "insufficient fee",
        15 => "no signatures supplied",
        18 => "invalid request",
        19 => "tx already in mempool",
        22 => "key not found",
        30 => "tx timeout height",
        32 => "incorrect account sequence",
        _ => "internal",
    }
}

/// CometBFT's transaction hash: sha256 of the bytes.
pub fn tx_hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The upper-case hex form explorers, `/tx` and the indexer show.
pub fn hash_hex(hash: &[u8]) -> String {
    hex::encode_upper(hash)
}

/// One signer of a transaction, as its `AuthInfo` describes it.
#[derive(Clone, Debug)]
pub struct SignerInfo {
    /// Compressed secp256k1 key, when the transaction carries it.
    pub public_key: Option<Vec<u8>>,
    pub sequence: u64,
    pub direct_mode: bool,
}

/// A decoded transaction with the exact bytes that were signed.
#[derive(Clone, Debug)]
pub struct DecodedTx {
    pub bytes: Vec<u8>,
    pub hash: [u8; 32],
    pub body_bytes: Vec<u8>,
    pub auth_info_bytes: Vec<u8>,
    pub signatures: Vec<Vec<u8>>,
    pub msgs: Vec<ChainMsg>,
    pub memo: String,
    pub timeout_height: u64,
    pub signer_infos: Vec<SignerInfo>,
    pub fee: Vec<Coin>,
    pub gas_limit: u64,
    /// Who pays the fee when not the first signer.
    pub fee_payer: Option<String>,
}

impl DecodedTx {
    /// The addresses that must sign, in the order of first appearance in the messages (SDK
    /// `GetSigners`).
    pub fn signers(&self) -> Vec<String> {
        let mut signers: Vec<String> = Vec::new();
        for msg in &self.msgs {
            let signer = msg.sender();
            if !signers.iter().any(|s| s == signer) {
                signers.push(signer.to_string());
            }
        }
        signers
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, SdkError> {
        let raw = TxRaw::decode(bytes).map_err(SdkError::tx_decode)?;
        let body = TxBody::decode(raw.body_bytes.as_slice()).map_err(SdkError::tx_decode)?;
        let auth_info =
            AuthInfo::decode(raw.auth_info_bytes.as_slice()).map_err(SdkError::tx_decode)?;
        if !body.extension_options.is_empty() {
            return Err(SdkError::sdk(
                6,
                "unknown extension options are not supported",
            ));
        }
        let msgs = body
            .messages
            .iter()
            .map(chain_msg)
            .collect::<Result<Vec<_>, _>>()?;
        if msgs.is_empty() {
            return Err(SdkError::invalid_request(
                "must contain at least one message",
            ));
        }
        let signer_infos = auth_info
            .signer_infos
            .iter()
            .map(|info| {
                let public_key = match &info.public_key {
                    None => None,
                    Some(any) if any.type_url == "/cosmos.crypto.secp256k1.PubKey" => Some(
                        cosmrs::proto::cosmos::crypto::secp256k1::PubKey::decode(
                            any.value.as_slice(),
                        )
                        .map_err(SdkError::tx_decode)?
                        .key,
                    ),
                    Some(any) => {
                        return Err(SdkError::invalid_pub_key(format!(
                            "unsupported public key type {}",
                            any.type_url
                        )))
                    }
                };
                let direct_mode = matches!(
                    info.mode_info.as_ref().and_then(|m| m.sum.as_ref()),
                    Some(mode_info::Sum::Single(single)) if single.mode == SignMode::Direct as i32
                );
                Ok(SignerInfo {
                    public_key,
                    sequence: info.sequence,
                    direct_mode,
                })
            })
            .collect::<Result<Vec<_>, SdkError>>()?;
        let fee = auth_info.fee.unwrap_or_default();
        Ok(DecodedTx {
            hash: tx_hash(bytes),
            bytes: bytes.to_vec(),
            body_bytes: raw.body_bytes,
            auth_info_bytes: raw.auth_info_bytes,
            signatures: raw.signatures,
            msgs,
            memo: body.memo,
            timeout_height: body.timeout_height,
            signer_infos,
            fee: coins(&fee.amount)?,
            gas_limit: fee.gas_limit,
            fee_payer: Some(fee.payer).filter(|p| !p.is_empty()),
        })
    }
}

pub fn coins(coins: &[ProtoCoin]) -> Result<Vec<Coin>, SdkError> {
    coins
        .iter()
        .map(|c| {
            let amount: Uint256 = c
                .amount
                .parse()
                .map_err(|_| SdkError::invalid_coins(format!("invalid amount {:?}", c.amount)))?;
            Ok(Coin {
                denom: c.denom.clone(),
                amount,
            })
        })
        .collect()
}

fn decode_msg<M: Message + Default>(any: &Any) -> Result<M, SdkError> {
    M::decode(any.value.as_slice()).map_err(SdkError::tx_decode)
}

/// wasmd accepts gzip-compressed code (cosmjs compresses uploads).
fn gunzip_if_compressed(wasm: Vec<u8>) -> Result<Vec<u8>, SdkError> {
    if !wasm.starts_with(&[0x1f, 0x8b]) {
        return Ok(wasm);
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(wasm.as_slice())
        .take(mesi_chain::MAX_WASM_SIZE as u64 * 4)
        .read_to_end(&mut out)
        .map_err(|err| SdkError::sdk(2, format!("cannot uncompress the wasm code: {err}")))?;
    Ok(out)
}

/// The messages the devnet runs; other types fail as the SDK fails on a type it does not know.
fn chain_msg(any: &Any) -> Result<ChainMsg, SdkError> {
    Ok(match any.type_url.as_str() {
        "/cosmwasm.wasm.v1.MsgExecuteContract" => {
            let msg: MsgExecuteContract = decode_msg(any)?;
            ChainMsg::Execute {
                sender: msg.sender,
                contract: msg.contract,
                msg: msg.msg,
                funds: coins(&msg.funds)?,
            }
        }
        "/cosmwasm.wasm.v1.MsgInstantiateContract" => {
            let msg: MsgInstantiateContract = decode_msg(any)?;
            ChainMsg::Instantiate {
                sender: msg.sender,
                admin: Some(msg.admin).filter(|a| !a.is_empty()),
                code_id: msg.code_id,
                label: msg.label,
                msg: msg.msg,
                funds: coins(&msg.funds)?,
            }
        }
        "/cosmwasm.wasm.v1.MsgStoreCode" => {
            let msg: MsgStoreCode = decode_msg(any)?;
            ChainMsg::StoreCode {
                sender: msg.sender,
                wasm: gunzip_if_compressed(msg.wasm_byte_code)?,
            }
        }
        "/cosmwasm.wasm.v1.MsgMigrateContract" => {
            let msg: MsgMigrateContract = decode_msg(any)?;
            ChainMsg::Migrate {
                sender: msg.sender,
                contract: msg.contract,
                code_id: msg.code_id,
                msg: msg.msg,
            }
        }
        "/cosmos.bank.v1beta1.MsgSend" => {
            let msg: MsgSend = decode_msg(any)?;
            ChainMsg::Send {
                from: msg.from_address,
                to: msg.to_address,
                amount: coins(&msg.amount)?,
            }
        }
        other => {
            return Err(SdkError::tx_decode(format!(
                "unable to resolve type URL {other}"
            )))
        }
    })
}

/// The bytes a SIGN_MODE_DIRECT signer signs.
pub fn sign_doc_bytes(
    body_bytes: &[u8],
    auth_info_bytes: &[u8],
    chain_id: &str,
    account_number: u64,
) -> Vec<u8> {
    cosmrs::proto::cosmos::tx::v1beta1::SignDoc {
        body_bytes: body_bytes.to_vec(),
        auth_info_bytes: auth_info_bytes.to_vec(),
        chain_id: chain_id.to_string(),
        account_number,
    }
    .encode_to_vec()
}

/// Checks a secp256k1 signature over sha256(`message`) as the SDK does (64 bytes, low S).
pub fn verify_secp256k1(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use k256::ecdsa::signature::Verifier;
    let Ok(key) = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key) else {
        return false;
    };
    let Ok(signature) = k256::ecdsa::Signature::from_slice(signature) else {
        return false;
    };
    // k256 refuses high-S signatures, as the SDK's secp256k1 verification does.
    key.verify(message, &signature).is_ok()
}

/// The address of a compressed secp256k1 key: bech32(prefix, ripemd160(sha256(key))).
pub fn address_of(public_key: &[u8], prefix: &str) -> Result<String, SdkError> {
    let key = k256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
        .map_err(|_| SdkError::invalid_pub_key("invalid secp256k1 public key"))?;
    cosmrs::crypto::PublicKey::from(key)
        .account_id(prefix)
        .map(|id| id.to_string())
        .map_err(SdkError::invalid_pub_key)
}
