// The account: display name, username, logging out. USER_UPDATE from the gateway brings the
// change to every open page of this person.
import { createEffect, createSignal, on, Show } from "solid-js";
import { api } from "../api";
import { useSession } from "../Client";
import { Link } from "../Link";
import { state } from "../store";
import { settingsApi } from "./api";
import { Alert, useAction } from "./shared";
import "./settings.css";

export function UserSettings() {
  const session = useSession();
  return (
    <div class="settings-page">
      <header class="settings-head">
        <div>
          <h1>User settings</h1>
          <Show when={state.me}>
            <p class="settings-sub">{state.me!.global_name || state.me!.username}</p>
          </Show>
        </div>
        <Link class="settings-close" href="/">
          Close
        </Link>
      </header>
      <main class="settings-body user-settings">
        <h2>My account</h2>
        <NameForm
          id="display-name"
          label="Display name"
          hint="What others see; leave empty to show your username."
          current={() => state.me?.global_name ?? ""}
          save={(v) => settingsApi.modifyMe({ global_name: v.trim() ? v.trim() : null })}
          optional
        />
        <NameForm
          id="username"
          label="Username"
          hint="2 to 32 letters, digits, _ and . ; you log in with it."
          current={() => state.me?.username ?? ""}
          save={(v) => settingsApi.modifyMe({ username: v.trim() })}
        />
        <h2>Session</h2>
        <div class="buttons">
          <button type="button" class="danger" onClick={() => void api.logout().catch(() => undefined).then(session.signOut)}>
            Log out
          </button>
        </div>
      </main>
    </div>
  );
}

function NameForm(props: {
  id: string;
  label: string;
  hint: string;
  current: () => string;
  save: (value: string) => Promise<unknown>;
  optional?: boolean;
}) {
  const [value, setValue] = createSignal(props.current());
  const [saved, setSaved] = createSignal(false);
  createEffect(on(props.current, (v) => setValue(v), { defer: true }));
  const action = useAction();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setSaved(false);
    if (await action.run(() => props.save(value()))) setSaved(true);
  };
  return (
    <form class="settings-form" onSubmit={submit}>
      <label for={props.id}>{props.label}</label>
      <div class="input-row">
        <input
          id={props.id}
          required={!props.optional}
          maxLength={32}
          aria-describedby={`${props.id}-hint`}
          value={value()}
          onInput={(e) => {
            setValue(e.currentTarget.value);
            setSaved(false);
          }}
        />
        <button type="submit" disabled={action.busy() || value().trim() === props.current()} aria-label={`Save ${props.label.toLowerCase()}`}>
          Save
        </button>
      </div>
      <p class="hint" id={`${props.id}-hint`}>
        {props.hint}
      </p>
      <Show when={saved()}>
        <p class="hint" role="status">
          Saved.
        </p>
      </Show>
      <Alert message={action.error()} />
    </form>
  );
}
