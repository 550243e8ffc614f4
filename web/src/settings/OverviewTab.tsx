import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import { GuildRetentionForm } from "../Retention";
import { sidebarGroups } from "../Shell";
import { state } from "../store";
import { settingsApi } from "./api";
import { Alert, useAction } from "./shared";

/** The server's name and its default channels (MANAGE_GUILD). */
export function OverviewTab(props: { guild: string }) {
  const current = () => state.guilds[props.guild]?.name ?? "";
  const [name, setName] = createSignal(current());
  const [saved, setSaved] = createSignal(false);
  // A rename from elsewhere shows here too.
  createEffect(on(current, (n) => setName(n), { defer: true }));
  const action = useAction();
  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(false);
    if (await action.run(() => settingsApi.renameGuild(props.guild, name().trim()))) setSaved(true);
  };
  return (
    <>
      <h2>Overview</h2>
      <form class="settings-form" onSubmit={save}>
        <label for="guild-name">Server name</label>
        <input
          id="guild-name"
          required
          minLength={2}
          maxLength={100}
          value={name()}
          onInput={(e) => {
            setName(e.currentTarget.value);
            setSaved(false);
          }}
        />
        <div class="buttons">
          <button type="submit" disabled={action.busy() || name().trim() === current()}>
            Save
          </button>
        </div>
        <Show when={saved()}>
          <p role="status" class="hint">
            Saved.
          </p>
        </Show>
        <Alert message={action.error()} />
      </form>
      <DefaultChannels guild={props.guild} />
      <GuildRetentionForm guild={props.guild} />
    </>
  );
}

/** The default channels (hearth's extension): shown first, under "Start here", and where a new
 * member starts. Ticked in the sidebar's order. */
function DefaultChannels(props: { guild: string }) {
  const text = createMemo(() =>
    sidebarGroups(Object.values(state.guilds[props.guild]?.channels ?? {}))
      .flatMap((g) => g.channels)
      .filter((c) => c.type === 0),
  );
  const chosen = () => state.guilds[props.guild]?.defaultChannels ?? [];
  const action = useAction();
  const toggle = (id: string, checked: boolean) => {
    const next = checked ? [...chosen().filter((c) => c !== id), id] : chosen().filter((c) => c !== id);
    void action.run(() => settingsApi.setDefaultChannels(props.guild, next));
  };
  return (
    <fieldset class="settings-form">
      <legend>Default channels</legend>
      <p class="hint">Shown first to everyone, under "Start here"; new members start in the first one.</p>
      <For each={text()}>
        {(c) => (
          <label class="check">
            <input
              type="checkbox"
              checked={chosen().includes(c.id)}
              disabled={action.busy()}
              onChange={(e) => toggle(c.id, e.currentTarget.checked)}
            />
            #{c.name}
          </label>
        )}
      </For>
      <Alert message={action.error()} />
    </fieldset>
  );
}
