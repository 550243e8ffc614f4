// The reaction events applied to the loaded messages: counts go up and down, `me` follows the
// signed-in person's own reactions, an emoji whose count reaches 0 goes.
import { state, setState } from "./store";
import type { Reaction } from "./api";

/** Applies a MESSAGE_REACTION_* event; true when `t` was one. */
export function applyReactionEvent(t: string, d: any): boolean {
  switch (t) {
    case "MESSAGE_REACTION_ADD":
      update(d.channel_id, d.message_id, (rs) => {
        const mine = d.user_id === state.me?.id;
        const i = rs.findIndex((r) => r.emoji.name === d.emoji.name);
        if (i < 0) return [...rs, { count: 1, me: mine, emoji: { id: null, name: d.emoji.name } }];
        return rs.map((r, j) => (j === i ? { ...r, count: r.count + 1, me: r.me || mine } : r));
      });
      return true;
    case "MESSAGE_REACTION_REMOVE":
      update(d.channel_id, d.message_id, (rs) => {
        const mine = d.user_id === state.me?.id;
        return rs
          .map((r) => (r.emoji.name === d.emoji.name ? { ...r, count: r.count - 1, me: r.me && !mine } : r))
          .filter((r) => r.count > 0);
      });
      return true;
    case "MESSAGE_REACTION_REMOVE_EMOJI":
      update(d.channel_id, d.message_id, (rs) => rs.filter((r) => r.emoji.name !== d.emoji.name));
      return true;
    case "MESSAGE_REACTION_REMOVE_ALL":
      update(d.channel_id, d.message_id, () => []);
      return true;
    default:
      return false;
  }
}

function update(channel: string, message: string, change: (rs: Reaction[]) => Reaction[]) {
  const list = state.messages[channel]?.list;
  const i = list?.findIndex((m) => m.id === message) ?? -1;
  if (i < 0) return;
  setState("messages", channel, "list", i, "reactions", (rs) => change(rs ?? []));
}
