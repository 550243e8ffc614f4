import { createSignal, Show } from "solid-js";
import { useSession } from "./Client";
import { choosePresence } from "./presence";
import { displayName, state } from "./store";

export const STATUS_LABELS: Record<string, string> = {
  online: "Online",
  idle: "Idle",
  dnd: "Do not disturb",
  invisible: "Invisible",
  offline: "Offline",
};

/** The person's name, status and custom status, with a form to change them. */
export function StatusMenu() {
  const session = useSession();
  const [open, setOpen] = createSignal(false);
  const [status, setStatus] = createSignal(state.status);
  const [custom, setCustom] = createSignal(state.customStatus);
  const save = (e: SubmitEvent) => {
    e.preventDefault();
    choosePresence(session.gateway, status(), custom().trim().slice(0, 128));
    setOpen(false);
  };
  return (
    <div class="status-menu">
      <button
        type="button"
        class="me-button"
        aria-expanded={open()}
        aria-label={`Status: ${STATUS_LABELS[state.status]}. Change status`}
        onClick={() => {
          setStatus(state.status);
          setCustom(state.customStatus);
          setOpen(!open());
        }}
      >
        <span class={`presence-dot ${state.status}`} aria-hidden="true" />
        <span class="me-name">{displayName(undefined, state.me ?? undefined)}</span>
        <Show when={state.customStatus}>
          <span class="custom-status">{state.customStatus}</span>
        </Show>
      </button>
      <Show when={open()}>
        <form class="status-form" onSubmit={save} onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
          <fieldset>
            <legend>Status</legend>
            {(["online", "idle", "dnd", "invisible"] as const).map((s) => (
              <label>
                <input type="radio" name="status" value={s} checked={status() === s} onChange={() => setStatus(s)} />
                {STATUS_LABELS[s]}
              </label>
            ))}
          </fieldset>
          <label for="custom-status">Custom status</label>
          <input id="custom-status" maxLength={128} value={custom()} onInput={(e) => setCustom(e.currentTarget.value)} />
          <button type="submit">Save status</button>
        </form>
      </Show>
    </div>
  );
}
