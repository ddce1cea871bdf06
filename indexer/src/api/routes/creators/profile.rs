//! The off-chain profile fields a creator sets with their wallet session: a bio, avatar and
//! banner URLs and a few links. They live only in the indexer's database (the contract keeps
//! what payments need); every field is bounded and every URL is an `https` URL without
//! credentials, since frontends put them into pages as they are.

use std::sync::LazyLock;

use axum::extract::State;
use regex::Regex;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::ToSchema;

use super::{load_creator, Creator};
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Json, Path};
use crate::api::http::page::At;
use crate::api::http::params::Address;
use crate::api::http::text::TextRule;
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};

/// A bio: line breaks allowed; blank clears it.
pub const BIO: TextRule = TextRule::lines(2000, &['\n']).optional();
/// A link's label, e.g. "Website".
pub const LINK_LABEL: TextRule = TextRule::line(40);
/// Longest URL (URLs are ASCII, so characters and bytes agree).
pub const MAX_URL_CHARS: usize = 512;
/// Most links on a profile.
pub const MAX_LINKS: usize = 10;

/// The URLs a profile takes: `https`, a host name whose last label starts with a letter (so
/// it is a name, not an IPv4 address), an optional port, then printable ASCII. No user name
/// or password can fit. The server checks this pattern, so the document states the rule.
pub const HTTPS_URL_PATTERN: &str = concat!(
    "^https://",
    "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?",
    "(?::(?:[0-9]{1,4}|[0-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    "(?:[/?#][!-~]*)?$",
);

static HTTPS_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(HTTPS_URL_PATTERN).expect("the URL pattern compiles"));

fn url_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(MAX_URL_CHARS))
        .pattern(Some(HTTPS_URL_PATTERN))
        .description(Some(URL_RULE))
        .build()
}

fn nullable_url_schema() -> Object {
    let mut schema = url_schema();
    schema.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    schema
}

const URL_RULE: &str = "An `https` URL with a host name and no credentials, at most 512 characters of printable ASCII.";

fn bio_schema() -> Object {
    BIO.nullable_schema()
}

fn label_schema() -> Object {
    LINK_LABEL.schema()
}

/// What the creator wrote about themselves; all absent until they set it.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct OffChainProfile {
    pub bio: Option<String>,
    #[schema(schema_with = nullable_url_schema)]
    pub avatar_url: Option<String>,
    #[schema(schema_with = nullable_url_schema)]
    pub banner_url: Option<String>,
    pub links: Vec<Link>,
    /// When the creator last set these fields (RFC 3339).
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    #[schema(schema_with = label_schema)]
    pub label: String,
    #[schema(schema_with = url_schema)]
    pub url: String,
}

/// The off-chain profile, replaced as a whole: a field left out is cleared.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[schema(schema_with = bio_schema)]
    pub bio: Option<String>,
    #[schema(schema_with = nullable_url_schema)]
    pub avatar_url: Option<String>,
    #[schema(schema_with = nullable_url_schema)]
    pub banner_url: Option<String>,
    /// At most 10.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub links: Vec<Link>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("invalid_profile", message)
}

/// A URL matching [`HTTPS_URL_PATTERN`] that the `url` crate reads as such, kept as written
/// (the crate's normal form can be longer than the limit).
fn checked_url(field: &str, text: &str) -> Result<String, Error> {
    let refuse = || invalid(format!("{field}: {}", URL_RULE.to_lowercase()));
    if text.len() > MAX_URL_CHARS || !HTTPS_URL.is_match(text) {
        return Err(refuse());
    }
    // The pattern leaves out what the parser refuses but for punycode labels (`xn--`) that
    // do not decode; the checks after it hold for any URL the pattern lets through.
    let url = url::Url::parse(text).map_err(|_| refuse())?;
    if url.scheme() != "https"
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refuse());
    }
    Ok(text.to_owned())
}

impl ProfileUpdate {
    /// The update with its text trimmed and its URLs checked, or `invalid_profile`.
    fn checked(self) -> Result<ProfileUpdate, Error> {
        let bio = match self.bio {
            Some(bio) => {
                BIO.check("invalid_profile", "bio", &bio)?;
                Some(bio.trim().to_owned()).filter(|bio| !bio.is_empty())
            }
            None => None,
        };
        if self.links.len() > MAX_LINKS {
            return Err(invalid(format!("at most {MAX_LINKS} links")));
        }
        let links = self
            .links
            .into_iter()
            .map(|link| {
                LINK_LABEL.check("invalid_profile", "a link label", &link.label)?;
                Ok(Link {
                    label: link.label.trim().to_owned(),
                    url: checked_url("a link's url", &link.url)?,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(ProfileUpdate {
            bio,
            avatar_url: self
                .avatar_url
                .map(|u| checked_url("avatar_url", &u))
                .transpose()?,
            banner_url: self
                .banner_url
                .map(|u| checked_url("banner_url", &u))
                .transpose()?,
            links,
        })
    }
}

/// Sets the creator's off-chain profile (the session must be the creator's, who must be
/// registered). Answers the creator as `GET /creators/{address}` then shows them.
#[utoipa::path(put, path = "/creators/{address}/profile", tag = "creators",
    params(("address" = String, Path, description = "The creator's address")),
    request_body = ProfileUpdate, security(("bearer" = [])),
    responses(
        (status = 200, body = At<Creator>),
        (status = 400, body = ErrorBody, description = "invalid_profile, invalid_body, invalid_address"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "the session is not the creator's"),
        (status = 404, body = ErrorBody, description = "not a registered creator"),
    ))]
pub(super) async fn put_profile(
    State(ctx): State<ApiContext>,
    session: Session,
    Path(creator): Path<Address>,
    Json(update): Json<ProfileUpdate>,
) -> Result<axum::Json<At<Creator>>, Error> {
    if session.address != creator.as_str() {
        return Err(Error::Forbidden(
            "only the creator can set their profile".into(),
        ));
    }
    let update = update.checked()?;
    let mut tx = ctx.pool.begin().await?;
    let registered: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM creators WHERE creator = $1)")
            .bind(creator.as_str())
            .fetch_one(&mut *tx)
            .await?;
    if !registered {
        return Err(Error::NotFound(format!("creator {creator}")));
    }
    sqlx::query(
        "INSERT INTO creator_profiles (creator, bio, avatar_url, banner_url, links, updated_at) \
         VALUES ($1, $2, $3, $4, $5, now()) \
         ON CONFLICT (creator) DO UPDATE SET bio = excluded.bio, avatar_url = excluded.avatar_url, \
             banner_url = excluded.banner_url, links = excluded.links, updated_at = excluded.updated_at",
    )
    .bind(creator.as_str())
    .bind(&update.bio)
    .bind(&update.avatar_url)
    .bind(&update.banner_url)
    .bind(sqlx::types::Json(&update.links))
    .execute(&mut *tx)
    .await?;
    let height = sqlx::query_scalar("SELECT height FROM ingest_cursor")
        .fetch_optional(&mut *tx)
        .await?;
    let value = load_creator(&mut tx, &creator)
        .await?
        .ok_or_else(|| anyhow::anyhow!("creator {creator} vanished"))?;
    tx.commit().await?;
    Ok(axum::Json(At { height, value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(avatar: &str) -> ProfileUpdate {
        ProfileUpdate {
            bio: Some("  hi\nthere ".into()),
            avatar_url: Some(avatar.into()),
            banner_url: None,
            links: vec![],
        }
    }

    #[test]
    fn urls_are_https_without_credentials() {
        let ok = update("https://cdn.example.com/a.png").checked().unwrap();
        for good in [
            "https://Example.COM",
            "https://a-b.example:65535/x?y=1#z",
            "https://localhost/@me",
        ] {
            let url = update(good).checked().unwrap().avatar_url.unwrap();
            assert_eq!(url, good, "kept as written");
        }
        // The longest URL the document allows is stored, though the parser's form is longer.
        let longest = format!("https://A?{}", "0".repeat(MAX_URL_CHARS - 10));
        assert_eq!(longest.len(), MAX_URL_CHARS);
        assert_eq!(
            update(&longest).checked().unwrap().avatar_url,
            Some(longest)
        );
        assert_eq!(ok.bio.as_deref(), Some("hi\nthere"));
        assert_eq!(
            ok.avatar_url.as_deref(),
            Some("https://cdn.example.com/a.png")
        );
        for bad in [
            "http://cdn.example.com/a.png",
            "javascript:alert(1)",
            "https://user:pw@example.com/",
            "data:image/png;base64,AAAA",
            "not a url",
            "https://",
            "https://192.168.0.1/",
            "https://99999999999/",
            "https://example.com:65536/",
            "https://example.com/a b",
            &format!("https://example.com/{}", "a".repeat(600)),
        ] {
            let err = update(bad).checked().unwrap_err();
            assert_eq!(err.code(), "invalid_profile", "{bad}");
        }
    }

    #[test]
    fn text_is_bounded() {
        let mut long = update("https://example.com/");
        long.bio = Some("a".repeat(BIO.max_chars + 1));
        assert!(long.checked().is_err());
        let mut control = update("https://example.com/");
        control.bio = Some("a\u{7}b".into());
        assert!(control.checked().is_err());
        let mut links = update("https://example.com/");
        links.links = (0..=MAX_LINKS)
            .map(|i| Link {
                label: format!("l{i}"),
                url: "https://example.com/".into(),
            })
            .collect();
        assert!(links.checked().is_err());
    }
}
