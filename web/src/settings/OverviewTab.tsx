import { createEffect, createSignal, on, Show } from "solid-js";
import { state } from "../store";
import { settingsApi } from "./api";
import { Alert, useAction } from "./shared";

/** The server's name (MANAGE_GUILD). */
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
    </>
  );
}
