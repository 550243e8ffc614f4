// The public REST API (the same one bots use), with the session's token.

export const BASE = "/api/v10";

/** An error answer in Discord's shape. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: number,
    message: string,
    public errors?: unknown,
  ) {
    super(message);
  }

  /** The first field error's message, if any (`errors.<field>._errors[0].message`). */
  fieldMessage(): string | undefined {
    const walk = (v: unknown): string | undefined => {
      if (!v || typeof v !== "object") return undefined;
      const o = v as Record<string, unknown>;
      if (Array.isArray(o._errors) && o._errors.length > 0) {
        const first = o._errors[0] as { message?: string };
        return first.message;
      }
      for (const k of Object.keys(o)) {
        const m = walk(o[k]);
        if (m) return m;
      }
      return undefined;
    };
    return walk(this.errors);
  }
}

/** What went wrong, in words: the server's (first field error, or its message), or that it could not be reached. */
export function errorText(e: unknown, unreachable = "The server could not be reached. Try again."): string {
  if (e instanceof ApiError) return e.fieldMessage() ?? e.message;
  return unreachable;
}

const TOKEN_KEY = "hearth.token";

export function savedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string | null) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = savedToken(),
  extraHeaders: Record<string, string> = {},
): Promise<T> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (token) headers["Authorization"] = token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new ApiError(res.status, data.code ?? 0, data.message ?? res.statusText, data.errors);
  }
  return data as T;
}

export interface User {
  id: string;
  username: string;
  global_name: string | null;
  bot?: boolean;
}

export interface PartialGuild {
  id: string;
  name: string;
  owner: boolean;
}

export interface Overwrite {
  id: string;
  type: number; // 0 role, 1 member
  allow: string;
  deny: string;
}

export interface Channel {
  id: string;
  type: number; // 0 text, 2 voice, 4 category, 5 announcement
  guild_id?: string;
  name: string;
  position: number;
  parent_id?: string | null;
  topic?: string | null;
  permission_overwrites?: Overwrite[];
  last_message_id?: string | null;
  /** hearth's extension, on channels read over REST. */
  hearth_counters?: ChannelCounters;
  /** Threads (type 11): their creator, counts and archive state. */
  owner_id?: string;
  message_count?: number;
  member_count?: number;
  thread_metadata?: ThreadMetadata;
}

/** A thread's archive state. */
export interface ThreadMetadata {
  archived: boolean;
  auto_archive_duration: number;
  archive_timestamp: string;
  locked: boolean;
}

/** The thread lists: the threads and the caller's memberships among them. */
export interface ThreadList {
  threads: Channel[];
  members: { id: string; user_id: string }[];
  has_more?: boolean;
}

/** A channel's counters (hearth's extension). */
export interface ChannelCounters {
  members: number;
  guests: number;
  messages: number;
  last_activity_at: string | null;
}

/** A DM (type 1) or group DM (type 3): the other recipients, and a group's name and owner. */
export interface PrivateChannel {
  id: string;
  type: number;
  last_message_id?: string | null;
  recipients: User[];
  name?: string | null;
  owner_id?: string;
}

/** One of the person's relationships: `type` 1 friend, 2 blocked, 3 request received, 4 request sent. */
export interface Relationship {
  id: string;
  type: number;
  user: User;
  nickname?: string | null;
}

/** A directed invite (hearth's extension): one person's invitation of another to a server. */
export interface DirectedInvite {
  id: string;
  guild: { id: string; name: string; icon: string | null };
  channel: { id: string; name: string | null; type: number } | null;
  sender: User;
  recipient: User;
  message: string | null;
  permissions: string;
  /** 0 pending, 1 accepted, 2 declined, 3 cancelled, 4 expired. */
  status: number;
  created_at: string;
  expires_at: string | null;
  resolved_at: string | null;
}

export interface Role {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  position: number;
  permissions: string;
}

export interface Member {
  user: User;
  nick?: string | null;
  roles: string[];
  joined_at: string;
  communication_disabled_until?: string | null;
  /** hearth's extension: member, guest or bot. */
  hearth_kind?: "member" | "guest" | "bot";
  /** hearth's extension: when a guest's access ends. */
  hearth_guest_expires_at?: string | null;
}

export interface Activity {
  name: string;
  type: number;
  state?: string | null;
}

export interface Presence {
  user: { id: string };
  status: string;
  activities?: Activity[];
}

export interface Guild {
  id: string;
  name: string;
  owner_id: string;
  roles: Role[];
  channels?: Channel[];
  members?: Member[];
  presences?: Presence[];
  member_count?: number;
  /** hearth's extension: the default channels, in order. */
  hearth_default_channel_ids?: string[];
}

export interface MessageReference {
  /** 0 a reply, 1 a forward. */
  type?: number;
  message_id?: string;
  channel_id?: string;
  guild_id?: string;
}

export interface Message {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: User;
  member?: Partial<Member>;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  type: number;
  mentions?: User[];
  mention_roles?: string[];
  mention_everyone?: boolean;
  message_reference?: MessageReference;
  referenced_message?: Message | null;
  /** A forward's copy of the forwarded message. */
  message_snapshots?: { message: { content: string; timestamp: string; edited_timestamp?: string | null } }[];
  /** In fetched messages that have any; kept up to date by the reaction events. */
  reactions?: Reaction[];
  /** Bit 32: a thread was started from this message (the thread has its id). */
  flags?: number;
}

/** A page of search results: each hit is an array holding the message. */
export interface SearchResults {
  total_results: number;
  messages: Message[][];
  doing_deep_historical_index: boolean;
}

/** One emoji's reactions on a message; `me` when the signed-in person is among them. */
export interface Reaction {
  count: number;
  me: boolean;
  emoji: { id: string | null; name: string };
}

export interface Invite {
  code: string;
  guild?: { id: string; name: string };
  channel?: { id: string; name: string; type: number } | null;
  inviter?: User;
  max_age?: number;
  max_uses?: number;
  uses?: number;
  expires_at?: string | null;
  created_at?: string;
  approximate_member_count?: number;
  approximate_presence_count?: number;
  hearth_guest?: boolean;
  hearth_guest_ttl?: number;
}

const q = (params: Record<string, string | number | undefined>) => {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return parts.length ? "?" + parts.join("&") : "";
};

export interface MuteConfig {
  end_time: string | null;
  selected_time_window: number;
}

/** A channel's notification override, with hearth's favourite and last access. */
export interface ChannelOverride {
  channel_id: string;
  muted: boolean;
  mute_config: MuteConfig | null;
  /** 0 all, 1 mentions, 2 nothing, 3 the server's setting. */
  message_notifications: number;
  collapsed: boolean;
  favorite: boolean;
  last_accessed_at: string | null;
}

/** Notification settings of a server (or of the DMs: `guild_id` null). */
export interface GuildSettings {
  guild_id: string | null;
  muted: boolean;
  mute_config: MuteConfig | null;
  /** 0 all, 1 mentions, 2 nothing, 3 the server's default. */
  message_notifications: number;
  suppress_everyone: boolean;
  suppress_roles: boolean;
  mobile_push: boolean;
  hide_muted_channels: boolean;
  notify_highlights: number;
  flags: number;
  version: number;
  channel_overrides: ChannelOverride[];
}

export const api = {
  register: (username: string, password: string) =>
    request<{ token: string }>("POST", "/auth/register", { username, password }, null),
  login: (login: string, password: string) =>
    request<{ token: string }>("POST", "/auth/login", { login, password }, null),
  logout: () => request<void>("POST", "/auth/logout"),
  me: () => request<User>("GET", "/users/@me"),
  guilds: () => request<PartialGuild[]>("GET", "/users/@me/guilds"),
  createGuild: (name: string) => request<Guild>("POST", "/guilds", { name }),
  members: (guild: string, after?: string) =>
    request<Member[]>("GET", `/guilds/${guild}/members${q({ limit: 1000, after })}`),
  messages: (channel: string, anchor: { before?: string; after?: string; around?: string }, limit = 50) =>
    request<Message[]>("GET", `/channels/${channel}/messages${q({ ...anchor, limit })}`),
  /** A guild's messages (`guild`), or one channel's (`guild` "@me" or `inChannel`). */
  search: (guild: string, channel: string, inChannel: boolean, query: string) =>
    request<SearchResults>(
      "GET",
      (guild === "@me" || inChannel ? `/channels/${channel}` : `/guilds/${guild}`) + `/messages/search?${query}`,
    ),
  send: (channel: string, content: string, replyTo?: string) =>
    request<Message>("POST", `/channels/${channel}/messages`, {
      content,
      ...(replyTo
        ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
        : {}),
    }),
  edit: (channel: string, id: string, content: string) =>
    request<Message>("PATCH", `/channels/${channel}/messages/${id}`, { content }),
  remove: (channel: string, id: string) =>
    request<void>("DELETE", `/channels/${channel}/messages/${id}`),
  react: (channel: string, id: string, emoji: string) =>
    request<void>("PUT", `/channels/${channel}/messages/${id}/reactions/${encodeURIComponent(emoji)}/@me`),
  unreact: (channel: string, id: string, emoji: string) =>
    request<void>("DELETE", `/channels/${channel}/messages/${id}/reactions/${encodeURIComponent(emoji)}/@me`),
  openDm: (recipient_id: string) =>
    request<PrivateChannel>("POST", "/users/@me/channels", { recipient_id }),
  openGroup: (recipients: string[], name?: string) =>
    request<PrivateChannel>("POST", "/users/@me/channels", { recipients, ...(name ? { name } : {}) }),
  leaveGroup: (channel: string) => request<unknown>("DELETE", `/channels/${channel}`),
  renameGroup: (channel: string, name: string) =>
    request<PrivateChannel>("PATCH", `/channels/${channel}`, { name }),
  /** A user; with when they were last seen, for people who share a server or are friends. */
  user: (id: string) => request<User & { last_seen_at?: string }>("GET", `/users/${id}`),
  relationships: () => request<Relationship[]>("GET", "/users/@me/relationships"),
  addFriend: (username: string) => request<void>("POST", "/users/@me/relationships", { username }),
  /** Accept a request (or send one) with no type; block with type 2. */
  relate: (user: string, type?: number) =>
    request<void>("PUT", `/users/@me/relationships/${user}`, type ? { type } : {}),
  unrelate: (user: string) => request<void>("DELETE", `/users/@me/relationships/${user}`),
  typing: (channel: string) => request<void>("POST", `/channels/${channel}/typing`),
  /** An invite; `guestTtl` (seconds, 0: no expiry) makes it admit guests given this channel. */
  createInvite: (channel: string, max_age: number, max_uses: number, guestTtl?: number) =>
    request<Invite>("POST", `/channels/${channel}/invites`, {
      max_age,
      max_uses,
      unique: true,
      ...(guestTtl === undefined ? {} : { hearth_guest: true, hearth_guest_ttl: guestTtl }),
    }),
  channel: (id: string) => request<Channel>("GET", `/channels/${id}`),
  invite: (code: string) =>
    request<Invite>("GET", `/invites/${encodeURIComponent(code)}?with_counts=true`),
  /** Changes notification settings of a server, or of the DMs (`@me`). */
  guildSettings: (scope: string, changes: Record<string, unknown>) =>
    request<GuildSettings>("PATCH", `/users/@me/guilds/${scope}/settings`, changes),
  /** Notes that a channel was opened (hearth's extension; the server keeps one a minute). */
  recordAccess: (channel: string) => request<void>("POST", `/users/@me/channels/${channel}/access`),
  acceptInvite: (code: string) =>
    request<Invite>("POST", `/invites/${encodeURIComponent(code)}`),
  /** Invites a person (by username) to a server, or to one of its channels. */
  sendDirectedInvite: (guild: string, username: string, message: string, channel_id?: string) =>
    request<DirectedInvite>("POST", `/guilds/${guild}/directed-invites`, {
      username,
      ...(message ? { message } : {}),
      ...(channel_id ? { channel_id } : {}),
    }),
  directedInvites: () => request<DirectedInvite[]>("GET", "/users/@me/directed-invites?status=0"),
  answerDirectedInvite: (id: string, answer: "accept" | "decline") =>
    request<DirectedInvite>("POST", `/users/@me/directed-invites/${id}/${answer}`),
  /** Starts a thread from a message (the thread gets the message's id). */
  startThread: (channel: string, message: string, name: string) =>
    request<Channel>("POST", `/channels/${channel}/messages/${message}/threads`, { name }),
  /** Archives or unarchives a thread. */
  archiveThread: (thread: string, archived: boolean) =>
    request<Channel>("PATCH", `/channels/${thread}`, { archived }),
  activeThreads: (guild: string) => request<ThreadList>("GET", `/guilds/${guild}/threads/active`),
  archivedThreads: (channel: string) =>
    request<ThreadList>("GET", `/channels/${channel}/threads/archived/public`),
  joinThread: (thread: string) => request<void>("PUT", `/channels/${thread}/thread-members/@me`),
  cancelDirectedInvite: (id: string) => request<DirectedInvite>("DELETE", `/users/@me/directed-invites/${id}`),
};
