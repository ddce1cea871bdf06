//! Prints the commitment of a surprise (see `mesi_common::commitment`) in hex.
//!
//! ```text
//! mesi-commitment --contract ADDR --token-id ID --creator ADDR --salt-hex HEX
//!                 (--content FILE | --content-hash-hex HEX) [--show-content-hash]
//! ```
//!
//! The salt is 32 random bytes the creator keeps secret until the reveal, e.g. from
//! `openssl rand -hex 32`.

use std::process::ExitCode;

use cosmwasm_std::HexBinary;
use mesi_common::commitment::{content_hash, CommitmentInput, Hash};

const USAGE: &str =
    "usage: mesi-commitment --contract ADDR --token-id ID --creator ADDR --salt-hex HEX \
(--content FILE | --content-hash-hex HEX) [--show-content-hash]";

#[derive(Default)]
struct Args {
    contract: Option<String>,
    token_id: Option<String>,
    creator: Option<String>,
    salt_hex: Option<String>,
    content: Option<String>,
    content_hash_hex: Option<String>,
    show_content_hash: bool,
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    while let Some(flag) = argv.next() {
        if flag == "--show-content-hash" {
            args.show_content_hash = true;
            continue;
        }
        let slot = match flag.as_str() {
            "--contract" => &mut args.contract,
            "--token-id" => &mut args.token_id,
            "--creator" => &mut args.creator,
            "--salt-hex" => &mut args.salt_hex,
            "--content" => &mut args.content,
            "--content-hash-hex" => &mut args.content_hash_hex,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        };
        let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
        if slot.replace(value).is_some() {
            return Err(format!("{flag} given twice"));
        }
    }
    Ok(args)
}

fn hash_from_hex(name: &str, hex: &str) -> Result<Hash, String> {
    let bytes = HexBinary::from_hex(hex.trim()).map_err(|e| format!("{name}: {e}"))?;
    bytes.to_array().map_err(|_| {
        format!(
            "{name} must be 32 bytes (64 hex digits), got {} bytes",
            bytes.len()
        )
    })
}

fn run(args: Args) -> Result<(), String> {
    let required = |value: Option<String>, flag: &str| {
        value.ok_or_else(|| format!("{flag} is required\n{USAGE}"))
    };
    let contract = required(args.contract, "--contract")?;
    let token_id = required(args.token_id, "--token-id")?;
    let creator = required(args.creator, "--creator")?;
    let salt = hash_from_hex("--salt-hex", &required(args.salt_hex, "--salt-hex")?)?;
    let content_hash = match (args.content, args.content_hash_hex) {
        (Some(path), None) => {
            let content = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            content_hash(&content)
        }
        (None, Some(hex)) => hash_from_hex("--content-hash-hex", &hex)?,
        _ => {
            return Err(format!(
                "give exactly one of --content and --content-hash-hex\n{USAGE}"
            ))
        }
    };
    let input = CommitmentInput {
        contract: &contract,
        token_id: &token_id,
        creator: &creator,
        salt: &salt,
        content_hash: &content_hash,
    };
    if args.show_content_hash {
        println!("content_hash {}", HexBinary::from(content_hash).to_hex());
        println!(
            "commitment {}",
            HexBinary::from(input.commitment()).to_hex()
        );
    } else {
        println!("{}", HexBinary::from(input.commitment()).to_hex());
    }
    Ok(())
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)).and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}
