import { createSignal, Show } from "solid-js";
import { api, errorText, type Message } from "./api";
import { autosize } from "./Composer";
import { GuestBadge, roleColor } from "./MemberList";
import { MessageText } from "./MessageText";
import { navigate, paths } from "./router";
import { displayName, state } from "./store";
import { Alert } from "./Alert";
import { ForwardDialog } from "./Forward";
import { Reactions } from "./Reactions";

const timeLabel = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const fullLabel = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

/** One message: author, time, the reply it answers, its text (or its editor), and its actions. */
export function MessageItem(props: {
  guild: string;
  message: Message;
  grouped: boolean;
  highlighted: boolean;
  editing: boolean;
  onEdit: (id: string | null) => void;
  onReply: (m: Message) => void;
  mayManage: boolean;
  onThread?: (m: Message) => void;
}) {
  const m = () => props.message;
  const mine = () => m().author.id === state.me?.id;
  const [confirming, setConfirming] = createSignal(false);
  const [forwarding, setForwarding] = createSignal(false);
  const forward = () => m().message_snapshots?.[0]?.message;
  const [picking, setPicking] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const member = () => state.guilds[props.guild]?.members[m().author.id];
  const ref = () => m().referenced_message;
  const mentionsMe = () =>
    Boolean(m().mention_everyone) ||
    // The server lists what counts (after allowed_mentions and permissions): a mention written
    // in the text that it left out does not highlight.
    (m().mentions ?? []).some((u) => u.id === state.me?.id) ||
    (m().mention_roles ?? []).some((r) => state.guilds[props.guild]?.members[state.me?.id ?? ""]?.roles.includes(r));

  const remove = async () => {
    setError(null);
    try {
      await api.remove(m().channel_id, m().id);
    } catch (e) {
      setError(errorText(e, "Not deleted: the server could not be reached."));
    }
    setConfirming(false);
  };

  return (
    <article
      id={`message-${m().id}`}
      class="message"
      classList={{ grouped: props.grouped, highlighted: props.highlighted, mentioned: mentionsMe() }}
      tabindex="-1"
      aria-labelledby={`author-${m().id} text-${m().id}`}
    >
      <Show when={m().message_reference?.message_id && m().message_reference?.type !== 1}>
        <button
          type="button"
          class="reply-quote"
          onClick={() => navigate(paths.channel(props.guild, m().channel_id, m().message_reference!.message_id))}
        >
          <span aria-hidden="true">↱ </span>
          <Show when={ref()} fallback={<em>The original message was deleted.</em>}>
            <strong>{displayName(props.guild, ref()!.author)}</strong> <span class="quote-text">{ref()!.content.slice(0, 200)}</span>
          </Show>
        </button>
      </Show>
      <header class="message-head" classList={{ "sr-only": props.grouped }}>
        <span class="author" id={`author-${m().id}`} style={roleColor(props.guild, member())}>
          {displayName(props.guild, m().author)}
        </span>
        <Show when={m().author.bot}>
          <span class="badge">BOT</span>
        </Show>
        <GuestBadge member={member()} />
        <time dateTime={m().timestamp} title={fullLabel.format(new Date(m().timestamp))}>
          {timeLabel.format(new Date(m().timestamp))}
        </time>
      </header>
      <Show
        when={props.editing}
        fallback={
          <div class="text" id={`text-${m().id}`}>
            <Show when={forward()}>
              {(f) => (
                <blockquote class="forwarded" aria-label="Forwarded message">
                  <span class="forwarded-label">Forwarded</span>
                  <MessageText guild={props.guild} content={f().content} />
                  <time dateTime={f().timestamp}>{fullLabel.format(new Date(f().timestamp))}</time>
                </blockquote>
              )}
            </Show>
            <MessageText guild={props.guild} content={m().content} />
            <Show when={m().edited_timestamp}>
              <span class="edited" title={fullLabel.format(new Date(m().edited_timestamp!))}>
                {" "}
                (edited)
              </span>
            </Show>
          </div>
        }
      >
        <Editor message={m()} onDone={() => props.onEdit(null)} />
      </Show>
      <Show when={confirming()}>
        <div class="confirm" role="group" aria-label="Delete this message?">
          Delete this message?
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete message
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      </Show>
      <Show when={forwarding()}>
        <ForwardDialog message={m()} onClose={() => setForwarding(false)} />
      </Show>
      <Alert message={error()} />
      <Reactions message={m()} picking={picking()} onPicking={setPicking} />
      <div class="actions" role="toolbar" aria-label="Message actions">
        <button type="button" onClick={() => props.onReply(m())}>
          Reply
        </button>
        <button type="button" aria-expanded={picking()} onClick={() => setPicking(!picking())}>
          React
        </button>
        <button type="button" onClick={() => setForwarding(!forwarding())} aria-expanded={forwarding()}>
          Forward
        </button>
        <Show when={props.onThread && m().type !== 18 && m().type !== 21}>
          <button type="button" onClick={() => props.onThread!(m())}>
            {hasThread(m()) ? "Open thread" : "Create thread"}
          </button>
        </Show>
        <Show when={mine() && !forward()}>
          <button type="button" onClick={() => props.onEdit(m().id)}>
            Edit
          </button>
        </Show>
        <Show when={mine() || props.mayManage}>
          <button type="button" onClick={(e) => (e.shiftKey ? void remove() : setConfirming(true))}>
            Delete
          </button>
        </Show>
      </div>
    </article>
  );
}

/** Whether a thread was started from the message (flag 32). */
export function hasThread(m: Message): boolean {
  return ((m.flags ?? 0) & 32) !== 0;
}

/** Editing a message in place: Enter saves, Shift+Enter is a new line, Esc cancels. */
function Editor(props: { message: Message; onDone: () => void }) {
  const [text, setText] = createSignal(props.message.content);
  const [error, setError] = createSignal<string | null>(null);
  const save = async () => {
    const content = text().trim();
    if (!content) return;
    if (content === props.message.content) return props.onDone();
    try {
      await api.edit(props.message.channel_id, props.message.id, content);
      props.onDone();
    } catch (e) {
      setError(errorText(e, "Not saved: the server could not be reached."));
    }
  };
  return (
    <div class="editor">
      <textarea
        aria-label="Edit message"
        maxLength={2000}
        value={text()}
        ref={(el) =>
          queueMicrotask(() => {
            autosize(el);
            el.focus();
            el.setSelectionRange(el.value.length, el.value.length);
          })
        }
        onInput={(e) => {
          setText(e.currentTarget.value);
          autosize(e.currentTarget);
        }}
        onKeyDown={(e) => {
          if (e.isComposing) return;
          if (e.key === "Enter" && !e.shiftKey) {
            e.preventDefault();
            void save();
          } else if (e.key === "Escape") {
            e.preventDefault();
            props.onDone();
          }
        }}
      />
      <p class="hint">
        Enter to save, Esc to cancel.{" "}
        <button type="button" onClick={() => void save()}>
          Save
        </button>{" "}
        <button type="button" onClick={() => props.onDone()}>
          Cancel
        </button>
      </p>
      <Alert message={error()} />
    </div>
  );
}
