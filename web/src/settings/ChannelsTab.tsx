// Channels by category, as the sidebar shows them: create, rename, move, change category,
// delete (MANAGE_CHANNELS), and each channel's permission overwrites (MANAGE_ROLES).
import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import type { Channel } from "../api";
import { guildPermissions, has, P } from "../permissions";
import { sidebarGroups } from "../Shell";
import { state } from "../store";
import { settingsApi, type ChannelMove } from "./api";
import { ChannelRetentionForm } from "../Retention";
import { OverwritesEditor, isPrivate } from "./OverwritesEditor";
import { Alert, Confirm, useAction } from "./shared";

const TYPES: [string, number][] = [
  ["Text", 0],
  ["Category", 4],
];

/** How a channel is named in buttons and headings. */
export function channelLabel(c: Channel): string {
  if (c.type === 4) return `category ${c.name}`;
  if (c.type === 2) return `voice channel ${c.name}`;
  return `#${c.name}`;
}

function allChannels(guild: string): Channel[] {
  return Object.values(state.guilds[guild]?.channels ?? {});
}

function categories(guild: string): Channel[] {
  return sidebarGroups(allChannels(guild))
    .map((g) => g.category)
    .filter((c): c is Channel => c !== null);
}

/** The channels a channel moves among: the categories, or its category's channels of its kind. */
function siblings(guild: string, c: Channel): Channel[] {
  const groups = sidebarGroups(allChannels(guild));
  if (c.type === 4) return groups.map((g) => g.category).filter((x): x is Channel => x !== null);
  const group = groups.find((g) => g.channels.some((x) => x.id === c.id));
  return (group?.channels ?? []).filter((x) => (x.type === 2) === (c.type === 2));
}

/** Positions that put `list` in its order, for the ones that are not there yet. */
function renumber(list: Channel[]): ChannelMove[] {
  return list.map((x, k) => ({ id: x.id, position: k, pos: x.position })).filter((m) => m.pos !== m.position).map(({ id, position }) => ({ id, position }));
}

export function ChannelsTab(props: { guild: string }) {
  const groups = createMemo(() => sidebarGroups(allChannels(props.guild)));
  const mayEditPermissions = createMemo(() =>
    has(guildPermissions(state.guilds[props.guild], state.me?.id), P.MANAGE_ROLES),
  );
  return (
    <>
      <h2>Channels</h2>
      <CreateChannel guild={props.guild} />
      <h3>Channels by category</h3>
      <ul class="settings-list channel-settings-list">
        <For each={groups()}>
          {(group) => (
            <Show
              when={group.category}
              fallback={
                <For each={group.channels}>
                  {(c) => <ChannelRow guild={props.guild} channel={c} permissions={mayEditPermissions()} />}
                </For>
              }
            >
              {(cat) => (
                <li class="settings-group">
                  <ChannelRowBody guild={props.guild} channel={cat()} permissions={mayEditPermissions()} />
                  <ul class="settings-list nested">
                    <For each={group.channels}>
                      {(c) => <ChannelRow guild={props.guild} channel={c} permissions={mayEditPermissions()} />}
                    </For>
                    <Show when={group.channels.length === 0}>
                      <li class="hint">No channels in this category.</li>
                    </Show>
                  </ul>
                </li>
              )}
            </Show>
          )}
        </For>
      </ul>
    </>
  );
}

function CreateChannel(props: { guild: string }) {
  const [name, setName] = createSignal("");
  const [type, setType] = createSignal(0);
  const [parent, setParent] = createSignal("");
  const action = useAction();
  // A category that went away is no longer picked.
  createEffect(() => {
    if (parent() && !state.guilds[props.guild]?.channels[parent()]) setParent("");
  });
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    const body: { name: string; type: number; parent_id?: string } = { name: name().trim(), type: type() };
    if (type() !== 4 && parent()) body.parent_id = parent();
    if (await action.run(() => settingsApi.createChannel(props.guild, body))) setName("");
  };
  return (
    <form class="settings-form" aria-label="Create a channel" onSubmit={create}>
      <h3>Create a channel</h3>
      <div class="field-row">
        <div class="field">
          <label for="new-channel-name">Channel name</label>
          <input id="new-channel-name" required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-channel-type">Channel type</label>
          <select id="new-channel-type" onChange={(e) => setType(Number(e.currentTarget.value))}>
            <For each={TYPES}>{([label, v]) => <option value={v} selected={v === type()}>{label}</option>}</For>
          </select>
        </div>
        <Show when={type() !== 4}>
          <div class="field">
            <label for="new-channel-parent">Category</label>
            <select id="new-channel-parent" onChange={(e) => setParent(e.currentTarget.value)}>
              <option value="" selected={parent() === ""}>No category</option>
              <For each={categories(props.guild)}>{(c) => <option value={c.id} selected={c.id === parent()}>{c.name}</option>}</For>
            </select>
          </div>
        </Show>
      </div>
      <div class="buttons">
        <button type="submit" disabled={action.busy()}>
          Create channel
        </button>
      </div>
      <Alert message={action.error()} />
    </form>
  );
}

function ChannelRow(props: { guild: string; channel: Channel; permissions: boolean }) {
  return (
    <li>
      <ChannelRowBody {...props} />
    </li>
  );
}

function ChannelRowBody(props: { guild: string; channel: Channel; permissions: boolean }) {
  const [open, setOpen] = createSignal(false);
  const action = useAction();
  const label = () => channelLabel(props.channel);
  const place = () => {
    const list = siblings(props.guild, props.channel);
    return { list, i: list.findIndex((x) => x.id === props.channel.id) };
  };
  const move = (dir: -1 | 1) => {
    const { list, i } = place();
    const j = i + dir;
    if (i < 0 || j < 0 || j >= list.length) return;
    const order = list.slice();
    [order[i], order[j]] = [order[j], order[i]];
    const moves = renumber(order);
    if (moves.length) void action.run(() => settingsApi.moveChannels(props.guild, moves));
  };
  return (
    <div class="settings-item" classList={{ category: props.channel.type === 4 }}>
      <div class="settings-row">
        <span class="settings-name">
          <Show when={props.channel.type !== 4} fallback={<strong>{props.channel.name}</strong>}>
            <span aria-hidden="true">{props.channel.type === 2 ? "🔊 " : "# "}</span>
            {props.channel.name}
          </Show>
          <Show when={isPrivate(props.guild, props.channel)}>
            <span class="tag">private</span>
          </Show>
        </span>
        <span class="row-actions">
          <button
            type="button"
            class="secondary icon"
            aria-label={`Move ${label()} up`}
            title="Move up"
            disabled={action.busy() || place().i <= 0}
            onClick={() => move(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            class="secondary icon"
            aria-label={`Move ${label()} down`}
            title="Move down"
            disabled={action.busy() || place().i < 0 || place().i >= place().list.length - 1}
            onClick={() => move(1)}
          >
            ↓
          </button>
          <button type="button" class="secondary" aria-expanded={open()} aria-label={`Edit ${label()}`} onClick={() => setOpen(!open())}>
            Edit
          </button>
        </span>
      </div>
      <Alert message={action.error()} />
      <Show when={open()}>
        <ChannelEditor guild={props.guild} channel={props.channel} permissions={props.permissions} />
      </Show>
    </div>
  );
}

function ChannelEditor(props: { guild: string; channel: Channel; permissions: boolean }) {
  const label = () => channelLabel(props.channel);
  const [name, setName] = createSignal(props.channel.name);
  createEffect(on(() => props.channel.name, (n) => setName(n), { defer: true }));
  const rename = useAction();
  const parent = useAction();
  const remove = useAction();
  const ids = `ch-${props.channel.id}`;
  const submitName = (e: SubmitEvent) => {
    e.preventDefault();
    void rename.run(() => settingsApi.renameChannel(props.channel.id, name().trim()));
  };
  const moveTo = (to: string) => {
    const target = to || null;
    if (target === (props.channel.parent_id ?? null)) return;
    // At the end of the new category's channels of the same kind.
    const there = allChannels(props.guild).filter(
      (c) => c.type !== 4 && (c.parent_id ?? null) === target && (c.type === 2) === (props.channel.type === 2),
    );
    const position = there.reduce((m, c) => Math.max(m, c.position + 1), 0);
    void parent.run(() => settingsApi.moveChannels(props.guild, [{ id: props.channel.id, parent_id: target, position }]));
  };
  return (
    <section class="settings-editor" aria-label={`Edit ${label()}`}>
      <form class="settings-form inline" onSubmit={submitName}>
        <label for={`${ids}-name`}>Name</label>
        <div class="input-row">
          <input id={`${ids}-name`} required maxLength={100} value={name()} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" disabled={rename.busy() || name().trim() === props.channel.name}>
            Rename
          </button>
        </div>
        <Alert message={rename.error()} />
      </form>
      <Show when={props.channel.type !== 4}>
        <div class="settings-form inline">
          <label for={`${ids}-parent`}>Category</label>
          <select
            id={`${ids}-parent`}
            disabled={parent.busy()}
            onChange={(e) => moveTo(e.currentTarget.value)}
          >
            <option value="" selected={!props.channel.parent_id}>
              No category
            </option>
            <For each={categories(props.guild)}>
              {(c) => (
                <option value={c.id} selected={c.id === props.channel.parent_id}>
                  {c.name}
                </option>
              )}
            </For>
          </select>
          <Alert message={parent.error()} />
        </div>
      </Show>
      <Show when={props.permissions}>
        <OverwritesEditor guild={props.guild} channel={props.channel.id} />
      </Show>
      <Show when={props.channel.type !== 4}>
        <ChannelRetentionForm channel={props.channel.id} />
      </Show>
      <div class="danger-zone">
        <Confirm
          label={props.channel.type === 4 ? "Delete category" : "Delete channel"}
          accessibleLabel={`Delete ${label()}`}
          question={
            props.channel.type === 4
              ? `Delete the ${label()}? Its channels stay, without a category.`
              : `Delete ${label()}? Its messages are deleted with it.`
          }
          confirmLabel="Delete"
          busy={remove.busy()}
          onConfirm={() => remove.run(() => settingsApi.deleteChannel(props.channel.id))}
        />
        <Alert message={remove.error()} />
      </div>
    </section>
  );
}
