//! Positions of channels and roles. A position given by a client is bounded to
//! `0..=MAX_POSITION` (roles: `1..=MAX_POSITION`, @everyone alone stays at 0); positions hearth
//! computes itself (a channel created last, the roles moving up for a new one) never pass
//! `MAX_POSITION` either, so no arithmetic on them can wrap, and the order of roles — the role
//! hierarchy — is never changed by anything but an explicit move.

use crate::names::FieldError;

/// The highest position: 2^31 - 1, so that every position is a 32-bit integer as clients
/// expect (and exact in JavaScript).
pub const MAX_POSITION: i64 = i32::MAX as i64;

fn too_high() -> FieldError {
    FieldError::new(
        "NUMBER_TYPE_MAX",
        format!("int value should be less than or equal to {MAX_POSITION}."),
    )
}

/// A channel position a client asks for: `0..=MAX_POSITION`.
pub fn check_channel_position(position: i64) -> Result<(), FieldError> {
    if position < 0 {
        return Err(FieldError::new(
            "NUMBER_TYPE_MIN",
            "int value should be greater than or equal to 0.",
        ));
    }
    if position > MAX_POSITION {
        return Err(too_high());
    }
    Ok(())
}

/// A role position a client asks for: `1..=MAX_POSITION` (0 is @everyone's alone).
pub fn check_role_position(position: i64) -> Result<(), FieldError> {
    if position < 1 {
        return Err(FieldError::new(
            "INVALID_ROLE",
            "@everyone stays at the bottom (position 0).",
        ));
    }
    if position > MAX_POSITION {
        return Err(too_high());
    }
    Ok(())
}

/// The position of a channel created after `existing` (the positions of its kind): one past
/// the highest, at most `MAX_POSITION` (channels of equal position sort by id, so a new one
/// still comes last); 0 for the first.
pub fn next_position(existing: impl IntoIterator<Item = i64>) -> i64 {
    existing
        .into_iter()
        .max()
        .map_or(0, |top| top.saturating_add(1).clamp(0, MAX_POSITION))
}

/// Where the roles `(id, position)` (all but @everyone) go when a new role takes position 1 at
/// the bottom: each moves up one. When that would pass `MAX_POSITION`, they are first
/// renumbered 1, 2, ... in their order, equal positions staying equal, so the hierarchy is
/// kept exactly. Returns the new position of each role, in the order given.
pub fn make_room_at_bottom<Id: Copy>(roles: &[(Id, i64)]) -> Vec<(Id, i64)> {
    let fits = roles.iter().all(|(_, p)| (1..MAX_POSITION).contains(p));
    if fits {
        return roles.iter().map(|&(id, p)| (id, p + 1)).collect();
    }
    let mut distinct: Vec<i64> = roles.iter().map(|&(_, p)| p).collect();
    distinct.sort_unstable();
    distinct.dedup();
    roles
        .iter()
        .map(|&(id, p)| {
            // Rank among the distinct positions, from 1; then up one for the new role.
            let rank = distinct.partition_point(|&x| x < p) as i64 + 1;
            (id, rank + 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn requested_positions_are_bounded() {
        assert!(check_channel_position(0).is_ok());
        assert!(check_channel_position(MAX_POSITION).is_ok());
        assert_eq!(
            check_channel_position(-1).unwrap_err().code,
            "NUMBER_TYPE_MIN"
        );
        assert_eq!(
            check_channel_position(i64::MAX).unwrap_err().code,
            "NUMBER_TYPE_MAX"
        );
        assert_eq!(check_role_position(0).unwrap_err().code, "INVALID_ROLE");
        assert!(check_role_position(1).is_ok());
        assert_eq!(
            check_role_position(MAX_POSITION + 1).unwrap_err().code,
            "NUMBER_TYPE_MAX"
        );
    }

    #[test]
    fn a_new_channel_comes_last_without_wrapping() {
        assert_eq!(next_position([]), 0);
        assert_eq!(next_position([0, 4, 2]), 5);
        assert_eq!(next_position([MAX_POSITION]), MAX_POSITION);
        // Positions stored before they were bounded.
        assert_eq!(next_position([i64::MAX]), MAX_POSITION);
        assert_eq!(next_position([-5]), 0);
    }

    #[test]
    fn making_room_renumbers_only_at_the_top() {
        assert_eq!(make_room_at_bottom(&[(1, 1), (2, 5)]), vec![(1, 2), (2, 6)]);
        assert_eq!(
            make_room_at_bottom(&[(1, MAX_POSITION), (2, 3), (3, 3), (4, i64::MAX)]),
            vec![(1, 3), (2, 2), (3, 2), (4, 4)]
        );
    }

    /// One step a client can take on a guild's roles.
    #[derive(Debug, Clone)]
    enum Step {
        /// Create a role (at the bottom).
        Create,
        /// Move the role at this index (modulo the count) to this position, if allowed.
        Move(usize, i64),
        /// Delete the role at this index.
        Delete(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        let position = prop_oneof![
            -3i64..260,
            MAX_POSITION - 3..=MAX_POSITION,
            Just(MAX_POSITION + 1),
            Just(i64::MAX),
            Just(i64::MIN),
        ];
        prop_oneof![
            Just(Step::Create),
            (any::<usize>(), position).prop_map(|(i, p)| Step::Move(i, p)),
            any::<usize>().prop_map(Step::Delete),
        ]
    }

    /// Sorted by (position, id): the hierarchy, bottom first.
    fn order(roles: &[(i64, i64)]) -> Vec<Vec<i64>> {
        let mut sorted = roles.to_vec();
        sorted.sort_by_key(|&(id, p)| (p, id));
        let mut groups: Vec<Vec<i64>> = Vec::new();
        let mut last = None;
        for (id, p) in sorted {
            if last == Some(p) {
                groups.last_mut().expect("a group").push(id);
            } else {
                groups.push(vec![id]);
            }
            last = Some(p);
        }
        groups
    }

    proptest! {
        /// Whatever clients ask, in any order: positions stay in 1..=MAX_POSITION (so nothing
        /// gets below @everyone's 0), a create keeps every other role's place in the
        /// hierarchy, and a move refused leaves everything as it was.
        #[test]
        fn no_sequence_of_requests_corrupts_the_role_hierarchy(
            steps in proptest::collection::vec(step(), 1..80)
        ) {
            let mut roles: Vec<(i64, i64)> = Vec::new();
            let mut next_id = 1;
            for s in steps {
                let before = roles.clone();
                match s {
                    Step::Create => {
                        let moved = make_room_at_bottom(&roles);
                        prop_assert_eq!(moved.len(), roles.len());
                        roles = moved;
                        // The others' order, ties included, is unchanged.
                        prop_assert_eq!(order(&roles), order(&before));
                        roles.push((next_id, 1));
                        next_id += 1;
                    }
                    Step::Move(i, p) if !roles.is_empty() => {
                        let i = i % roles.len();
                        if check_role_position(p).is_ok() {
                            roles[i].1 = p;
                        } else {
                            prop_assert_eq!(&roles, &before);
                        }
                    }
                    Step::Delete(i) if !roles.is_empty() => {
                        roles.remove(i % roles.len());
                    }
                    _ => {}
                }
                for &(_, p) in &roles {
                    prop_assert!((1..=MAX_POSITION).contains(&p), "position {} out of range", p);
                }
            }
        }
    }
}
