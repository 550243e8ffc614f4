// The REST calls of the settings screens. Moderation calls take an optional reason, sent as
// `X-Audit-Log-Reason` (percent-encoded, as bot libraries send it) and kept in the audit log.
import { errorText, request, type Channel, type Guild, type Invite, type Member, type Role, type User } from "../api";

export interface Ban {
  user: User;
  reason: string | null;
}

export interface AuditChange {
  key: string;
  old_value?: unknown;
  new_value?: unknown;
}

export interface AuditEntry {
  id: string;
  user_id: string | null;
  target_id: string | null;
  action_type: number;
  changes?: AuditChange[];
  options?: Record<string, string | undefined>;
  reason?: string | null;
}

export interface AuditLog {
  audit_log_entries: AuditEntry[];
  users: User[];
}

/** A channel's new place: `position` and, when given, its category (null: none). */
export interface ChannelMove {
  id: string;
  position?: number;
  parent_id?: string | null;
}

const reasonHeader = (reason?: string): Record<string, string> => {
  const r = reason?.trim();
  return r ? { "X-Audit-Log-Reason": encodeURIComponent(r) } : {};
};

/** A request with an optional audit log reason (the session's token as usual). */
function call<T>(method: string, path: string, body?: unknown, reason?: string): Promise<T> {
  return request<T>(method, path, body, undefined, reasonHeader(reason));
}

/** What went wrong, in words, for a `role="alert"`. */
export { errorText };

export const settingsApi = {
  /** The guild's default channels, in order (hearth's extension). */
  setDefaultChannels: (guild: string, ids: string[]) =>
    call<unknown>("PATCH", `/guilds/${guild}`, { hearth_default_channel_ids: ids }),
  renameGuild: (guild: string, name: string) => call<Guild>("PATCH", `/guilds/${guild}`, { name }),

  createChannel: (guild: string, body: { name: string; type: number; parent_id?: string }) =>
    call<Channel>("POST", `/guilds/${guild}/channels`, body),
  renameChannel: (channel: string, name: string) => call<Channel>("PATCH", `/channels/${channel}`, { name }),
  moveChannels: (guild: string, moves: ChannelMove[]) => call<void>("PATCH", `/guilds/${guild}/channels`, moves),
  deleteChannel: (channel: string) => call<Channel>("DELETE", `/channels/${channel}`),
  putOverwrite: (channel: string, target: string, body: { type: number; allow: string; deny: string }) =>
    call<void>("PUT", `/channels/${channel}/permissions/${target}`, body),
  deleteOverwrite: (channel: string, target: string) =>
    call<void>("DELETE", `/channels/${channel}/permissions/${target}`),

  createRole: (guild: string, name: string) => call<Role>("POST", `/guilds/${guild}/roles`, { name }),
  modifyRole: (
    guild: string,
    role: string,
    body: { name?: string; color?: number; hoist?: boolean; permissions?: string },
  ) => call<Role>("PATCH", `/guilds/${guild}/roles/${role}`, body),
  moveRoles: (guild: string, moves: { id: string; position: number }[]) =>
    call<Role[]>("PATCH", `/guilds/${guild}/roles`, moves),
  deleteRole: (guild: string, role: string) => call<void>("DELETE", `/guilds/${guild}/roles/${role}`),

  members: (guild: string, after?: string) =>
    call<Member[]>("GET", `/guilds/${guild}/members?limit=1000${after ? `&after=${after}` : ""}`),
  addRole: (guild: string, user: string, role: string, reason?: string) =>
    call<void>("PUT", `/guilds/${guild}/members/${user}/roles/${role}`, undefined, reason),
  removeRole: (guild: string, user: string, role: string, reason?: string) =>
    call<void>("DELETE", `/guilds/${guild}/members/${user}/roles/${role}`, undefined, reason),
  timeout: (guild: string, user: string, until: string | null, reason?: string) =>
    call<Member>("PATCH", `/guilds/${guild}/members/${user}`, { communication_disabled_until: until }, reason),
  /** Makes someone a guest (until `expiresAt`, or without an expiry) or a full member. */
  setKind: (guild: string, user: string, kind: "member" | "guest", expiresAt?: string | null, reason?: string) =>
    call<Member>(
      "PATCH",
      `/guilds/${guild}/members/${user}`,
      kind === "guest" ? { hearth_kind: kind, hearth_guest_expires_at: expiresAt ?? null } : { hearth_kind: kind },
      reason,
    ),
  kick: (guild: string, user: string, reason?: string) =>
    call<void>("DELETE", `/guilds/${guild}/members/${user}`, undefined, reason),
  ban: (guild: string, user: string, deleteMessageSeconds: number, reason?: string) =>
    call<void>("PUT", `/guilds/${guild}/bans/${user}`, { delete_message_seconds: deleteMessageSeconds }, reason),

  bans: (guild: string) => call<Ban[]>("GET", `/guilds/${guild}/bans?limit=1000`),
  unban: (guild: string, user: string, reason?: string) =>
    call<void>("DELETE", `/guilds/${guild}/bans/${user}`, undefined, reason),

  invites: (guild: string) => call<Invite[]>("GET", `/guilds/${guild}/invites`),
  revokeInvite: (code: string) => call<Invite>("DELETE", `/invites/${encodeURIComponent(code)}`),

  auditLog: (guild: string, before?: string) =>
    call<AuditLog>("GET", `/guilds/${guild}/audit-logs?limit=50${before ? `&before=${before}` : ""}`),

  modifyMe: (body: { username?: string; global_name?: string | null }) => call<User>("PATCH", "/users/@me", body),
};
