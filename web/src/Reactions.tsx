import { createSignal, For, Show } from "solid-js";
import { api, errorText, type Message } from "./api";
import { Alert } from "./Alert";
import { EmojiPicker } from "./EmojiPicker";

/**
 * The reactions under a message: one button per emoji with its count, pressed when the
 * signed-in person reacted (a click adds or takes back theirs), and a button opening the emoji
 * picker. Counts change through the gateway's reaction events.
 */
export function Reactions(props: { message: Message; picking: boolean; onPicking: (open: boolean) => void }) {
  const [error, setError] = createSignal<string | null>(null);
  const m = () => props.message;
  const toggle = async (emoji: string, mine: boolean) => {
    setError(null);
    try {
      if (mine) await api.unreact(m().channel_id, m().id, emoji);
      else await api.react(m().channel_id, m().id, emoji);
    } catch (e) {
      setError(errorText(e, "The reaction did not reach the server."));
    }
  };
  return (
    <>
      <Show when={(m().reactions ?? []).length > 0}>
        <div class="reactions" role="group" aria-label="Reactions">
          <For each={m().reactions}>
            {(r) => (
              <button
                type="button"
                class="reaction"
                classList={{ mine: r.me }}
                aria-pressed={r.me}
                aria-label={`${r.emoji.name} ${r.count}${r.me ? ", including you" : ""}`}
                onClick={() => void toggle(r.emoji.name, r.me)}
              >
                <span aria-hidden="true">{r.emoji.name}</span> <span class="count">{r.count}</span>
              </button>
            )}
          </For>
        </div>
      </Show>
      <Show when={props.picking}>
        <EmojiPicker
          onPick={(emoji) => {
            props.onPicking(false);
            const mine = (m().reactions ?? []).some((r) => r.emoji.name === emoji && r.me);
            if (!mine) void toggle(emoji, false);
          }}
          onClose={() => props.onPicking(false)}
        />
      </Show>
      <Alert message={error()} />
    </>
  );
}
