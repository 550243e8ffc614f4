use serde_json::json;

use super::*;

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

const NOW: Timestamp = Timestamp(1_000_000);

#[test]
fn a_body_is_read_into_typed_changes() {
    let patch = read_patch(&body(json!({
        "muted": true,
        "mute_config": {"end_time": "2030-01-01T00:00:00Z", "selected_time_window": 3600},
        "message_notifications": 3, "flags": 4,
        "channel_overrides": {"42": {"channel_id": "42", "favorite": true, "mute_config": null}}
    })))
    .unwrap();

    assert_eq!(patch.guild.mute.muted, Some(true));
    assert_eq!(
        patch.guild.mute.config,
        Some(Some((Some(1_893_456_000_000_000), 3600)))
    );
    assert_eq!(
        (patch.guild.message_notifications, patch.guild.flags),
        (Some(3), Some(4))
    );
    let c = &patch.channels[0];
    assert_eq!(c.channel_id, ChannelId::from(Snowflake(42)));
    assert_eq!((c.favorite, c.mute.config), (Some(true), Some(None)));
}

#[test]
fn an_ended_mute_is_no_mute_when_a_change_is_applied() {
    let ended = GuildPreferences {
        muted: true,
        mute_end_time: Some(NOW.0 - 1),
        mute_window: Some(900),
        ..apply_guild(
            None,
            Snowflake(1).into(),
            None,
            &GuildChange::default(),
            NOW,
        )
    };

    let next = apply_guild(
        Some(&ended),
        Snowflake(1).into(),
        None,
        &GuildChange::default(),
        NOW,
    );

    assert_eq!(
        (next.muted, next.mute_end_time, next.mute_window),
        (false, None, None)
    );
}

#[test]
fn unmuting_clears_the_config_and_a_config_alone_keeps_the_mute() {
    let lasting = (true, Some(NOW.0 + 10), Some(60));
    let off = MuteChange {
        muted: Some(false),
        config: Some(Some((None, -1))),
    };
    let longer = MuteChange {
        muted: None,
        config: Some(Some((None, -1))),
    };

    assert_eq!(apply_mute(lasting, &off), (false, None, None));
    assert_eq!(apply_mute(lasting, &longer), (true, None, Some(-1)));
    assert_eq!(apply_mute(lasting, &MuteChange::default()), lasting);
}
