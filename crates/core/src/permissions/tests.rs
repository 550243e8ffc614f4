//! The permission function against hand-made cases and, by property, a reference model.

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

mod model {
    //! The permission function against a reference model that decides each bit on its own,
    //! from the rules as Discord states them.
    use super::super::*;
    use crate::Snowflake;
    use proptest::prelude::*;

    const GUILD: Snowflake = Snowflake(1);
    const USER: Snowflake = Snowflake(2);

    /// Bits the rules single out, plus a few ordinary ones: small sets collide often.
    const INTERESTING: [u32; 12] = [0, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 40];

    fn bits() -> impl Strategy<Value = Permissions> {
        prop::collection::vec(prop::sample::select(&INTERESTING[..]), 0..6)
            .prop_map(|v| Permissions(v.iter().fold(0, |acc, b| acc | (1u64 << b))))
    }

    fn overwrite() -> impl Strategy<Value = Overwrite> {
        // Targets: @everyone (1), roles 10..13, the user (2), another user (3).
        (
            prop::sample::select(vec![1u64, 10, 11, 12, 13, 2, 3]),
            bits(),
            bits(),
        )
            .prop_map(|(id, allow, deny)| Overwrite {
                id: Snowflake(id),
                kind: if id == 2 || id == 3 {
                    OverwriteKind::Member
                } else {
                    OverwriteKind::Role
                },
                allow,
                deny,
            })
    }

    fn bit_in(p: Permissions, b: u32) -> bool {
        p.0 & (1 << b) != 0
    }

    /// Each bit decided alone.
    fn reference(
        owner: bool,
        everyone: Permissions,
        roles: &[(Snowflake, Permissions)],
        timed_out: bool,
        guest: bool,
        ows: &[Overwrite],
    ) -> Permissions {
        let has = |p: Permissions, b| bit_in(p, b);
        // A guest holds nothing of @everyone, neither its bits nor its overwrite.
        let everyone = if guest { Permissions::NONE } else { everyone };
        let admin = owner || has(everyone, 3) || roles.iter().any(|(_, p)| has(*p, 3));
        if admin {
            return Permissions::ALL;
        }
        // The first overwrite of a target counts (targets are unique in a real channel).
        let first = |kind, id| ows.iter().find(|o| o.kind == kind && o.id == id);
        let mut out = 0u64;
        for b in 0..53u32 {
            let mut on = has(everyone, b) || roles.iter().any(|(_, p)| has(*p, b));
            if let Some(o) = first(OverwriteKind::Role, GUILD).filter(|_| !guest) {
                if has(o.deny, b) {
                    on = false;
                }
                if has(o.allow, b) {
                    on = true;
                }
            }
            let role_ows: Vec<&Overwrite> = roles
                .iter()
                .filter_map(|(r, _)| first(OverwriteKind::Role, *r))
                .collect();
            if role_ows.iter().any(|o| has(o.allow, b)) {
                on = true;
            } else if role_ows.iter().any(|o| has(o.deny, b)) {
                on = false;
            }
            if let Some(o) = first(OverwriteKind::Member, USER) {
                if has(o.deny, b) {
                    on = false;
                }
                if has(o.allow, b) {
                    on = true;
                }
            }
            if on {
                out |= 1 << b;
            }
        }
        let p = Permissions(out).truncate();
        let view = bit_in(p, 10);
        let send = bit_in(p, 11);
        let mut kept = 0u64;
        for b in 0..53u32 {
            let allowed = bit_in(p, b)
                && view
                && (send || ![17u32, 12, 15, 14].contains(&b))
                && (!timed_out || b == 10 || b == 16);
            if allowed {
                kept |= 1 << b;
            }
        }
        Permissions(kept)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn channel_permissions_match_the_reference(
            owner in prop::bool::weighted(0.05),
            timed_out in prop::bool::weighted(0.2),
            guest in prop::bool::weighted(0.3),
            everyone in bits(),
            role_bits in prop::collection::vec(bits(), 0..4),
            ows in prop::collection::vec(overwrite(), 0..6),
        ) {
            let roles: Vec<(Snowflake, Permissions)> = role_bits
                .iter()
                .enumerate()
                .map(|(i, p)| (Snowflake(10 + i as u64), *p))
                .collect();
            let typed: Vec<(crate::RoleId, Permissions)> =
                roles.iter().map(|(id, p)| ((*id).into(), *p)).collect();
            let m = Member {
                guild_id: GUILD.into(),
                user_id: USER.into(),
                is_owner: owner,
                everyone,
                roles: &typed,
                timed_out,
                guest,
            };
            prop_assert_eq!(
                channel_permissions(&m, &ows),
                reference(owner, everyone, &roles, timed_out, guest, &ows)
            );
        }

        #[test]
        fn the_hierarchy_is_strict_and_the_owner_is_above_all(
            a in prop::collection::vec(0i64..5, 0..3),
            b in prop::collection::vec(0i64..5, 0..3),
            position in 0i64..6,
        ) {
            let (ra, rb) = (Rank::of(false, a.clone()), Rank::of(false, b.clone()));
            let top = |v: &Vec<i64>| v.iter().copied().max().unwrap_or(0);
            prop_assert_eq!(ra.manages_member(rb), top(&a) > top(&b));
            prop_assert_eq!(ra.manages_role(position), position < top(&a));
            prop_assert!(Rank::Owner.manages_member(ra));
            prop_assert!(!ra.manages_member(Rank::Owner));
            prop_assert!(!Rank::Owner.manages_member(Rank::Owner));
            prop_assert!(Rank::Owner.manages_role(position));
        }
    }
}

#[test]
fn a_private_channel_is_nothing_to_those_not_let_in() {
    let (guild, user, mods) = (
        crate::Snowflake(1),
        crate::Snowflake(2),
        crate::Snowflake(9),
    );
    let private = [
        Overwrite {
            id: guild,
            kind: OverwriteKind::Role,
            allow: Permissions::NONE,
            deny: Permissions::VIEW_CHANNEL,
        },
        Overwrite {
            id: mods,
            kind: OverwriteKind::Role,
            allow: Permissions::VIEW_CHANNEL,
            deny: Permissions::NONE,
        },
    ];
    let member = |roles: &'static [(crate::RoleId, Permissions)]| Member {
        guild_id: guild.into(),
        user_id: user.into(),
        is_owner: false,
        everyone: Permissions::DEFAULT_EVERYONE,
        roles,
        timed_out: false,
        guest: false,
    };
    assert_eq!(
        channel_permissions(&member(&[]), &private),
        Permissions::NONE
    );
    static MOD: [(crate::RoleId, Permissions); 1] =
        [(crate::RoleId(crate::Snowflake(9)), Permissions(0))];
    let p = channel_permissions(&member(&MOD), &private);
    assert!(p.contains(Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES));
    let timed_out = Member {
        timed_out: true,
        ..member(&MOD)
    };
    assert_eq!(
        channel_permissions(&timed_out, &private),
        Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY
    );
    assert_eq!(
        base_permissions(&timed_out),
        Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY
    );
}

#[test]
fn a_guest_sees_only_what_their_own_overwrites_and_roles_open() {
    let (guild, user) = (crate::Snowflake(1), crate::Snowflake(2));
    let guest = Member {
        guild_id: guild.into(),
        user_id: user.into(),
        is_owner: false,
        everyone: Permissions::DEFAULT_EVERYONE,
        roles: &[],
        timed_out: false,
        guest: true,
    };
    assert_eq!(base_permissions(&guest), Permissions::NONE);
    let open_to_everyone = [Overwrite {
        id: guild,
        kind: OverwriteKind::Role,
        allow: Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
        deny: Permissions::NONE,
    }];
    assert_eq!(
        channel_permissions(&guest, &open_to_everyone),
        Permissions::NONE
    );
    let given = [Overwrite {
        id: user,
        kind: OverwriteKind::Member,
        allow: Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES,
        deny: Permissions::NONE,
    }];
    assert_eq!(
        channel_permissions(&guest, &given),
        Permissions::VIEW_CHANNEL | Permissions::SEND_MESSAGES
    );
    let member = Member {
        guest: false,
        ..guest
    };
    assert!(channel_permissions(&member, &open_to_everyone).contains(Permissions::VIEW_CHANNEL));
}
