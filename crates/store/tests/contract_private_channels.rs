//! The store contract for private channels (DMs and group DMs). Like `contract.rs`, every test
//! runs on SQLite, and on PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set.

use std::sync::Arc;

use hearth_core::{Timestamp, UserId};
use hearth_store::*;

#[macro_use]
#[path = "support/contract_macro.rs"]
mod contract_macro;
#[path = "support/fixture.rs"]
mod fixture;

use fixture::Fixture;

contract!(
    a_dm_is_made_once_and_found_from_either_side,
    racing_opens_of_one_member_set_make_one_channel,
    a_group_dm_of_the_same_members_is_the_same_and_a_dm_is_not_a_group,
    private_channels_of_a_user_list_only_theirs_with_recipients,
    recipients_are_added_and_removed_and_the_last_one_out_deletes_it,
    a_group_changed_into_another_groups_member_set_keeps_working,
    an_unknown_recipient_writes_nothing,
    messages_in_a_private_channel_are_stored_like_any,
    a_group_dm_is_renamed_and_a_dm_never,
);

fn private(f: &Fixture, kind: i64, name: Option<&str>) -> Channel {
    Channel {
        id: f.id(),
        guild_id: None,
        kind,
        name: name.map(str::to_owned),
        topic: None,
        position: 0,
        parent_id: None,
        nsfw: false,
        rate_limit_per_user: 0,
        last_message_id: None,
        created_at: Timestamp::now().0,
    }
}

async fn a_dm_is_made_once_and_found_from_either_side(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let (first, made) = store
        .open_private_channel(&private(&f, 1, None), None, &[a.id, b.id])
        .await
        .unwrap();
    assert!(made);
    assert_eq!(first.channel.kind, 1);
    assert_eq!(first.channel.guild_id, None);
    let mut both = vec![a.id, b.id];
    both.sort_by_key(|u| u.as_i64());
    assert_eq!(first.recipients, both);
    let (again, made) = store
        .open_private_channel(&private(&f, 1, None), None, &[b.id, a.id])
        .await
        .unwrap();
    assert!(!made, "the same pair finds the same DM");
    assert_eq!(again, first);
    assert_eq!(
        store
            .fetch_private_channel(first.channel.id)
            .await
            .unwrap()
            .unwrap(),
        first
    );
}

async fn racing_opens_of_one_member_set_make_one_channel(store: Arc<dyn Store>) {
    let f = Arc::new(Fixture::new());
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, f) = (store.clone(), f.clone());
        let pair = if i % 2 == 0 {
            [a.id, b.id]
        } else {
            [b.id, a.id]
        };
        tasks.push(tokio::spawn(async move {
            store
                .open_private_channel(&private(&f, 1, None), None, &pair)
                .await
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    let mut made = 0;
    for t in tasks {
        let (pc, m) = t.await.unwrap();
        ids.push(pc.channel.id);
        made += usize::from(m);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one channel: {ids:?}");
    assert_eq!(made, 1);
    assert_eq!(store.fetch_private_channels(a.id).await.unwrap().len(), 1);
}

async fn a_group_dm_of_the_same_members_is_the_same_and_a_dm_is_not_a_group(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let c = f.someone(&store).await;
    let (group, made) = store
        .open_private_channel(
            &private(&f, 3, Some("trip")),
            Some(a.id),
            &[a.id, b.id, c.id],
        )
        .await
        .unwrap();
    assert!(made);
    assert_eq!(group.owner_id, Some(a.id));
    assert_eq!(group.channel.name.as_deref(), Some("trip"));
    let (same, made) = store
        .open_private_channel(&private(&f, 3, None), Some(c.id), &[c.id, b.id, a.id])
        .await
        .unwrap();
    assert!(!made);
    assert_eq!(same.channel.id, group.channel.id);
    // A group of two is not the pair's DM.
    let (pair_group, _) = store
        .open_private_channel(&private(&f, 3, None), Some(a.id), &[a.id, b.id])
        .await
        .unwrap();
    let (dm, _) = store
        .open_private_channel(&private(&f, 1, None), None, &[a.id, b.id])
        .await
        .unwrap();
    assert_ne!(pair_group.channel.id, dm.channel.id);
}

async fn private_channels_of_a_user_list_only_theirs_with_recipients(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let c = f.someone(&store).await;
    let (ab, _) = store
        .open_private_channel(&private(&f, 1, None), None, &[a.id, b.id])
        .await
        .unwrap();
    let (bc, _) = store
        .open_private_channel(&private(&f, 1, None), None, &[b.id, c.id])
        .await
        .unwrap();
    let of_a = store.fetch_private_channels(a.id).await.unwrap();
    assert_eq!(of_a, vec![ab.clone()]);
    let of_b: Vec<_> = store
        .fetch_private_channels(b.id)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.channel.id)
        .collect();
    // Newest first.
    assert_eq!(of_b, vec![bc.channel.id, ab.channel.id]);
    let guild_user = f.someone(&store).await;
    f.guild(&store, &guild_user).await;
    assert!(store
        .fetch_private_channels(guild_user.id)
        .await
        .unwrap()
        .is_empty());
}

async fn recipients_are_added_and_removed_and_the_last_one_out_deletes_it(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let c = f.someone(&store).await;
    let (group, _) = store
        .open_private_channel(&private(&f, 3, None), Some(a.id), &[a.id, b.id])
        .await
        .unwrap();
    let id = group.channel.id;
    let after = store.add_recipient(id, c.id).await.unwrap().unwrap();
    assert_eq!(after.recipients.len(), 3);
    let again = store.add_recipient(id, c.id).await.unwrap().unwrap();
    assert_eq!(again.recipients, after.recipients, "adding twice adds once");
    // The new member set finds the group.
    let (found, made) = store
        .open_private_channel(&private(&f, 3, None), Some(b.id), &[a.id, b.id, c.id])
        .await
        .unwrap();
    assert!(!made);
    assert_eq!(found.channel.id, id);
    for (user, left) in [(a.id, 2), (b.id, 1)] {
        let pc = store.remove_recipient(id, user).await.unwrap().unwrap();
        assert_eq!(pc.recipients.len(), left);
        assert!(!pc.recipients.contains(&user));
    }
    store
        .insert_message(&f.message(id, c.id, "alone"))
        .await
        .unwrap();
    let last = store.remove_recipient(id, c.id).await.unwrap().unwrap();
    assert!(last.recipients.is_empty());
    assert_eq!(store.fetch_private_channel(id).await.unwrap(), None);
    assert_eq!(store.fetch_channel(id).await.unwrap(), None);
    assert_eq!(store.add_recipient(id, a.id).await.unwrap(), None);
    assert_eq!(store.remove_recipient(id, a.id).await.unwrap(), None);
}

async fn a_group_changed_into_another_groups_member_set_keeps_working(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let c = f.someone(&store).await;
    let (one, _) = store
        .open_private_channel(&private(&f, 3, None), Some(a.id), &[a.id, b.id, c.id])
        .await
        .unwrap();
    let (two, _) = store
        .open_private_channel(&private(&f, 3, None), Some(a.id), &[a.id, b.id])
        .await
        .unwrap();
    // `two` takes `one`'s member set: both go on; opening the set finds the first.
    let two = store
        .add_recipient(two.channel.id, c.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(two.recipients, one.recipients);
    let (found, made) = store
        .open_private_channel(&private(&f, 3, None), Some(a.id), &[a.id, b.id, c.id])
        .await
        .unwrap();
    assert!(!made);
    assert_eq!(found.channel.id, one.channel.id);
    store.remove_recipient(one.channel.id, a.id).await.unwrap();
    assert_eq!(store.fetch_private_channels(a.id).await.unwrap().len(), 1);
}

async fn an_unknown_recipient_writes_nothing(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let ghost: UserId = f.id();
    let err = store
        .open_private_channel(&private(&f, 1, None), None, &[a.id, ghost])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::MissingParent(_)), "{err:?}");
    assert!(store.fetch_private_channels(a.id).await.unwrap().is_empty());
}

async fn messages_in_a_private_channel_are_stored_like_any(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let (dm, _) = store
        .open_private_channel(&private(&f, 1, None), None, &[a.id, b.id])
        .await
        .unwrap();
    let m = f.message(dm.channel.id, a.id, "hello");
    store.insert_message(&m).await.unwrap();
    let page = store
        .fetch_messages(dm.channel.id, HistoryPage::Latest, 10)
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].content, "hello");
    let pc = store
        .fetch_private_channel(dm.channel.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pc.channel.last_message_id, Some(m.id));
}

async fn a_group_dm_is_renamed_and_a_dm_never(store: Arc<dyn Store>) {
    let f = Fixture::new();
    let a = f.someone(&store).await;
    let b = f.someone(&store).await;
    let (group, _) = store
        .open_private_channel(&private(&f, 3, None), Some(a.id), &[a.id, b.id])
        .await
        .unwrap();
    let id = group.channel.id;
    let named = store
        .update_group_dm_name(id, Some("trip"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(named.channel.name.as_deref(), Some("trip"));
    assert_eq!(named.recipients, group.recipients);
    let read = store.fetch_private_channel(id).await.unwrap().unwrap();
    assert_eq!(read.channel.name.as_deref(), Some("trip"));
    let cleared = store.update_group_dm_name(id, None).await.unwrap().unwrap();
    assert_eq!(cleared.channel.name, None);
    assert!(matches!(
        store.update_group_dm_name(id, Some("a\0b")).await,
        Err(StoreError::InvalidText(_))
    ));
    let (dm, _) = store
        .open_private_channel(&private(&f, 1, None), None, &[a.id, b.id])
        .await
        .unwrap();
    assert!(store
        .update_group_dm_name(dm.channel.id, Some("x"))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .update_group_dm_name(f.id(), Some("x"))
        .await
        .unwrap()
        .is_none());
}
