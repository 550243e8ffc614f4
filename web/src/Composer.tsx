import { createEffect, createSignal, on, Show } from "solid-js";
import { api, errorText, type Channel, type Message } from "./api";
import { displayName, state, upsertMessages } from "./store";
import { Alert } from "./Alert";

/** How often typing is announced while the person keeps typing (the indicator lasts 10 s). */
const TYPING_EVERY_MS = 8_000;

/** Grows a textarea with its text (up to its CSS max-height). */
export function autosize(el: HTMLTextAreaElement) {
  el.style.height = "auto";
  el.style.height = `${el.scrollHeight}px`;
}

/** Writing a message: Enter sends, Shift+Enter is a new line, Up edits the last own message, Esc cancels a reply. */
export function Composer(props: {
  guild: string;
  channel: Channel;
  maySend: boolean;
  replyTo: Message | null;
  onCancelReply: () => void;
  onEditLast: () => boolean;
}) {
  let box!: HTMLTextAreaElement;
  const drafts = new Map<string, string>();
  const [text, setText] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [sending, setSending] = createSignal(false);
  let typedAt = 0;

  // Each channel keeps its own draft.
  createEffect(
    on(
      () => props.channel.id,
      (id, prev) => {
        if (prev) drafts.set(prev, text());
        setText(drafts.get(id) ?? "");
        setError(null);
        typedAt = 0;
        queueMicrotask(() => box && autosize(box));
      },
    ),
  );
  createEffect(on(() => props.replyTo, (r) => r && box?.focus()));

  const timedOut = () => {
    const until = state.guilds[props.guild]?.members[state.me?.id ?? ""]?.communication_disabled_until;
    return Boolean(until && Date.parse(until) > Date.now());
  };

  const send = async () => {
    const content = text().trim();
    if (!content || sending()) return;
    setSending(true);
    setError(null);
    try {
      const m = await api.send(props.channel.id, content, props.replyTo?.id);
      // The gateway delivers it too; the list keeps one copy per id.
      if (state.messages[props.channel.id]?.latest) upsertMessages(props.channel.id, [m]);
      setText("");
      typedAt = 0;
      props.onCancelReply();
      autosize(box);
    } catch (e) {
      setError(errorText(e, "Not sent: the server could not be reached."));
    } finally {
      setSending(false);
      box.focus();
    }
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.isComposing) return;
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void send();
    } else if (e.key === "ArrowUp" && text() === "") {
      if (props.onEditLast()) e.preventDefault();
    } else if (e.key === "Escape" && props.replyTo) {
      e.preventDefault();
      props.onCancelReply();
    }
  };

  const onInput = (value: string) => {
    setText(value);
    autosize(box);
    if (value.trim() && Date.now() - typedAt > TYPING_EVERY_MS) {
      typedAt = Date.now();
      api.typing(props.channel.id).catch(() => undefined);
    }
  };

  const disabled = () => !props.maySend || timedOut();
  // Guild channels are "#name", DMs "@name".
  const sigil = () => (props.guild === "@me" ? "@" : "#");
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <Show when={props.replyTo}>
        {(r) => (
          <div class="replying">
            Replying to <strong>{displayName(props.guild, r().author)}</strong>
            <button type="button" onClick={() => props.onCancelReply()} aria-label="Cancel reply">
              ✕
            </button>
          </div>
        )}
      </Show>
      <Alert message={error()} />
      <div class="composer-row">
        <textarea
          ref={box}
          rows={1}
          maxLength={2000}
          aria-label={`Message ${sigil()}${props.channel.name}`}
          placeholder={
            timedOut()
              ? "You are timed out in this server."
              : props.maySend
                ? `Message ${sigil()}${props.channel.name}`
                : "You cannot send messages in this channel."
          }
          disabled={disabled()}
          value={text()}
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={onKey}
        />
        <button type="submit" disabled={disabled() || sending() || !text().trim()}>
          Send
        </button>
      </div>
    </form>
  );
}
