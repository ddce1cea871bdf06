//! The indexer API as a dApp frontend uses it: JSON over HTTP, wallet login with ADR-036.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use mesi_devnet::keys::DevKey;
use reqwest::blocking::{Client, RequestBuilder};
use reqwest::Method;
use serde_json::{json, Value};

pub struct Api {
    pub base: String,
    http: Client,
}

/// An answer: the HTTP status and the body (JSON, or the text as a JSON string).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The body of a 2xx answer, or an error naming the request.
    pub fn ok(self, what: &str) -> anyhow::Result<Value> {
        if (200..300).contains(&self.status) {
            Ok(self.body)
        } else {
            bail!("{what}: HTTP {} {}", self.status, self.body)
        }
    }
}

impl Api {
    pub fn new(base: &str) -> anyhow::Result<Api> {
        Ok(Api {
            base: base.trim_end_matches('/').to_string(),
            http: Client::builder().timeout(Duration::from_secs(30)).build()?,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn send(&self, request: RequestBuilder, what: &str) -> anyhow::Result<Reply> {
        let response = request.send().with_context(|| what.to_string())?;
        let status = response.status().as_u16();
        let text = response.text()?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    pub fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> anyhow::Result<Reply> {
        let mut request = self.http.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request, &format!("{method} {path}"))
    }

    pub fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.call(Method::GET, path, None, None)?
            .ok(&format!("GET {path}"))
    }

    /// The body as text (for `.ics`).
    pub fn get_text(&self, path: &str) -> anyhow::Result<String> {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .with_context(|| format!("GET {path}"))?;
        let status = response.status();
        let text = response.text()?;
        if !status.is_success() {
            bail!("GET {path}: HTTP {status} {text}");
        }
        Ok(text)
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Reply> {
        self.call(Method::POST, path, Some(token), Some(body))
    }

    /// Signs in as `key`'s wallet: a nonce, its sign doc signed as Keplr's `signArbitrary` signs
    /// it, and the session token the API gives back.
    pub fn login(&self, key: &DevKey) -> anyhow::Result<String> {
        let nonce = self
            .call(
                Method::POST,
                "/auth/nonce",
                None,
                Some(json!({ "address": key.address })),
            )?
            .ok("POST /auth/nonce")?;
        let sign_doc = nonce["sign_doc"]
            .as_str()
            .ok_or_else(|| anyhow!("no sign_doc in {nonce}"))?;
        let login = json!({
            "address": key.address,
            "pubkey": STANDARD.encode(&key.public_key),
            "signature": STANDARD.encode(key.sign(sign_doc.as_bytes())),
            "nonce": nonce["nonce"],
        });
        let session = self
            .call(Method::POST, "/auth/login", None, Some(login))?
            .ok("POST /auth/login")?;
        session["token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("no token in {session}"))
    }

    /// Waits until the indexer behind the API has committed `height`.
    pub fn wait_for_height(&self, height: u64, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let ready = self.call(Method::GET, "/ready", None, None)?.body;
            let indexed = ready["height"].as_u64().unwrap_or(0);
            if indexed >= height {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the indexer is at height {indexed} after {timeout:?}; waiting for {height} ({ready})");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
