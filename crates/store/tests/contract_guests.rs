//! The store contract for guests, default channels and channel counters: a member's kind and
//! a guest's expiry as written and changed, a bot always a bot, a guest invite admitting a
//! guest given its channel, the expiry sweep's reads and its conditional removal (once, when
//! raced), default channels replaced in order and dropped with their channel, and the message
//! count and last activity kept by the message insert and deletions. Like `contract.rs`, every
//! test runs on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set.

use std::sync::Arc;

use hearth_core::{MemberKind, MessageId, OverwriteKind, Permissions, Snowflake, Timestamp};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    members_are_members_unless_guests_and_bots_are_always_bots,
    a_member_is_made_a_guest_with_an_expiry_and_back_a_member_without_one,
    the_permission_input_says_whether_the_member_is_a_guest,
    a_guest_invite_admits_a_guest_given_its_channel_for_its_lifetime,
    expired_guests_are_listed_and_removed_once_unless_no_longer_expired,
    default_channels_are_replaced_in_order_and_leave_with_their_channel,
    the_message_insert_counts_messages_and_keeps_the_last_activity,
);

async fn stored(store: &Arc<dyn Store>, m: &Member) -> Member {
    store
        .fetch_member(m.guild_id, m.user_id)
        .await
        .unwrap()
        .expect("a member")
}

async fn members_are_members_unless_guests_and_bots_are_always_bots(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let person = f.user(&store, "person").await;
    let member = f.member(guild.id, person.id, vec![]);
    assert!(store.insert_member(&member).await.unwrap());
    assert_eq!(stored(&store, &member).await.kind, MemberKind::Member);

    let guest = f.user(&store, "guest").await;
    let later = Timestamp::now().plus_seconds(3600).0;
    let as_guest = Member {
        kind: MemberKind::Guest,
        guest_expires_at: Some(later),
        ..f.member(guild.id, guest.id, vec![])
    };
    assert!(store.insert_member(&as_guest).await.unwrap());
    assert_eq!(stored(&store, &as_guest).await, as_guest);

    let bot = store
        .insert_user(&NewUser {
            bot: true,
            password_hash: None,
            email: None,
            ..f.new_user("robot", "")
        })
        .await
        .unwrap();
    let bot_as_guest = Member {
        kind: MemberKind::Guest,
        guest_expires_at: Some(later),
        ..f.member(guild.id, bot.id, vec![])
    };
    assert!(store.insert_member(&bot_as_guest).await.unwrap());
    let read = stored(&store, &bot_as_guest).await;
    assert_eq!((read.kind, read.guest_expires_at), (MemberKind::Bot, None));
    // Not a guest: an expiry given with a member is not kept.
    let other = f.user(&store, "other").await;
    let with_expiry = Member {
        guest_expires_at: Some(later),
        ..f.member(guild.id, other.id, vec![])
    };
    assert!(store.insert_member(&with_expiry).await.unwrap());
    assert_eq!(stored(&store, &with_expiry).await.guest_expires_at, None);
}

async fn a_member_is_made_a_guest_with_an_expiry_and_back_a_member_without_one(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let person = f.user(&store, "person").await;
    f.join(&store, guild.id, person.id, vec![]).await;
    let later = Timestamp::now().plus_seconds(60).0;
    let patch = MemberPatch {
        kind: Some(MemberKind::Guest),
        guest_expires_at: Some(Some(later)),
        ..MemberPatch::default()
    };
    let m = store
        .update_member(guild.id, person.id, &patch)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.kind, m.guest_expires_at),
        (MemberKind::Guest, Some(later))
    );
    // Another field changed: kind and expiry stay.
    let nick = MemberPatch {
        nick: Some(Some("p".into())),
        ..MemberPatch::default()
    };
    let m = store
        .update_member(guild.id, person.id, &nick)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.kind, m.guest_expires_at),
        (MemberKind::Guest, Some(later))
    );
    // Back to a member: the expiry goes, even when one is given.
    let back = MemberPatch {
        kind: Some(MemberKind::Member),
        guest_expires_at: Some(Some(later)),
        ..MemberPatch::default()
    };
    let m = store
        .update_member(guild.id, person.id, &back)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((m.kind, m.guest_expires_at), (MemberKind::Member, None));
    assert_eq!(stored(&store, &m).await, m);
}

async fn the_permission_input_says_whether_the_member_is_a_guest(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let person = f.user(&store, "person").await;
    f.join(&store, guild.id, person.id, vec![]).await;
    let input = |store: Arc<dyn Store>| async move {
        store
            .fetch_permission_input(guild.id, person.id)
            .await
            .unwrap()
            .unwrap()
    };
    assert!(!input(store.clone()).await.guest);
    let patch = MemberPatch {
        kind: Some(MemberKind::Guest),
        ..MemberPatch::default()
    };
    store
        .update_member(guild.id, person.id, &patch)
        .await
        .unwrap();
    assert!(input(store.clone()).await.guest);
}

async fn a_guest_invite_admits_a_guest_given_its_channel_for_its_lifetime(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let invite = Invite {
        guest: true,
        guest_ttl: 3600,
        ..f.invite(&general, Some(owner.id), "guest123")
    };
    store.insert_invite(&invite).await.unwrap();
    let read = store.fetch_invite("guest123").await.unwrap().unwrap();
    assert_eq!((read.guest, read.guest_ttl), (true, 3600));
    // A reusable invite is one of the same guest terms.
    let now = Timestamp::now();
    assert_eq!(
        store.fetch_reusable_invite(&invite, now).await.unwrap(),
        Some(read.clone())
    );
    let plain = Invite {
        guest: false,
        guest_ttl: 0,
        ..invite.clone()
    };
    assert_eq!(
        store.fetch_reusable_invite(&plain, now).await.unwrap(),
        None
    );

    let visitor = f.user(&store, "visitor").await;
    let member = f.member(guild.id, visitor.id, vec![]);
    let used = store.use_invite("guest123", &member, now).await.unwrap();
    assert!(matches!(used, InviteUse::Joined(ref i) if i.guest));
    let m = stored(&store, &member).await;
    assert_eq!(m.kind, MemberKind::Guest);
    assert_eq!(m.guest_expires_at, Some(now.plus_seconds(3600).0));
    let overwrites = store.fetch_channel_overwrites(general.id).await.unwrap();
    let mine = overwrites
        .iter()
        .find(|o| o.target_id == visitor.id.snowflake())
        .expect("the guest's overwrite");
    assert_eq!(mine.kind, i64::from(OverwriteKind::Member));
    assert_eq!(mine.allow, Permissions::GUEST.0 as i64);
    assert_eq!(mine.deny, 0);
    // A plain invite admits members.
    let plain = f.invite(&general, Some(owner.id), "plain123");
    store.insert_invite(&plain).await.unwrap();
    let walker = f.user(&store, "walker").await;
    let member = f.member(guild.id, walker.id, vec![]);
    store.use_invite("plain123", &member, now).await.unwrap();
    assert_eq!(stored(&store, &member).await.kind, MemberKind::Member);
}

async fn expired_guests_are_listed_and_removed_once_unless_no_longer_expired(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, _) = f.guild(&store, &owner).await;
    let now = Timestamp::now();
    let mut guests = Vec::new();
    for (name, expiry) in [("early", -20), ("late", -10), ("future", 3600)] {
        let user = f.user(&store, name).await;
        let m = Member {
            kind: MemberKind::Guest,
            guest_expires_at: Some(now.plus_seconds(expiry).0),
            ..f.member(guild.id, user.id, vec![])
        };
        store.insert_member(&m).await.unwrap();
        guests.push(m);
    }
    let forever = f.user(&store, "forever").await;
    let m = Member {
        kind: MemberKind::Guest,
        ..f.member(guild.id, forever.id, vec![])
    };
    store.insert_member(&m).await.unwrap();

    let expired = store.fetch_expired_guests(now, 10).await.unwrap();
    assert_eq!(expired, vec![guests[0].clone(), guests[1].clone()]);
    assert_eq!(
        store.fetch_expired_guests(now, 1).await.unwrap(),
        vec![guests[0].clone()]
    );
    // The late one is made a member before the sweep reaches them: they stay.
    let patch = MemberPatch {
        kind: Some(MemberKind::Member),
        ..MemberPatch::default()
    };
    store
        .update_member(guild.id, guests[1].user_id, &patch)
        .await
        .unwrap();
    assert!(!store
        .delete_expired_guest(guild.id, guests[1].user_id, now)
        .await
        .unwrap());
    assert!(!store
        .delete_expired_guest(guild.id, guests[2].user_id, now)
        .await
        .unwrap());
    // Two sweeps race for the early one: one removes them.
    let (a, b) = tokio::join!(
        store.delete_expired_guest(guild.id, guests[0].user_id, now),
        store.delete_expired_guest(guild.id, guests[0].user_id, now),
    );
    assert!(a.unwrap() ^ b.unwrap());
    assert_eq!(
        store
            .fetch_member(guild.id, guests[0].user_id)
            .await
            .unwrap(),
        None
    );
    assert!(store
        .fetch_expired_guests(now, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn default_channels_are_replaced_in_order_and_leave_with_their_channel(
    store: Arc<dyn Store>,
) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let rules = f.channel(guild.id, "rules");
    let news = f.channel(guild.id, "news");
    store.insert_channel(&rules).await.unwrap();
    store.insert_channel(&news).await.unwrap();
    assert!(store
        .fetch_default_channels(guild.id)
        .await
        .unwrap()
        .is_empty());
    let list = [news.id, general.id, news.id, rules.id];
    store
        .update_default_channels(guild.id, &list)
        .await
        .unwrap();
    assert_eq!(
        store.fetch_default_channels(guild.id).await.unwrap(),
        vec![news.id, general.id, rules.id]
    );
    store
        .update_default_channels(guild.id, &[rules.id, news.id])
        .await
        .unwrap();
    assert_eq!(
        store.fetch_default_channels(guild.id).await.unwrap(),
        vec![rules.id, news.id]
    );
    store.delete_channel(rules.id).await.unwrap();
    assert_eq!(
        store.fetch_default_channels(guild.id).await.unwrap(),
        vec![news.id]
    );
    // An id of no channel is refused, and the list stays as it was.
    let nowhere = f.id();
    assert!(store
        .update_default_channels(guild.id, &[general.id, nowhere])
        .await
        .is_err());
    assert_eq!(
        store.fetch_default_channels(guild.id).await.unwrap(),
        vec![news.id]
    );
    store.update_default_channels(guild.id, &[]).await.unwrap();
    assert!(store
        .fetch_default_channels(guild.id)
        .await
        .unwrap()
        .is_empty());
}

async fn the_message_insert_counts_messages_and_keeps_the_last_activity(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let owner = f.user(&store, "owner").await;
    let (guild, general) = f.guild(&store, &owner).await;
    let quiet = f.channel(guild.id, "quiet");
    store.insert_channel(&quiet).await.unwrap();
    let counters = |store: Arc<dyn Store>| async move {
        store.fetch_channel_counters(guild.id).await.unwrap()
    };
    let zero = counters(store.clone()).await;
    assert_eq!(zero.len(), 2);
    assert!(zero
        .iter()
        .all(|c| c.message_count == 0 && c.last_activity_at.is_none()));

    let ids: Vec<MessageId> = (0..3).map(|_| f.id()).collect();
    for id in &ids {
        f.post(&store, general.id, owner.id, *id).await;
    }
    // A message with an older id (imported late) counts, and moves nothing back.
    let old = MessageId::from(Snowflake::from_unix_millis(1_600_000_000_000));
    f.post(&store, general.id, owner.id, old).await;
    let newest = |id: MessageId| id.unix_millis() as i64 * 1000;
    let after = counters(store.clone()).await;
    let g = after.iter().find(|c| c.channel_id == general.id).unwrap();
    assert_eq!(g.message_count, 4);
    assert_eq!(g.last_activity_at, Some(newest(ids[2])));
    let channel = store.fetch_channel(general.id).await.unwrap().unwrap();
    assert_eq!(channel.last_message_id, Some(ids[2]));
    let q = after.iter().find(|c| c.channel_id == quiet.id).unwrap();
    assert_eq!((q.message_count, q.last_activity_at), (0, None));

    let now = Timestamp::now();
    assert!(store.delete_message(general.id, ids[0], now).await.unwrap());
    assert!(!store.delete_message(general.id, ids[0], now).await.unwrap());
    let deleted = store
        .delete_messages(general.id, &[ids[0], ids[1], old], now)
        .await
        .unwrap();
    assert_eq!(deleted.len(), 2);
    let end = counters(store.clone()).await;
    let g = end.iter().find(|c| c.channel_id == general.id).unwrap();
    assert_eq!(g.message_count, 1);
    assert_eq!(g.last_activity_at, Some(newest(ids[2])));
}
