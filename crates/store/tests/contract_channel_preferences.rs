//! The store contract for notification settings and channel preferences: an entry is a guild
//! row (or the DMs' row) with its channel rows; each write of an entry is one version up; a
//! channel row keeps its last access across writes and goes with its channel; the last access
//! is written at most once per coalescing window. Every test runs on SQLite, and on PostgreSQL
//! when `HEARTH_TEST_POSTGRES_URL` is set, each on a database of its own.

use std::sync::Arc;

use hearth_core::{ChannelId, GuildId, Timestamp, UserId};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    nothing_is_stored_until_the_first_write,
    a_write_stores_the_entry_at_version_one_then_one_up_each_time,
    channel_rows_are_replaced_but_keep_their_last_access,
    entries_are_kept_per_user_and_per_guild_with_the_dms_apart,
    every_entry_is_listed_with_its_channels,
    the_last_access_is_coalesced,
    a_channels_rows_go_with_the_channel,
    a_missing_channel_fails_as_missing_parent_and_writes_nothing,
);

/// The guild row of `user_id` for `guild_id` with Discord's defaults.
fn guild_row(user_id: UserId, guild_id: Option<GuildId>) -> GuildPreferences {
    GuildPreferences {
        user_id,
        guild_id,
        muted: false,
        mute_end_time: None,
        mute_window: None,
        message_notifications: 0,
        suppress_everyone: false,
        suppress_roles: false,
        mobile_push: true,
        hide_muted_channels: false,
        notify_highlights: 0,
        flags: 0,
        version: 0,
        updated_at: 0,
    }
}

/// A channel row (not muted, inheriting, not a favourite).
fn channel_row(
    user_id: UserId,
    channel_id: ChannelId,
    guild_id: Option<GuildId>,
) -> ChannelPreferences {
    ChannelPreferences {
        user_id,
        channel_id,
        guild_id,
        muted: false,
        mute_end_time: None,
        mute_window: None,
        message_notifications: 3,
        collapsed: false,
        favorite: false,
        last_accessed_at: None,
    }
}

/// A DM between two new users: the first user, the other, and the channel's id.
async fn dm(f: &Fixture, store: &Arc<dyn Store>) -> (User, User, ChannelId) {
    let a = f.someone(store).await;
    let b = f.someone(store).await;
    let channel = Channel {
        guild_id: None,
        kind: 1,
        name: None,
        ..f.channel(f.id(), "dm")
    };
    let (pc, _) = store
        .open_private_channel(&channel, None, &[a.id, b.id])
        .await
        .unwrap();
    (a, b, pc.channel.id)
}

async fn nothing_is_stored_until_the_first_write(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, _) = f.guild(&store, &alice).await;

    let entry = store
        .fetch_preference_entry(alice.id, Some(guild.id))
        .await
        .unwrap();

    assert_eq!(entry, PreferenceEntry::default());
    assert!(store
        .fetch_preference_entries(alice.id)
        .await
        .unwrap()
        .is_empty());
}

async fn a_write_stores_the_entry_at_version_one_then_one_up_each_time(store: Arc<dyn Store>) {
    // Arrange
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let muted = GuildPreferences {
        muted: true,
        mute_end_time: Some(5_000),
        mute_window: Some(3600),
        message_notifications: 1,
        ..guild_row(alice.id, Some(guild.id))
    };
    let favourite = ChannelPreferences {
        favorite: true,
        ..channel_row(alice.id, general.id, Some(guild.id))
    };

    // Act
    let first = store
        .update_preference_entry(&muted, std::slice::from_ref(&favourite), Timestamp(10))
        .await
        .unwrap();
    let second = store
        .update_preference_entry(&guild_row(alice.id, Some(guild.id)), &[], Timestamp(20))
        .await
        .unwrap();

    // Assert
    let expected = GuildPreferences {
        version: 1,
        updated_at: 10,
        ..muted
    };
    assert_eq!(first.guild, Some(expected));
    assert_eq!(first.channels, vec![favourite.clone()]);
    let g = second.guild.clone().unwrap();
    assert_eq!((g.version, g.updated_at, g.muted), (2, 20, false));
    assert_eq!(g.mute_window, None);
    assert_eq!(second.channels, vec![favourite], "channels not named stay");
    assert_eq!(
        store
            .fetch_preference_entry(alice.id, Some(guild.id))
            .await
            .unwrap(),
        second
    );
}

async fn channel_rows_are_replaced_but_keep_their_last_access(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let row = channel_row(alice.id, general.id, Some(guild.id));
    assert!(store
        .update_last_access(alice.id, general.id, Some(guild.id), Timestamp(1_000), 60)
        .await
        .unwrap());

    let done = store
        .update_preference_entry(
            &guild_row(alice.id, Some(guild.id)),
            &[ChannelPreferences {
                muted: true,
                collapsed: true,
                message_notifications: 2,
                last_accessed_at: Some(99),
                ..row.clone()
            }],
            Timestamp(5),
        )
        .await
        .unwrap();

    assert_eq!(
        done.channels,
        vec![ChannelPreferences {
            muted: true,
            collapsed: true,
            message_notifications: 2,
            last_accessed_at: Some(1_000),
            ..row
        }]
    );
}

async fn entries_are_kept_per_user_and_per_guild_with_the_dms_apart(store: Arc<dyn Store>) {
    // Arrange: alice has a guild and a DM with bob; bob is in alice's guild too.
    let f = Fixture::new();
    let (alice, bob, dm) = dm(&f, &store).await;
    let (guild, general) = f.guild(&store, &alice).await;
    f.join(&store, guild.id, bob.id, vec![]).await;

    // Act
    let dms = store
        .update_preference_entry(
            &GuildPreferences {
                muted: true,
                ..guild_row(alice.id, None)
            },
            &[ChannelPreferences {
                favorite: true,
                ..channel_row(alice.id, dm, None)
            }],
            Timestamp(1),
        )
        .await
        .unwrap();
    store
        .update_preference_entry(
            &GuildPreferences {
                message_notifications: 2,
                ..guild_row(bob.id, Some(guild.id))
            },
            &[channel_row(bob.id, general.id, Some(guild.id))],
            Timestamp(2),
        )
        .await
        .unwrap();

    // Assert
    let g = dms.guild.clone().unwrap();
    assert_eq!((g.guild_id, g.muted, g.version), (None, true, 1));
    assert_eq!(dms.channels.len(), 1);
    assert_eq!(dms.channels[0].guild_id, None);
    assert_eq!(
        store.fetch_preference_entry(alice.id, None).await.unwrap(),
        dms
    );
    assert_eq!(
        store
            .fetch_preference_entry(alice.id, Some(guild.id))
            .await
            .unwrap(),
        PreferenceEntry::default()
    );
    assert_eq!(
        store.fetch_preference_entry(bob.id, None).await.unwrap(),
        PreferenceEntry::default()
    );
    let bobs = store
        .fetch_preference_entry(bob.id, Some(guild.id))
        .await
        .unwrap();
    assert_eq!(bobs.guild.unwrap().message_notifications, 2);
    assert_eq!(bobs.channels.len(), 1);
}

async fn every_entry_is_listed_with_its_channels(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let (alice, _, dm) = dm(&f, &store).await;
    let (first, general) = f.guild(&store, &alice).await;
    let (second, lobby) = f.guild(&store, &alice).await;
    let other = f.channel(first.id, "other");
    store.insert_channel(&other).await.unwrap();
    // A guild row without channels, channels without a guild row, and the DMs.
    store
        .update_preference_entry(&guild_row(alice.id, Some(second.id)), &[], Timestamp(1))
        .await
        .unwrap();
    store
        .update_last_access(alice.id, general.id, Some(first.id), Timestamp(1), 0)
        .await
        .unwrap();
    store
        .update_last_access(alice.id, other.id, Some(first.id), Timestamp(1), 0)
        .await
        .unwrap();
    store
        .update_last_access(alice.id, dm, None, Timestamp(1), 0)
        .await
        .unwrap();

    let entries = store.fetch_preference_entries(alice.id).await.unwrap();

    let shape: Vec<(Option<GuildId>, bool, Vec<ChannelId>)> = entries
        .iter()
        .map(|e| {
            let guild_id = e
                .guild
                .as_ref()
                .map(|g| g.guild_id)
                .unwrap_or_else(|| e.channels[0].guild_id);
            let ids = e.channels.iter().map(|c| c.channel_id).collect();
            (guild_id, e.guild.is_some(), ids)
        })
        .collect();
    let mut ids = vec![general.id, other.id];
    ids.sort_by_key(|c| c.as_i64());
    assert_eq!(
        shape,
        vec![
            (None, false, vec![dm]),
            (Some(first.id), false, ids),
            (Some(second.id), true, vec![]),
        ]
    );
    let _ = lobby;
}

async fn the_last_access_is_coalesced(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let (a, c, g) = (alice.id, general.id, guild.id);
    let access = |at: i64| {
        let store = store.clone();
        async move {
            store
                .update_last_access(a, c, Some(g), Timestamp(at), 60)
                .await
                .unwrap()
        }
    };

    let written = [access(100).await, access(130).await, access(160).await];
    let earlier = access(50).await;

    assert_eq!(written, [true, false, true]);
    assert!(!earlier, "an earlier instant does not go back");
    let entry = store
        .fetch_preference_entry(alice.id, Some(guild.id))
        .await
        .unwrap();
    assert_eq!(entry.guild, None, "a last access writes no guild row");
    assert_eq!(
        entry.channels,
        vec![ChannelPreferences {
            last_accessed_at: Some(160),
            ..channel_row(alice.id, general.id, Some(guild.id))
        }]
    );
}

async fn a_channels_rows_go_with_the_channel(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let doomed = f.channel(guild.id, "doomed");
    store.insert_channel(&doomed).await.unwrap();
    store
        .update_preference_entry(
            &guild_row(alice.id, Some(guild.id)),
            &[
                channel_row(alice.id, general.id, Some(guild.id)),
                channel_row(alice.id, doomed.id, Some(guild.id)),
            ],
            Timestamp(1),
        )
        .await
        .unwrap();

    store.delete_channel(doomed.id).await.unwrap();

    let entry = store
        .fetch_preference_entry(alice.id, Some(guild.id))
        .await
        .unwrap();
    let ids: Vec<ChannelId> = entry.channels.iter().map(|c| c.channel_id).collect();
    assert_eq!(ids, vec![general.id]);
}

async fn a_missing_channel_fails_as_missing_parent_and_writes_nothing(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let alice = f.user(&store, "alice").await;
    let (guild, general) = f.guild(&store, &alice).await;
    let nowhere: ChannelId = f.id();

    let write = store
        .update_preference_entry(
            &guild_row(alice.id, Some(guild.id)),
            &[
                channel_row(alice.id, general.id, Some(guild.id)),
                channel_row(alice.id, nowhere, Some(guild.id)),
            ],
            Timestamp(1),
        )
        .await;
    let access = store
        .update_last_access(alice.id, nowhere, Some(guild.id), Timestamp(1), 0)
        .await;

    assert!(
        matches!(write, Err(StoreError::MissingParent(_))),
        "{write:?}"
    );
    assert!(
        matches!(access, Err(StoreError::MissingParent(_))),
        "{access:?}"
    );
    assert_eq!(
        store
            .fetch_preference_entry(alice.id, Some(guild.id))
            .await
            .unwrap(),
        PreferenceEntry::default()
    );
}
