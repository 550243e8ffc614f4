//! User settings: hearth's extension of Discord's deprecated `/users/@me/settings`.
//!
//! A person's settings are one document of known keys ([`SettingsDocument`]: what they have
//! set; the stored form) with a version counting its writes. Clients read [`UserSettings`]:
//! every setting (the value set, or its default) and the version, as one flat object; they
//! change it with [`ModifyUserSettings`], naming the version they read. The rules of each key
//! (lengths, ranges) are checked by the API; docs/api.md has the table.

use hearth_core::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The colour scheme of the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// Whatever the device prefers (the default).
    #[default]
    System,
}

/// The status the user chose for their presence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusSetting {
    /// Online (the default).
    #[default]
    Online,
    /// Idle.
    Idle,
    /// Do not disturb.
    Dnd,
    /// Shown as offline.
    Invisible,
}

/// A custom status: a line of text, with an emoji and an end if the user gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomStatus {
    /// The text, at most 128 characters.
    #[schema(max_length = 128)]
    pub text: String,
    /// A Unicode emoji or an emoji's name, 1 to 32 characters.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 32)]
    pub emoji_name: Option<String>,
    /// When clients should stop showing it (ISO 8601).
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
}

/// The settings a user has set, each key present only when set: the stored document, and the
/// changes of a PATCH (where `null` removes a key, so that the setting is back at its default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SettingsDocument {
    /// `light`, `dark` or `system`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<Theme>,
    /// The client's language, as a tag such as `en-US`: 2 to 10 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 2, max_length = 10)]
    pub locale: Option<String>,
    /// Compact message display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_display_compact: Option<bool>,
    /// Show images and videos inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_embed_media: Option<bool>,
    /// Show the current activity to others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_current_game: Option<bool>,
    /// `online`, `idle`, `dnd` or `invisible`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusSetting>,
    /// A custom status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_status: Option<CustomStatus>,
    /// Show "Copy ID" and other developer tools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub developer_mode: Option<bool>,
    /// The user's offset from UTC in minutes, -720 to 840.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = -720, maximum = 840)]
    pub timezone_offset: Option<i32>,
}

/// `GET /users/@me/settings`, READY's `user_settings` (people) and USER_SETTINGS_UPDATE: every
/// setting, the value set or its default, with the version of the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserSettings {
    /// How many times the settings were written: 0 before the first change. A change names it.
    pub version: i64,
    /// Default `system`.
    pub theme: Theme,
    /// Default `en-US`.
    pub locale: String,
    /// Default false.
    pub message_display_compact: bool,
    /// Default true.
    pub inline_embed_media: bool,
    /// Default true.
    pub show_current_game: bool,
    /// Default `online`.
    pub status: StatusSetting,
    /// Default null.
    pub custom_status: Option<CustomStatus>,
    /// Default false.
    pub developer_mode: bool,
    /// Default 0.
    pub timezone_offset: i32,
}

impl UserSettings {
    /// The settings `document` sets, and the default of each other, at `version`.
    pub fn new(version: i64, document: &SettingsDocument) -> Self {
        let d = document.clone();
        UserSettings {
            version,
            theme: d.theme.unwrap_or_default(),
            locale: d.locale.unwrap_or_else(|| "en-US".to_owned()),
            message_display_compact: d.message_display_compact.unwrap_or(false),
            inline_embed_media: d.inline_embed_media.unwrap_or(true),
            show_current_game: d.show_current_game.unwrap_or(true),
            status: d.status.unwrap_or_default(),
            custom_status: d.custom_status,
            developer_mode: d.developer_mode.unwrap_or(false),
            timezone_offset: d.timezone_offset.unwrap_or(0),
        }
    }
}

/// `PATCH /users/@me/settings`: the version the client read, and the keys to change (`null`
/// removes one: the setting is back at its default). Keys left out stay as they are; keys that
/// are not settings are refused.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ModifyUserSettings {
    /// The `version` of the settings the client last read (0 when it read the defaults).
    #[schema(minimum = 0)]
    pub version: i64,
    /// The changes.
    #[serde(flatten)]
    pub changes: SettingsDocument,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn settings_not_set_are_answered_with_their_defaults() {
        let answered = serde_json::to_value(UserSettings::new(0, &SettingsDocument::default()));

        assert_eq!(
            answered.unwrap(),
            json!({"version": 0, "theme": "system", "locale": "en-US",
                   "message_display_compact": false, "inline_embed_media": true,
                   "show_current_game": true, "status": "online", "custom_status": null,
                   "developer_mode": false, "timezone_offset": 0})
        );
    }

    #[test]
    fn a_document_holds_only_the_keys_set_and_reads_back_unchanged() {
        let document = SettingsDocument {
            theme: Some(Theme::Dark),
            custom_status: Some(CustomStatus {
                text: "away".into(),
                emoji_name: None,
                expires_at: Some(Timestamp(1_735_732_800_000_000)),
            }),
            timezone_offset: Some(-300),
            ..SettingsDocument::default()
        };

        let text = serde_json::to_string(&document).unwrap();

        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            json!({"theme": "dark", "timezone_offset": -300,
                   "custom_status": {"text": "away", "emoji_name": null,
                                     "expires_at": "2025-01-01T12:00:00.000000+00:00"}})
        );
        assert_eq!(
            serde_json::from_str::<SettingsDocument>(&text).unwrap(),
            document
        );
        let answered = UserSettings::new(4, &document);
        assert_eq!(
            (answered.version, answered.theme, answered.status),
            (4, Theme::Dark, StatusSetting::Online)
        );
        assert_eq!(answered.custom_status, document.custom_status);
    }
}
