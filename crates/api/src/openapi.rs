//! The OpenAPI document served at `/api/v10/openapi.json`: its frame, and the answers that
//! every operation of a kind shares.
//!
//! Each route's `#[utoipa::path]` lists the answers particular to it: its success, the 400s of
//! its own checks, 403 and 404 where permissions and lookups refuse, 429 where it is rate
//! limited. The answers that follow from the extractors an operation uses are added by
//! [`Shared`], once, after the routers have contributed their paths:
//!
//! - a token (every operation not marked public, [`crate::extract::Auth`]): 401 for a missing,
//!   malformed or revoked one;
//! - ids in the path ([`crate::extract::Path`]): 400 (50035) for one that is not a snowflake;
//! - a query string ([`crate::extract::Query`]): 400 (50035) for a value of the wrong type;
//! - a JSON body ([`crate::extract::Json`]): 400 (50109 for bad syntax, 50035 for the wrong
//!   shape) and 413 (40005) for a body over the configured size limit. A missing body reads as
//!   `{}` (or `[]`), so a body is marked required only where that empty one is refused.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, OpenApi, RefOr, Required, Response, Schema};
use utoipa::Modify;

/// The document's frame; paths are added by the routers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "hearth",
        description = "hearth's HTTP API: wire-compatible with Discord's HTTP API v10, plus hearth's own endpoints (registration, login).",
    ),
    components(schemas(hearth_protocol::ErrorBody, hearth_protocol::RateLimitBody)),
    modifiers(&SecurityAddon),
    security(("token" = []))
)]
pub(crate) struct ApiDoc;

struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "A login token as is, or `Bot <token>` for bots.",
            ))),
        );
    }
}

/// Adds the answers an operation's extractors give (see the module documentation).
pub(crate) struct Shared;

impl Modify for Shared {
    fn modify(&self, openapi: &mut OpenApi) {
        let global_security = openapi.security.clone().unwrap_or_default();
        let schemas = openapi
            .components
            .as_ref()
            .map(|c| c.schemas.clone())
            .unwrap_or_default();
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                complete(op, &global_security);
                if let Some(body) = &mut op.request_body {
                    let empty_accepted = body
                        .content
                        .values()
                        .all(|c| accepts_empty(c.schema.as_ref(), &schemas));
                    body.required = Some(if empty_accepted {
                        Required::False
                    } else {
                        Required::True
                    });
                }
            }
        }
    }
}

/// Whether the empty body a missing one reads as (`{}`, or `[]` for a list) fits a schema: an
/// object without required properties, or a list without a minimum length.
fn accepts_empty(
    schema: Option<&RefOr<Schema>>,
    components: &BTreeMap<String, RefOr<Schema>>,
) -> bool {
    let schema = match schema {
        Some(RefOr::Ref(r)) => r
            .ref_location
            .strip_prefix("#/components/schemas/")
            .and_then(|name| components.get(name)),
        other => other,
    };
    match schema {
        Some(RefOr::T(Schema::Object(o))) => o.required.is_empty(),
        Some(RefOr::T(Schema::Array(a))) => a.min_items.unwrap_or(0) == 0,
        _ => false,
    }
}

/// Whether an operation needs a token: its own security requirements, or the document's when
/// it has none; `security: [{}]` marks a public one.
fn needs_token(op: &Operation, global: &[SecurityRequirement]) -> bool {
    let requirements = op.security.as_deref().unwrap_or(global);
    !requirements.is_empty()
        && !requirements
            .iter()
            .any(|r| *r == SecurityRequirement::default())
}

/// Adds the answers its extractors give to one operation.
fn complete(op: &mut Operation, global_security: &[SecurityRequirement]) {
    let params = op.parameters.as_deref().unwrap_or_default();
    let path_ids = params
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Path && is_snowflake(p.schema.as_ref()));
    let query = params.iter().any(|p| p.parameter_in == ParameterIn::Query);
    let body = op.request_body.is_some();
    let mut bad_request = Vec::new();
    if path_ids {
        bad_request.push("an id in the path that is not a snowflake (50035)");
    }
    if query {
        bad_request.push("a query parameter of the wrong type (50035)");
    }
    if body {
        bad_request.push("a body that is not JSON (50109) or of the wrong shape (50035)");
    }
    if !bad_request.is_empty() {
        add(op, "400", &format!("Refused: {}.", bad_request.join("; ")));
    }
    if body {
        add(
            op,
            "413",
            "Request entity too large (40005): the body is over the configured limit.",
        );
    }
    if needs_token(op, global_security) {
        add(
            op,
            "401",
            "Unauthorized (0): the `Authorization` header is missing, malformed or revoked.",
        );
    }
}

/// Whether a parameter's schema is an id's (the snowflake's, or one of the typed ids').
fn is_snowflake(schema: Option<&RefOr<utoipa::openapi::Schema>>) -> bool {
    let Some(RefOr::Ref(r)) = schema else {
        return false;
    };
    r.ref_location
        .strip_prefix("#/components/schemas/")
        .is_some_and(|name| name == "Snowflake" || hearth_core::ids::ID_TYPES.contains(&name))
}

/// Adds an error answer with the error body, or extends the description of the one there.
fn add(op: &mut Operation, status: &str, description: &str) {
    let responses = &mut op.responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(existing)) => {
            if existing.description.is_empty() {
                existing.description = description.to_owned();
            } else if !existing.description.contains(description) {
                existing.description = format!("{} {description}", existing.description);
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let error_body = RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"));
            let response = Response::builder()
                .description(description)
                .content("application/json", Content::new(Some(error_body)))
                .build();
            responses.insert(status.to_owned(), RefOr::T(response));
        }
    }
}
