// Deletion and retention (hearth's extension): a channel's notice of its rules, and the forms
// that change them (a channel's in its settings or a DM's header, a server's in its overview).
import { createEffect, createResource, createSignal, on, Show } from "solid-js";
import { Alert } from "./Alert";
import { errorText, request } from "./api";

export interface ChannelRetention {
  channel_id: string;
  secret: boolean;
  retention_days: number | null;
  guild_retention_days: number | null;
  effective_retention_days: number | null;
}

export interface GuildRetention {
  guild_id: string;
  retention_days: number | null;
}

export const retentionApi = {
  channel: (id: string) => request<ChannelRetention>("GET", `/channels/${id}/retention`),
  setChannel: (id: string, changes: { secret?: boolean; retention_days?: number | null }) =>
    request<ChannelRetention>("PATCH", `/channels/${id}/retention`, changes),
  guild: (id: string) => request<GuildRetention>("GET", `/guilds/${id}/retention`),
  setGuild: (id: string, retention_days: number | null) =>
    request<GuildRetention>("PATCH", `/guilds/${id}/retention`, { retention_days }),
};

/** "1 day", "30 days". */
export function days(n: number): string {
  return `${n} day${n === 1 ? "" : "s"}`;
}

/** What a channel's rules mean for its messages, in a sentence (empty when there are none). */
export function retentionText(r: ChannelRetention | undefined): string {
  if (!r) return "";
  const parts: string[] = [];
  if (r.effective_retention_days) parts.push(`Messages are deleted after ${days(r.effective_retention_days)}.`);
  if (r.secret) parts.push("Secret channel: deleted messages leave no trace.");
  return parts.join(" ");
}

/** The notice under a channel's header; `version` changes when the rules may have changed. */
export function RetentionNotice(props: { channel: string; version: number }) {
  const [rules] = createResource(
    () => [props.channel, props.version] as const,
    ([id]) => retentionApi.channel(id).catch(() => undefined),
  );
  return (
    <Show when={retentionText(rules())}>
      {(text) => (
        <p class="retention-notice" role="note">
          {text()}
        </p>
      )}
    </Show>
  );
}

/** A days field: empty means none. Returns null, a number, or undefined when invalid. */
function parseDays(text: string): number | null | undefined {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isInteger(n) && n >= 1 && n <= 36500 ? n : undefined;
}

/** A channel's rules: secret, and its own retention (MANAGE_CHANNELS; any recipient in a DM). */
export function ChannelRetentionForm(props: { channel: string; onSaved?: () => void }) {
  const [rules, { mutate }] = createResource(() => props.channel, (id) => retentionApi.channel(id));
  const [secret, setSecret] = createSignal(false);
  const [daysText, setDaysText] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [saved, setSaved] = createSignal(false);
  createEffect(
    on(rules, (r) => {
      if (!r) return;
      setSecret(r.secret);
      setDaysText(r.retention_days ? String(r.retention_days) : "");
    }),
  );
  const id = () => `retention-${props.channel}`;
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const d = parseDays(daysText());
    if (d === undefined) return setError("Days must be a whole number from 1 to 36500, or empty.");
    try {
      mutate(await retentionApi.setChannel(props.channel, { secret: secret(), retention_days: d }));
      setSaved(true);
      props.onSaved?.();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="settings-form retention-form" onSubmit={(e) => void save(e)} aria-label="Message deletion">
      <label class="check">
        <input type="checkbox" checked={secret()} onChange={(e) => setSecret(e.currentTarget.checked)} />
        Secret channel: deleted messages leave no trace
      </label>
      <label for={`${id()}-days`}>Delete messages after (days; empty: keep)</label>
      <input
        id={`${id()}-days`}
        inputMode="numeric"
        value={daysText()}
        placeholder={rules()?.guild_retention_days ? `server: ${rules()!.guild_retention_days}` : "keep"}
        onInput={(e) => setDaysText(e.currentTarget.value)}
      />
      <div class="buttons">
        <button type="submit">Save deletion rules</button>
      </div>
      <Show when={saved()}>
        <p role="status" class="hint">
          Saved. {retentionText(rules())}
        </p>
      </Show>
      <Alert message={error()} />
    </form>
  );
}

/** A server's retention (MANAGE_GUILD): how long its channels keep messages by default. */
export function GuildRetentionForm(props: { guild: string }) {
  const [rules, { mutate }] = createResource(() => props.guild, (id) => retentionApi.guild(id));
  const [daysText, setDaysText] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [saved, setSaved] = createSignal(false);
  createEffect(on(rules, (r) => r && setDaysText(r.retention_days ? String(r.retention_days) : "")));
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const d = parseDays(daysText());
    if (d === undefined) return setError("Days must be a whole number from 1 to 36500, or empty.");
    try {
      mutate(await retentionApi.setGuild(props.guild, d));
      setSaved(true);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="settings-form" onSubmit={(e) => void save(e)} aria-label="Message retention">
      <h3>Message retention</h3>
      <label for="guild-retention-days">Delete messages after (days; empty: keep them)</label>
      <input
        id="guild-retention-days"
        inputMode="numeric"
        value={daysText()}
        onInput={(e) => setDaysText(e.currentTarget.value)}
      />
      <p class="hint">A channel's own setting, in its settings, comes first.</p>
      <div class="buttons">
        <button type="submit">Save retention</button>
      </div>
      <Show when={saved()}>
        <p role="status" class="hint">
          Saved.
        </p>
      </Show>
      <Alert message={error()} />
    </form>
  );
}
