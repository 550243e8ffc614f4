// Roles, highest first (MANAGE_ROLES): create, rename, colour, display separately, permissions,
// move up and down, delete. Only roles below one's own highest can be changed, and only
// permissions one holds can be granted (the server refuses the rest).
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import type { Role } from "../api";
import { guildPermissions, has, P } from "../permissions";
import { state } from "../store";
import { settingsApi } from "./api";
import { Alert, colorCss, Confirm, rankOf, rolesByRank, useAction } from "./shared";

export const ROLE_PERMISSIONS: [string, bigint][] = [
  ["Administrator", P.ADMINISTRATOR],
  ["Manage Server", P.MANAGE_GUILD],
  ["Manage Channels", P.MANAGE_CHANNELS],
  ["Manage Roles", P.MANAGE_ROLES],
  ["Kick Members", P.KICK_MEMBERS],
  ["Ban Members", P.BAN_MEMBERS],
  ["Timeout Members", P.MODERATE_MEMBERS],
  ["View Audit Log", P.VIEW_AUDIT_LOG],
  ["Create Invite", P.CREATE_INSTANT_INVITE],
  ["View Channels", P.VIEW_CHANNEL],
  ["Send Messages", P.SEND_MESSAGES],
  ["Read Message History", P.READ_MESSAGE_HISTORY],
  ["Manage Messages", P.MANAGE_MESSAGES],
  ["Mention Everyone", P.MENTION_EVERYONE],
  ["Change Nickname", P.CHANGE_NICKNAME],
  ["Manage Nicknames", P.MANAGE_NICKNAMES],
];

const roleLabel = (guild: string, r: Role) => (r.id === guild ? "@everyone" : r.name);

export function RolesTab(props: { guild: string }) {
  const roles = createMemo(() => rolesByRank(props.guild));
  const movable = createMemo(() => roles().filter((r) => r.id !== props.guild));
  return (
    <>
      <h2>Roles</h2>
      <CreateRole guild={props.guild} />
      <h3>Roles, highest first</h3>
      <p class="hint">Members take the permissions of all their roles; the highest coloured role gives their name its colour.</p>
      <ul class="settings-list">
        <For each={roles()}>{(r) => <RoleRow guild={props.guild} role={r} movable={movable()} />}</For>
      </ul>
    </>
  );
}

function CreateRole(props: { guild: string }) {
  const [name, setName] = createSignal("");
  const action = useAction();
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    if (await action.run(() => settingsApi.createRole(props.guild, name().trim()))) setName("");
  };
  return (
    <form class="settings-form" aria-label="Create a role" onSubmit={create}>
      <label for="new-role-name">Role name</label>
      <div class="input-row">
        <input id="new-role-name" required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={action.busy()}>
          Create role
        </button>
      </div>
      <Alert message={action.error()} />
    </form>
  );
}

function RoleRow(props: { guild: string; role: Role; movable: Role[] }) {
  const [open, setOpen] = createSignal(false);
  const move = useAction();
  const everyone = () => props.role.id === props.guild;
  const label = () => roleLabel(props.guild, props.role);
  const mine = () => rankOf(props.guild, state.me?.id);
  const manageable = () => everyone() || props.role.position < mine();
  const index = () => props.movable.findIndex((r) => r.id === props.role.id);
  const shift = (dir: -1 | 1) => {
    const list = props.movable.slice();
    const i = index();
    const j = i + dir;
    if (i < 0 || j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    // Highest first: positions n..1 (@everyone keeps 0); only the ones that change are sent.
    const moves = list
      .map((r, k) => ({ id: r.id, position: list.length - k, was: r.position }))
      .filter((m) => m.position !== m.was)
      .map(({ id, position }) => ({ id, position }));
    if (moves.length) void move.run(() => settingsApi.moveRoles(props.guild, moves));
  };
  return (
    <li class="settings-item">
      <div class="settings-row">
        <span class="settings-name">
          <span class="swatch" style={{ "background-color": colorCss(props.role.color) ?? "transparent" }} aria-hidden="true" />
          <span style={{ color: colorCss(props.role.color) }}>{label()}</span>
          <Show when={props.role.hoist}>
            <span class="tag">shown separately</span>
          </Show>
        </span>
        <span class="row-actions">
          <Show when={!everyone()}>
            <button
              type="button"
              class="secondary icon"
              aria-label={`Move ${label()} up`}
              title="Move up"
              disabled={move.busy() || index() <= 0 || !manageable() || props.movable[index() - 1]?.position >= mine()}
              onClick={() => shift(-1)}
            >
              ↑
            </button>
            <button
              type="button"
              class="secondary icon"
              aria-label={`Move ${label()} down`}
              title="Move down"
              disabled={move.busy() || index() >= props.movable.length - 1 || !manageable()}
              onClick={() => shift(1)}
            >
              ↓
            </button>
          </Show>
          <Show when={manageable()} fallback={<span class="hint">above your highest role</span>}>
            <button type="button" class="secondary" aria-expanded={open()} aria-label={`Edit ${label()}`} onClick={() => setOpen(!open())}>
              Edit
            </button>
          </Show>
        </span>
      </div>
      <Alert message={move.error()} />
      <Show when={open() && manageable()}>
        <RoleEditor guild={props.guild} role={props.role} />
      </Show>
    </li>
  );
}

const hex = (color: number) => `#${color.toString(16).padStart(6, "0")}`;

function RoleEditor(props: { guild: string; role: Role }) {
  const everyone = () => props.role.id === props.guild;
  const label = () => roleLabel(props.guild, props.role);
  const [name, setName] = createSignal(props.role.name);
  const [color, setColor] = createSignal(hex(props.role.color));
  const [hoist, setHoist] = createSignal(props.role.hoist);
  const [perms, setPerms] = createSignal(BigInt(props.role.permissions));
  // What the gateway says the role is now replaces the form.
  createEffect(
    on(
      () => [props.role.name, props.role.color, props.role.hoist, props.role.permissions],
      () => {
        setName(props.role.name);
        setColor(hex(props.role.color));
        setHoist(props.role.hoist);
        setPerms(BigInt(props.role.permissions));
      },
      { defer: true },
    ),
  );
  const mine = createMemo(() => guildPermissions(state.guilds[props.guild], state.me?.id));
  const save = useAction();
  const remove = useAction();
  const ids = `role-${props.role.id}`;
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const body: { name?: string; color?: number; hoist?: boolean; permissions?: string } = {
      color: parseInt(color().slice(1), 16) || 0,
      hoist: hoist(),
      permissions: perms().toString(),
    };
    if (!everyone()) body.name = name().trim();
    void save.run(() => settingsApi.modifyRole(props.guild, props.role.id, body));
  };
  return (
    <section class="settings-editor" aria-label={`Edit role ${label()}`}>
      <form class="settings-form" onSubmit={submit}>
        <Show when={!everyone()}>
          <label for={`${ids}-name`}>Name</label>
          <input id={`${ids}-name`} required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        </Show>
        <div class="field-row">
          <div class="field">
            <label for={`${ids}-color`}>Colour</label>
            <div class="input-row">
              <input id={`${ids}-color`} type="color" value={color()} onInput={(e) => setColor(e.currentTarget.value)} />
              <button type="button" class="secondary" disabled={color() === "#000000"} onClick={() => setColor("#000000")}>
                No colour
              </button>
            </div>
          </div>
          <label class="check">
            <input type="checkbox" checked={hoist()} onChange={(e) => setHoist(e.currentTarget.checked)} />
            Display separately
          </label>
        </div>
        <fieldset class="perm-checks">
          <legend>Permissions</legend>
          <For each={ROLE_PERMISSIONS}>
            {([perm, bit]) => (
              <label class="check">
                <input
                  type="checkbox"
                  checked={(perms() & bit) === bit}
                  disabled={!has(mine(), bit)}
                  onChange={(e) => setPerms(e.currentTarget.checked ? perms() | bit : perms() & ~bit)}
                />
                {perm}
              </label>
            )}
          </For>
        </fieldset>
        <div class="buttons">
          <button type="submit" disabled={save.busy()}>
            Save role
          </button>
        </div>
        <Alert message={save.error()} />
      </form>
      <Show when={!everyone()}>
        <div class="danger-zone">
          <Confirm
            label="Delete role"
            accessibleLabel={`Delete role ${label()}`}
            question={`Delete the role ${label()}? Members who have it lose it.`}
            confirmLabel="Delete"
            busy={remove.busy()}
            onConfirm={() => remove.run(() => settingsApi.deleteRole(props.guild, props.role.id))}
          />
          <Alert message={remove.error()} />
        </div>
      </Show>
    </section>
  );
}
