// Discord's permission bits and the computation every client makes to decide what to offer:
// the guild's base permissions from roles, then a channel's overwrites. The server checks
// every request again; this only decides which controls are shown.
import type { Channel } from "./api";
import type { GuildData } from "./store";

export const P = {
  CREATE_INSTANT_INVITE: 1n << 0n,
  KICK_MEMBERS: 1n << 1n,
  BAN_MEMBERS: 1n << 2n,
  ADMINISTRATOR: 1n << 3n,
  MANAGE_CHANNELS: 1n << 4n,
  MANAGE_GUILD: 1n << 5n,
  VIEW_AUDIT_LOG: 1n << 7n,
  VIEW_CHANNEL: 1n << 10n,
  SEND_MESSAGES: 1n << 11n,
  MANAGE_MESSAGES: 1n << 13n,
  READ_MESSAGE_HISTORY: 1n << 16n,
  MENTION_EVERYONE: 1n << 17n,
  CHANGE_NICKNAME: 1n << 26n,
  MANAGE_NICKNAMES: 1n << 27n,
  MANAGE_ROLES: 1n << 28n,
  MANAGE_THREADS: 1n << 34n,
  CREATE_PUBLIC_THREADS: 1n << 35n,
  SEND_MESSAGES_IN_THREADS: 1n << 38n,
  MODERATE_MEMBERS: 1n << 40n,
} as const;

export const ALL = (1n << 53n) - 1n;

/** The permissions `user` holds in the guild (all of them as owner or administrator). */
export function guildPermissions(g: GuildData | undefined, user: string | undefined): bigint {
  if (!g || !user) return 0n;
  if (g.owner_id === user) return ALL;
  const member = g.members[user];
  // A guest holds nothing of @everyone (hearth's extension).
  let perms = isGuest(g, user) ? 0n : BigInt(g.roles[g.id]?.permissions ?? "0");
  for (const r of member?.roles ?? []) perms |= BigInt(g.roles[r]?.permissions ?? "0");
  return perms & P.ADMINISTRATOR ? ALL : perms;
}

/** The permissions `user` holds in a channel: base, then @everyone's, roles' and member overwrites. */
export function channelPermissions(g: GuildData | undefined, channel: Channel | undefined, user: string | undefined): bigint {
  let perms = guildPermissions(g, user);
  if (!g || !channel || !user || perms === ALL) return perms;
  const ows = channel.permission_overwrites ?? [];
  const roles = new Set(g.members[user]?.roles ?? []);
  const everyone = ows.find((o) => o.type === 0 && o.id === g.id);
  if (everyone && !isGuest(g, user)) perms = (perms & ~BigInt(everyone.deny)) | BigInt(everyone.allow);
  let allow = 0n;
  let deny = 0n;
  for (const o of ows) {
    if (o.type === 0 && o.id !== g.id && roles.has(o.id)) {
      allow |= BigInt(o.allow);
      deny |= BigInt(o.deny);
    }
  }
  perms = (perms & ~deny) | allow;
  const mine = ows.find((o) => o.type === 1 && o.id === user);
  if (mine) perms = (perms & ~BigInt(mine.deny)) | BigInt(mine.allow);
  return perms;
}

/** Whether `user` is a guest of the guild. */
export function isGuest(g: GuildData | undefined, user: string | undefined): boolean {
  return !!user && g?.members[user]?.hearth_kind === "guest";
}

export const has = (perms: bigint, bit: bigint) => (perms & bit) === bit;
