//! The live feed publisher: one task per API process listens for the ingest's commits
//! (PostgreSQL `NOTIFY mesi_cursor`, sent by a trigger when the cursor moves, so it works
//! whether the ingest runs in this process or another), reads the feed items committed since
//! the last ones it published, and broadcasts them to the SSE clients. It also looks every few
//! seconds without a notification, in case one was lost with a connection.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::broadcast;

use super::{fetch_newer, newest_position, Audience, FeedFilter, FeedItem};
use crate::api::http::params::Position;

/// The channel the ingest's cursor trigger notifies.
pub const CURSOR_CHANNEL: &str = "mesi_cursor";
/// Items a slow client may fall behind before it catches up from the database instead.
const BROADCAST_CAPACITY: usize = 4_096;
const READ_BATCH: i64 = 500;
const POLL_WITHOUT_NOTIFY: Duration = Duration::from_secs(5);

pub struct LiveFeed {
    sender: broadcast::Sender<Arc<FeedItem>>,
    /// `None` until the publisher knows where the feed ends.
    published: Mutex<Option<Position>>,
}

impl LiveFeed {
    /// Starts the publisher (inside a Tokio runtime); it stops once the feed is dropped.
    pub fn start(pool: PgPool) -> Arc<LiveFeed> {
        let (sender, _) = broadcast::channel(BROADCAST_CAPACITY);
        let feed = Arc::new(LiveFeed {
            sender,
            published: Mutex::new(None),
        });
        tokio::spawn(publish(pool, Arc::downgrade(&feed)));
        feed
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedItem>> {
        self.sender.subscribe()
    }

    /// The last position broadcast: a client without a resume point starts after it.
    /// `None` while the publisher is starting.
    pub fn published_up_to(&self) -> Option<Position> {
        *self.published.lock().expect("position lock")
    }

    /// Clients connected to any live feed right now.
    pub fn listeners(&self) -> usize {
        self.sender.receiver_count()
    }
}

async fn publish(pool: PgPool, feed: Weak<LiveFeed>) {
    let everyone = FeedFilter {
        audience: Audience::Everyone,
        kinds: None,
    };
    let mut last = loop {
        match newest_position(&pool).await {
            Ok(position) => break position,
            Err(e) => {
                tracing::warn!("live feed: reading the newest item: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                if feed.strong_count() == 0 {
                    return;
                }
            }
        }
    };
    match feed.upgrade() {
        Some(feed) => *feed.published.lock().expect("position lock") = Some(last),
        None => return,
    }
    let mut listener = None;
    loop {
        if listener.is_none() {
            listener = match PgListener::connect_with(&pool).await {
                Ok(mut l) => match l.listen(CURSOR_CHANNEL).await {
                    Ok(()) => Some(l),
                    Err(e) => {
                        tracing::warn!("live feed: LISTEN failed, polling instead: {e}");
                        None
                    }
                },
                Err(e) => {
                    tracing::warn!("live feed: no listener connection, polling instead: {e}");
                    None
                }
            };
        }
        // Publish everything committed since `last`.
        loop {
            let items = match fetch_newer(&pool, &everyone, last, READ_BATCH).await {
                Ok(items) => items,
                Err(e) => {
                    tracing::warn!("live feed: reading new items: {e}");
                    break;
                }
            };
            let Some(feed) = feed.upgrade() else { return };
            let full = items.len() as i64 == READ_BATCH;
            for item in items {
                last = item.id;
                // No receivers is fine: the item is in the database for anyone who resumes.
                let _ = feed.sender.send(Arc::new(item));
            }
            *feed.published.lock().expect("position lock") = Some(last);
            if !full {
                break;
            }
        }
        match listener.as_mut() {
            Some(l) => match tokio::time::timeout(POLL_WITHOUT_NOTIFY, l.recv()).await {
                Ok(Ok(_)) | Err(_) => {}
                Ok(Err(e)) => {
                    tracing::warn!("live feed: listener failed: {e}");
                    listener = None;
                }
            },
            None => tokio::time::sleep(POLL_WITHOUT_NOTIFY).await,
        }
        if feed.strong_count() == 0 {
            return;
        }
    }
}
