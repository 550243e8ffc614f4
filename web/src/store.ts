// What the client knows, kept current by the gateway's events: the account, its guilds with
// their channels, roles, members and presences, the messages loaded per channel, who is typing,
// and how far each channel has been read.
import { batch } from "solid-js";
import { createStore, produce, reconcile } from "solid-js/store";
import type {
  Channel,
  DirectedInvite,
  Guild,
  GuildSettings,
  Member,
  Message,
  Presence,
  PrivateChannel,
  Relationship,
  Role,
  User,
} from "./api";

export interface GuildData {
  id: string;
  name: string;
  owner_id: string;
  channels: Record<string, Channel>;
  roles: Record<string, Role>;
  members: Record<string, Member>;
  presences: Record<string, Presence>;
  /** The guild's default channels, in order (hearth's extension). */
  defaultChannels: string[];
}

export interface ChannelMessages {
  /** Loaded messages, oldest first, without gaps between them. */
  list: Message[];
  /** The newest message of the channel is loaded (the list ends at the present). */
  latest: boolean;
  /** Older messages exist on the server that are not loaded. */
  more: boolean;
}

export interface State {
  me: User | null;
  /** READY arrived for the current session. */
  ready: boolean;
  /** The connection: "connecting", "online", or "offline" (trying again). */
  connection: "connecting" | "online" | "offline";
  guilds: Record<string, GuildData>;
  /** DMs and group DMs, by id. */
  privateChannels: Record<string, PrivateChannel>;
  /** Friends, friend requests and blocks, by the other person's id. */
  relationships: Record<string, Relationship>;
  /** Friends' presences (told without a guild), by their id. */
  friendPresences: Record<string, Presence>;
  /** Pending directed invites received and sent, by id (answered ones are dropped). */
  directedInvites: Record<string, DirectedInvite>;
  messages: Record<string, ChannelMessages>;
  /** Threads known to this session (GUILD_CREATE's active ones, and THREAD_* events), by id. */
  threads: Record<string, Channel>;
  /** channel → user → when their typing indicator ends (ms since epoch). */
  typing: Record<string, Record<string, number>>;
  /** channel → the newest message id this person has seen there. */
  read: Record<string, string>;
  /** Notification settings and channel preferences by server id ("@me": the DMs). */
  guildSettings: Record<string, GuildSettings>;
  /** Status chosen by the person (what the gateway is told, except for automatic idle). */
  status: string;
  customStatus: string;
}

export const [state, setState] = createStore<State>({
  me: null,
  ready: false,
  connection: "connecting",
  guilds: {},
  privateChannels: {},
  relationships: {},
  friendPresences: {},
  directedInvites: {},
  messages: {},
  threads: {},
  typing: {},
  read: {},
  guildSettings: {},
  status: "online",
  customStatus: "",
});

/** Compares two snowflakes (decimal strings) as numbers. */
export function cmpId(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

const byKey = <T extends { id: string }>(items: T[] = []) =>
  Object.fromEntries(items.map((i) => [i.id, i]));

export function guildFromCreate(g: Guild): GuildData {
  return {
    id: g.id,
    name: g.name,
    owner_id: g.owner_id,
    channels: byKey(g.channels),
    roles: byKey(g.roles),
    members: Object.fromEntries((g.members ?? []).map((m) => [m.user.id, m])),
    presences: Object.fromEntries((g.presences ?? []).map((p) => [p.user.id, p])),
    defaultChannels: g.hearth_default_channel_ids ?? [],
  };
}

/** Puts messages into their channel's list in order, replacing any with the same id. */
export function upsertMessages(channel: string, messages: Message[]) {
  if (!state.messages[channel]) {
    setState("messages", channel, { list: [], latest: false, more: true });
  }
  setState(
    "messages",
    channel,
    "list",
    produce((list) => {
      for (const m of messages) {
        let lo = 0;
        let hi = list.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cmpId(list[mid].id, m.id) < 0) lo = mid + 1;
          else hi = mid;
        }
        if (lo < list.length && list[lo].id === m.id) list[lo] = m;
        else list.splice(lo, 0, m);
      }
    }),
  );
}

export function removeMessages(channel: string, ids: string[]) {
  if (!state.messages[channel]) return;
  const gone = new Set(ids);
  setState("messages", channel, "list", (list) => list.filter((m) => !gone.has(m.id)));
}

/** A guild member's name as shown: nickname, display name, username. */
export function displayName(guild: string | undefined, user: User | undefined): string {
  if (!user) return "unknown user";
  const member = guild ? state.guilds[guild]?.members[user.id] : undefined;
  return member?.nick || member?.user?.global_name || user.global_name || user.username;
}

const READ_KEY = "hearth.read.";

/** Loads how far this person has read (kept in this browser). */
export function loadRead(user: string) {
  try {
    const saved = JSON.parse(localStorage.getItem(READ_KEY + user) ?? "{}");
    if (saved && typeof saved === "object") setState("read", reconcile(saved));
  } catch {
    setState("read", reconcile({}));
  }
}

/** Notes `message` as seen in `channel` (never moves backwards). */
export function markRead(channel: string, message: string | undefined | null) {
  if (!message || !state.me) return;
  const seen = state.read[channel];
  if (seen && cmpId(seen, message) >= 0) return;
  setState("read", channel, message);
  localStorage.setItem(READ_KEY + state.me.id, JSON.stringify(state.read));
}

/** The name a private channel goes by: a group's name, or its other people's names. */
export function privateName(c: PrivateChannel): string {
  if (c.name) return c.name;
  const names = c.recipients.map((u) => u.global_name || u.username);
  return names.length ? names.join(", ") : "Just you";
}

/** Whether a channel has messages newer than the last one seen (one's own do not count). */
export function isUnread(channel: { id: string; last_message_id?: string | null }): boolean {
  const last = channel.last_message_id;
  if (!last) return false;
  const seen = state.read[channel.id];
  return !seen || cmpId(last, seen) > 0;
}

/** Forgets everything (log out). */
export function resetState() {
  batch(() => {
    setState({ me: null, ready: false, connection: "connecting", status: "online", customStatus: "" });
    setState("guilds", reconcile({}));
    setState("privateChannels", reconcile({}));
    setState("relationships", reconcile({}));
    setState("friendPresences", reconcile({}));
    setState("messages", reconcile({}));
    setState("typing", reconcile({}));
    setState("read", reconcile({}));
    setState("guildSettings", reconcile({}));
  });
}

/** What others see of a person's status: "online", "idle", "dnd" or "offline". Friends' own
 * presences count, then those of any shared guild. */
export function statusOf(user: string): string {
  if (user === state.me?.id) return state.status === "invisible" ? "offline" : state.status;
  const friend = state.friendPresences[user]?.status;
  if (friend) return friend;
  for (const g of Object.values(state.guilds)) {
    const s = g.presences[user]?.status;
    if (s) return s;
  }
  return "offline";
}
