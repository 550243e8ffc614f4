// A channel's permission overwrites: for @everyone, roles and members, each common permission
// allowed, left to the roles (inherit) or denied. A private channel denies View Channel to
// @everyone and allows it to the roles and members listed.
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import type { Channel, Overwrite } from "../api";
import { P } from "../permissions";
import { cmpId, displayName, state } from "../store";
import { settingsApi } from "./api";
import { Alert, useAction } from "./shared";

export const COMMON: [string, bigint][] = [
  ["View Channel", P.VIEW_CHANNEL],
  ["Send Messages", P.SEND_MESSAGES],
  ["Read Message History", P.READ_MESSAGE_HISTORY],
  ["Manage Messages", P.MANAGE_MESSAGES],
  ["Create Invite", P.CREATE_INSTANT_INVITE],
  ["Mention Everyone", P.MENTION_EVERYONE],
];
const COMMON_MASK = COMMON.reduce((m, [, b]) => m | b, 0n);

type Choice = "allow" | "inherit" | "deny";

/** Whether @everyone is denied View Channel there. */
export function isPrivate(guild: string, c: Channel): boolean {
  const everyone = c.permission_overwrites?.find((o) => o.type === 0 && o.id === guild);
  return !!everyone && (BigInt(everyone.deny) & P.VIEW_CHANNEL) !== 0n;
}

/** Who an overwrite is for, in words. */
function targetName(guild: string, o: { id: string; type: number }): string {
  const g = state.guilds[guild];
  if (o.type === 0) {
    if (o.id === guild) return "@everyone";
    return `@${g?.roles[o.id]?.name ?? "deleted role"}`;
  }
  const m = g?.members[o.id];
  return m ? displayName(guild, m.user) : `user ${o.id}`;
}

export function OverwritesEditor(props: { guild: string; channel: string }) {
  const channel = () => state.guilds[props.guild]?.channels[props.channel];
  const overwrites = createMemo(() => {
    const g = state.guilds[props.guild];
    const list = (channel()?.permission_overwrites ?? []).slice();
    const rank = (o: Overwrite) =>
      o.type === 0 ? (o.id === props.guild ? -1 : -(g?.roles[o.id]?.position ?? 0) - 2) : Number.MAX_SAFE_INTEGER;
    return list.sort((a, b) => (a.type - b.type) || rank(a) - rank(b) || cmpId(a.id, b.id));
  });
  const privacy = useAction();
  const togglePrivate = () => {
    const c = channel();
    if (!c) return;
    const everyone = c.permission_overwrites?.find((o) => o.type === 0 && o.id === props.guild);
    let allow = BigInt(everyone?.allow ?? "0");
    let deny = BigInt(everyone?.deny ?? "0");
    if (isPrivate(props.guild, c)) deny &= ~P.VIEW_CHANNEL;
    else {
      deny |= P.VIEW_CHANNEL;
      allow &= ~P.VIEW_CHANNEL;
    }
    void privacy.run(() =>
      allow === 0n && deny === 0n
        ? settingsApi.deleteOverwrite(c.id, props.guild)
        : settingsApi.putOverwrite(c.id, props.guild, { type: 0, allow: allow.toString(), deny: deny.toString() }),
    );
  };

  return (
    <section class="overwrites" aria-label="Permissions">
      <h4>Permissions</h4>
      <Show when={channel()}>
        {(c) => (
          <div class="privacy">
            <p class="hint">
              {isPrivate(props.guild, c())
                ? "Private: only the roles and members allowed View Channel below see it."
                : "Everyone who can see the server sees this channel."}
            </p>
            <button type="button" class="secondary" disabled={privacy.busy()} onClick={togglePrivate}>
              {isPrivate(props.guild, c()) ? "Make public" : "Make private"}
            </button>
            <Alert message={privacy.error()} />
          </div>
        )}
      </Show>
      <AddOverwrite guild={props.guild} channel={props.channel} />
      <For each={overwrites()}>{(o) => <OverwriteRow guild={props.guild} channel={props.channel} overwrite={o} />}</For>
    </section>
  );
}

function AddOverwrite(props: { guild: string; channel: string }) {
  const [pick, setPick] = createSignal("");
  const action = useAction();
  const taken = createMemo(
    () => new Set((state.guilds[props.guild]?.channels[props.channel]?.permission_overwrites ?? []).map((o) => o.id)),
  );
  const roles = createMemo(() =>
    Object.values(state.guilds[props.guild]?.roles ?? {})
      .filter((r) => !taken().has(r.id))
      .sort((a, b) => (a.id === props.guild ? 1 : b.id === props.guild ? -1 : b.position - a.position)),
  );
  const members = createMemo(() =>
    Object.values(state.guilds[props.guild]?.members ?? {})
      .filter((m) => !taken().has(m.user.id))
      .sort((a, b) => displayName(props.guild, a.user).localeCompare(displayName(props.guild, b.user))),
  );
  const id = `ow-add-${props.channel}`;
  const add = (e: SubmitEvent) => {
    e.preventDefault();
    const [type, target] = pick().split(":");
    if (!target) return;
    void action
      .run(() => settingsApi.putOverwrite(props.channel, target, { type: Number(type), allow: "0", deny: "0" }))
      .then((ok) => ok && setPick(""));
  };
  return (
    <form class="settings-form inline" onSubmit={add}>
      <label for={id}>Add a role or member</label>
      <div class="input-row">
        <select id={id} onChange={(e) => setPick(e.currentTarget.value)}>
          <option value="" selected={pick() === ""}>
            Choose…
          </option>
          <optgroup label="Roles">
            <For each={roles()}>
              {(r) => (
                <option value={`0:${r.id}`} selected={pick() === `0:${r.id}`}>
                  {r.id === props.guild ? "@everyone" : `@${r.name}`}
                </option>
              )}
            </For>
          </optgroup>
          <optgroup label="Members">
            <For each={members()}>
              {(m) => (
                <option value={`1:${m.user.id}`} selected={pick() === `1:${m.user.id}`}>
                  {displayName(props.guild, m.user)}
                </option>
              )}
            </For>
          </optgroup>
        </select>
        <button type="submit" disabled={action.busy() || !pick()}>
          Add
        </button>
      </div>
      <Alert message={action.error()} />
    </form>
  );
}

function choicesOf(o: Overwrite): Record<string, Choice> {
  const allow = BigInt(o.allow);
  const deny = BigInt(o.deny);
  return Object.fromEntries(
    COMMON.map(([name, bit]) => [name, allow & bit ? "allow" : deny & bit ? "deny" : "inherit"] as const),
  );
}

function OverwriteRow(props: { guild: string; channel: string; overwrite: Overwrite }) {
  const [choices, setChoices] = createSignal(choicesOf(props.overwrite));
  // A change saved here or elsewhere replaces what is shown.
  createEffect(
    on(
      () => [props.overwrite.allow, props.overwrite.deny],
      () => setChoices(choicesOf(props.overwrite)),
      { defer: true },
    ),
  );
  const name = () => targetName(props.guild, props.overwrite);
  const save = useAction();
  const dirty = () => {
    const now = choicesOf(props.overwrite);
    return COMMON.some(([n]) => now[n] !== choices()[n]);
  };
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    let allow = BigInt(props.overwrite.allow) & ~COMMON_MASK;
    let deny = BigInt(props.overwrite.deny) & ~COMMON_MASK;
    for (const [n, bit] of COMMON) {
      if (choices()[n] === "allow") allow |= bit;
      if (choices()[n] === "deny") deny |= bit;
    }
    void save.run(() =>
      settingsApi.putOverwrite(props.channel, props.overwrite.id, {
        type: props.overwrite.type,
        allow: allow.toString(),
        deny: deny.toString(),
      }),
    );
  };
  const key = `ow-${props.channel}-${props.overwrite.id}`;
  return (
    <form class="overwrite" aria-label={`Permissions for ${name()}`} onSubmit={submit}>
      <h5>{name()}</h5>
      <div class="perm-grid">
        <For each={COMMON}>
          {([perm, bit]) => (
            <div class="perm-line" role="radiogroup" aria-label={perm}>
              <span class="perm-name" aria-hidden="true">
                {perm}
              </span>
              <span class="tri">
                <For each={["allow", "inherit", "deny"] as Choice[]}>
                  {(c) => (
                    <label class={`tri-${c}`}>
                      <input
                        type="radio"
                        name={`${key}-${bit}`}
                        value={c}
                        checked={choices()[perm] === c}
                        onChange={() => setChoices({ ...choices(), [perm]: c })}
                      />
                      {c === "allow" ? "Allow" : c === "deny" ? "Deny" : "Inherit"}
                    </label>
                  )}
                </For>
              </span>
            </div>
          )}
        </For>
      </div>
      <div class="buttons">
        <button type="submit" disabled={save.busy() || !dirty()} aria-label={`Save permissions for ${name()}`}>
          Save
        </button>
        <button
          type="button"
          class="secondary"
          disabled={save.busy()}
          aria-label={`Remove the overwrite for ${name()}`}
          onClick={() => void save.run(() => settingsApi.deleteOverwrite(props.channel, props.overwrite.id))}
        >
          Remove
        </button>
      </div>
      <Alert message={save.error()} />
    </form>
  );
}
