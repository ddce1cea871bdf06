//! Meetings as iCalendar feeds (RFC 5545) that calendar apps subscribe to:
//! `/creators/{address}/meetings.ics?token=…` (every meeting sold in the creator's auctions)
//! and `/fans/{address}/meetings.ics?token=…` (every meeting the fan won).
//!
//! - Calendar apps cannot sign in, so each feed has its own secret token, created and rotated by
//!   its owner with a wallet session (`POST …/calendar-token`); only its sha256 is stored, and
//!   rotating makes the old URL stop working. A wrong or missing token is `404`, so the feed's
//!   existence is not revealed.
//! - One VEVENT per meeting, with a UID that never changes (`meeting-<id>-<contract>@mesi`),
//!   SEQUENCE the on-chain revision (so apps take a reschedule as an update), DTSTAMP the block
//!   time of the meeting's last change, times in UTC, and STATUS CANCELLED for meetings
//!   cancelled or refunded: they stay in the feed so apps remove them from the day.
//! - No fan address appears in either feed.
//! - Lines end in CRLF and are folded at 75 octets, never inside a UTF-8 character.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Session;
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Path, Query};
use crate::api::http::params::Address;
use crate::api::{ApiContext, Error};

pub fn router() -> OpenApiRouter<ApiContext> {
    OpenApiRouter::new()
        .routes(routes!(creator_calendar))
        .routes(routes!(fan_calendar))
        .routes(routes!(rotate_creator_token))
        .routes(routes!(rotate_fan_token))
}

/// Whose meetings a feed lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Creator,
    Fan,
}

impl Owner {
    fn as_str(self) -> &'static str {
        match self {
            Owner::Creator => "creator",
            Owner::Fan => "fan",
        }
    }
}

/// One meeting as a calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarEvent {
    pub uid: String,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub sequence: i64,
    pub cancelled: bool,
    pub summary: String,
    pub description: String,
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded at 75 octets (RFC 5545 §3.1): continuation lines start with a space,
/// which counts toward their 75.
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(t: &DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar text.
pub fn render(name: &str, events: &[CalendarEvent]) -> String {
    let mut out = String::new();
    let mut line = |l: String| push_folded(&mut out, &l);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Mesi//Mesi indexer//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape_text(name)));
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid));
        line(format!("DTSTAMP:{}", utc(&e.stamp)));
        line(format!("DTSTART:{}", utc(&e.start)));
        line(format!("DTEND:{}", utc(&e.end)));
        line(format!("SEQUENCE:{}", e.sequence));
        line(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        line(format!("SUMMARY:{}", escape_text(&e.summary)));
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape_text(&e.description)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// Most meetings in one feed (newest first); a feed is for upcoming and recent meetings.
const MAX_EVENTS: i64 = 1_000;

type MeetingRow = (
    String,
    String,
    String,
    i64,
    DateTime<Utc>,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn meetings(
    pool: &PgPool,
    owner: Owner,
    address: &Address,
) -> Result<Vec<CalendarEvent>, Error> {
    let column = match owner {
        Owner::Creator => "m.creator",
        Owner::Fan => "m.fan",
    };
    let sql = format!(
        "SELECT m.meeting_id::text, m.contract, m.status, m.revision, \
                coalesce(e.block_time, m.start), m.start, m.start + make_interval(secs => m.duration_secs::float8), \
                a.format, a.description, c.display_name \
         FROM meetings m \
         LEFT JOIN events e ON e.height = m.updated_height AND e.seq = m.updated_seq \
         LEFT JOIN meeting_auctions a ON a.contract = m.contract AND a.auction_id = m.meeting_id \
         LEFT JOIN LATERAL (SELECT display_name FROM creators WHERE creator = m.creator ORDER BY contract LIMIT 1) c ON true \
         WHERE {column} = $1 \
         ORDER BY m.start DESC, m.meeting_id DESC LIMIT $2"
    );
    let rows: Vec<MeetingRow> = sqlx::query_as(&sql)
        .bind(address.as_str())
        .bind(MAX_EVENTS)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .rev()
        .map(
            |(
                id,
                contract,
                status,
                revision,
                stamp,
                start,
                end,
                format,
                description,
                creator_name,
            )| {
                let format = format.unwrap_or_else(|| "meeting".into()).replace('_', " ");
                let summary = match (owner, creator_name) {
                    (Owner::Fan, Some(name)) => format!("Mesi {format} meeting with {name}"),
                    _ => format!("Mesi {format} meeting"),
                };
                CalendarEvent {
                    uid: format!("meeting-{id}-{contract}@mesi"),
                    stamp,
                    start,
                    end,
                    sequence: revision,
                    cancelled: matches!(status.as_str(), "cancelled" | "refunded"),
                    summary,
                    description: description.unwrap_or_default(),
                }
            },
        )
        .collect())
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Checks `token` against the feed's; a missing feed and a wrong token look the same.
async fn check_token(
    pool: &PgPool,
    owner: Owner,
    address: &Address,
    token: &str,
) -> Result<(), Error> {
    let stored: Option<Vec<u8>> = sqlx::query_scalar(
        "SELECT token_hash FROM calendar_tokens WHERE address = $1 AND owner = $2",
    )
    .bind(address.as_str())
    .bind(owner.as_str())
    .fetch_optional(pool)
    .await?;
    let given = token_hash(token);
    // Compare every byte, so the time taken says nothing about how much matched.
    let matches = stored.is_some_and(|stored| {
        stored.len() == given.len()
            && stored
                .iter()
                .zip(&given)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if matches {
        Ok(())
    } else {
        Err(Error::NotFound("calendar".into()))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The feed's secret token. Absent, it matches no feed (404, like a wrong one).
    #[serde(default)]
    token: String,
}

async fn calendar(
    ctx: &ApiContext,
    owner: Owner,
    address: &Address,
    token: &str,
) -> Result<Response, Error> {
    if token.len() > 128 {
        return Err(Error::NotFound("calendar".into()));
    }
    check_token(&ctx.pool, owner, address, token).await?;
    let events = meetings(&ctx.pool, owner, address).await?;
    let text = render("Mesi meetings", &events);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        text,
    )
        .into_response())
}

/// A creator's meetings (every meeting sold in their auctions), as an iCalendar feed.
#[utoipa::path(get, path = "/creators/{address}/meetings.ics", tag = "calendar",
    params(("address" = String, Path), TokenQuery),
    responses(
        (status = 200, content_type = "text/calendar", body = String),
        (status = 404, body = ErrorBody, description = "no such feed, or a wrong token"),
    ))]
async fn creator_calendar(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, Error> {
    calendar(&ctx, Owner::Creator, &address, &query.token).await
}

/// The meetings a fan won, as an iCalendar feed.
#[utoipa::path(get, path = "/fans/{address}/meetings.ics", tag = "calendar",
    params(("address" = String, Path), TokenQuery),
    responses(
        (status = 200, content_type = "text/calendar", body = String),
        (status = 404, body = ErrorBody, description = "no such feed, or a wrong token"),
    ))]
async fn fan_calendar(
    State(ctx): State<ApiContext>,
    Path(address): Path<Address>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, Error> {
    calendar(&ctx, Owner::Fan, &address, &query.token).await
}

#[derive(Serialize, ToSchema)]
pub struct CalendarToken {
    /// The new secret; shown once. Earlier tokens stop working.
    pub token: String,
    /// The feed's path with the token, to append to the API's base URL.
    pub path: String,
}

async fn rotate(
    ctx: &ApiContext,
    session: &Session,
    owner: Owner,
    address: &Address,
) -> Result<CalendarToken, Error> {
    if session.address != address.as_str() {
        return Err(Error::Forbidden(
            "only the feed's owner can rotate its token".into(),
        ));
    }
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let token = URL_SAFE_NO_PAD.encode(secret);
    sqlx::query(
        "INSERT INTO calendar_tokens (address, owner, token_hash) VALUES ($1, $2, $3) \
         ON CONFLICT (address, owner) DO UPDATE SET token_hash = EXCLUDED.token_hash, rotated_at = now()",
    )
    .bind(address.as_str())
    .bind(owner.as_str())
    .bind(token_hash(&token))
    .execute(&ctx.pool)
    .await?;
    let path = format!("/{}s/{address}/meetings.ics?token={token}", owner.as_str());
    Ok(CalendarToken { token, path })
}

/// Creates or rotates the creator's calendar token (the session must be the creator's).
#[utoipa::path(post, path = "/creators/{address}/calendar-token", tag = "calendar",
    params(("address" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = CalendarToken),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
async fn rotate_creator_token(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(address): Path<Address>,
) -> Result<axum::Json<CalendarToken>, Error> {
    Ok(axum::Json(
        rotate(&ctx, &session, Owner::Creator, &address).await?,
    ))
}

/// Creates or rotates the fan's calendar token (the session must be the fan's).
#[utoipa::path(post, path = "/fans/{address}/calendar-token", tag = "calendar",
    params(("address" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = CalendarToken),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ))]
async fn rotate_fan_token(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(address): Path<Address>,
) -> Result<axum::Json<CalendarToken>, Error> {
    Ok(axum::Json(
        rotate(&ctx, &session, Owner::Fan, &address).await?,
    ))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(secs, 0).unwrap()
    }

    #[test]
    fn exact_text() {
        let events = [
            CalendarEvent {
                uid: "meeting-7-wasm1meet@mesi".into(),
                stamp: at(1_704_067_200),
                start: at(1_704_110_400),
                end: at(1_704_112_200),
                sequence: 2,
                cancelled: false,
                summary: "Mesi video meeting".into(),
                description: "Q&A; bring questions, please\\thanks\nbye".into(),
            },
            CalendarEvent {
                uid: "meeting-8-wasm1meet@mesi".into(),
                stamp: at(1_704_153_600),
                start: at(1_704_196_800),
                end: at(1_704_200_400),
                sequence: 1,
                cancelled: true,
                summary: "Mesi audio meeting".into(),
                description: String::new(),
            },
        ];
        let expected = "BEGIN:VCALENDAR\r\n\
VERSION:2.0\r\n\
PRODID:-//Mesi//Mesi indexer//EN\r\n\
CALSCALE:GREGORIAN\r\n\
METHOD:PUBLISH\r\n\
X-WR-CALNAME:Mesi meetings\r\n\
BEGIN:VEVENT\r\n\
UID:meeting-7-wasm1meet@mesi\r\n\
DTSTAMP:20240101T000000Z\r\n\
DTSTART:20240101T120000Z\r\n\
DTEND:20240101T123000Z\r\n\
SEQUENCE:2\r\n\
STATUS:CONFIRMED\r\n\
SUMMARY:Mesi video meeting\r\n\
DESCRIPTION:Q&A\\; bring questions\\, please\\\\thanks\\nbye\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:meeting-8-wasm1meet@mesi\r\n\
DTSTAMP:20240102T000000Z\r\n\
DTSTART:20240102T120000Z\r\n\
DTEND:20240102T130000Z\r\n\
SEQUENCE:1\r\n\
STATUS:CANCELLED\r\n\
SUMMARY:Mesi audio meeting\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";
        assert_eq!(render("Mesi meetings", &events), expected);
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        push_folded(&mut out, &"a".repeat(160));
        assert_eq!(
            out,
            format!(
                "{}\r\n {}\r\n {}\r\n",
                "a".repeat(75),
                "a".repeat(74),
                "a".repeat(11)
            )
        );
        // 'é' is two octets: a line may stop at 74 octets rather than split one.
        let mut out = String::new();
        let line = format!("DESCRIPTION:{}", "é".repeat(40));
        push_folded(&mut out, &line);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(
                physical.len() <= 75,
                "{physical:?} is {} octets",
                physical.len()
            );
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{line}\r\n"));
        let first = out.split("\r\n").next().unwrap();
        assert_eq!(first.len(), 74, "12 octets + 31 two-octet characters");
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape_text("a,b;c\\d\ne\r\u{7}"), "a\\,b\\;c\\\\d\\ne");
    }
}
