// Pieces every settings tab uses: running a change with its error said in words, lists only
// REST knows (fetched again after every change made here), an inline confirmation, names.
import { createEffect, createSignal, on, Show, type JSX } from "solid-js";
import type { Role } from "../api";
import { cmpId, state } from "../store";
import { errorText } from "./api";

export { Alert } from "../Alert";

/** Bumped after every change made on the settings screens: REST-only lists fetch again. */
const [revision, setRevision] = createSignal(0);
export { revision };

/** A change to run: `busy` while it runs, `error` in words when it failed. */
export function useAction() {
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const run = async (fn: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    setBusy(true);
    try {
      await fn();
      setRevision((r) => r + 1);
      return true;
    } catch (e) {
      setError(errorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, setError, busy, run };
}

/** A list only the REST API gives (bans, invites, the audit log), fetched again after changes. */
export function useRestList<T>(load: () => Promise<T>, key: () => unknown) {
  const [data, setData] = createSignal<T>();
  const [error, setError] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  let seq = 0;
  const refresh = async () => {
    const n = ++seq;
    setLoading(true);
    try {
      const v = await load();
      if (n === seq) {
        setData(() => v);
        setError(null);
      }
    } catch (e) {
      if (n === seq) setError(errorText(e));
    } finally {
      if (n === seq) setLoading(false);
    }
  };
  createEffect(on([key, revision], () => void refresh()));
  return { data, error, loading, refresh };
}

/**
 * A button that asks first: pressing it shows the question with a confirming button (focused)
 * and Cancel; `children` are shown above them (a reason field, say).
 */
export function Confirm(props: {
  label: string;
  accessibleLabel?: string;
  question: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => Promise<boolean>;
  children?: JSX.Element;
}) {
  const [open, setOpen] = createSignal(false);
  let confirmButton: HTMLButtonElement | undefined;
  let opener: HTMLButtonElement | undefined;
  const close = () => {
    setOpen(false);
    queueMicrotask(() => opener?.focus());
  };
  return (
    <Show
      when={open()}
      fallback={
        <button
          type="button"
          class="secondary"
          ref={opener}
          aria-label={props.accessibleLabel}
          onClick={() => {
            setOpen(true);
            queueMicrotask(() => confirmButton?.focus());
          }}
        >
          {props.label}
        </button>
      }
    >
      <div
        class="confirm-box"
        role="group"
        aria-label={props.question}
        onKeyDown={(e) => {
          if (e.key === "Escape") close();
        }}
      >
        <p>{props.question}</p>
        {props.children}
        <div class="buttons">
          <button
            type="button"
            class="danger"
            ref={confirmButton}
            disabled={props.busy}
            onClick={async () => {
              if (await props.onConfirm()) setOpen(false);
            }}
          >
            {props.confirmLabel}
          </button>
          <button type="button" class="secondary" onClick={close}>
            Cancel
          </button>
        </div>
      </div>
    </Show>
  );
}

/** A guild's roles, highest first (@everyone last). */
export function rolesByRank(guild: string): Role[] {
  const g = state.guilds[guild];
  if (!g) return [];
  return Object.values(g.roles).sort((a, b) => {
    if (a.id === g.id) return 1;
    if (b.id === g.id) return -1;
    return b.position - a.position || cmpId(a.id, b.id);
  });
}

/** The highest position among a member's roles (the owner outranks everyone). */
export function rankOf(guild: string, user: string | undefined): number {
  const g = state.guilds[guild];
  if (!g || !user) return -1;
  if (g.owner_id === user) return Number.POSITIVE_INFINITY;
  let top = 0;
  for (const r of g.members[user]?.roles ?? []) top = Math.max(top, g.roles[r]?.position ?? 0);
  return top;
}

/** A role's colour as CSS (none for 0). */
export function colorCss(color: number): string | undefined {
  return color ? `#${color.toString(16).padStart(6, "0")}` : undefined;
}

/** A user's name as the settings show it: display name, else username, else the id. */
export function userName(guild: string, id: string | null | undefined, known?: Map<string, { username: string; global_name: string | null }>): string {
  if (!id) return "someone";
  const m = state.guilds[guild]?.members[id];
  if (m) return m.nick || m.user.global_name || m.user.username;
  const u = known?.get(id);
  if (u) return u.global_name || u.username;
  if (state.me?.id === id) return state.me.global_name || state.me.username;
  return `user ${id}`;
}

/** When a snowflake was made. */
export function snowflakeDate(id: string): Date {
  return new Date(Number(BigInt(id) >> 22n) + 1420070400000);
}
