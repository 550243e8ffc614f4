import { createEffect, createMemo, createSignal, For, on, Show } from "solid-js";
import { reconcile } from "solid-js/store";
import { Alert } from "./Alert";
import { api, errorText, type Channel, type Message } from "./api";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { channelPermissions, has, P } from "./permissions";
import { setState, state } from "./store";

/** The open thread beside its channel: its messages, its member count, replying, and archiving
 * or unarchiving it (its creator, or those who manage threads). Posting in an archived thread
 * unarchives it. */
export function ThreadPanel(props: { guild: string; parent: Channel; thread: string; onClose: () => void }) {
  const [replyTo, setReplyTo] = createSignal<Message | null>(null);
  const [editing, setEditing] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  // A thread not yet known to this session (archived before it connected) is read once.
  createEffect(
    on(
      () => props.thread,
      (id) => {
        setError(null);
        if (!state.threads[id]) {
          void api
            .channel(id)
            .then((t) => setState("threads", id, reconcile(t)))
            .catch((e) => setError(errorText(e)));
        }
      },
    ),
  );
  const thread = () => state.threads[props.thread];
  const perms = createMemo(() => channelPermissions(state.guilds[props.guild], props.parent, state.me?.id));
  const archived = () => thread()?.thread_metadata?.archived ?? false;
  const mayArchive = () => thread()?.owner_id === state.me?.id || has(perms(), P.MANAGE_THREADS);
  const toggle = () => {
    setError(null);
    api
      .archiveThread(props.thread, !archived())
      .then((t) => setState("threads", t.id, reconcile(t)))
      .catch((e) => setError(errorText(e)));
  };
  return (
    <aside class="thread-panel" aria-label="Thread">
      <Show when={thread()} fallback={<Alert message={error()} />}>
        {(t) => (
          <>
            <header class="channel-head">
              <h3>
                <span aria-hidden="true">🧵 </span>
                {t().name}
              </h3>
              <p class="topic" role="status">
                {t().member_count ?? 0} {t().member_count === 1 ? "member" : "members"}
                {archived() ? " · archived" : ""}
              </p>
              <div class="head-actions">
                <Show when={mayArchive()}>
                  <button type="button" onClick={toggle}>
                    {archived() ? "Unarchive" : "Archive"}
                  </button>
                </Show>
                <button type="button" onClick={() => props.onClose()}>
                  Close thread
                </button>
              </div>
            </header>
            <Alert message={error()} />
            <MessageList
              guild={props.guild}
              channel={t()}
              editing={editing()}
              onEdit={setEditing}
              onReply={setReplyTo}
              mayManage={has(perms(), P.MANAGE_MESSAGES)}
            />
            <Composer
              guild={props.guild}
              channel={t()}
              maySend={has(perms(), P.SEND_MESSAGES_IN_THREADS) && (!t().thread_metadata?.locked || has(perms(), P.MANAGE_THREADS))}
              replyTo={replyTo()}
              onCancelReply={() => setReplyTo(null)}
              onEditLast={() => false}
            />
          </>
        )}
      </Show>
    </aside>
  );
}

/** The threads of a channel: the active ones this session knows, and the archived ones read
 * when the list is opened. */
export function ThreadList(props: { parent: Channel; onOpen: (id: string) => void }) {
  const [old, setOld] = createSignal<Channel[]>([]);
  createEffect(
    on(
      () => props.parent.id,
      (id) => {
        setOld([]);
        void api
          .archivedThreads(id)
          .then((l) => setOld(l.threads))
          .catch(() => undefined);
      },
    ),
  );
  const active = () =>
    Object.values(state.threads).filter((t) => t.parent_id === props.parent.id && !t.thread_metadata?.archived);
  const archived = () =>
    old().filter((t) => !active().some((a) => a.id === t.id) && (state.threads[t.id]?.thread_metadata?.archived ?? true));
  const item = (t: Channel) => (
    <li>
      <button type="button" onClick={() => props.onOpen(t.id)}>
        {state.threads[t.id]?.name ?? t.name}
      </button>
    </li>
  );
  return (
    <nav class="thread-list" aria-label="Threads">
      <h3>Active threads</h3>
      <Show when={active().length > 0} fallback={<p>No active threads.</p>}>
        <ul>
          <For each={active()}>{item}</For>
        </ul>
      </Show>
      <h3>Archived threads</h3>
      <Show when={archived().length > 0} fallback={<p>No archived threads.</p>}>
        <ul>
          <For each={archived()}>{item}</For>
        </ul>
      </Show>
    </nav>
  );
}
