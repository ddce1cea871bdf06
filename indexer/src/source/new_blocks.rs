//! Wake-ups from the node's websocket (`subscribe` to `tm.event='NewBlock'`): a hint that the
//! head moved, so a caught-up indexer asks `/status` at once instead of at its next poll.
//! Polling stays the source of truth: subscriptions drop silently, and a missed wake-up costs
//! one poll interval, nothing more.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::RpcClient;
use crate::retry::Backoff;

const SUBSCRIBE: &str =
    r#"{"jsonrpc":"2.0","method":"subscribe","id":1,"params":{"query":"tm.event='NewBlock'"}}"#;

/// The websocket endpoint of an RPC address: `http://h:26657` -> `ws://h:26657/websocket`.
pub fn websocket_url(rpc: &str) -> Option<String> {
    let rpc = rpc.trim_end_matches('/');
    let rest = rpc.strip_prefix("http://").map(|r| format!("ws://{r}"));
    let rest = rest.or_else(|| rpc.strip_prefix("https://").map(|r| format!("wss://{r}")))?;
    Some(format!("{rest}/websocket"))
}

/// The height of a `NewBlock` event (the `result` of a subscription message), if it is one.
pub fn new_block_height(result: &Value) -> Option<u64> {
    let value = &result["data"]["value"];
    let height = &value["block"]["header"]["height"];
    height
        .as_str()
        .and_then(|h| h.parse().ok())
        .or_else(|| height.as_u64())
}

/// Listens for new blocks until dropped, reconnecting after errors, and wakes `notify` on each.
/// Each connection goes to the node `source` asks now, so it follows a fail-over.
pub fn spawn(source: RpcClient, notify: Arc<Notify>) -> Listener {
    Listener(tokio::spawn(async move {
        let backoff = Backoff {
            first: Duration::from_secs(1),
            max: Duration::from_secs(60),
            max_attempts: None,
        };
        let mut failures = 0;
        loop {
            let Some(url) = websocket_url(source.base_url()) else {
                tracing::debug!("no websocket for {}", source.base_url());
                return;
            };
            match listen(&url, &notify).await {
                Ok(()) => failures = 0,
                Err(e) => {
                    failures += 1;
                    tracing::debug!("websocket {url}: {e}");
                }
            }
            tokio::time::sleep(backoff.delay(failures.max(1))).await;
        }
    }))
}

/// Stops the listener when dropped.
pub struct Listener(JoinHandle<()>);

impl Drop for Listener {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn listen(url: &str, notify: &Notify) -> Result<(), tokio_tungstenite::tungstenite::Error> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    socket.send(Message::text(SUBSCRIBE)).await?;
    tracing::debug!("subscribed to new blocks at {url}");
    while let Some(message) = socket.next().await {
        let text = match message? {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if new_block_height(&message["result"]).is_some() {
            notify.notify_waiters();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_urls() {
        assert_eq!(
            websocket_url("http://localhost:26657").as_deref(),
            Some("ws://localhost:26657/websocket")
        );
        assert_eq!(
            websocket_url("https://rpc.example.org/cosmos/").as_deref(),
            Some("wss://rpc.example.org/cosmos/websocket")
        );
        assert_eq!(websocket_url("tcp://localhost:26657"), None);
    }
}
