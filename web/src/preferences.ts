// Notification settings and channel preferences as the client reads and changes them: each
// server's entry (and the DMs' under "@me") from READY, kept current by
// USER_GUILD_SETTINGS_UPDATE, so that every session of the person follows a change.
import { createSignal } from "solid-js";
import { reconcile } from "solid-js/store";
import { api, type ChannelOverride, type MuteConfig } from "./api";
import { setState, state } from "./store";

/** The clock mutes are read against, moved on twice a minute so that timed mutes end. */
const [now, setNow] = createSignal(Date.now());
setInterval(() => setNow(Date.now()), 30_000);

/** How long a mute may be picked for: label and seconds (-1: until turned back on). */
export const MUTE_CHOICES: [string, number][] = [
  ["For 15 minutes", 15 * 60],
  ["For 1 hour", 3600],
  ["For 8 hours", 8 * 3600],
  ["For 24 hours", 24 * 3600],
  ["Until I turn it back on", -1],
];

/** Notification levels: label and value (3: as the server, or the DMs, say). */
export const LEVELS: [string, number][] = [
  ["All messages", 0],
  ["Only @mentions", 1],
  ["Nothing", 2],
];

function lasting(muted: boolean, config: MuteConfig | null | undefined): boolean {
  if (!muted) return false;
  const end = config?.end_time;
  return !end || Date.parse(end) > now();
}

/** A channel's override in a server's entry ("@me" for a DM). */
export function channelOverride(scope: string, channel: string): ChannelOverride | undefined {
  return state.guildSettings[scope]?.channel_overrides.find((o) => o.channel_id === channel);
}

export function isFavourite(scope: string, channel: string): boolean {
  return channelOverride(scope, channel)?.favorite ?? false;
}

/** The channel itself is muted (and the mute has not ended). */
export function isChannelMuted(scope: string, channel: string): boolean {
  const o = channelOverride(scope, channel);
  return lasting(o?.muted ?? false, o?.mute_config);
}

/** The whole server (or all DMs) is muted. */
export function isServerMuted(scope: string): boolean {
  const e = state.guildSettings[scope];
  return lasting(e?.muted ?? false, e?.mute_config);
}

/** A channel's own level: 0 all, 1 mentions, 2 nothing, 3 the server's. */
export function channelLevel(scope: string, channel: string): number {
  return channelOverride(scope, channel)?.message_notifications ?? 3;
}

/** The server's level for this person: 0 all, 1 mentions, 2 nothing, 3 the server's default. */
export function serverLevel(scope: string): number {
  return state.guildSettings[scope]?.message_notifications ?? 3;
}

/** The mute to send for a choice of MUTE_CHOICES. */
export function muteFor(seconds: number): { muted: true; mute_config: MuteConfig } {
  const end_time = seconds < 0 ? null : new Date(Date.now() + seconds * 1000).toISOString();
  return { muted: true, mute_config: { end_time, selected_time_window: seconds } };
}

/** Changes a server's (or the DMs') settings; the answer is the entry as it is now. */
export async function changeSettings(scope: string, changes: Record<string, unknown>) {
  const entry = await api.guildSettings(scope, changes);
  setState("guildSettings", scope, reconcile(entry));
}

/** Changes one channel's override. */
export function changeChannel(scope: string, channel: string, changes: Record<string, unknown>) {
  return changeSettings(scope, { channel_overrides: { [channel]: changes } });
}
