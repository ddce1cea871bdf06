//! Wallet login over HTTP against PostgreSQL: signatures by real secp256k1 keys over the
//! ADR-036 sign doc, nonces that work once and expire, sessions that expire and end.

mod api_support;

use std::time::Duration;

use api_support::{TestApp, Wallet, PREFIX};
use axum::http::StatusCode;
use mesi_indexer::api::routes::auth::AuthConfig;
use serde_json::json;

#[tokio::test]
async fn a_signed_nonce_opens_a_session_that_logout_ends() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let fan = Wallet::new(1);
    let nonce = fan.nonce(&app).await;
    let message = nonce["message"].as_str().unwrap();
    assert!(message.contains(&fan.address) && message.contains(nonce["nonce"].as_str().unwrap()));
    // The sign doc the server shows is the one the wallet signs.
    assert_eq!(
        nonce["sign_doc"].as_str().unwrap(),
        mesi_indexer::api::routes::auth::adr036_sign_doc(&fan.address, message.as_bytes())
    );

    let token = fan.login(&app).await;
    let me = app.get("/auth/session", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["address"], fan.address);
    // Only a hash of the token is stored.
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT token_hash FROM auth_sessions")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token.as_bytes());

    let out = app.post("/auth/logout", Some(&token), json!({})).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = app.get("/auth/session", Some(&token)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.body["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn keplrs_result_shape_is_accepted() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let fan = Wallet::new(2);
    let nonce = fan.nonce(&app).await;
    let message = nonce["message"].as_str().unwrap();
    let reply = app
        .post(
            "/auth/login",
            None,
            json!({
                "address": fan.address,
                "nonce": nonce["nonce"],
                "pub_key": {"type": "tendermint/PubKeySecp256k1", "value": fan.pubkey()},
                "signature": fan.sign(message.as_bytes()),
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["address"], fan.address);
}

#[tokio::test]
async fn a_nonce_works_once() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let fan = Wallet::new(3);
    let nonce = fan.nonce(&app).await;
    let body = json!({
        "address": fan.address,
        "nonce": nonce["nonce"],
        "pubkey": fan.pubkey(),
        "signature": fan.sign(nonce["message"].as_str().unwrap().as_bytes()),
    });
    assert_eq!(
        app.post("/auth/login", None, body.clone()).await.status,
        StatusCode::OK
    );
    let replay = app.post("/auth/login", None, body.clone()).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
    // Also when newer nonces were issued since.
    fan.nonce(&app).await;
    let replay = app.post("/auth/login", None, body).await;
    assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
}

#[tokio::test]
async fn concurrent_logins_with_one_signature_open_one_session() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let fan = Wallet::new(4);
    let nonce = fan.nonce(&app).await;
    let body = json!({
        "address": fan.address,
        "nonce": nonce["nonce"],
        "pubkey": fan.pubkey(),
        "signature": fan.sign(nonce["message"].as_str().unwrap().as_bytes()),
    });
    let attempts = (0..8).map(|_| app.post("/auth/login", None, body.clone()));
    let replies = futures_util::future::join_all(attempts).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(ok, 1);
    assert!(replies
        .iter()
        .all(|r| r.status == StatusCode::OK || r.status == StatusCode::UNAUTHORIZED));
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 1);
}

#[tokio::test]
async fn forged_signatures_are_refused_and_leave_the_nonce_usable() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let fan = Wallet::new(5);
    let thief = Wallet::new(6);
    let nonce = fan.nonce(&app).await;
    let message = nonce["message"].as_str().unwrap().as_bytes();
    let forgeries = [
        // The thief's key, claiming the fan's address.
        json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": thief.pubkey(), "signature": thief.sign_as(&fan.address, message)}),
        // The fan's key with the thief's signature.
        json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": fan.pubkey(), "signature": thief.sign_as(&fan.address, message)}),
        // The fan's signature over another message.
        json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": fan.pubkey(), "signature": fan.sign(b"something else")}),
        // The fan's signature with the signer of the sign doc changed.
        json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": fan.pubkey(), "signature": fan.sign_as(&thief.address, message)}),
        // Not a signature at all.
        json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": fan.pubkey(), "signature": "AAAA"}),
    ];
    for forged in forgeries {
        let reply = app.post("/auth/login", None, forged.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{forged}: {}",
            reply.body
        );
    }
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM auth_sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
    // The real signature still works.
    let genuine = json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": fan.pubkey(),
                         "signature": fan.sign(message)});
    assert_eq!(
        app.post("/auth/login", None, genuine).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn expired_nonces_and_sessions_are_refused() {
    // Nonces that expire as they are issued.
    let Some(app) = TestApp::with_auth(AuthConfig {
        nonce_ttl: Duration::ZERO,
        ..AuthConfig::new(PREFIX)
    })
    .await
    else {
        return;
    };
    let fan = Wallet::new(7);
    let nonce = fan.nonce(&app).await;
    let reply = app
        .post(
            "/auth/login",
            None,
            json!({"address": fan.address, "nonce": nonce["nonce"], "pubkey": fan.pubkey(),
                   "signature": fan.sign(nonce["message"].as_str().unwrap().as_bytes())}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{}",
        reply.body
    );

    let Some(app) = TestApp::new().await else {
        return;
    };
    let token = fan.login(&app).await;
    assert_eq!(
        app.get("/auth/session", Some(&token)).await.status,
        StatusCode::OK
    );
    sqlx::query("UPDATE auth_sessions SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.get("/auth/session", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_addresses_and_keys_are_refused_before_anything_is_stored() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let before = app.digests().await;
    let cosmos = mesi_indexer::api::routes::auth::address_of("cosmos", &[2; 33]).unwrap();
    for address in [cosmos.as_str(), "wasm1", "", "WASM1QQQQ", "not an address"] {
        let reply = app
            .post("/auth/nonce", None, json!({"address": address}))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{address}");
        assert_eq!(reply.body["error"]["code"], "invalid_address");
    }
    let fan = Wallet::new(8);
    let no_key = app
        .post(
            "/auth/login",
            None,
            json!({"address": fan.address, "signature": "AAAA"}),
        )
        .await;
    assert_eq!(no_key.status, StatusCode::BAD_REQUEST);
    let two_keys = app
        .post(
            "/auth/login",
            None,
            json!({"address": fan.address, "signature": "AAAA", "pubkey": fan.pubkey(),
                   "pub_key": {"value": fan.pubkey()}}),
        )
        .await;
    assert_eq!(two_keys.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.digests().await, before);
}

#[tokio::test]
async fn nobody_else_can_block_or_break_a_wallets_sign_in() {
    let Some(app) = TestApp::new().await else {
        return;
    };
    let fan = Wallet::new(9);
    let thief = Wallet::new(10);
    let before = app.digests().await;
    // The fan's wallet shows the prompt of nonce A; meanwhile someone else asks for many
    // nonces for the fan's address: each is issued, none is refused.
    let a = fan.nonce(&app).await;
    for _ in 0..50 {
        fan.nonce(&app).await;
    }
    // Issuing nonces stores nothing, so nobody can fill anything with them.
    assert_eq!(app.digests().await, before);
    let login = |wallet: &Wallet, nonce: &serde_json::Value| {
        json!({"address": wallet.address, "nonce": nonce["nonce"], "pubkey": wallet.pubkey(),
               "signature": wallet.sign(nonce["message"].as_str().unwrap().as_bytes())})
    };
    let reply = app.post("/auth/login", None, login(&fan, &a)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["address"], fan.address);

    // Every issued nonce works on its own, in any order, once.
    let (b, c) = (fan.nonce(&app).await, fan.nonce(&app).await);
    fan.nonce(&app).await;
    for nonce in [&c, &b] {
        let reply = app.post("/auth/login", None, login(&fan, nonce)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    for nonce in [&a, &b, &c] {
        let replay = app.post("/auth/login", None, login(&fan, nonce)).await;
        assert_eq!(replay.status, StatusCode::UNAUTHORIZED, "{}", replay.body);
    }

    // A nonce is the address's own: another wallet cannot sign in with it, nor with one it
    // made up or altered.
    let for_fan = fan.nonce(&app).await;
    let mut stolen = login(&thief, &for_fan);
    assert_eq!(
        app.post("/auth/login", None, stolen.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let own = thief.nonce(&app).await;
    let mut altered = own["nonce"].as_str().unwrap().to_owned().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for nonce in [altered.as_str(), "made-up", ""] {
        stolen["nonce"] = json!(nonce);
        stolen["signature"] = json!(thief.sign(
            own["message"]
                .as_str()
                .unwrap()
                .replace(own["nonce"].as_str().unwrap(), nonce)
                .as_bytes()
        ));
        let reply = app.post("/auth/login", None, stolen.clone()).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{nonce}: {}",
            reply.body
        );
    }
    // The fan's own nonce is still good after all that.
    let reply = app.post("/auth/login", None, login(&fan, &for_fan)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    // A login names the nonce it signed.
    let unnamed = json!({"address": fan.address, "pubkey": fan.pubkey(),
                         "signature": fan.sign(b"anything")});
    let reply = app.post("/auth/login", None, unnamed).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
}
