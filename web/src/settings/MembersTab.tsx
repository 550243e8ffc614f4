// Members: their roles (given and taken with MANAGE_ROLES), time out (MODERATE_MEMBERS), kick
// (KICK_MEMBERS) and ban (BAN_MEMBERS), each with an optional reason for the audit log; their kind
// (hearth's extension: made a guest with an expiry, or a full member, with MANAGE_GUILD). Only
// members ranked below oneself can be acted on (the server checks it again).
import { createMemo, createSignal, For, onCleanup, onMount, Show } from "solid-js";
import type { Member } from "../api";
import { guildPermissions, has, P } from "../permissions";
import { displayName, setState, state } from "../store";
import { settingsApi } from "./api";
import { Alert, colorCss, rankOf, rolesByRank, useAction } from "./shared";

export const TIMEOUTS: [string, number][] = [
  ["60 seconds", 60],
  ["5 minutes", 300],
  ["10 minutes", 600],
  ["1 hour", 3600],
  ["1 day", 86400],
  ["1 week", 604800],
];

/** How long someone made a guest stays (0: no expiry). */
const GUEST_STAYS: [string, number][] = [
  ["1 hour", 3600],
  ["1 day", 86400],
  ["7 days", 604800],
  ["30 days", 2592000],
  ["No limit", 0],
];

const DELETE_WINDOWS: [string, number][] = [
  ["Don't delete any", 0],
  ["Previous hour", 3600],
  ["Previous 6 hours", 21600],
  ["Previous 24 hours", 86400],
  ["Previous 3 days", 259200],
  ["Previous 7 days", 604800],
];

async function fetchAll(guild: string) {
  let after: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await settingsApi.members(guild, after);
    for (const m of page) {
      if (state.guilds[guild] && !state.guilds[guild].members[m.user.id]) setState("guilds", guild, "members", m.user.id, m);
    }
    if (page.length < 1000) break;
    after = page[page.length - 1].user.id;
  }
}

export function MembersTab(props: { guild: string }) {
  const [query, setQuery] = createSignal("");
  const [now, setNow] = createSignal(Date.now());
  const timer = setInterval(() => setNow(Date.now()), 15_000);
  onCleanup(() => clearInterval(timer));
  onMount(() => void fetchAll(props.guild).catch(() => undefined));
  const members = createMemo(() => {
    const q = query().trim().toLowerCase();
    return Object.values(state.guilds[props.guild]?.members ?? {})
      .filter((m) => !q || displayName(props.guild, m.user).toLowerCase().includes(q) || m.user.username.toLowerCase().includes(q))
      .sort((a, b) => displayName(props.guild, a.user).localeCompare(displayName(props.guild, b.user)));
  });
  return (
    <>
      <h2>Members</h2>
      <div class="settings-form inline">
        <label for="member-search">Search members</label>
        <input id="member-search" type="search" value={query()} onInput={(e) => setQuery(e.currentTarget.value)} />
      </div>
      <ul class="settings-list" aria-label="Members">
        <For each={members()} fallback={<li class="hint">No member matches.</li>}>
          {(m) => <MemberRow guild={props.guild} member={m} now={now()} />}
        </For>
      </ul>
    </>
  );
}

function MemberRow(props: { guild: string; member: Member; now: number }) {
  const g = () => state.guilds[props.guild];
  const perms = createMemo(() => guildPermissions(g(), state.me?.id));
  const name = () => displayName(props.guild, props.member.user);
  const id = () => props.member.user.id;
  const isOwner = () => g()?.owner_id === id();
  const isMe = () => state.me?.id === id();
  const myRank = () => rankOf(props.guild, state.me?.id);
  const outranked = () => !isMe() && !isOwner() && myRank() > rankOf(props.guild, id());
  const until = () => {
    const t = props.member.communication_disabled_until;
    const ms = t ? Date.parse(t) : NaN;
    return ms > props.now ? new Date(ms) : null;
  };
  const myTop = () => myRank();
  const roles = createMemo(() =>
    rolesByRank(props.guild).filter((r) => r.id !== props.guild && props.member.roles.includes(r.id)),
  );
  const addable = createMemo(() =>
    rolesByRank(props.guild).filter((r) => r.id !== props.guild && !props.member.roles.includes(r.id) && r.position < myTop()),
  );
  const mayRoles = () => has(perms(), P.MANAGE_ROLES);
  const [panel, setPanel] = createSignal<"timeout" | "kick" | "ban" | "guest" | null>(null);
  const [pick, setPick] = createSignal("");
  const roleAction = useAction();
  const key = `member-${props.member.user.id}`;
  const toggle = (p: "timeout" | "kick" | "ban" | "guest") => setPanel(panel() === p ? null : p);
  const untimeout = useAction();
  const promote = useAction();
  return (
    <li class="settings-item member-item">
      <div class="settings-row">
        <span class="settings-name">
          <strong>{name()}</strong>
          <span class="hint">{props.member.user.username}</span>
          <Show when={isOwner()}>
            <span class="tag">owner</span>
          </Show>
          <Show when={props.member.user.bot}>
            <span class="tag">bot</span>
          </Show>
          <Show when={until()}>
            <span class="tag warn">timed out until {until()!.toLocaleString()}</span>
          </Show>
          <Show when={props.member.hearth_kind === "guest"}>
            <span class="tag">
              guest
              {props.member.hearth_guest_expires_at
                ? ` until ${new Date(props.member.hearth_guest_expires_at).toLocaleString()}`
                : ""}
            </span>
          </Show>
        </span>
      </div>
      <div class="member-roles">
        <ul class="chips" aria-label={`Roles of ${name()}`}>
          <For each={roles()} fallback={<li class="hint">No roles</li>}>
            {(r) => (
              <li class="chip">
                <span class="swatch" style={{ "background-color": colorCss(r.color) ?? "transparent" }} aria-hidden="true" />
                {r.name}
                <Show when={mayRoles() && r.position < myTop()}>
                  <button
                    type="button"
                    class="chip-remove"
                    aria-label={`Take the role ${r.name} from ${name()}`}
                    title="Take this role"
                    disabled={roleAction.busy()}
                    onClick={() => void roleAction.run(() => settingsApi.removeRole(props.guild, id(), r.id))}
                  >
                    ×
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={mayRoles() && addable().length > 0}>
          <form
            class="input-row"
            onSubmit={(e) => {
              e.preventDefault();
              const role = pick();
              if (role) void roleAction.run(() => settingsApi.addRole(props.guild, id(), role)).then((ok) => ok && setPick(""));
            }}
          >
            <label class="sr-only" for={`${key}-role`}>
              Role to give {name()}
            </label>
            <select id={`${key}-role`} onChange={(e) => setPick(e.currentTarget.value)}>
              <option value="" selected={pick() === ""}>
                Add a role…
              </option>
              <For each={addable()}>
                {(r) => (
                  <option value={r.id} selected={pick() === r.id}>
                    {r.name}
                  </option>
                )}
              </For>
            </select>
            <button type="submit" class="secondary" disabled={!pick() || roleAction.busy()} aria-label={`Give ${name()} the role`}>
              Give role
            </button>
          </form>
        </Show>
      </div>
      <Alert message={roleAction.error()} />
      <Show when={outranked()}>
        <div class="row-actions member-actions">
          <Show when={has(perms(), P.MODERATE_MEMBERS)}>
            <Show
              when={until()}
              fallback={
                <button type="button" class="secondary" aria-expanded={panel() === "timeout"} aria-label={`Time out ${name()}`} onClick={() => toggle("timeout")}>
                  Time out
                </button>
              }
            >
              <button
                type="button"
                class="secondary"
                aria-label={`Remove the timeout of ${name()}`}
                disabled={untimeout.busy()}
                onClick={() => void untimeout.run(() => settingsApi.timeout(props.guild, id(), null))}
              >
                Remove timeout
              </button>
            </Show>
          </Show>
          <Show when={has(perms(), P.MANAGE_GUILD) && !props.member.user.bot}>
            <Show
              when={props.member.hearth_kind === "guest"}
              fallback={
                <button type="button" class="secondary" aria-expanded={panel() === "guest"} aria-label={`Make ${name()} a guest`} onClick={() => toggle("guest")}>
                  Make guest
                </button>
              }
            >
              <button
                type="button"
                class="secondary"
                aria-label={`Make ${name()} a full member`}
                disabled={promote.busy()}
                onClick={() => void promote.run(() => settingsApi.setKind(props.guild, id(), "member"))}
              >
                Make full member
              </button>
            </Show>
          </Show>
          <Show when={has(perms(), P.KICK_MEMBERS)}>
            <button type="button" class="secondary" aria-expanded={panel() === "kick"} aria-label={`Kick ${name()}`} onClick={() => toggle("kick")}>
              Kick
            </button>
          </Show>
          <Show when={has(perms(), P.BAN_MEMBERS)}>
            <button type="button" class="secondary" aria-expanded={panel() === "ban"} aria-label={`Ban ${name()}`} onClick={() => toggle("ban")}>
              Ban
            </button>
          </Show>
        </div>
        <Alert message={untimeout.error() ?? promote.error()} />
        <Show when={panel()}>
          {(p) => <ModerationPanel guild={props.guild} member={props.member} name={name()} kind={p()} onDone={() => setPanel(null)} />}
        </Show>
      </Show>
    </li>
  );
}

function ModerationPanel(props: {
  guild: string;
  member: Member;
  name: string;
  kind: "timeout" | "kick" | "ban" | "guest";
  onDone: () => void;
}) {
  const [reason, setReason] = createSignal("");
  const [duration, setDuration] = createSignal(300);
  const [deleteWindow, setDeleteWindow] = createSignal(0);
  const action = useAction();
  const key = `mod-${props.member.user.id}`;
  const [stay, setStay] = createSignal(86400);
  const verb = () => ({ timeout: "Time out", kick: "Kick", ban: "Ban", guest: "Make guest" })[props.kind];
  const title = () => (props.kind === "guest" ? `Make ${props.name} a guest` : `${verb()} ${props.name}`);
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const id = props.member.user.id;
    const ok = await action.run(() => {
      if (props.kind === "timeout") {
        const until = new Date(Date.now() + duration() * 1000).toISOString();
        return settingsApi.timeout(props.guild, id, until, reason());
      }
      if (props.kind === "guest") {
        const until = stay() ? new Date(Date.now() + stay() * 1000).toISOString() : null;
        return settingsApi.setKind(props.guild, id, "guest", until, reason());
      }
      if (props.kind === "kick") return settingsApi.kick(props.guild, id, reason());
      return settingsApi.ban(props.guild, id, deleteWindow(), reason());
    });
    if (ok) props.onDone();
  };
  return (
    <form class="settings-editor settings-form" aria-label={title()} onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && props.onDone()}>
      <h4>{title()}</h4>
      <Show when={props.kind === "timeout"}>
        <label for={`${key}-duration`}>Duration</label>
        <select id={`${key}-duration`} onChange={(e) => setDuration(Number(e.currentTarget.value))}>
          <For each={TIMEOUTS}>
            {([label, s]) => (
              <option value={s} selected={s === duration()}>
                {label}
              </option>
            )}
          </For>
        </select>
        <p class="hint">They can read but not send messages until then.</p>
      </Show>
      <Show when={props.kind === "kick"}>
        <p class="hint">They leave the server and can join again with an invite.</p>
      </Show>
      <Show when={props.kind === "guest"}>
        <label for={`${key}-stay`}>Guest access ends after</label>
        <select id={`${key}-stay`} onChange={(e) => setStay(Number(e.currentTarget.value))}>
          <For each={GUEST_STAYS}>
            {([label, s]) => (
              <option value={s} selected={s === stay()}>
                {label}
              </option>
            )}
          </For>
        </select>
        <p class="hint">A guest sees only the channels given to them (their own permission overwrites and roles), and is removed when their access ends.</p>
      </Show>
      <Show when={props.kind === "ban"}>
        <label for={`${key}-window`}>Delete their messages</label>
        <select id={`${key}-window`} onChange={(e) => setDeleteWindow(Number(e.currentTarget.value))}>
          <For each={DELETE_WINDOWS}>
            {([label, s]) => (
              <option value={s} selected={s === deleteWindow()}>
                {label}
              </option>
            )}
          </For>
        </select>
        <p class="hint">They leave the server and cannot join again until unbanned.</p>
      </Show>
      <label for={`${key}-reason`}>Reason (optional)</label>
      <input id={`${key}-reason`} maxLength={512} value={reason()} onInput={(e) => setReason(e.currentTarget.value)} />
      <div class="buttons">
        <button type="submit" class={props.kind === "timeout" || props.kind === "guest" ? "" : "danger"} disabled={action.busy()}>
          {verb()}
        </button>
        <button type="button" class="secondary" onClick={() => props.onDone()}>
          Cancel
        </button>
      </div>
      <Alert message={action.error()} />
    </form>
  );
}
