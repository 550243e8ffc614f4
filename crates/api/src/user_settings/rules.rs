//! The settings hearth knows, the rule of each, and how a change is read and applied.
//!
//! A PATCH body is read key by key, so that every bad key is named at once (50035 with an
//! error per key): a key that is not a setting, a value of the wrong type, a length or range
//! broken. `null` is accepted for every setting and removes it from the document. The checked
//! changes are merged into the stored document and read as a
//! [`SettingsDocument`](hearth_protocol::settings::SettingsDocument), whose types the rules
//! below agree with (tested).

use hearth_core::names::FieldError;
use hearth_core::Timestamp;
use hearth_protocol::settings::SettingsDocument;
use serde_json::{Map, Value};

use crate::error::FormErrors;
use crate::{ApiError, ApiResult};

/// The most a settings document may take as compact JSON, and a PATCH body too.
pub(super) const MAX_DOCUMENT_BYTES: usize = 16 * 1024;

/// What a setting's value must be (besides `null`, which removes it).
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// `true` or `false`.
    Flag,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// A string of `min` to `max` characters.
    Text { min: usize, max: usize },
    /// An integer from `min` to `max`.
    Integer { min: i64, max: i64 },
    /// `{"text", "emoji_name"?, "expires_at"?}`.
    CustomStatus,
}

/// Every setting and its rule (docs/api.md, "User settings", has the same table).
const SETTINGS: [(&str, Rule); 9] = [
    ("theme", Rule::Choice(&["light", "dark", "system"])),
    ("locale", Rule::Text { min: 2, max: 10 }),
    ("message_display_compact", Rule::Flag),
    ("inline_embed_media", Rule::Flag),
    ("show_current_game", Rule::Flag),
    (
        "status",
        Rule::Choice(&["online", "idle", "dnd", "invisible"]),
    ),
    ("custom_status", Rule::CustomStatus),
    ("developer_mode", Rule::Flag),
    (
        "timezone_offset",
        Rule::Integer {
            min: -720,
            max: 840,
        },
    ),
];

/// The longest custom status text, and emoji name, in characters.
const STATUS_TEXT_MAX: usize = 128;
const EMOJI_NAME_MAX: usize = 32;

/// A checked change: the version the client read, and the settings to set (a `null` value
/// removes the setting).
#[derive(Debug)]
pub(super) struct Patch {
    /// The version named.
    pub version: i64,
    /// Each setting changed, with its new value or `null`.
    pub changes: Map<String, Value>,
}

/// Reads and checks a PATCH body (see the module documentation); 50035 naming every bad key.
pub(super) fn read_patch(mut body: Map<String, Value>) -> ApiResult<Patch> {
    if compact_len(&body) > MAX_DOCUMENT_BYTES {
        return Err(too_large());
    }
    let mut errs = FormErrors::new();
    let version = body.remove("version");
    let version = read_version(version.as_ref(), &mut errs);
    for (key, value) in &body {
        match SETTINGS.iter().find(|(name, _)| name == key) {
            None => errs.add(key, unknown()),
            Some(_) if value.is_null() => {}
            Some((_, rule)) => check(*rule, key, value, &mut errs),
        }
    }
    errs.into_result()?;
    Ok(Patch {
        version: version.unwrap_or_default(),
        changes: body,
    })
}

/// `current` with the changes of `patch` merged in (shallowly: a setting is replaced whole, or
/// removed by `null`); 50035 when the result would exceed [`MAX_DOCUMENT_BYTES`].
pub(super) fn apply(current: &SettingsDocument, patch: &Patch) -> ApiResult<SettingsDocument> {
    let mut document = match serde_json::to_value(current) {
        Ok(Value::Object(map)) => map,
        other => return Err(ApiError::Internal(format!("settings as JSON: {other:?}"))),
    };
    for (key, value) in &patch.changes {
        if value.is_null() {
            document.remove(key);
        } else {
            document.insert(key.clone(), value.clone());
        }
    }
    if compact_len(&document) > MAX_DOCUMENT_BYTES {
        return Err(too_large());
    }
    // The rules were checked: the merged document reads as the typed one.
    serde_json::from_value(Value::Object(document))
        .map_err(|e| ApiError::Internal(format!("checked settings do not read back: {e}")))
}

fn compact_len(map: &Map<String, Value>) -> usize {
    serde_json::to_vec(map).map_or(usize::MAX, |bytes| bytes.len())
}

fn too_large() -> ApiError {
    ApiError::InvalidForm(FormErrors::at(
        "",
        FieldError::new(
            "BASE_TYPE_MAX_LENGTH",
            format!("Settings must be {MAX_DOCUMENT_BYTES} bytes or fewer as JSON."),
        ),
    ))
}

fn unknown() -> FieldError {
    FieldError::new("UNKNOWN_FIELD", "Not a setting hearth knows.")
}

/// `version`: required, an integer of 0 or more.
fn read_version(value: Option<&Value>, errs: &mut FormErrors) -> Option<i64> {
    let error = match value {
        None | Some(Value::Null) => FieldError::required(),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 0 => return Some(n),
            Some(_) => FieldError::new("NUMBER_TYPE_MIN", "Must be 0 or more."),
            None => not_an_integer(v),
        },
    };
    errs.add("version", error);
    None
}

/// Checks one value (not `null`) against its rule, noting what is wrong at `path`.
fn check(rule: Rule, path: &str, value: &Value, errs: &mut FormErrors) {
    let error = match rule {
        Rule::Flag if value.is_boolean() => return,
        Rule::Flag => FieldError::new("BASE_TYPE_BOOLEAN", "Must be either true or false."),
        Rule::Choice(choices) => match value.as_str() {
            Some(s) if choices.contains(&s) => return,
            _ => FieldError::new(
                "BASE_TYPE_CHOICES",
                format!("Value must be one of {choices:?}."),
            ),
        },
        Rule::Text { min, max } => match value.as_str().map(|s| s.chars().count()) {
            Some(n) if (min..=max).contains(&n) => return,
            Some(_) if min == 0 => FieldError::max_length(max),
            Some(_) => FieldError::bad_length(min, max),
            None => not_a_string(),
        },
        Rule::Integer { min, max } => match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => return,
            Some(n) => FieldError::new(
                if n < min {
                    "NUMBER_TYPE_MIN"
                } else {
                    "NUMBER_TYPE_MAX"
                },
                format!("Must be between {min} and {max}."),
            ),
            None => not_an_integer(value),
        },
        Rule::CustomStatus => match value.as_object() {
            Some(status) => return check_custom_status(path, status, errs),
            None => FieldError::new("MODEL_TYPE_CONVERT", "Only dictionaries may be used here."),
        },
    };
    errs.add(path, error);
}

/// `custom_status`: `text` (required, at most 128 characters), `emoji_name` (null or 1 to 32
/// characters), `expires_at` (null or an ISO 8601 instant), nothing else.
fn check_custom_status(path: &str, status: &Map<String, Value>, errs: &mut FormErrors) {
    let at = |key: &str| format!("{path}.{key}");
    match status.get("text") {
        None | Some(Value::Null) => errs.add(&at("text"), FieldError::required()),
        Some(text) => check(
            Rule::Text {
                min: 0,
                max: STATUS_TEXT_MAX,
            },
            &at("text"),
            text,
            errs,
        ),
    }
    match status.get("emoji_name") {
        None | Some(Value::Null) => {}
        Some(name) => check(
            Rule::Text {
                min: 1,
                max: EMOJI_NAME_MAX,
            },
            &at("emoji_name"),
            name,
            errs,
        ),
    }
    match status.get("expires_at") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if Timestamp::parse_iso(s).is_some() => {}
        Some(_) => errs.add(
            &at("expires_at"),
            FieldError::new("DATE_TIME_TYPE_PARSE", "Not an ISO 8601 timestamp."),
        ),
    }
    for key in status.keys() {
        if !["text", "emoji_name", "expires_at"].contains(&key.as_str()) {
            errs.add(&at(key), unknown());
        }
    }
}

fn not_a_string() -> FieldError {
    FieldError::new("BASE_TYPE_STRING", "Must be a string.")
}

fn not_an_integer(value: &Value) -> FieldError {
    FieldError::new(
        "NUMBER_TYPE_COERCE",
        format!("Value \"{value}\" is not int."),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A value each setting accepts.
    fn sample(rule: Rule) -> Value {
        match rule {
            Rule::Flag => json!(true),
            Rule::Choice(choices) => json!(choices[choices.len() - 1]),
            Rule::Text { max, .. } => json!("x".repeat(max)),
            Rule::Integer { min, .. } => json!(min),
            Rule::CustomStatus => json!({"text": "away", "emoji_name": "☕",
                                         "expires_at": "2030-01-01T00:00:00Z"}),
        }
    }

    fn body(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("not an object"),
        }
    }

    /// The first error code at `path` of a refused body.
    fn code_at(refused: ApiResult<Patch>, path: &str) -> String {
        let Err(ApiError::InvalidForm(errors)) = refused else {
            panic!("expected 50035, got {refused:?}");
        };
        let errors = errors.to_json();
        let mut node = &errors;
        for part in path.split('.').filter(|p| !p.is_empty()) {
            node = &node[part];
        }
        node["_errors"][0]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("nothing at {path}: {errors}"))
            .to_owned()
    }

    #[test]
    fn the_rules_name_exactly_the_settings_of_the_document_and_agree_with_its_types() {
        // Every setting set, through the rules, reads as the typed document...
        let mut all = Map::new();
        for (key, rule) in SETTINGS {
            all.insert(key.to_owned(), sample(rule));
        }
        let mut with_version = all.clone();
        with_version.insert("version".into(), json!(0));
        let patch = read_patch(with_version).expect("every sample is accepted");
        let document = apply(&SettingsDocument::default(), &patch).expect("reads back");
        // ... and sets every key of it, no more.
        let keys: Vec<String> = body(serde_json::to_value(&document).unwrap())
            .keys()
            .cloned()
            .collect();
        let mut names: Vec<String> = SETTINGS.iter().map(|(k, _)| (*k).to_owned()).collect();
        names.sort();
        assert_eq!(keys, names);
    }

    #[test]
    fn null_removes_a_setting_and_other_settings_stay() {
        let current = SettingsDocument {
            locale: Some("fr".into()),
            developer_mode: Some(true),
            ..SettingsDocument::default()
        };
        let patch =
            read_patch(body(json!({"version": 3, "locale": null, "theme": "dark"}))).unwrap();

        let next = apply(&current, &patch).unwrap();

        assert_eq!(patch.version, 3);
        assert_eq!(
            serde_json::to_value(&next).unwrap(),
            json!({"theme": "dark", "developer_mode": true})
        );
    }

    #[test]
    fn every_bad_key_is_named_with_its_rule() {
        let refused = || {
            read_patch(body(json!({
                "version": 1, "theme": "blue", "locale": "x", "developer_mode": "yes",
                "timezone_offset": 841, "status": 1, "colour": "red",
                "custom_status": {"emoji_name": "", "expires_at": "soon", "extra": 1}
            })))
        };
        for (path, code) in [
            ("theme", "BASE_TYPE_CHOICES"),
            ("locale", "BASE_TYPE_BAD_LENGTH"),
            ("developer_mode", "BASE_TYPE_BOOLEAN"),
            ("timezone_offset", "NUMBER_TYPE_MAX"),
            ("status", "BASE_TYPE_CHOICES"),
            ("colour", "UNKNOWN_FIELD"),
            ("custom_status.text", "BASE_TYPE_REQUIRED"),
            ("custom_status.emoji_name", "BASE_TYPE_BAD_LENGTH"),
            ("custom_status.expires_at", "DATE_TIME_TYPE_PARSE"),
            ("custom_status.extra", "UNKNOWN_FIELD"),
        ] {
            assert_eq!(code_at(refused(), path), code, "{path}");
        }
        let refused = read_patch(body(json!({"version": 1, "timezone_offset": -721})));
        assert_eq!(code_at(refused, "timezone_offset"), "NUMBER_TYPE_MIN");
        let refused = read_patch(body(json!({"version": 1, "custom_status": "away"})));
        assert_eq!(code_at(refused, "custom_status"), "MODEL_TYPE_CONVERT");
    }

    #[test]
    fn the_version_is_required_and_a_whole_number() {
        for (version, code) in [
            (None, "BASE_TYPE_REQUIRED"),
            (Some(json!(null)), "BASE_TYPE_REQUIRED"),
            (Some(json!("1")), "NUMBER_TYPE_COERCE"),
            (Some(json!(1.5)), "NUMBER_TYPE_COERCE"),
            (Some(json!(-1)), "NUMBER_TYPE_MIN"),
        ] {
            let mut patch = body(json!({"theme": "dark"}));
            if let Some(v) = version.clone() {
                patch.insert("version".into(), v);
            }
            assert_eq!(code_at(read_patch(patch), "version"), code, "{version:?}");
        }
    }

    #[test]
    fn more_than_16_kib_is_refused_as_a_whole() {
        let big = "x".repeat(MAX_DOCUMENT_BYTES);

        let refused = read_patch(body(json!({"version": 0, "locale": big})));

        assert_eq!(code_at(refused, ""), "BASE_TYPE_MAX_LENGTH");
    }
}
