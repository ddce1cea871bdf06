//! The `mesi-commitment` binary prints the fixed test vectors' commitments.

use std::path::PathBuf;
use std::process::{Command, Output};

use mesi_common::commitment::TEST_VECTORS;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mesi-commitment"))
        .args(args)
        .output()
        .expect("run mesi-commitment")
}

fn content_file(name: &str, content: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("mesi-commitment-{}-{name}", std::process::id()));
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn prints_the_vectors_commitments_from_a_content_file() {
    for (i, v) in TEST_VECTORS.iter().enumerate() {
        let path = content_file(&i.to_string(), v.content);
        let out = cli(&[
            "--contract",
            v.contract,
            "--token-id",
            v.token_id,
            "--creator",
            v.creator,
            "--salt-hex",
            v.salt_hex,
            "--content",
            path.to_str().unwrap(),
        ]);
        std::fs::remove_file(&path).unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{}\n", v.commitment_hex)
        );
    }
}

#[test]
fn accepts_a_content_hash_and_shows_both_hashes() {
    let v = &TEST_VECTORS[0];
    let out = cli(&[
        "--contract",
        v.contract,
        "--token-id",
        v.token_id,
        "--creator",
        v.creator,
        "--salt-hex",
        v.salt_hex,
        "--content-hash-hex",
        v.content_hash_hex,
        "--show-content-hash",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = format!(
        "content_hash {}\ncommitment {}\n",
        v.content_hash_hex, v.commitment_hex
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn rejects_bad_input_with_a_message() {
    let v = &TEST_VECTORS[0];
    let base = [
        "--contract",
        v.contract,
        "--token-id",
        v.token_id,
        "--creator",
        v.creator,
    ];
    let cases: [(&[&str], &str); 4] = [
        (
            &[
                "--salt-hex",
                "abcd",
                "--content-hash-hex",
                v.content_hash_hex,
            ],
            "--salt-hex must be 32 bytes",
        ),
        (
            &["--salt-hex", v.salt_hex],
            "give exactly one of --content and --content-hash-hex",
        ),
        (
            &["--salt-hex", v.salt_hex, "--content", "/nonexistent/mesi"],
            "cannot read /nonexistent/mesi",
        ),
        (&["--salt", v.salt_hex], "unknown argument \"--salt\""),
    ];
    for (extra, message) in cases {
        let args: Vec<&str> = base.iter().chain(extra.iter()).copied().collect();
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = cli(&["--contract", v.contract]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--token-id is required"));
}
