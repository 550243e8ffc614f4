//! Validated names and free-text fields, with the Discord-shaped error code each rule yields.

/// Why a field was refused: a Discord error code (`BASE_TYPE_BAD_LENGTH`, ...) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Machine-readable code, as Discord spells them.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            code,
            message: message.into(),
        }
    }

    /// The length rule: `Must be between {min} and {max} in length.`
    pub fn bad_length(min: usize, max: usize) -> Self {
        FieldError::new(
            "BASE_TYPE_BAD_LENGTH",
            format!("Must be between {min} and {max} in length."),
        )
    }

    /// The maximum-length rule.
    pub fn max_length(max: usize) -> Self {
        FieldError::new(
            "BASE_TYPE_MAX_LENGTH",
            format!("Must be {max} or fewer in length."),
        )
    }

    /// The field is absent or null where a value is needed.
    pub fn required() -> Self {
        FieldError::new("BASE_TYPE_REQUIRED", "This field is required")
    }

    /// Text holding U+0000, which hearth refuses everywhere (PostgreSQL cannot store it).
    pub fn nul_character() -> Self {
        FieldError::new(
            "STRING_CONTAINS_NUL",
            "Text must not contain the NUL character (U+0000).",
        )
    }
}

fn check_length(s: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let n = s.chars().count();
    if n < min || n > max {
        return Err(FieldError::bad_length(min, max));
    }
    Ok(())
}

/// A person's login name: 2 to 32 characters of ASCII letters, digits, `_` and `.`, without two
/// periods in a row. Unique without regard to case, so `Alice` and `alice` are one name.
pub fn validate_username(name: &str) -> Result<(), FieldError> {
    check_length(name, 2, 32)?;
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return Err(FieldError::new(
            "USERNAME_INVALID_CHARACTERS",
            "Username can only contain letters, numbers, underscores _ and periods .",
        ));
    }
    if name.contains("..") {
        return Err(FieldError::new(
            "USERNAME_TOO_MANY_PERIODS",
            "Username cannot contain two periods in a row.",
        ));
    }
    Ok(())
}

/// The key usernames are unique by.
pub fn username_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// A bot's username, derived from its application's name: control characters are dropped and
/// the result is 2 to 32 characters long. Bot names are not unique (bots never log in by name).
pub fn bot_username(app_name: &str) -> String {
    let mut name: String = app_name
        .chars()
        .filter(|c| !c.is_control())
        .take(32)
        .collect::<String>()
        .trim()
        .to_owned();
    while name.chars().count() < 2 {
        name.push('_');
    }
    name
}

/// A display name: 1 to 32 characters after trimming.
pub fn validate_global_name(name: &str) -> Result<(), FieldError> {
    check_length(name.trim(), 1, 32)
}

/// An application's name: 2 to 32 characters after trimming.
pub fn validate_application_name(name: &str) -> Result<(), FieldError> {
    check_length(name.trim(), 2, 32)
}

/// A password: 8 to 128 characters.
pub fn validate_password(password: &str) -> Result<(), FieldError> {
    check_length(password, 8, 128)
}

/// An e-mail address, checked only for shape: something@something, at most 254 characters.
pub fn validate_email(email: &str) -> Result<(), FieldError> {
    let ok = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && matches!(email.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@'));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "EMAIL_TYPE_INVALID_EMAIL",
            "Not a well formed email address.",
        ))
    }
}

/// A guild's name: 2 to 100 characters after trimming.
pub fn validate_guild_name(name: &str) -> Result<(), FieldError> {
    check_length(name.trim(), 2, 100)
}

/// A channel's name: 1 to 100 characters after trimming.
pub fn validate_channel_name(name: &str) -> Result<(), FieldError> {
    check_length(name.trim(), 1, 100)
}

/// Text channel names are lowercase with dashes for spaces, as Discord stores them.
pub fn normalize_text_channel_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

/// A channel topic: at most 1024 characters.
pub fn validate_topic(topic: &str) -> Result<(), FieldError> {
    if topic.chars().count() > 1024 {
        return Err(FieldError::max_length(1024));
    }
    Ok(())
}

/// Message content: at most 2000 characters.
pub fn validate_content(content: &str) -> Result<(), FieldError> {
    if content.chars().count() > 2000 {
        return Err(FieldError::max_length(2000));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules() {
        for ok in [
            "al",
            "alice",
            "Alice_99",
            "a.b.c",
            "x_______________________________",
        ] {
            assert_eq!(validate_username(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            validate_username("a").unwrap_err().code,
            "BASE_TYPE_BAD_LENGTH"
        );
        assert_eq!(
            validate_username(&"a".repeat(33)).unwrap_err().code,
            "BASE_TYPE_BAD_LENGTH"
        );
        assert_eq!(
            validate_username("al ice").unwrap_err().code,
            "USERNAME_INVALID_CHARACTERS"
        );
        assert_eq!(
            validate_username("élise").unwrap_err().code,
            "USERNAME_INVALID_CHARACTERS"
        );
        assert_eq!(
            validate_username("a..b").unwrap_err().code,
            "USERNAME_TOO_MANY_PERIODS"
        );
        assert_eq!(username_key("AlIcE"), "alice");
    }

    #[test]
    fn bot_usernames_are_always_long_enough() {
        assert_eq!(bot_username("My Bot"), "My Bot");
        assert_eq!(bot_username("x"), "x_");
        assert_eq!(bot_username(&"b".repeat(40)).len(), 32);
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(validate_email("a@b.co").is_ok());
        for bad in ["", "a", "a@", "@b.co", "a@b", "a b@c.d", "a@b@c.d", "a@.b"] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_channel_names_are_normalized() {
        assert_eq!(
            normalize_text_channel_name("  Hello   World "),
            "hello-world"
        );
    }

    #[test]
    fn content_is_limited_by_characters_not_bytes() {
        assert!(validate_content(&"é".repeat(2000)).is_ok());
        assert!(validate_content(&"a".repeat(2001)).is_err());
    }
}
