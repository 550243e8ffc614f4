//! Mentions in a message's content (`<@id>`, `<@!id>`, `<@&id>`, `@everyone`, `@here`), kept as
//! far as `allowed_mentions` and the author's permissions allow: worked out once when a message
//! is posted or edited and stored with it.

use hearth_core::names::FieldError;
use hearth_core::{GuildId, Permissions, RoleId, Snowflake, UserId};
use hearth_protocol::requests::AllowedMentions;
use hearth_store as db;

use crate::error::FormErrors;
use crate::{ApiResult, AppState};

/// At most this many users or roles in an `allowed_mentions` list.
const MAX_LISTED: usize = 100;

/// What a content mentions, before any filtering, in order of first appearance.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    /// `<@id>` and `<@!id>`.
    pub users: Vec<Snowflake>,
    /// `<@&id>`.
    pub roles: Vec<Snowflake>,
    /// `@everyone` or `@here`.
    pub everyone: bool,
}

/// Finds the mentions written in `content`.
pub fn scan(content: &str) -> Found {
    let mut found = Found::default();
    let mut rest = content;
    while let Some(i) = rest.find("<@") {
        rest = &rest[i + 2..];
        let (role, body) = match rest.as_bytes().first() {
            Some(b'&') => (true, &rest[1..]),
            Some(b'!') => (false, &rest[1..]),
            _ => (false, rest),
        };
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || body.as_bytes().get(digits) != Some(&b'>') {
            continue;
        }
        let Ok(id) = body[..digits].parse::<Snowflake>() else {
            continue;
        };
        let list = if role {
            &mut found.roles
        } else {
            &mut found.users
        };
        if !list.contains(&id) {
            list.push(id);
        }
    }
    found.everyone = content.contains("@everyone") || content.contains("@here");
    found
}

/// Which ids of a kind may be mentioned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// Every one written in the content.
    All,
    /// Only these.
    Only(Vec<Snowflake>),
}

impl Pick {
    fn allows(&self, id: Snowflake) -> bool {
        match self {
            Pick::All => true,
            Pick::Only(ids) => ids.contains(&id),
        }
    }
}

/// `allowed_mentions`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// Users.
    pub users: Pick,
    /// Roles.
    pub roles: Pick,
    /// `@everyone` and `@here`.
    pub everyone: bool,
    /// The author of the replied-to message.
    pub replied_user: bool,
}

impl Allowed {
    /// Without `allowed_mentions`: everything written, and the replied-to author.
    pub const EVERYTHING: Allowed = Allowed {
        users: Pick::All,
        roles: Pick::All,
        everyone: true,
        replied_user: true,
    };
}

/// Checks `allowed_mentions` (400 50035 naming each bad field).
pub fn check(errs: &mut FormErrors, allowed: Option<AllowedMentions>) -> Allowed {
    let Some(a) = allowed else {
        return Allowed::EVERYTHING;
    };
    let parse = a.parse.unwrap_or_default();
    for (i, kind) in parse.iter().enumerate() {
        if !matches!(kind.as_str(), "users" | "roles" | "everyone") {
            errs.add(
                &format!("allowed_mentions.parse.{i}"),
                FieldError::new(
                    "BASE_TYPE_CHOICES",
                    "Value must be one of ('everyone', 'roles', 'users').",
                ),
            );
        }
    }
    let users: Vec<Snowflake> = a
        .users
        .unwrap_or_default()
        .iter()
        .map(|u| u.snowflake())
        .collect();
    let roles: Vec<Snowflake> = a
        .roles
        .unwrap_or_default()
        .iter()
        .map(|r| r.snowflake())
        .collect();
    let users = pick(errs, &parse, "users", users);
    let roles = pick(errs, &parse, "roles", roles);
    Allowed {
        users,
        roles,
        everyone: parse.iter().any(|k| k == "everyone"),
        replied_user: a.replied_user.unwrap_or(false),
    }
}

/// One kind of `allowed_mentions`: parsed from the content, or the listed ids.
fn pick(errs: &mut FormErrors, parse: &[String], kind: &str, listed: Vec<Snowflake>) -> Pick {
    if listed.len() > MAX_LISTED {
        errs.add(
            &format!("allowed_mentions.{kind}"),
            FieldError::new("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length."),
        );
    }
    if !parse.iter().any(|k| k == kind) {
        return Pick::Only(listed);
    }
    if !listed.is_empty() {
        errs.add(
            "allowed_mentions",
            FieldError::new(
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                format!("parse:[\"{kind}\"] and {kind}: [ids] are mutually exclusive."),
            ),
        );
    }
    Pick::All
}

/// What a message mentions, as stored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Mentions {
    /// Users.
    pub users: Vec<UserId>,
    /// Roles.
    pub roles: Vec<RoleId>,
    /// `@everyone` or `@here`.
    pub everyone: bool,
}

impl Mentions {
    /// Writes them into a stored message.
    pub fn store_in(&self, m: &mut db::Message) {
        m.mention_user_ids = db::id_text(&self.users);
        m.mention_role_ids = db::id_text(&self.roles);
        m.mention_everyone = self.everyone;
    }
}

/// The mentions of `content` that count: users as allowed (and the replied-to author when
/// allowed); roles of the guild as allowed that are mentionable or the author holds
/// MENTION_EVERYONE; @everyone/@here as allowed with MENTION_EVERYONE. Roles are read only when
/// the content names one.
pub async fn resolve(
    state: &AppState,
    guild_id: Option<GuildId>,
    perms: Permissions,
    content: &str,
    allowed: &Allowed,
    replied_author: Option<UserId>,
) -> ApiResult<Mentions> {
    let found = scan(content);
    let mut users: Vec<UserId> = found
        .users
        .iter()
        .filter(|id| allowed.users.allows(**id))
        .map(|id| UserId::from(*id))
        .collect();
    if let Some(author) = replied_author.filter(|_| allowed.replied_user) {
        if !users.contains(&author) {
            users.push(author);
        }
    }
    let may_ping_all = perms.contains(Permissions::MENTION_EVERYONE);
    let wanted: Vec<Snowflake> = found
        .roles
        .iter()
        .copied()
        .filter(|id| allowed.roles.allows(*id))
        .collect();
    let mut roles = Vec::new();
    if let (Some(guild_id), false) = (guild_id, wanted.is_empty()) {
        let guild_roles = state.store.fetch_roles(guild_id).await?;
        for id in wanted {
            let ok = guild_roles.iter().any(|r| {
                r.id.snowflake() == id
                    && r.id != guild_id.everyone()
                    && (r.mentionable || may_ping_all)
            });
            if ok {
                roles.push(RoleId::from(id));
            }
        }
    }
    Ok(Mentions {
        users,
        roles,
        everyone: found.everyone && allowed.everyone && may_ping_all,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_is_found_once_in_order() {
        let f = scan("hi <@12> and <@!34>, <@&56> <@12> <@x> <@&> <@78 @here");
        assert_eq!(f.users, vec![Snowflake(12), Snowflake(34)]);
        assert_eq!(f.roles, vec![Snowflake(56)]);
        assert!(f.everyone);
        assert_eq!(scan("plain").users, Vec::new());
        assert!(!scan("plain").everyone);
    }
}
