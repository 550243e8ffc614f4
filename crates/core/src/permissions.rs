//! Permission bits (Discord's numbering) and the computation of a member's guild permissions.
//!
//! The computation is pure: callers pass in what they loaded (owner, role bits) and get bits back.

use std::fmt;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not};

use serde::{Deserialize, Serialize};

/// A set of permission bits. Serialized as a decimal string, as Discord does.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(pub u64);

macro_rules! bits {
    ($($name:ident = $bit:expr;)*) => {
        impl Permissions {
            $(
                #[doc = concat!("Bit ", stringify!($bit), ".")]
                pub const $name: Permissions = Permissions(1 << $bit);
            )*
        }
    };
}

bits! {
    CREATE_INSTANT_INVITE = 0;
    KICK_MEMBERS = 1;
    BAN_MEMBERS = 2;
    ADMINISTRATOR = 3;
    MANAGE_CHANNELS = 4;
    MANAGE_GUILD = 5;
    ADD_REACTIONS = 6;
    VIEW_AUDIT_LOG = 7;
    PRIORITY_SPEAKER = 8;
    STREAM = 9;
    VIEW_CHANNEL = 10;
    SEND_MESSAGES = 11;
    SEND_TTS_MESSAGES = 12;
    MANAGE_MESSAGES = 13;
    EMBED_LINKS = 14;
    ATTACH_FILES = 15;
    READ_MESSAGE_HISTORY = 16;
    MENTION_EVERYONE = 17;
    USE_EXTERNAL_EMOJIS = 18;
    VIEW_GUILD_INSIGHTS = 19;
    CONNECT = 20;
    SPEAK = 21;
    MUTE_MEMBERS = 22;
    DEAFEN_MEMBERS = 23;
    MOVE_MEMBERS = 24;
    USE_VAD = 25;
    CHANGE_NICKNAME = 26;
    MANAGE_NICKNAMES = 27;
    MANAGE_ROLES = 28;
    MANAGE_WEBHOOKS = 29;
    MANAGE_GUILD_EXPRESSIONS = 30;
    USE_APPLICATION_COMMANDS = 31;
    REQUEST_TO_SPEAK = 32;
    MANAGE_EVENTS = 33;
    MANAGE_THREADS = 34;
    CREATE_PUBLIC_THREADS = 35;
    CREATE_PRIVATE_THREADS = 36;
    USE_EXTERNAL_STICKERS = 37;
    SEND_MESSAGES_IN_THREADS = 38;
    USE_EMBEDDED_ACTIVITIES = 39;
    MODERATE_MEMBERS = 40;
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 41;
    USE_SOUNDBOARD = 42;
    CREATE_GUILD_EXPRESSIONS = 43;
    CREATE_EVENTS = 44;
    USE_EXTERNAL_SOUNDS = 45;
    SEND_VOICE_MESSAGES = 46;
    SET_VOICE_CHANNEL_STATUS = 48;
    SEND_POLLS = 49;
    USE_EXTERNAL_APPS = 50;
    PIN_MESSAGES = 51;
    BYPASS_SLOWMODE = 52;
}

impl Permissions {
    /// No permission.
    pub const NONE: Permissions = Permissions(0);
    /// Every defined bit: 2^53 - 1 without the unassigned bit 47.
    pub const ALL: Permissions = Permissions(((1u64 << 53) - 1) & !(1u64 << 47));
    /// What a new guild's @everyone role holds (Discord's default for new guilds).
    pub const DEFAULT_EVERYONE: Permissions = Permissions(104_324_673);

    /// Whether every bit of `other` is set here.
    pub fn contains(self, other: Permissions) -> bool {
        self.0 & other.0 == other.0
    }

    /// These bits with the undefined ones cleared.
    pub fn truncate(self) -> Permissions {
        Permissions(self.0 & Self::ALL.0)
    }

    /// Whether a value sets only defined bits.
    pub fn is_valid(bits: u64) -> bool {
        bits & !Self::ALL.0 == 0
    }
}

impl BitOr for Permissions {
    type Output = Permissions;
    fn bitor(self, rhs: Self) -> Self {
        Permissions(self.0 | rhs.0)
    }
}

impl BitOrAssign for Permissions {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Permissions {
    type Output = Permissions;
    fn bitand(self, rhs: Self) -> Self {
        Permissions(self.0 & rhs.0)
    }
}

impl Not for Permissions {
    type Output = Permissions;
    fn not(self) -> Self {
        Permissions(!self.0 & Self::ALL.0)
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Permissions({})", self.0)
    }
}

impl Serialize for Permissions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Clients send a decimal string; older ones a number. Both are accepted.
        let v = crate::Snowflake::deserialize(d)?;
        Ok(Permissions(v.0))
    }
}

/// A member's permissions in a guild, before channel overwrites.
///
/// The owner holds everything; otherwise the union of @everyone and the member's roles, and
/// ADMINISTRATOR in that union grants everything.
pub fn guild_permissions(
    is_owner: bool,
    everyone: Permissions,
    member_roles: impl IntoIterator<Item = Permissions>,
) -> Permissions {
    if is_owner {
        return Permissions::ALL;
    }
    let mut p = everyone;
    for r in member_roles {
        p |= r;
    }
    if p.contains(Permissions::ADMINISTRATOR) {
        Permissions::ALL
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_every_defined_bit() {
        assert_eq!(Permissions::ALL.0, (1u64 << 53) - 1 - (1u64 << 47));
        assert!(Permissions::ALL.contains(Permissions::BYPASS_SLOWMODE));
        assert!(!Permissions::is_valid(1 << 47));
        assert!(!Permissions::is_valid(1 << 60));
    }

    #[test]
    fn default_everyone_matches_discord() {
        let p = Permissions::DEFAULT_EVERYONE;
        for bit in [
            Permissions::CREATE_INSTANT_INVITE,
            Permissions::VIEW_CHANNEL,
            Permissions::SEND_MESSAGES,
            Permissions::READ_MESSAGE_HISTORY,
        ] {
            assert!(p.contains(bit));
        }
        assert!(!p.contains(Permissions::MANAGE_CHANNELS));
        assert!(!p.contains(Permissions::MANAGE_MESSAGES));
    }

    #[test]
    fn owner_and_administrator_hold_everything() {
        assert_eq!(
            guild_permissions(true, Permissions::NONE, []),
            Permissions::ALL
        );
        assert_eq!(
            guild_permissions(false, Permissions::NONE, [Permissions::ADMINISTRATOR]),
            Permissions::ALL
        );
        assert_eq!(
            guild_permissions(
                false,
                Permissions::VIEW_CHANNEL,
                [Permissions::KICK_MEMBERS]
            ),
            Permissions::VIEW_CHANNEL | Permissions::KICK_MEMBERS
        );
    }

    #[test]
    fn serializes_as_a_decimal_string() {
        assert_eq!(serde_json::to_string(&Permissions(8)).unwrap(), "\"8\"");
        let p: Permissions = serde_json::from_str("\"104324673\"").unwrap();
        assert_eq!(p, Permissions::DEFAULT_EVERYONE);
    }
}
