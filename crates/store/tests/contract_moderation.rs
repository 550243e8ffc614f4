//! The store contract for moderation: role and member edits, channel overwrites, bans,
//! bulk deletes and the audit log. Like `contract.rs`, every test runs on SQLite, and on
//! PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, each on a database of its own.

use std::sync::Arc;

use hearth_core::{
    ChannelId, GuildId, MessageId, Permissions, RoleId, Snowflake, Timestamp, UserId,
};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::{overwrite, Fixture};

contract!(
    roles_are_updated_and_deleting_one_takes_it_from_members_and_overwrites,
    reordering_roles_returns_every_role_of_the_guild_in_order,
    member_roles_are_added_and_removed_once,
    members_are_updated_and_some_none_clears_a_field,
    overwrites_are_upserted_listed_replaced_and_deleted,
    overwrites_go_with_their_channel,
    channels_are_created_and_changed_with_their_overwrites_in_one_go,
    banning_removes_the_member_and_tombstones_only_its_recent_messages_in_the_guild,
    bans_are_recorded_once_and_page_by_user_id,
    bulk_deletes_return_only_the_messages_they_tombstoned,
    a_banned_user_cannot_join_by_invite_until_the_ban_is_lifted,
    audit_entries_are_filtered_and_paged_newest_first,
);

fn pos(id: RoleId, position: i64) -> RolePosition {
    RolePosition { id, position }
}

fn ban(guild_id: GuildId, user_id: UserId, reason: Option<&str>, created_at: i64) -> Ban {
    Ban {
        guild_id,
        user_id,
        reason: reason.map(str::to_owned),
        created_at,
    }
}

async fn member_roles(
    store: &Arc<dyn Store>,
    guild_id: GuildId,
    user_id: UserId,
) -> Option<Vec<RoleId>> {
    store
        .fetch_member(guild_id, user_id)
        .await
        .unwrap()
        .map(|m| m.roles)
}

async fn channel_overwrites(store: &Arc<dyn Store>, channel_id: ChannelId) -> Vec<Overwrite> {
    store.fetch_channel_overwrites(channel_id).await.unwrap()
}

async fn guild_overwrites(store: &Arc<dyn Store>, guild_id: GuildId) -> Vec<Overwrite> {
    store.fetch_guild_overwrites(guild_id).await.unwrap()
}

async fn ban_of(store: &Arc<dyn Store>, guild_id: GuildId, user_id: UserId) -> Option<Ban> {
    store.fetch_ban(guild_id, user_id).await.unwrap()
}

async fn is_visible(store: &Arc<dyn Store>, channel_id: ChannelId, id: MessageId) -> bool {
    store.fetch_message(channel_id, id).await.unwrap().is_some()
}

async fn roles_are_updated_and_deleting_one_takes_it_from_members_and_overwrites(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (guild, channel) = f.guild(&store, &owner).await;
    let mods = f.role(&store, guild.id, "mods").await;
    let keep = f.role(&store, guild.id, "keep").await;
    f.join(&store, guild.id, bob.id, vec![mods.id, keep.id])
        .await;

    let edited = Role {
        name: "moderators".into(),
        permissions: Permissions::MANAGE_MESSAGES.0 as i64,
        color: 0xff0000,
        hoist: true,
        mentionable: true,
        position: 2,
        managed: true,
        ..mods.clone()
    };
    // `managed` is not editable: it stays as stored.
    let stored = Role {
        managed: false,
        ..edited.clone()
    };
    assert_eq!(store.update_role(&edited).await.unwrap(), Some(stored));
    let unknown = f.role_with_id(guild.id, f.id(), "nobody");
    assert_eq!(store.update_role(&unknown).await.unwrap(), None);

    let view = Permissions::VIEW_CHANNEL.0;
    for target in [mods.id, keep.id] {
        store
            .put_overwrite(&overwrite(&channel, target, 0, view, 0))
            .await
            .unwrap();
    }
    // Other targets' overwrites stay.
    store
        .put_overwrite(&overwrite(&channel, bob.id, 1, 0, view))
        .await
        .unwrap();

    assert!(store.delete_role(guild.id, mods.id).await.unwrap());
    assert!(!store.delete_role(guild.id, mods.id).await.unwrap());
    let roles = store.fetch_roles(guild.id).await.unwrap();
    assert_eq!(
        roles.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![guild.id.everyone(), keep.id]
    );
    assert_eq!(
        member_roles(&store, guild.id, bob.id).await,
        Some(vec![keep.id])
    );
    let left = channel_overwrites(&store, channel.id).await;
    assert_eq!(
        left.iter().map(|o| o.target_id).collect::<Vec<_>>(),
        vec![bob.id.snowflake(), keep.id.snowflake()]
    );
}

async fn reordering_roles_returns_every_role_of_the_guild_in_order(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let (other, _) = f.guild(&store, &owner).await;
    let a = f.role(&store, guild.id, "a").await;
    let b = f.role(&store, guild.id, "b").await;
    let c = f.role(&store, guild.id, "c").await;
    let foreign = f.role(&store, other.id, "foreign").await;

    // Of repeated ids the last counts; another guild's role is not moved.
    let moves = [
        pos(a.id, 1),
        pos(c.id, 2),
        pos(b.id, 5),
        pos(b.id, 3),
        pos(foreign.id, 9),
    ];
    let roles = store.update_role_positions(guild.id, &moves).await.unwrap();
    assert_eq!(
        roles.iter().map(|r| (r.id, r.position)).collect::<Vec<_>>(),
        vec![(guild.id.everyone(), 0), (a.id, 1), (c.id, 2), (b.id, 3)]
    );
    assert_eq!(store.fetch_roles(guild.id).await.unwrap(), roles);
    assert_eq!(store.fetch_roles(other.id).await.unwrap()[1].position, 1);

    // Equal positions order by id; no moves just reads.
    let same = store
        .update_role_positions(guild.id, &[pos(b.id, 1)])
        .await
        .unwrap();
    assert_eq!(
        same.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![guild.id.everyone(), a.id, b.id, c.id]
    );
    assert_eq!(
        store.update_role_positions(guild.id, &[]).await.unwrap(),
        same
    );
}

async fn member_roles_are_added_and_removed_once(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let stranger = f.user(&store, "stranger").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let role = f.role(&store, guild.id, "r").await;
    f.join(&store, guild.id, bob.id, vec![]).await;
    let (g, b, r) = (guild.id, bob.id, role.id);

    assert!(store.insert_member_role(g, b, r).await.unwrap());
    assert!(!store.insert_member_role(g, b, r).await.unwrap());
    assert_eq!(
        member_roles(&store, guild.id, bob.id).await,
        Some(vec![role.id])
    );
    // No such member, no such role, or @everyone: nothing is written.
    assert!(!store.insert_member_role(g, stranger.id, r).await.unwrap());
    assert!(!store.insert_member_role(g, b, f.id()).await.unwrap());
    assert!(!store.insert_member_role(g, b, g.everyone()).await.unwrap());
    assert_eq!(
        member_roles(&store, guild.id, bob.id).await,
        Some(vec![role.id])
    );

    assert!(store.delete_member_role(g, b, r).await.unwrap());
    assert!(!store.delete_member_role(g, b, r).await.unwrap());
    assert_eq!(member_roles(&store, guild.id, bob.id).await, Some(vec![]));
}

async fn members_are_updated_and_some_none_clears_a_field(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let (other, _) = f.guild(&store, &owner).await;
    let r1 = f.role(&store, guild.id, "r1").await;
    let r2 = f.role(&store, guild.id, "r2").await;
    let r3 = f.role(&store, guild.id, "r3").await;
    let foreign = f.role(&store, other.id, "foreign").await;
    f.join(&store, guild.id, bob.id, vec![r1.id]).await;
    let (g, b) = (guild.id, bob.id);

    let patch = MemberPatch {
        nick: Some(Some("bobby".into())),
        // A set: repeats, @everyone and other guilds' roles are left out.
        roles: Some(vec![r3.id, r2.id, r3.id, guild.id.everyone(), foreign.id]),
        communication_disabled_until: Some(Some(1_000)),
        ..MemberPatch::default()
    };
    let m = store.update_member(g, b, &patch).await.unwrap().unwrap();
    assert_eq!(m.nick.as_deref(), Some("bobby"));
    assert_eq!(m.communication_disabled_until, Some(1_000));
    let want = vec![r2.id, r3.id];
    assert_eq!(m.roles, want);
    assert_eq!(store.fetch_member(g, b).await.unwrap(), Some(m.clone()));

    // None leaves fields alone.
    let same = store
        .update_member(g, b, &MemberPatch::default())
        .await
        .unwrap();
    assert_eq!(same, Some(m.clone()));
    let nick_only = MemberPatch {
        nick: Some(None),
        ..MemberPatch::default()
    };
    let m2 = store
        .update_member(g, b, &nick_only)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m2.nick, m2.communication_disabled_until, m2.roles),
        (None, Some(1_000), want)
    );

    let clear = MemberPatch {
        roles: Some(vec![]),
        communication_disabled_until: Some(None),
        ..MemberPatch::default()
    };
    let m3 = store.update_member(g, b, &clear).await.unwrap().unwrap();
    assert_eq!(m3.communication_disabled_until, None);
    assert!(m3.roles.is_empty());
    assert_eq!(store.fetch_member(g, b).await.unwrap(), Some(m3));

    assert_eq!(store.update_member(g, f.id(), &patch).await.unwrap(), None);
}

async fn overwrites_are_upserted_listed_replaced_and_deleted(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let talk = f.channel(guild.id, "talk");
    store.insert_channel(&talk).await.unwrap();
    let (other, elsewhere) = f.guild(&store, &owner).await;
    let send = Permissions::SEND_MESSAGES.0;
    let view = Permissions::VIEW_CHANNEL.0;

    let everyone = overwrite(&talk, guild.id.everyone(), 0, 0, send);
    assert!(store.put_overwrite(&everyone).await.unwrap());
    let changed = overwrite(&talk, guild.id.everyone(), 0, view, send);
    assert!(!store.put_overwrite(&changed).await.unwrap());
    let member = overwrite(&talk, owner.id, 1, send, 0);
    assert!(store.put_overwrite(&member).await.unwrap());
    let in_general = overwrite(&general, guild.id.everyone(), 0, 0, view);
    assert!(store.put_overwrite(&in_general).await.unwrap());
    store
        .put_overwrite(&overwrite(&elsewhere, other.id.everyone(), 0, 0, view))
        .await
        .unwrap();

    let mut want = vec![changed.clone(), member.clone()];
    want.sort_by_key(|o| o.target_id);
    assert_eq!(channel_overwrites(&store, talk.id).await, want);
    let mut all = vec![changed.clone(), member.clone(), in_general.clone()];
    all.sort_by_key(|o| (o.channel_id, o.target_id));
    assert_eq!(guild_overwrites(&store, guild.id).await, all);

    // Replacing: the channel's set only; ids come from the arguments; the last of a target wins.
    let role: RoleId = f.id();
    let replacement = [
        overwrite(&elsewhere, role, 0, send, 0),
        overwrite(&talk, role, 0, view, 0),
        overwrite(&talk, owner.id, 1, 0, send),
    ];
    let stored = store
        .replace_overwrites(talk.id, guild.id, &replacement)
        .await
        .unwrap();
    let mut want = vec![
        overwrite(&talk, role, 0, view, 0),
        overwrite(&talk, owner.id, 1, 0, send),
    ];
    want.sort_by_key(|o| o.target_id);
    assert_eq!(stored, want);
    assert_eq!(channel_overwrites(&store, talk.id).await, want);
    assert_eq!(
        channel_overwrites(&store, general.id).await,
        vec![in_general.clone()]
    );
    assert_eq!(guild_overwrites(&store, other.id).await.len(), 1);
    assert!(store
        .replace_overwrites(talk.id, guild.id, &[])
        .await
        .unwrap()
        .is_empty());

    assert!(store
        .delete_overwrite(general.id, guild.id.everyone().snowflake())
        .await
        .unwrap());
    assert!(!store
        .delete_overwrite(general.id, guild.id.everyone().snowflake())
        .await
        .unwrap());
    assert!(guild_overwrites(&store, guild.id).await.is_empty());
}

async fn overwrites_go_with_their_channel(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let talk = f.channel(guild.id, "talk");
    store.insert_channel(&talk).await.unwrap();
    for channel in [&general, &talk] {
        store
            .put_overwrite(&overwrite(channel, guild.id.everyone(), 0, 0, 1))
            .await
            .unwrap();
    }
    store.delete_channel(talk.id).await.unwrap();
    assert!(channel_overwrites(&store, talk.id).await.is_empty());
    assert_eq!(
        guild_overwrites(&store, guild.id)
            .await
            .iter()
            .map(|o| o.channel_id)
            .collect::<Vec<_>>(),
        vec![general.id]
    );
    store.delete_guild(guild.id).await.unwrap();
    assert!(guild_overwrites(&store, guild.id).await.is_empty());
}

async fn channels_are_created_and_changed_with_their_overwrites_in_one_go(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let view = Permissions::VIEW_CHANNEL.0;
    let secret = f.channel(guild.id, "secret");
    let hidden = overwrite(&secret, guild.id.everyone(), 0, 0, view);
    let mine = overwrite(&secret, owner.id, 1, view, 0);
    store
        .insert_channel_with_overwrites(&secret, &[mine.clone(), hidden.clone()])
        .await
        .unwrap();
    assert_eq!(
        store.fetch_channel(secret.id).await.unwrap(),
        Some(secret.clone())
    );
    let mut want = vec![hidden.clone(), mine.clone()];
    want.sort_by_key(|o| o.target_id);
    assert_eq!(channel_overwrites(&store, secret.id).await, want);
    // A second channel with the same id fails whole: no overwrites are left behind.
    let mut clash = f.channel(guild.id, "clash");
    clash.id = secret.id;
    assert!(store
        .insert_channel_with_overwrites(&clash, &[overwrite(&clash, f.id::<RoleId>(), 0, view, 0)])
        .await
        .is_err());
    assert_eq!(channel_overwrites(&store, secret.id).await, want);

    // Changing the channel alone keeps its overwrites; with a list, the list replaces them.
    let mut renamed = secret.clone();
    renamed.name = Some("renamed".into());
    let (changed, kept) = store
        .update_channel_with_overwrites(&renamed, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.name.as_deref(), kept),
        (Some("renamed"), want.clone())
    );
    renamed.topic = Some("t".into());
    let (changed, now) = store
        .update_channel_with_overwrites(&renamed, Some(std::slice::from_ref(&mine)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (changed.topic.as_deref(), now),
        (Some("t"), vec![mine.clone()])
    );
    assert_eq!(channel_overwrites(&store, secret.id).await, vec![mine]);
    let (_, none) = store
        .update_channel_with_overwrites(&renamed, Some(&[]))
        .await
        .unwrap()
        .unwrap();
    assert!(none.is_empty());
    let mut gone = renamed.clone();
    gone.id = f.id();
    assert!(store
        .update_channel_with_overwrites(&gone, Some(&[]))
        .await
        .unwrap()
        .is_none());
}

async fn banning_removes_the_member_and_tombstones_only_its_recent_messages_in_the_guild(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let talk = f.channel(guild.id, "talk");
    store.insert_channel(&talk).await.unwrap();
    let (other, elsewhere) = f.guild(&store, &owner).await;
    let role = f.role(&store, guild.id, "r").await;
    f.join(&store, guild.id, bob.id, vec![role.id]).await;
    f.join(&store, other.id, bob.id, vec![]).await;

    // Messages made one minute ago and later are deleted, to the millisecond.
    let now = Timestamp::now();
    let since = now.plus_seconds(-60);
    let at_ms = |t: Timestamp| MessageId(Snowflake::from_unix_millis(t.0 as u64 / 1000));
    // The id `n` above `id` (below, for a negative `n`).
    let step = |id: MessageId, n: i64| MessageId::from_i64(id.as_i64() + n);
    let bound = at_ms(since);
    let old = at_ms(now.plus_seconds(-3600));
    let just_before = step(bound, -1);
    let recent = [bound, step(bound, 7), at_ms(now.plus_seconds(-1))];
    for id in [old, just_before, recent[0], recent[2]] {
        f.post(&store, general.id, bob.id, id).await;
    }
    f.post(&store, talk.id, bob.id, recent[1]).await;
    let gone_already = step(recent[2], 1);
    f.post(&store, talk.id, bob.id, gone_already).await;
    store
        .delete_message(talk.id, gone_already, Timestamp(5))
        .await
        .unwrap();
    let owners = step(recent[2], 2);
    f.post(&store, general.id, owner.id, owners).await;
    let other_guild = step(recent[2], 3);
    f.post(&store, elsewhere.id, bob.id, other_guild).await;

    let ban = ban(guild.id, bob.id, Some("spam"), now.0);
    let outcome = store
        .ban_member(&ban, Some(since), Timestamp(now.0 + 1))
        .await
        .unwrap();
    // By channel (general was made first), then id.
    let want = [
        (general.id, recent[0]),
        (general.id, recent[2]),
        (talk.id, recent[1]),
    ];
    assert!(outcome.was_member);
    assert_eq!(outcome.deleted, want);
    for id in recent {
        let channel = if id == recent[1] { talk.id } else { general.id };
        assert!(!is_visible(&store, channel, id).await);
    }
    for (channel, id) in [
        (general.id, old),
        (general.id, just_before),
        (general.id, owners),
        (elsewhere.id, other_guild),
    ] {
        assert!(is_visible(&store, channel, id).await);
    }
    assert_eq!(ban_of(&store, guild.id, bob.id).await, Some(ban.clone()));
    assert_eq!(member_roles(&store, guild.id, bob.id).await, None);
    assert_eq!(member_roles(&store, other.id, bob.id).await, Some(vec![]));
    // Rejoining starts without the old roles: they went with the member row.
    f.join(&store, guild.id, bob.id, vec![]).await;
    assert_eq!(member_roles(&store, guild.id, bob.id).await, Some(vec![]));

    // Banning again keeps the first instant, replaces the reason; without a bound no message goes.
    let again = Ban {
        reason: None,
        created_at: now.0 + 10,
        ..ban.clone()
    };
    let outcome = store.ban_member(&again, None, now).await.unwrap();
    assert!(outcome.was_member && outcome.deleted.is_empty());
    assert_eq!(
        ban_of(&store, guild.id, bob.id).await,
        Some(Ban {
            reason: None,
            ..ban.clone()
        })
    );
    assert!(is_visible(&store, general.id, old).await);
    let outcome = store.ban_member(&again, Some(since), now).await.unwrap();
    assert_eq!(outcome, BanOutcome::default());
}

async fn bans_are_recorded_once_and_page_by_user_id(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let (other, _) = f.guild(&store, &owner).await;
    let users: Vec<UserId> = (0..5).map(|_| f.id()).collect();
    for (i, user) in users.iter().enumerate() {
        let ban = ban(guild.id, *user, Some(&format!("r{i}")), i as i64);
        assert!(store.insert_ban(&ban).await.unwrap());
        let again = Ban {
            reason: None,
            ..ban.clone()
        };
        assert!(!store.insert_ban(&again).await.unwrap());
        assert_eq!(ban_of(&store, guild.id, *user).await, Some(ban));
    }
    store
        .insert_ban(&ban(other.id, users[0], None, 0))
        .await
        .unwrap();

    let page = |before: Option<UserId>, after: Option<UserId>, limit: i64| {
        let store = store.clone();
        async move {
            store
                .fetch_bans(guild.id, before, after, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|b| b.user_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(page(None, None, 1000).await, users);
    assert_eq!(page(None, None, 2).await, users[..2]);
    assert_eq!(page(None, Some(users[1]), 2).await, users[2..4]);
    // Before alone: the closest ones below, still ascending.
    assert_eq!(page(Some(users[4]), None, 2).await, users[2..4]);
    assert_eq!(page(Some(users[3]), Some(users[0]), 10).await, users[1..3]);
    assert!(page(Some(users[0]), None, 10).await.is_empty());

    assert!(store.delete_ban(guild.id, users[0]).await.unwrap());
    assert!(!store.delete_ban(guild.id, users[0]).await.unwrap());
    assert_eq!(ban_of(&store, guild.id, users[0]).await, None);
    assert!(ban_of(&store, other.id, users[0]).await.is_some());
    store.delete_guild(guild.id).await.unwrap();
    assert!(page(None, None, 1000).await.is_empty());
}

async fn bulk_deletes_return_only_the_messages_they_tombstoned(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let talk = f.channel(guild.id, "talk");
    store.insert_channel(&talk).await.unwrap();
    let ids: Vec<MessageId> = (0..4).map(|_| f.id()).collect();
    for id in &ids {
        f.post(&store, general.id, owner.id, *id).await;
    }
    let elsewhere: MessageId = f.id();
    f.post(&store, talk.id, owner.id, elsewhere).await;
    store
        .delete_message(general.id, ids[0], Timestamp(1))
        .await
        .unwrap();

    // Already deleted, unknown, repeated and other channels' ids are not returned.
    let asked = vec![ids[3], ids[0], f.id(), ids[1], ids[3], elsewhere];
    let delete = |ids: Vec<MessageId>| {
        let store = store.clone();
        async move {
            store
                .delete_messages(general.id, &ids, Timestamp(2))
                .await
                .unwrap()
        }
    };
    assert_eq!(delete(asked.clone()).await, vec![ids[1], ids[3]]);
    let left = store
        .fetch_messages(general.id, HistoryPage::Latest, 50)
        .await
        .unwrap();
    assert_eq!(left.iter().map(|m| m.id).collect::<Vec<_>>(), vec![ids[2]]);
    assert!(is_visible(&store, talk.id, elsewhere).await);
    assert!(delete(asked).await.is_empty());
    assert!(delete(vec![]).await.is_empty());
}

async fn a_banned_user_cannot_join_by_invite_until_the_ban_is_lifted(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let (other, _) = f.guild(&store, &owner).await;
    let invite = f.invite(&general, Some(owner.id), "joinhere");
    store.insert_invite(&invite).await.unwrap();
    // A ban in another guild does not matter; this guild's ban keeps bob out and counts no use.
    store
        .insert_ban(&ban(other.id, bob.id, None, 0))
        .await
        .unwrap();
    store
        .insert_ban(&ban(guild.id, bob.id, None, 0))
        .await
        .unwrap();
    let member = Member {
        guild_id: guild.id,
        user_id: bob.id,
        nick: None,
        joined_at: Timestamp::now().0,
        temporary: false,
        communication_disabled_until: None,
        roles: vec![],
        kind: hearth_core::MemberKind::Member,
        guest_expires_at: None,
    };
    let now = Timestamp::now();
    let r = store.use_invite("joinhere", &member, now).await.unwrap();
    assert_eq!(r, InviteUse::Banned);
    assert_eq!(member_roles(&store, guild.id, bob.id).await, None);
    let stored = store.fetch_invite("joinhere").await.unwrap().unwrap();
    assert_eq!(stored.uses, 0);

    assert!(store.delete_ban(guild.id, bob.id).await.unwrap());
    let r = store.use_invite("joinhere", &member, now).await.unwrap();
    assert!(
        matches!(r, InviteUse::Joined(ref i) if i.uses == 1),
        "{r:?}"
    );
    assert_eq!(member_roles(&store, guild.id, bob.id).await, Some(vec![]));
}

async fn audit_entries_are_filtered_and_paged_newest_first(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let bob = f.user(&store, "bob").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let (other, _) = f.guild(&store, &owner).await;
    // (actor, action type): owner kicks (20) and bans (22), bob updates roles (25), the system.
    let plan = [
        (Some(owner.id), 20),
        (Some(bob.id), 25),
        (Some(owner.id), 22),
        (None, 20),
        (Some(owner.id), 20),
        (Some(bob.id), 25),
    ];
    let mut entries = Vec::new();
    for (user_id, action_type) in plan {
        let entry = AuditEntry {
            guild_id: guild.id,
            id: f.id(),
            user_id,
            target_id: Some(bob.id.snowflake()),
            action_type,
            changes: r#"[{"key":"nick","old_value":"a","new_value":"b"}]"#.into(),
            options: (action_type == 22).then(|| r#"{"delete_member_days":"1"}"#.into()),
            reason: Some("because".into()),
        };
        store.insert_audit_entry(&entry).await.unwrap();
        entries.push(entry);
    }
    let foreign = AuditEntry {
        guild_id: other.id,
        id: f.id(),
        ..entries[0].clone()
    };
    store.insert_audit_entry(&foreign).await.unwrap();
    assert!(matches!(
        store.insert_audit_entry(&entries[0]).await,
        Err(StoreError::Conflict(c)) if c == "id"
    ));

    let query = |user_id, action_type, before, after, limit| AuditQuery {
        user_id,
        action_type,
        before,
        after,
        limit,
    };
    let ids = |picked: &[usize]| picked.iter().map(|i| entries[*i].id).collect::<Vec<_>>();
    let run = |q: AuditQuery| {
        let store = store.clone();
        async move {
            store
                .fetch_audit_entries(guild.id, &q)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };

    let all = store
        .fetch_audit_entries(guild.id, &query(None, None, None, None, 100))
        .await
        .unwrap();
    let mut newest_first = entries.clone();
    newest_first.reverse();
    assert_eq!(all, newest_first);
    assert_eq!(run(query(None, None, None, None, 2)).await, ids(&[5, 4]));
    assert_eq!(
        run(query(Some(owner.id), None, None, None, 100)).await,
        ids(&[4, 2, 0])
    );
    assert_eq!(
        run(query(None, Some(20), None, None, 100)).await,
        ids(&[4, 3, 0])
    );
    assert_eq!(
        run(query(Some(owner.id), Some(20), None, None, 100)).await,
        ids(&[4, 0])
    );
    let before = Some(entries[4].id);
    assert_eq!(run(query(None, None, before, None, 2)).await, ids(&[3, 2]));
    // After: the entries just above it, newest first.
    let after = Some(entries[1].id);
    assert_eq!(run(query(None, None, None, after, 2)).await, ids(&[3, 2]));
    assert_eq!(
        run(query(None, None, before, after, 100)).await,
        ids(&[3, 2])
    );
    assert_eq!(
        run(query(Some(bob.id), None, None, after, 100)).await,
        ids(&[5])
    );
    assert!(run(query(None, Some(1), None, None, 100)).await.is_empty());
}
