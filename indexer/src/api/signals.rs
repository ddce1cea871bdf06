//! Wake-ups for the chat and stream live feeds, across processes.
//!
//! Chat messages, stream comments and stream starts/ends are written by whichever API process
//! took the request, and tips by the ingest; each of those writes sends a PostgreSQL `NOTIFY`
//! (chat and stream rows through triggers in their migrations, the ingest when its cursor
//! moves). One `LISTEN` connection per process turns them into [`Signal`]s on a broadcast
//! channel. A signal only says "look again": every live feed keeps its own cursor and reads
//! the rows after it, so a lost notification (a dropped connection, a lagging receiver) delays
//! an item until the next signal or keep-alive tick and never loses it.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::{broadcast, OnceCell};

/// Channels the triggers and the ingest notify on.
const CHAT_CHANNEL: &str = "mesi_chat";
const STREAM_CHANNEL: &str = "mesi_stream";
const CURSOR_CHANNEL: &str = "mesi_cursor";

/// How often a live feed looks again without being told to.
pub const LIVE_POLL_INTERVAL: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// A message was posted in the thread between `creator` and `fan`.
    Chat {
        thread_id: String,
        creator: String,
        fan: String,
    },
    /// A comment was posted on this stream, or it started or ended.
    Stream { stream_id: String },
    /// The ingest committed blocks: new tips may be there.
    Blocks,
    /// Notifications may have been missed: every feed should look again.
    Resync,
}

impl Signal {
    fn parse(channel: &str, payload: &str) -> Signal {
        match channel {
            CHAT_CHANNEL => match payload.split(' ').collect::<Vec<_>>()[..] {
                [thread_id, creator, fan] => Signal::Chat {
                    thread_id: thread_id.to_owned(),
                    creator: creator.to_owned(),
                    fan: fan.to_owned(),
                },
                _ => Signal::Resync,
            },
            STREAM_CHANNEL => Signal::Stream {
                stream_id: payload.to_owned(),
            },
            CURSOR_CHANNEL => Signal::Blocks,
            _ => Signal::Resync,
        }
    }
}

/// The process's listener, started by the first subscriber.
pub struct Signals {
    pool: PgPool,
    sender: OnceCell<broadcast::Sender<Signal>>,
}

impl Signals {
    pub fn new(pool: PgPool) -> Signals {
        Signals {
            pool,
            sender: OnceCell::new(),
        }
    }

    pub async fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.sender
            .get_or_init(|| async {
                let (sender, _) = broadcast::channel(1024);
                tokio::spawn(listen(self.pool.clone(), sender.clone()));
                sender
            })
            .await
            .subscribe()
    }
}

/// Forwards notifications for the life of the process; reconnects with a growing pause.
/// A send with no receivers fails harmlessly: feeds come and go.
async fn listen(pool: PgPool, sender: broadcast::Sender<Signal>) {
    let mut pause = Duration::from_millis(100);
    loop {
        let Err(error) = forward(&pool, &sender).await;
        tracing::warn!(%error, "live feed listener failed; reconnecting");
        let _ = sender.send(Signal::Resync);
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(10));
    }
}

async fn forward(
    pool: &PgPool,
    sender: &broadcast::Sender<Signal>,
) -> Result<std::convert::Infallible, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener
        .listen_all([CHAT_CHANNEL, STREAM_CHANNEL, CURSOR_CHANNEL])
        .await?;
    // Anything sent before LISTEN took effect is picked up by the feeds' next reads.
    let _ = sender.send(Signal::Resync);
    loop {
        // `None`: the connection dropped and will be re-established by the next call.
        let signal = match listener.try_recv().await? {
            Some(n) => Signal::parse(n.channel(), n.payload()),
            None => Signal::Resync,
        };
        let _ = sender.send(signal);
    }
}
