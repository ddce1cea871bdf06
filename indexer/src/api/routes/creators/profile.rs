//! The off-chain profile fields a creator sets with their wallet session: a bio, avatar and
//! banner URLs and a few links. They live only in the indexer's database (the contract keeps
//! what payments need); every field is bounded and every URL is an `https` URL without
//! credentials, since frontends put them into pages as they are.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{load_creator, Creator};
use crate::api::http::error::ErrorBody;
use crate::api::http::extract::{Json, Path};
use crate::api::http::page::At;
use crate::api::http::params::Address;
use crate::api::routes::auth::Session;
use crate::api::{ApiContext, Error};

/// Longest bio, in characters.
pub const MAX_BIO_CHARS: usize = 2000;
/// Longest URL, in bytes.
pub const MAX_URL_BYTES: usize = 512;
/// Most links on a profile.
pub const MAX_LINKS: usize = 10;
/// Longest link label, in characters.
pub const MAX_LABEL_CHARS: usize = 40;

/// What the creator wrote about themselves; all absent until they set it.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct OffChainProfile {
    pub bio: Option<String>,
    #[schema(pattern = "^https://")]
    pub avatar_url: Option<String>,
    #[schema(pattern = "^https://")]
    pub banner_url: Option<String>,
    pub links: Vec<Link>,
    /// When the creator last set these fields (RFC 3339).
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// 1 to 40 characters, e.g. "Website".
    #[schema(min_length = 1, max_length = 40)]
    pub label: String,
    /// An `https` URL of at most 512 bytes.
    #[schema(pattern = "^https://", max_length = 512)]
    pub url: String,
}

/// The off-chain profile, replaced as a whole: a field left out is cleared.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    /// At most 2000 characters; line breaks allowed, no other control characters.
    #[schema(max_length = 2000)]
    pub bio: Option<String>,
    /// An `https` URL of at most 512 bytes.
    #[schema(pattern = "^https://", max_length = 512)]
    pub avatar_url: Option<String>,
    /// An `https` URL of at most 512 bytes.
    #[schema(pattern = "^https://", max_length = 512)]
    pub banner_url: Option<String>,
    /// At most 10.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub links: Vec<Link>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("invalid_profile", message)
}

/// An `https` URL with a host and no user name or password, at most [`MAX_URL_BYTES`].
fn checked_url(field: &str, text: &str) -> Result<String, Error> {
    let refuse = || {
        invalid(format!(
            "{field} must be an https URL with a host, no credentials, at most {MAX_URL_BYTES} bytes"
        ))
    };
    if text.len() > MAX_URL_BYTES {
        return Err(refuse());
    }
    let url = url::Url::parse(text).map_err(|_| refuse())?;
    if url.scheme() != "https"
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refuse());
    }
    Ok(url.to_string())
}

impl ProfileUpdate {
    /// The update with its text trimmed and its URLs normalized, or `invalid_profile`.
    fn checked(self) -> Result<ProfileUpdate, Error> {
        let bio = match self.bio.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(bio)
                if bio.chars().count() > MAX_BIO_CHARS
                    || bio.chars().any(|c| c.is_control() && c != '\n') =>
            {
                return Err(invalid(format!(
                    "bio is at most {MAX_BIO_CHARS} characters, without control characters but line breaks"
                )))
            }
            Some(bio) => Some(bio.to_owned()),
        };
        if self.links.len() > MAX_LINKS {
            return Err(invalid(format!("at most {MAX_LINKS} links")));
        }
        let links = self
            .links
            .into_iter()
            .map(|link| {
                let label = link.label.trim();
                if label.is_empty()
                    || label.chars().count() > MAX_LABEL_CHARS
                    || label.chars().any(char::is_control)
                {
                    return Err(invalid(format!(
                        "a link label is 1 to {MAX_LABEL_CHARS} characters without control characters"
                    )));
                }
                Ok(Link {
                    label: label.to_owned(),
                    url: checked_url("a link's url", &link.url)?,
                })
            })
            .collect::<Result<_, _>>()?;
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
            &format!("https://example.com/{}", "a".repeat(600)),
        ] {
            let err = update(bad).checked().unwrap_err();
            assert_eq!(err.code(), "invalid_profile", "{bad}");
        }
    }

    #[test]
    fn text_is_bounded() {
        let mut long = update("https://example.com/");
        long.bio = Some("a".repeat(MAX_BIO_CHARS + 1));
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
