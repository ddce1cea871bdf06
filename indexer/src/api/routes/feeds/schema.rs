//! The OpenAPI schema of a feed item: one schema per kind, told apart by `kind`, each with
//! its event's attributes as `data`, taken from the event types themselves so the document
//! cannot drift from what the contracts emit.

use std::borrow::Cow;

use mesi_common::event::{EventField, MesiEvent};
use mesi_common::events::{meetings, ppv, subscriptions, surprises, tips};
use utoipa::openapi::schema::{
    Discriminator, KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{Ref, RefOr, Schema};

use super::items::tip_field_shown;
use super::FeedItem;

/// A feed kind, the event it shows, and that event's attributes.
pub struct KindEvent {
    pub kind: &'static str,
    pub event_type: &'static str,
    pub fields: fn() -> Vec<EventField>,
}

macro_rules! kind_events {
    ($($kind:literal => $event:ty),* $(,)?) => {
        /// Every feed kind with its event, in the order of `projections::feed::KINDS`.
        pub const KIND_EVENTS: &[KindEvent] = &[$(KindEvent {
            kind: $kind,
            event_type: <$event as MesiEvent>::TYPE,
            fields: <$event as MesiEvent>::fields,
        }),*];
    };
}

kind_events! {
    "tip" => tips::TipSent,
    "fiat_tip" => tips::FiatTipAttested,
    "subscription" => subscriptions::SubscriptionChanged,
    "ppv_purchase" => ppv::PpvPurchase,
    "surprise_mint" => surprises::SurpriseMinted,
    "surprise_listing" => surprises::SurpriseListed,
    "surprise_sale" => surprises::SurpriseSold,
    "surprise_transfer" => surprises::SurpriseTransferred,
    "surprise_unlock" => surprises::SurpriseUnlocked,
    "surprise_reveal" => surprises::SurpriseRevealed,
    "surprise_forfeit" => surprises::SurpriseForfeited,
    "meeting_auction" => meetings::AuctionOpened,
    "meeting_auction_cancelled" => meetings::AuctionCancelled,
    "meeting_auction_settled" => meetings::AuctionSettled,
    "meeting_bid" => meetings::BidPlaced,
    "meeting" => meetings::MeetingChanged,
}

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

/// `data` of one kind: each attribute as a string. A tip's may be anonymous, which shows
/// only some fields, so only those are required.
fn data_schema(entry: &KindEvent) -> ObjectBuilder {
    let tip = matches!(entry.kind, "tip" | "fiat_tip");
    let mut data = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "The event's attributes as emitted: numbers as decimal strings, assets as \
         `native:<denom>` or `cw20:<address>`, times in nanoseconds.",
        ));
    for field in (entry.fields)() {
        if tip && !tip_field_shown(field.name, false) {
            continue;
        }
        data = data.property(field.name, string());
        if !field.optional && (!tip || tip_field_shown(field.name, true)) {
            data = data.required(field.name);
        }
    }
    data
}

fn item_schema(entry: &KindEvent) -> ObjectBuilder {
    let fields = [
        (
            "id",
            string()
                .description(Some(
                    "The item's position `<height>-<seq>`: the cursor and the SSE event id.",
                ))
                .examples(["1200-3"]),
        ),
        ("kind", string().enum_values(Some([entry.kind]))),
        (
            "height",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64))),
        ),
        (
            "time",
            string()
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)))
                .description(Some("Block time, RFC 3339 in UTC.")),
        ),
        ("contract", string()),
        ("event_type", string().enum_values(Some([entry.event_type]))),
    ];
    let mut item = ObjectBuilder::new()
        .schema_type(Type::Object)
        .title(Some(entry.kind));
    for (name, schema) in fields {
        item = item.property(name, schema).required(name);
    }
    for (name, about) in [
        (
            "tx_hash",
            "Absent for anonymous tips (the transaction names the fan).",
        ),
        ("creator", "The creator concerned."),
        ("fan", "The fan concerned; absent for anonymous tips."),
        (
            "counterparty",
            "The other fan: the seller of a sale, the sender of a transfer, an outbid bidder.",
        ),
    ] {
        item = item.property(name, nullable_string().description(Some(about)));
    }
    item.property("data", data_schema(entry)).required("data")
}

/// The component name of one kind's item, e.g. `FeedItemSurpriseMint`.
fn component_name(kind: &str) -> String {
    let camel: String = kind
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    format!("FeedItem{camel}")
}

impl utoipa::PartialSchema for FeedItem {
    fn schema() -> RefOr<Schema> {
        let mut discriminator = Discriminator::new("kind");
        let mut union = OneOfBuilder::new().description(Some(
            "One feed item: an event of a Mesi contract, with who it concerns; `kind` says which.",
        ));
        for entry in KIND_EVENTS {
            let reference = format!("#/components/schemas/{}", component_name(entry.kind));
            discriminator
                .mapping
                .insert(entry.kind.into(), reference.clone());
            union = union.item(Ref::new(reference));
        }
        union.discriminator(Some(discriminator)).into()
    }
}

impl utoipa::ToSchema for FeedItem {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("FeedItem")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        for entry in KIND_EVENTS {
            schemas.push((component_name(entry.kind), item_schema(entry).into()));
        }
    }
}

/// The `kind` filter's pattern: a comma-separated list of known kinds (or nothing).
pub fn kind_pattern() -> String {
    let one = format!(
        r"\s*({})\s*",
        KIND_EVENTS
            .iter()
            .map(|k| k.kind)
            .collect::<Vec<_>>()
            .join("|")
    );
    format!(r"^(\s*|{one}(,{one})*)$")
}

/// A feed position `<height>-<seq>` (a cursor, an SSE event id).
pub const POSITION_PATTERN: &str = r"^[0-9]{1,18}-[0-9]{1,9}$";
/// The custom format positions also get: tools that generate requests may not derive values
/// from a pattern (schemathesis does not for headers, whose `-` it avoids), but from a format.
pub const POSITION_FORMAT: &str = "position";

/// Gives every feed operation's `kind`, cursor and `Last-Event-ID` parameters their patterns, and every live feed's events
/// their schema (a `feed` event whose data is a [`FeedItem`]).
pub fn refine_document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    let pattern = kind_pattern();
    for item in doc.paths.paths.values_mut() {
        let Some(operation) = &mut item.get else {
            continue;
        };
        for parameter in operation.parameters.iter_mut().flatten() {
            let Some(RefOr::T(Schema::Object(object))) = &mut parameter.schema else {
                continue;
            };
            match parameter.name.as_str() {
                "kind" => object.pattern = Some(pattern.clone()),
                "before" | "after" | "Last-Event-ID" => {
                    // A header is text or absent, never JSON's null.
                    object.schema_type = SchemaType::Type(Type::String);
                    object.pattern = Some(POSITION_PATTERN.to_string());
                    object.format = Some(SchemaFormat::Custom(POSITION_FORMAT.to_string()));
                }
                _ => {}
            }
        }
        if let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") {
            if let Some(events) = ok.content.get_mut("text/event-stream") {
                events.schema = Some(RefOr::T(crate::api::http::openapi::sse_event_schema(
                    "feed", "FeedItem",
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::projections::feed::KINDS;

    #[test]
    fn every_kind_has_its_event() {
        let kinds: Vec<&str> = KIND_EVENTS.iter().map(|k| k.kind).collect();
        assert_eq!(kinds, KINDS);
        for entry in KIND_EVENTS {
            assert!(!(entry.fields)().is_empty(), "{}", entry.kind);
        }
    }

    #[test]
    fn component_names_are_camel_case() {
        assert_eq!(component_name("tip"), "FeedItemTip");
        assert_eq!(
            component_name("meeting_auction_settled"),
            "FeedItemMeetingAuctionSettled"
        );
    }

    #[test]
    fn anonymous_tips_require_only_what_they_show() {
        let tip = serde_json::to_value(data_schema(&KIND_EVENTS[0]).build()).unwrap();
        let required: Vec<&str> = tip["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            required.contains(&"amount") && !required.contains(&"fan"),
            "{required:?}"
        );
        assert!(tip["properties"].get("fan_total").is_none());
    }
}
