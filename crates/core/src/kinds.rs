//! The numbered kinds of the domain, with Discord's numbers: channel types, permission
//! overwrite types, message types, relationship types, and the statuses of directed invites
//! (hearth's own numbers).
//!
//! Each travels as its integer (serialized as one, read from one), and a number Discord has not
//! given a meaning is refused: by `TryFrom<i64>` (stored rows) and by deserialization (request
//! bodies, where the API answers it like any other malformed field).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A number that names no kind of its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{value} is not a known {what}.")]
pub struct UnknownKind {
    /// What the number was meant to be ("channel type", ...).
    pub what: &'static str,
    /// The number.
    pub value: i64,
}

/// Declares a kind: the enum with its numbers, `ALL`, conversions to and from `i64`, serde as
/// the integer, and its OpenAPI schema (an integer among the known numbers).
macro_rules! numbered {
    (
        $(#[$meta:meta])*
        pub enum $name:ident as $what:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every kind, in number order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Discord's number for this kind.
            pub const fn code(self) -> u8 {
                self as u8
            }
        }

        impl From<$name> for i64 {
            fn from(kind: $name) -> i64 {
                i64::from(kind.code())
            }
        }

        impl TryFrom<i64> for $name {
            type Error = UnknownKind;

            fn try_from(value: i64) -> Result<Self, UnknownKind> {
                match value {
                    $( $value => Ok($name::$variant), )*
                    _ => Err(UnknownKind { what: $what, value }),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u8(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = i64::deserialize(d)?;
                $name::try_from(value).map_err(D::Error::custom)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .description(Some(concat!("A ", $what, ", as Discord numbers it.")))
                    .enum_values(Some($name::ALL.iter().map(|k| k.code())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    };
}

numbered! {
    /// What a channel is (`type` of a channel object).
    pub enum ChannelKind as "channel type" {
        /// A text channel of a guild.
        GuildText = 0,
        /// A direct message between two users.
        Dm = 1,
        /// A voice channel of a guild.
        GuildVoice = 2,
        /// A direct message between several users.
        GroupDm = 3,
        /// A category holding up to 50 channels.
        GuildCategory = 4,
        /// A channel others can follow (crosspost into their own guilds).
        GuildAnnouncement = 5,
        /// A thread in an announcement channel.
        AnnouncementThread = 10,
        /// A thread in a text or forum channel, visible to everyone who sees its parent.
        PublicThread = 11,
        /// A thread only those invited (and moderators) see.
        PrivateThread = 12,
        /// A voice channel for events with an audience.
        GuildStageVoice = 13,
        /// The channel of a hub listing its guilds.
        GuildDirectory = 14,
        /// A channel that only holds threads.
        GuildForum = 15,
        /// A channel that only holds threads, laid out for media.
        GuildMedia = 16,
    }
}

impl ChannelKind {
    /// Whether a channel of this type (its number) is a thread (10, 11 or 12).
    pub fn is_thread(kind: i64) -> bool {
        (10..=12).contains(&kind)
    }
}

numbered! {
    /// Whose permissions a channel overwrite changes (`type` of an overwrite).
    pub enum OverwriteKind as "overwrite type" {
        /// A role; the role with the guild's id is @everyone.
        Role = 0,
        /// One member.
        Member = 1,
    }
}

numbered! {
    /// What a message is (`type` of a message object). Users and bots post `Default`, and
    /// `Reply` when the message answers another; the others are posted by the system.
    pub enum MessageType as "message type" {
        /// A message as users write them.
        Default = 0,
        /// Someone was added to a group direct message.
        RecipientAdd = 1,
        /// Someone left or was removed from a group direct message.
        RecipientRemove = 2,
        /// A call started.
        Call = 3,
        /// The channel was renamed.
        ChannelNameChange = 4,
        /// The channel's icon changed.
        ChannelIconChange = 5,
        /// A message was pinned.
        ChannelPinnedMessage = 6,
        /// A member joined the guild.
        UserJoin = 7,
        /// The guild was boosted.
        GuildBoost = 8,
        /// The guild reached boost tier 1.
        GuildBoostTier1 = 9,
        /// The guild reached boost tier 2.
        GuildBoostTier2 = 10,
        /// The guild reached boost tier 3.
        GuildBoostTier3 = 11,
        /// An announcement channel was followed into this channel.
        ChannelFollowAdd = 12,
        /// The guild was removed from discovery.
        GuildDiscoveryDisqualified = 14,
        /// The guild is in discovery again.
        GuildDiscoveryRequalified = 15,
        /// First warning that the guild may leave discovery.
        GuildDiscoveryGracePeriodInitialWarning = 16,
        /// Last warning that the guild may leave discovery.
        GuildDiscoveryGracePeriodFinalWarning = 17,
        /// A thread was created from the channel.
        ThreadCreated = 18,
        /// An answer to another message (`message_reference`).
        Reply = 19,
        /// The answer to a slash command.
        ChatInputCommand = 20,
        /// The first message of a thread, pointing at the message it started from.
        ThreadStarterMessage = 21,
        /// A reminder to invite people to the guild.
        GuildInviteReminder = 22,
        /// The answer to a context menu command.
        ContextMenuCommand = 23,
        /// Auto moderation acted on a message.
        AutoModerationAction = 24,
        /// A role subscription was bought.
        RoleSubscriptionPurchase = 25,
        /// An application offered its premium tier.
        InteractionPremiumUpsell = 26,
        /// A stage started.
        StageStart = 27,
        /// A stage ended.
        StageEnd = 28,
        /// Someone became a speaker on a stage.
        StageSpeaker = 29,
        /// Someone raised their hand on a stage.
        StageRaiseHand = 30,
        /// A stage's topic changed.
        StageTopic = 31,
        /// The guild subscribed to an application's premium tier.
        GuildApplicationPremiumSubscription = 32,
        /// The guild's raid alert mode was turned on.
        GuildIncidentAlertModeEnabled = 36,
        /// The guild's raid alert mode was turned off.
        GuildIncidentAlertModeDisabled = 37,
        /// A raid was reported.
        GuildIncidentReportRaid = 38,
        /// A reported raid was a false alarm.
        GuildIncidentReportFalseAlarm = 39,
        /// Something was bought in the guild.
        PurchaseNotification = 44,
        /// A poll ended with its result.
        PollResult = 46,
    }
}

numbered! {
    /// What one user is to another (`type` of a relationship object). Each user keeps their own
    /// side: a request is outgoing for the one who sent it and incoming for the other, a
    /// friendship is on both sides, a block only on the blocker's.
    pub enum RelationshipKind as "relationship type" {
        /// Friends (both sides).
        Friend = 1,
        /// Blocked by this user.
        Blocked = 2,
        /// A friend request this user received and has not answered.
        PendingIncoming = 3,
        /// A friend request this user sent that the other has not answered.
        PendingOutgoing = 4,
    }
}

numbered! {
    /// Where a directed invite (an invitation from one user to another, a hearth extension)
    /// stands. Only a pending invite changes, once, to one of the others.
    pub enum DirectedInviteStatus as "directed invite status" {
        /// Sent, not yet answered.
        Pending = 0,
        /// The recipient accepted it (and joined).
        Accepted = 1,
        /// The recipient declined it.
        Declined = 2,
        /// The sender (or a guild manager) withdrew it.
        Cancelled = 3,
        /// It was not answered before its expiry.
        Expired = 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_number_and_json() {
        fn check<K>(all: &[K])
        where
            K: Copy + PartialEq + std::fmt::Debug + TryFrom<i64> + Serialize,
            K: for<'de> Deserialize<'de>,
            i64: From<K>,
        {
            for &k in all {
                let n = i64::from(k);
                assert_eq!(K::try_from(n).ok(), Some(k));
                assert_eq!(serde_json::to_string(&k).unwrap(), n.to_string());
                assert_eq!(serde_json::from_str::<K>(&n.to_string()).unwrap(), k);
            }
        }
        check(ChannelKind::ALL);
        check(OverwriteKind::ALL);
        check(MessageType::ALL);
        check(RelationshipKind::ALL);
        check(DirectedInviteStatus::ALL);
        assert_eq!(ChannelKind::ALL.len(), 13);
        assert_eq!(MessageType::Reply.code(), 19);
        assert_eq!(ChannelKind::GuildCategory.code(), 4);
    }

    #[test]
    fn unknown_numbers_are_refused() {
        for n in [-1, 6, 7, 9, 17, 256] {
            assert_eq!(
                ChannelKind::try_from(n),
                Err(UnknownKind {
                    what: "channel type",
                    value: n
                })
            );
        }
        assert!(OverwriteKind::try_from(2).is_err());
        assert!(MessageType::try_from(13).is_err());
        assert!(RelationshipKind::try_from(0).is_err());
        assert!(RelationshipKind::try_from(5).is_err());
        assert!(DirectedInviteStatus::try_from(5).is_err());
        let e = serde_json::from_str::<ChannelKind>("7").unwrap_err();
        assert_eq!(e.to_string(), "7 is not a known channel type.");
        assert!(serde_json::from_str::<OverwriteKind>("\"0\"").is_err());
        assert!(serde_json::from_str::<OverwriteKind>("0.5").is_err());
    }
}

/// What a member of a guild is (hearth's extension `hearth_kind` of member objects): a person
/// who joined as a member, a guest (admitted to the channels they are given, possibly until an
/// expiry) or a bot (from the user's bot flag; a bot is never a guest). Travels as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MemberKind {
    /// A full member: @everyone's permissions and everything their roles give.
    #[default]
    Member,
    /// A guest: only what their roles and their own channel overwrites give, nothing of
    /// @everyone.
    Guest,
    /// A bot user.
    Bot,
}

impl MemberKind {
    /// Every kind.
    pub const ALL: &'static [MemberKind] =
        &[MemberKind::Member, MemberKind::Guest, MemberKind::Bot];

    /// The name stored and sent.
    pub const fn as_str(self) -> &'static str {
        match self {
            MemberKind::Member => "member",
            MemberKind::Guest => "guest",
            MemberKind::Bot => "bot",
        }
    }

    /// The kind of a stored name.
    pub fn parse(name: &str) -> Result<MemberKind, UnknownKind> {
        MemberKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
            .ok_or(UnknownKind {
                what: "member kind",
                value: -1,
            })
    }
}
