//! Chat threads between a fan and a creator.
//!
//! - One thread per (creator, fan); either side opens it. Its id is a valid tip context id, so
//!   a fan pays for messages with a tip whose context is `chat:<thread_id>`.
//! - Sending needs a [`Session`]. A fan's message passes, in order: the per-sender rate limit,
//!   the creator's off-chain block list, the creator's on-chain chat rule evaluated over the
//!   indexed state at send time (the same `can-message` answer the API gives), and, when the
//!   creator set a price per message, the fan's unspent chat credit. The creator may always
//!   reply (only the rate limit applies).
//! - Pay-per-message: a price is set per creator and may be overridden per thread. A fan's
//!   credit in a thread is the sum of their indexed tips to the creator with context
//!   `chat:<thread_id>` in the price's asset, minus what their messages there were charged;
//!   each message charges the price in force when it was sent. Fiat tips do not count (prices
//!   name on-chain assets, like chat rules).
//! - Messages live in PostgreSQL and reach both sides over SSE (`GET /chat/events`), resumable
//!   with `Last-Event-ID` (the message id).

mod blocks;
mod events;
mod messages;
mod prices;
mod threads;

use std::time::Duration;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use blocks::Block;
pub(in crate::api) use events::last_event_id;
pub use events::EventsQuery;
pub(in crate::api) use messages::enforce_rate_limit;
pub use messages::{Message, MessagesQuery, SendMessageRequest};
pub(in crate::api) use prices::require_creator;
pub use prices::Price;
pub use threads::{OpenThreadRequest, Thread};

use crate::api::http::text::TextRule;
use crate::api::ApiContext;
/// A message: line breaks and tabs allowed.
pub const MESSAGE_BODY: TextRule = TextRule::lines(2000, &['\n', '\t']);
/// Most messages one sender may post in [`RATE_WINDOW`], over all their threads.
pub const RATE_LIMIT: i64 = 30;
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(threads::open_thread, threads::list_threads))
        .routes(routes!(threads::get_thread))
        .routes(routes!(messages::list_messages, messages::send_message))
        .routes(routes!(
            prices::set_thread_price,
            prices::clear_thread_price
        ))
        .routes(routes!(
            prices::get_creator_price,
            prices::set_creator_price,
            prices::clear_creator_price
        ))
        .routes(routes!(blocks::list_blocks))
        .routes(routes!(blocks::block_fan, blocks::unblock_fan))
        .routes(routes!(events::chat_events))
}
