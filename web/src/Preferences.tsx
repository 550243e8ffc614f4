// The channel menu (favourite, mute, notifications) and the per-server notification settings.
import { createEffect, createSignal, For, type JSX, onCleanup, Show } from "solid-js";
import { errorText } from "./api";
import { Alert } from "./Alert";
import {
  changeChannel,
  changeSettings,
  channelLevel,
  isChannelMuted,
  isFavourite,
  isServerMuted,
  LEVELS,
  MUTE_CHOICES,
  muteFor,
  serverLevel,
} from "./preferences";
import { state } from "./store";

/** Moves focus among a menu's items with the arrow keys, Home and End. */
function roving(e: KeyboardEvent, menu: HTMLElement) {
  const items = [...menu.querySelectorAll<HTMLElement>("[role^=menuitem]")];
  const at = items.indexOf(document.activeElement as HTMLElement);
  const go = (i: number) => items[(i + items.length) % items.length]?.focus();
  if (e.key === "ArrowDown") go(at + 1);
  else if (e.key === "ArrowUp") go(at - 1);
  else if (e.key === "Home") go(0);
  else if (e.key === "End") go(items.length - 1);
  else return;
  e.preventDefault();
}

/**
 * The channel whose menu is open ("scope:channel"), kept apart from the rows so that a menu stays
 * open while the list around it is drawn again (a message or a settings change elsewhere).
 */
const [openMenu, setOpenMenu] = createSignal<string | null>(null);

/**
 * A channel's row in a sidebar list with its menu: the "…" button (or a right click) opens
 * Favourite (for a server's channels), Mute for a while or Unmute, and the notification level.
 */
export function ChannelEntry(props: {
  scope: string;
  channel: string;
  name: string;
  favourites: boolean;
  children: JSX.Element;
}) {
  const key = () => `${props.scope}:${props.channel}`;
  const open = () => openMenu() === key();
  const [error, setError] = createSignal<string | null>(null);
  let row: HTMLLIElement | undefined;
  let button: HTMLButtonElement | undefined;
  const close = () => {
    if (open()) setOpenMenu(null);
    button?.focus();
  };
  const show = () => {
    setError(null);
    setOpenMenu(key());
  };
  // A press anywhere else closes the menu.
  createEffect(() => {
    if (!open()) return;
    const away = (e: PointerEvent) => {
      if (row && !row.contains(e.target as Node)) setOpenMenu(null);
    };
    document.addEventListener("pointerdown", away);
    onCleanup(() => document.removeEventListener("pointerdown", away));
  });
  const act = (changes: Record<string, unknown>) => {
    setError(null);
    changeChannel(props.scope, props.channel, changes).then(close, (e) => setError(errorText(e)));
  };
  const muted = () => isChannelMuted(props.scope, props.channel);
  const label = `Options for ${props.name}`;
  return (
    <li
      ref={row}
      class="channel-entry"
      classList={{ muted: muted() }}
      onContextMenu={(e) => {
        e.preventDefault();
        show();
      }}
    >
      {props.children}
      <button
        ref={button}
        type="button"
        class="entry-menu-button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open()}
        onClick={() => (open() ? close() : show())}
      >
        …
      </button>
      <Show when={open()}>
        <div
          ref={(el) => queueMicrotask(() => el.querySelector<HTMLElement>("[role^=menuitem]")?.focus())}
          class="entry-menu"
          role="menu"
          aria-label={label}
          onKeyDown={(e) => {
            if (e.key === "Escape") close();
            else roving(e, e.currentTarget);
          }}
        >
          <Show when={props.favourites}>
            <button
              type="button"
              role="menuitem"
              onClick={() => act({ favorite: !isFavourite(props.scope, props.channel) })}
            >
              {isFavourite(props.scope, props.channel) ? "Remove from Favourites" : "Add to Favourites"}
            </button>
          </Show>
          <Show
            when={!muted()}
            fallback={
              <button type="button" role="menuitem" onClick={() => act({ muted: false })}>
                Unmute
              </button>
            }
          >
            <div role="group" aria-label="Mute">
              <For each={MUTE_CHOICES}>
                {([text, seconds]) => (
                  <button type="button" role="menuitem" onClick={() => act(muteFor(seconds))}>
                    Mute {text.toLowerCase()}
                  </button>
                )}
              </For>
            </div>
          </Show>
          <div role="group" aria-label="Notifications">
            <For each={[...LEVELS, [props.scope === "@me" ? "Default" : "Server default", 3] as [string, number]]}>
              {([text, level]) => (
                <button
                  type="button"
                  role="menuitemradio"
                  aria-checked={channelLevel(props.scope, props.channel) === level}
                  onClick={() => act({ message_notifications: level })}
                >
                  {text}
                </button>
              )}
            </For>
          </div>
          <Alert message={error()} />
        </div>
      </Show>
    </li>
  );
}

/** A server's notification settings for this person: level, suppressions, mute. */
export function NotificationSettings(props: { guild: string; onClose: () => void }) {
  const [error, setError] = createSignal<string | null>(null);
  const [muteWindow, setMuteWindow] = createSignal(MUTE_CHOICES[0][1]);
  const change = (changes: Record<string, unknown>) => {
    setError(null);
    changeSettings(props.guild, changes).catch((e) => setError(errorText(e)));
  };
  const entry = () => state.guildSettings[props.guild];
  return (
    <div
      class="dialog notification-settings"
      role="dialog"
      aria-label="Notification settings"
      onKeyDown={(e) => e.key === "Escape" && props.onClose()}
    >
      <h3>Notification settings</h3>
      <fieldset>
        <legend>Server notifications</legend>
        <For each={[...LEVELS, ["Server default", 3] as [string, number]]}>
          {([text, level]) => (
            <label>
              <input
                type="radio"
                name="server-notifications"
                checked={serverLevel(props.guild) === level}
                onChange={() => change({ message_notifications: level })}
              />
              {text}
            </label>
          )}
        </For>
      </fieldset>
      <label>
        <input
          type="checkbox"
          checked={entry()?.suppress_everyone ?? false}
          onChange={(e) => change({ suppress_everyone: e.currentTarget.checked })}
        />
        Suppress @everyone and @here
      </label>
      <label>
        <input
          type="checkbox"
          checked={entry()?.suppress_roles ?? false}
          onChange={(e) => change({ suppress_roles: e.currentTarget.checked })}
        />
        Suppress all role @mentions
      </label>
      <Show
        when={!isServerMuted(props.guild)}
        fallback={
          <button type="button" onClick={() => change({ muted: false })}>
            Unmute server
          </button>
        }
      >
        <label for="server-mute-for">Mute server</label>
        <div class="copy-row">
          <select id="server-mute-for" value={muteWindow()} onChange={(e) => setMuteWindow(Number(e.currentTarget.value))}>
            <For each={MUTE_CHOICES}>{([text, seconds]) => <option value={seconds}>{text}</option>}</For>
          </select>
          <button type="button" onClick={() => change(muteFor(muteWindow()))}>
            Mute server
          </button>
        </div>
      </Show>
      <Alert message={error()} />
      <button type="button" onClick={() => props.onClose()}>
        Close
      </button>
    </div>
  );
}
