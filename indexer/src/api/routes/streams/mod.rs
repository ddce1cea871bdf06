//! Live streams: a creator starts and ends a stream session carrying an opaque playback URL
//! (video and audio travel through the platform's media server, not through us); fans post
//! live comments; tips with context `stream:<stream_id>` (indexed from the chain, on-chain and
//! fiat) show up in the stream's live feed with their messages.
//!
//! - Comments need a [`Session`], are rate-limited per author, bounded in size, accepted only
//!   while the stream is live, and, on a subscribers-only stream, only from fans with an
//!   active subscription (tier at least `min_tier`) at the latest indexed block time. The
//!   creator may always comment on their own stream.
//! - Only tips to the stream's creator count: the context is chosen by the tipper.
//! - The summary: total tipped per asset (and fiat per currency), top tippers per asset
//!   (anonymous tips count in the totals but name nobody; ties go to who reached the amount
//!   first), comment count, and peak concurrent viewers of the SSE feed. A viewer is a client
//!   address (IPv4, or an IPv6 /64; see [`crate::api::http::limits`]), not a connection. Viewers are
//!   counted per API process; with several processes the peak is the largest any one saw.

mod comments;
mod events;
mod sessions;
mod summary;
mod viewers;

use std::time::Duration;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use comments::{Comment, PostCommentRequest};
pub use events::StreamTip;
pub use sessions::{StartStreamRequest, StreamView, StreamsQuery};
pub use summary::{AssetTotal, StreamSummary, TopTipper};
pub use viewers::Viewers;

use crate::api::http::text::TextRule;
use crate::api::ApiContext;

pub const TITLE: TextRule = TextRule::line(200);
/// The media server's playback URL, opaque to the indexer.
pub const PLAYBACK_URL: TextRule = TextRule::token(2048);
pub const COMMENT: TextRule = TextRule::line(500);
/// Most comments one author may post in [`COMMENT_RATE_WINDOW`], over all streams.
pub const COMMENT_RATE_LIMIT: i64 = 10;
pub const COMMENT_RATE_WINDOW: Duration = Duration::from_secs(30);
/// Top tippers listed per asset in a summary.
pub const TOP_TIPPERS: i64 = 10;

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(sessions::start_stream, sessions::list_streams))
        .routes(routes!(sessions::get_stream))
        .routes(routes!(sessions::end_stream))
        .routes(routes!(comments::list_comments, comments::post_comment))
        .routes(routes!(summary::stream_summary))
        .routes(routes!(events::stream_events))
}
