//! What the OpenAPI document says of every route at once, added after the routes' own
//! documentation: the answers the shared layers give (a URI or body too long, a client over
//! its rate, an internal error), and the format of every address a request carries.
//!
//! Addresses are checked as bech32 with a valid checksum ([`super::params::Address`]), which no
//! pattern can say: they get the custom format `bech32`, and tools that generate requests
//! (tests/fuzz-api) supply valid ones for it.

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, ResponseBuilder};

use super::params::{CONTEXT_ID_PATTERN, MAX_ADDRESS_LEN, MAX_ID_LEN};

/// Names of the parameters and request fields that hold an address.
const ADDRESS_NAMES: &[&str] = &["address", "creator", "fan", "viewer", "contract"];

/// The format given to addresses.
pub const ADDRESS_FORMAT: &str = "bech32";

/// Asset parameters (`native:<denom>` or `cw20:<address>`, the address checked as above)
/// get the custom format `asset`.
pub const ASSET_FORMAT: &str = "asset";

/// Names of the parameters that hold an [`super::params::Id`].
const ID_NAMES: &[&str] = &["content_id", "token_id", "surprise"];
/// Names of the parameters that hold a context id (chat threads, streams), unless the route
/// gives its own pattern.
const CONTEXT_ID_NAMES: &[&str] = &["thread_id", "stream_id"];
/// What an id may hold: no control characters (`char::is_control`).
const ID_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]+$";

/// Names of the parameters that hold a whole number as text (auction and meeting ids, u64).
const NUMBER_NAMES: &[&str] = &["auction_id", "meeting_id"];
const NUMBER_PATTERN: &str = "^[0-9]{1,19}$";

/// Adds the shared answers to every operation and the formats and patterns of addresses,
/// ids and assets.
pub fn refine(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            add_shared_responses(operation);
            for parameter in operation.parameters.iter_mut().flatten() {
                if let Some(RefOr::T(Schema::Object(object))) = &mut parameter.schema {
                    let name = parameter.name.as_str();
                    if ID_NAMES.contains(&name) {
                        object.min_length = Some(1);
                        object.max_length = Some(MAX_ID_LEN);
                        object.pattern = Some(ID_PATTERN.to_string());
                    } else if CONTEXT_ID_NAMES.contains(&name) && object.pattern.is_none() {
                        object.pattern = Some(CONTEXT_ID_PATTERN.to_string());
                    } else if NUMBER_NAMES.contains(&name) {
                        object.pattern = Some(NUMBER_PATTERN.to_string());
                    }
                }
                let (format, max_length) = if ADDRESS_NAMES.contains(&parameter.name.as_str()) {
                    (ADDRESS_FORMAT, Some(MAX_ADDRESS_LEN))
                } else if parameter.name == "asset" {
                    (ASSET_FORMAT, None)
                } else {
                    continue;
                };
                if let Some(RefOr::T(schema)) = &mut parameter.schema {
                    mark_string(schema, format, max_length);
                }
            }
        }
    }
    if let Some(components) = &mut doc.components {
        // A component is an object, or all of some (one of them with the fields).
        let objects = components
            .schemas
            .values_mut()
            .flat_map(|schema| match schema {
                RefOr::T(Schema::AllOf(all)) => all.items.iter_mut().collect(),
                other => vec![other],
            });
        for schema in objects {
            if let RefOr::T(Schema::Object(object)) = schema {
                for (name, property) in object.properties.iter_mut() {
                    let RefOr::T(property) = property else {
                        continue;
                    };
                    if ADDRESS_NAMES.contains(&name.as_str()) {
                        mark_string(property, ADDRESS_FORMAT, Some(MAX_ADDRESS_LEN));
                    } else if name == "asset" {
                        mark_string(property, ASSET_FORMAT, None);
                    }
                }
            }
        }
    }
}

/// The schema of one Server-Sent Event named `event` whose data is the JSON of the component
/// `item`: how an event stream's `schema` describes each event.
/// Gives the GET operation's parameter `name` at `path` the `pattern` (the `path` macro
/// takes only a literal, and patterns live in constants the server checks with).
pub fn set_parameter_pattern(doc: &mut OpenApi, path: &str, name: &str, pattern: &str) {
    let parameters = doc
        .paths
        .paths
        .get_mut(path)
        .and_then(|item| item.get.as_mut())
        .and_then(|operation| operation.parameters.as_mut());
    let parameter = parameters
        .and_then(|parameters| parameters.iter_mut().find(|p| p.name == name))
        .unwrap_or_else(|| panic!("GET {path} has no parameter {name}"));
    if let Some(RefOr::T(Schema::Object(object))) = &mut parameter.schema {
        object.pattern = Some(pattern.to_string());
    }
}

pub fn sse_event_schema(event: &str, item: &str) -> Schema {
    use utoipa::openapi::schema::ObjectBuilder;
    // Not contentMediaType + contentSchema: utoipa keeps such keys in a HashMap, whose order
    // changes from run to run, and the document must be reproducible.
    let data = ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(format!("The event's `{item}`, as JSON")));
    ObjectBuilder::new()
        .property(
            "event",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([event])),
        )
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The item's position: pass it back to resume")),
        )
        .property("data", data)
        .required("event")
        .required("id")
        .required("data")
        .into()
}

/// The answers of the layers every request passes (see `api::router`).
fn add_shared_responses(operation: &mut Operation) {
    let mut shared = vec![
        ("414", "uri_too_long: the request URI is too long"),
        (
            "429",
            "rate_limited: too many requests from this client (see Retry-After)",
        ),
        ("500", "internal: an internal error"),
    ];
    if operation.request_body.is_some() {
        shared.push(("413", "payload_too_large: the request body is too large"));
    }
    // The extractors answer a malformed path, query or body with 400.
    let has_input = operation.request_body.is_some()
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_input {
        shared.push((
            "400",
            "invalid_path, invalid_query, invalid_body: malformed input",
        ));
    }
    for (status, description) in shared {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        utoipa::openapi::ContentBuilder::new()
                            .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                                "ErrorBody",
                            ))))
                            .build(),
                    )
                    .build()
                    .into()
            });
    }
}

/// A string schema (or a nullable one) gets `format`, and its length bounds.
fn mark_string(schema: &mut Schema, format: &str, max_length: Option<usize>) {
    if let Schema::Object(object) = schema {
        let is_string = match &object.schema_type {
            SchemaType::Type(kind) => *kind == Type::String,
            SchemaType::Array(kinds) => kinds.contains(&Type::String),
            SchemaType::AnyValue => false,
        };
        if is_string && object.format.is_none() && object.enum_values.is_none() {
            object.format = Some(SchemaFormat::Custom(format.to_string()));
            object.min_length = Some(1);
            object.max_length = max_length;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_documents_the_shared_answers_and_addresses_have_a_format() {
        let doc = serde_json::to_value(crate::api::openapi()).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut addresses = 0;
        for (path, item) in paths {
            for (method, operation) in item.as_object().unwrap() {
                for status in ["414", "429", "500"] {
                    assert!(
                        operation["responses"].get(status).is_some(),
                        "{method} {path} does not document {status}"
                    );
                }
                for parameter in operation["parameters"].as_array().into_iter().flatten() {
                    if ADDRESS_NAMES.contains(&parameter["name"].as_str().unwrap()) {
                        assert_eq!(parameter["schema"]["format"], ADDRESS_FORMAT, "{path}");
                        addresses += 1;
                    }
                }
            }
        }
        assert!(addresses > 20, "only {addresses} address parameters");
        let nonce = &doc["components"]["schemas"]["NonceRequest"]["properties"]["address"];
        assert_eq!(nonce["format"], ADDRESS_FORMAT);
    }
}
