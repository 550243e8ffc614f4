// The audit log (VIEW_AUDIT_LOG), newest first, each entry said in words: who did what to
// whom, and the reason they gave.
import { createMemo, createSignal, For, Show } from "solid-js";
import type { User } from "../api";
import { state } from "../store";
import { errorText, settingsApi, type AuditEntry } from "./api";
import { Alert, snowflakeDate, userName, useRestList } from "./shared";

type Users = Map<string, User>;

const change = (e: AuditEntry, key: string) => e.changes?.find((c) => c.key === key);
const str = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);

/** A channel as the entry names it: its name then (or now), with # for text channels. */
function channelName(guild: string, e: AuditEntry, id: string | null | undefined): string {
  const c = id ? state.guilds[guild]?.channels[id] : undefined;
  const recorded = change(e, "name");
  const name = str(recorded?.new_value) ?? str(recorded?.old_value) ?? c?.name;
  const type = Number(str(change(e, "type")?.new_value) ?? str(change(e, "type")?.old_value) ?? c?.type ?? 0);
  if (!name) return "a channel";
  return type === 4 ? `the category ${name}` : type === 2 ? `the voice channel ${name}` : `the channel #${name}`;
}

function channelRef(guild: string, id: string | null | undefined): string {
  const c = id ? state.guilds[guild]?.channels[id] : undefined;
  if (!c) return "a deleted channel";
  return c.type === 4 ? `the category ${c.name}` : `#${c.name}`;
}

function roleName(guild: string, e: AuditEntry): string {
  const recorded = change(e, "name");
  const name = str(recorded?.new_value) ?? str(recorded?.old_value) ?? (e.target_id ? state.guilds[guild]?.roles[e.target_id]?.name : undefined);
  return name ? `the role ${name}` : "a role";
}

function roleList(v: unknown): string {
  const list = Array.isArray(v) ? (v as { name?: string }[]) : [];
  const names = list.map((r) => r.name ?? "a role");
  return names.length === 1 ? `the role ${names[0]}` : `the roles ${names.join(", ")}`;
}

/** One entry in words (without the reason). */
export function describe(guild: string, e: AuditEntry, users: Users): string {
  const who = userName(guild, e.user_id, users);
  const target = () => userName(guild, e.target_id, users);
  switch (e.action_type) {
    case 1: {
      const n = change(e, "name");
      if (n) return `${who} renamed the server from ${str(n.old_value) ?? "?"} to ${str(n.new_value) ?? "?"}`;
      return `${who} changed the server's settings`;
    }
    case 10:
      return `${who} created ${channelName(guild, e, e.target_id)}`;
    case 11: {
      const n = change(e, "name");
      if (n) {
        const type = state.guilds[guild]?.channels[e.target_id ?? ""]?.type ?? 0;
        const fmt = (v: unknown) => (type === 4 ? `${str(v)}` : `#${str(v)}`);
        return `${who} renamed ${type === 4 ? "the category" : "the channel"} ${fmt(n.old_value)} to ${fmt(n.new_value)}`;
      }
      const p = change(e, "parent_id");
      if (p) {
        const to = str(p.new_value);
        return `${who} moved ${channelRef(guild, e.target_id)} ${to ? `to ${channelRef(guild, to)}` : "out of its category"}`;
      }
      return `${who} changed ${channelRef(guild, e.target_id)}`;
    }
    case 12:
      return `${who} deleted ${channelName(guild, e, e.target_id)}`;
    case 13:
    case 14:
    case 15: {
      const o = e.options ?? {};
      const whom =
        o.type === "1"
          ? userName(guild, o.id, users)
          : o.id === guild
            ? "@everyone"
            : `@${o.role_name ?? state.guilds[guild]?.roles[o.id ?? ""]?.name ?? "a role"}`;
      const verb = e.action_type === 13 ? "set permissions for" : e.action_type === 14 ? "changed the permissions of" : "removed the permissions of";
      return `${who} ${verb} ${whom} in ${channelRef(guild, e.target_id)}`;
    }
    case 20:
      return `${who} kicked ${target()}`;
    case 22:
      return `${who} banned ${target()}`;
    case 23:
      return `${who} unbanned ${target()}`;
    case 24: {
      const t = change(e, "communication_disabled_until");
      if (t) {
        const until = str(t.new_value);
        return until
          ? `${who} timed out ${target()} until ${new Date(until).toLocaleString()}`
          : `${who} removed the timeout of ${target()}`;
      }
      const n = change(e, "nick");
      if (n) {
        const nick = str(n.new_value);
        return nick ? `${who} set the nickname of ${target()} to ${nick}` : `${who} removed the nickname of ${target()}`;
      }
      return `${who} changed ${target()}`;
    }
    case 25: {
      const add = change(e, "$add");
      const remove = change(e, "$remove");
      const parts: string[] = [];
      if (add) parts.push(`gave ${target()} ${roleList(add.new_value)}`);
      if (remove) parts.push(`took ${roleList(remove.new_value)} from ${target()}`);
      return parts.length ? `${who} ${parts.join(" and ")}` : `${who} changed the roles of ${target()}`;
    }
    case 28:
      return `${who} added the bot ${target()}`;
    case 30:
      return `${who} created ${roleName(guild, e)}`;
    case 31: {
      const n = change(e, "name");
      if (n) return `${who} renamed the role ${str(n.old_value)} to ${str(n.new_value)}`;
      if (change(e, "position") && e.changes?.length === 1) return `${who} moved ${roleName(guild, e)}`;
      return `${who} changed ${roleName(guild, e)}`;
    }
    case 32:
      return `${who} deleted ${roleName(guild, e)}`;
    case 40:
    case 42: {
      const code = str(change(e, "code")?.new_value ?? change(e, "code")?.old_value) ?? "";
      const channel = str(change(e, "channel_id")?.new_value ?? change(e, "channel_id")?.old_value);
      return e.action_type === 40
        ? `${who} created the invite ${code} to ${channelRef(guild, channel)}`
        : `${who} revoked the invite ${code}`;
    }
    case 72: {
      const o = e.options ?? {};
      const count = Number(o.count ?? 1);
      return `${who} deleted ${count === 1 ? "a message" : `${count} messages`} by ${target()} in ${channelRef(guild, o.channel_id)}`;
    }
    case 73: {
      const o = e.options ?? {};
      return `${who} deleted ${o.count ?? "several"} messages in ${channelRef(guild, e.target_id ?? o.channel_id)}`;
    }
    default:
      return `${who} did something (action ${e.action_type})`;
  }
}

export function AuditLogTab(props: { guild: string }) {
  const first = useRestList(() => settingsApi.auditLog(props.guild), () => props.guild);
  // Older pages, loaded with "Load older entries"; a refresh starts over.
  const [older, setOlder] = createSignal<{ entries: AuditEntry[]; users: User[] }[]>([]);
  const [moreError, setMoreError] = createSignal<string | null>(null);
  const [end, setEnd] = createSignal(false);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const entries = createMemo(() => {
    const seen = new Set<string>();
    return [...(first.data()?.audit_log_entries ?? []), ...older().flatMap((p) => p.entries)].filter(
      (e) => !seen.has(e.id) && !!seen.add(e.id),
    );
  });
  const users = createMemo(() => {
    const m: Users = new Map();
    for (const u of first.data()?.users ?? []) m.set(u.id, u);
    for (const p of older()) for (const u of p.users) m.set(u.id, u);
    return m;
  });
  const refresh = () => {
    setOlder([]);
    setEnd(false);
    void first.refresh();
  };
  const more = async () => {
    const list = entries();
    const last = list[list.length - 1];
    if (!last) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await settingsApi.auditLog(props.guild, last.id);
      setOlder([...older(), { entries: page.audit_log_entries, users: page.users }]);
      if (page.audit_log_entries.length < 50) setEnd(true);
    } catch (e) {
      setMoreError(errorText(e));
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <>
      <h2>Audit log</h2>
      <div class="buttons">
        <button type="button" class="secondary" disabled={first.loading()} onClick={refresh}>
          Refresh
        </button>
      </div>
      <Alert message={first.error()} />
      <Show when={first.data()} fallback={<p role="status">Loading the audit log…</p>}>
        <ol class="settings-list audit-list" aria-label="Audit log entries">
          <For each={entries()} fallback={<li class="hint">Nothing has been recorded yet.</li>}>
            {(e) => (
              <li class="settings-item audit-entry">
                <span class="audit-text">
                  {describe(props.guild, e, users())}
                  {e.reason ? `: ${e.reason}` : ""}
                </span>
                <time class="hint" dateTime={snowflakeDate(e.id).toISOString()}>
                  {snowflakeDate(e.id).toLocaleString()}
                </time>
              </li>
            )}
          </For>
        </ol>
        <Show when={!end() && entries().length >= 50}>
          <div class="buttons">
            <button type="button" class="secondary" disabled={loadingMore()} onClick={() => void more()}>
              Load older entries
            </button>
          </div>
        </Show>
        <Alert message={moreError()} />
      </Show>
    </>
  );
}
