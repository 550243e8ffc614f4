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
    /// What a guest is given in the channel of the guest invite they joined by (their own
    /// overwrite allows it): view, read the history, write, react, embed links and attach files.
    pub const GUEST: Permissions = Permissions(
        Self::VIEW_CHANNEL.0
            | Self::READ_MESSAGE_HISTORY.0
            | Self::SEND_MESSAGES.0
            | Self::ADD_REACTIONS.0
            | Self::EMBED_LINKS.0
            | Self::ATTACH_FILES.0,
    );
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

pub use crate::kinds::OverwriteKind;

/// A channel's permission overwrite for a role or a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    /// The role or user.
    pub id: crate::Snowflake,
    /// Role or member.
    pub kind: OverwriteKind,
    /// Bits granted.
    pub allow: Permissions,
    /// Bits taken away.
    pub deny: Permissions,
}

/// What the permission function needs to know about a member.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// The guild (also the id of its @everyone role).
    pub guild_id: crate::GuildId,
    /// The member's user id.
    pub user_id: crate::UserId,
    /// Whether the member owns the guild.
    pub is_owner: bool,
    /// The bits of @everyone.
    pub everyone: Permissions,
    /// The member's roles (not @everyone) with their bits.
    pub roles: &'a [(crate::RoleId, Permissions)],
    /// Whether the member is timed out now (`communication_disabled_until` in the future).
    pub timed_out: bool,
    /// Whether the member is a guest: then neither @everyone's bits nor @everyone's channel
    /// overwrites count for them, only their roles and their own overwrites.
    pub guest: bool,
}

impl Member<'_> {
    /// The @everyone bits that count for this member (none for a guest).
    fn everyone_bits(&self) -> Permissions {
        if self.guest {
            Permissions::NONE
        } else {
            self.everyone
        }
    }
}

/// What a timed-out member keeps.
const TIMED_OUT_KEEPS: Permissions =
    Permissions(Permissions::VIEW_CHANNEL.0 | Permissions::READ_MESSAGE_HISTORY.0);

/// What is lost with SEND_MESSAGES.
const NEEDS_SEND: Permissions = Permissions(
    Permissions::MENTION_EVERYONE.0
        | Permissions::SEND_TTS_MESSAGES.0
        | Permissions::ATTACH_FILES.0
        | Permissions::EMBED_LINKS.0,
);

/// A member's permissions in the guild as a whole (no channel): the owner and ADMINISTRATOR hold
/// everything; otherwise @everyone (not for a guest) and the member's roles, and a timed-out
/// member keeps only VIEW_CHANNEL and READ_MESSAGE_HISTORY.
pub fn base_permissions(m: &Member<'_>) -> Permissions {
    let p = guild_permissions(
        m.is_owner,
        m.everyone_bits(),
        m.roles.iter().map(|(_, p)| *p),
    );
    if m.timed_out && p != Permissions::ALL {
        p & TIMED_OUT_KEEPS
    } else {
        p
    }
}

/// A member's permissions in a channel, as Discord computes them: the base permissions; then
/// the @everyone overwrite; then the union of the member's role overwrites (deny before allow);
/// then the member's own overwrite. The owner and ADMINISTRATOR are not affected by overwrites.
/// Without VIEW_CHANNEL nothing else holds in the channel; without SEND_MESSAGES, neither do
/// MENTION_EVERYONE, SEND_TTS_MESSAGES, ATTACH_FILES and EMBED_LINKS; a timed-out member keeps
/// only VIEW_CHANNEL and READ_MESSAGE_HISTORY. A guest starts from their roles alone and skips
/// the @everyone overwrite: they see the channels their roles or their own overwrites open.
pub fn channel_permissions(m: &Member<'_>, overwrites: &[Overwrite]) -> Permissions {
    let base = guild_permissions(
        m.is_owner,
        m.everyone_bits(),
        m.roles.iter().map(|(_, p)| *p),
    );
    if base == Permissions::ALL {
        return Permissions::ALL;
    }
    let mut p = base.0;
    let apply = |p: &mut u64, allow: u64, deny: u64| {
        *p &= !deny;
        *p |= allow;
    };
    let find = |kind: OverwriteKind, id: crate::Snowflake| {
        overwrites.iter().find(|o| o.kind == kind && o.id == id)
    };
    if let Some(o) = find(OverwriteKind::Role, m.guild_id.snowflake()).filter(|_| !m.guest) {
        apply(&mut p, o.allow.0, o.deny.0);
    }
    let (mut allow, mut deny) = (0, 0);
    for (role, _) in m.roles {
        if let Some(o) = find(OverwriteKind::Role, role.snowflake()) {
            allow |= o.allow.0;
            deny |= o.deny.0;
        }
    }
    apply(&mut p, allow, deny);
    if let Some(o) = find(OverwriteKind::Member, m.user_id.snowflake()) {
        apply(&mut p, o.allow.0, o.deny.0);
    }
    let mut p = Permissions(p).truncate();
    if !p.contains(Permissions::VIEW_CHANNEL) {
        return Permissions::NONE;
    }
    if !p.contains(Permissions::SEND_MESSAGES) {
        p = p & !NEEDS_SEND;
    }
    if m.timed_out {
        p = p & TIMED_OUT_KEEPS;
    }
    p
}

/// A member's permissions in a thread, from theirs in its parent channel (a thread has no
/// overwrites of its own): the same, except that posting in a thread takes
/// SEND_MESSAGES_IN_THREADS, so SEND_MESSAGES holds there exactly when that does (a check of
/// SEND_MESSAGES then reads right in threads and elsewhere alike).
pub fn thread_permissions(parent: Permissions) -> Permissions {
    if parent.contains(Permissions::SEND_MESSAGES_IN_THREADS) {
        parent | Permissions::SEND_MESSAGES
    } else {
        parent & !Permissions::SEND_MESSAGES
    }
}

/// Where a member stands in the role hierarchy: the owner above everyone, otherwise the
/// position of their highest role (0 with none: @everyone's level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// A member's highest role position.
    Position(i64),
    /// The guild's owner.
    Owner,
}

impl Rank {
    /// The rank of a member from ownership and the positions of their roles.
    pub fn of(is_owner: bool, role_positions: impl IntoIterator<Item = i64>) -> Rank {
        if is_owner {
            Rank::Owner
        } else {
            Rank::Position(role_positions.into_iter().max().unwrap_or(0))
        }
    }

    /// Whether a member of this rank may manage (edit, assign, delete) a role at `position`:
    /// only roles strictly below their highest role; the owner manages all.
    pub fn manages_role(self, position: i64) -> bool {
        match self {
            Rank::Owner => true,
            Rank::Position(p) => position < p,
        }
    }

    /// Whether a member of this rank may act on (kick, ban, time out, rename, change roles of)
    /// a member of rank `target`: only members strictly below them; nobody acts on the owner.
    pub fn manages_member(self, target: Rank) -> bool {
        target != Rank::Owner && target < self
    }
}

#[cfg(test)]
mod tests;
