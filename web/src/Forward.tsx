// Forwarding a message: pick a channel or a conversation; the forward carries a copy of the
// message (Discord's message_reference type 1), which stays when the original is deleted.
import { createMemo, createSignal, For, Show } from "solid-js";
import { Alert } from "./Alert";
import { errorText, request, type Message } from "./api";
import { channelPermissions, has, P } from "./permissions";
import { privateName, state } from "./store";

interface Destination {
  id: string;
  label: string;
}

/** Where the person may post: text channels of their servers, their DMs and group DMs. */
function destinations(): Destination[] {
  const out: Destination[] = [];
  for (const g of Object.values(state.guilds)) {
    for (const c of Object.values(g.channels)) {
      if (c.type !== 0) continue;
      if (!has(channelPermissions(g, c, state.me?.id), P.VIEW_CHANNEL | P.SEND_MESSAGES)) continue;
      out.push({ id: c.id, label: `#${c.name} (${g.name})` });
    }
  }
  for (const c of Object.values(state.privateChannels)) out.push({ id: c.id, label: `@${privateName(c)}` });
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

export function forwardMessage(m: Message, to: string): Promise<Message> {
  return request<Message>("POST", `/channels/${to}/messages`, {
    message_reference: { type: 1, message_id: m.id, channel_id: m.channel_id, ...(m.guild_id ? { guild_id: m.guild_id } : {}) },
  });
}

/** The dialog under a message: a filter and the destinations; one click forwards. */
export function ForwardDialog(props: { message: Message; onClose: () => void }) {
  const [filter, setFilter] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [sentTo, setSentTo] = createSignal<string | null>(null);
  const shown = createMemo(() => {
    const f = filter().trim().toLowerCase();
    return destinations()
      .filter((d) => !f || d.label.toLowerCase().includes(f))
      .slice(0, 20);
  });
  const send = async (d: Destination) => {
    setError(null);
    try {
      await forwardMessage(props.message, d.id);
      setSentTo(d.label);
    } catch (e) {
      setError(errorText(e, "Not forwarded: the server could not be reached."));
    }
  };
  return (
    <div class="forward-dialog" role="dialog" aria-label="Forward message">
      <label for={`forward-${props.message.id}`}>Forward to</label>
      <input
        id={`forward-${props.message.id}`}
        placeholder="Channel or conversation"
        value={filter()}
        onInput={(e) => setFilter(e.currentTarget.value)}
        onKeyDown={(e) => e.key === "Escape" && props.onClose()}
        ref={(el) => queueMicrotask(() => el.focus())}
      />
      <ul class="forward-list">
        <For each={shown()} fallback={<li class="hint">No channel matches.</li>}>
          {(d) => (
            <li>
              <button type="button" onClick={() => void send(d)}>
                {d.label}
              </button>
            </li>
          )}
        </For>
      </ul>
      <Show when={sentTo()}>
        <p role="status" class="hint">
          Forwarded to {sentTo()}.
        </p>
      </Show>
      <Alert message={error()} />
      <button type="button" onClick={() => props.onClose()}>
        Close
      </button>
    </div>
  );
}
