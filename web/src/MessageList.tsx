import { createVirtualizer, elementScroll } from "@tanstack/solid-virtual";
import { createEffect, createMemo, createSignal, For, on, onCleanup, onMount, Show } from "solid-js";
import { unwrap } from "solid-js/store";
import type { Channel, Message } from "./api";
import { loadOlder, loadUntil, openChannel } from "./history";
import { MessageItem } from "./MessageItem";
import { isSystem, SystemMessage } from "./SystemMessage";
import { cmpId, markRead, state } from "./store";
import { Alert } from "./Alert";

interface ListProps {
  guild: string;
  channel: Channel;
  jumpTo?: string;
  editing: string | null;
  onEdit: (id: string | null) => void;
  onReply: (m: Message) => void;
  mayManage: boolean;
  /** Offered on each message when given: open its thread, or start one. */
  onThread?: (m: Message) => void;
}

/** The messages of the open channel (a new list, scrolled to the end, for each channel). */
export function MessageList(props: ListProps) {
  return (
    <Show when={props.channel.id} keyed>
      {(id) => <ChannelMessages {...props} id={id} />}
    </Show>
  );
}

const sameDay = (a: string, b: string) => new Date(a).toDateString() === new Date(b).toDateString();
const dayLabel = new Intl.DateTimeFormat(undefined, { dateStyle: "full" });

/** Consecutive messages of one author within 7 minutes are shown under one header. */
const GROUP_MS = 7 * 60 * 1000;

function ChannelMessages(props: ListProps & { id: string }) {
  let scroller!: HTMLDivElement;
  let rows!: HTMLDivElement;
  const list = () => state.messages[props.id]?.list ?? [];
  const more = () => state.messages[props.id]?.more ?? true;
  // The list as plain data, for the virtualizer's keys: it asks for the key of every message
  // each time it lays the list out (for every row it measures), and reading 10,000 ids through
  // the store took three quarters of the time of scrolling through them. The virtualizer reads
  // `count` whenever the list changes, before it asks for keys.
  let plain: readonly Message[] = [];
  // Where "new messages" begin: after what was read when the channel opened.
  const readAtOpen = state.read[props.id];
  const [loaded, setLoaded] = createSignal(false);
  const [failed, setFailed] = createSignal<string | null>(null);
  const [highlight, setHighlight] = createSignal<string | null>(null);
  const [atEnd, setAtEnd] = createSignal(true);

  const v = createVirtualizer({
    get count() {
      plain = unwrap(list());
      return list().length;
    },
    getScrollElement: () => scroller,
    estimateSize: () => 48,
    overscan: 12,
    getItemKey: (i: number) => plain[i]?.id ?? i,
    anchorTo: "end",
    followOnAppend: true,
    scrollEndThreshold: 48,
    // A page of older messages keeps the message at the top of the view where it was: the
    // virtualizer scrolls down by the page's height at once, before the list's new height has
    // reached the page. While the list was shorter than that (the first older page), the
    // browser cut the scroll short and the view jumped by up to a screen. So the list takes its
    // new height before every scroll the virtualizer makes.
    scrollToFn: (offset, options, instance) => {
      if (rows) rows.style.height = `${instance.getTotalSize()}px`;
      elementScroll(offset, options, instance);
    },
  });

  // The list is in id order: a binary search over the plain array finds the read point without
  // reading (and subscribing to) every loaded message, which each added page would repeat.
  const firstNew = createMemo(() => {
    if (!readAtOpen) return undefined;
    const me = state.me?.id;
    const raw = unwrap(list());
    void list().length;
    let lo = 0;
    let hi = raw.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cmpId(raw[mid].id, readAtOpen) > 0) hi = mid;
      else lo = mid + 1;
    }
    for (let i = lo; i < raw.length; i++) if (raw[i].author.id !== me) return raw[i].id;
    return undefined;
  });

  const noteRead = () => {
    const end = v.isAtEnd(48);
    setAtEnd(end);
    const last = list()[list().length - 1];
    if (end && last && state.messages[props.id]?.latest && document.visibilityState === "visible") {
      markRead(props.id, last.id);
    }
  };

  const scrollToEnd = () => {
    if (list().length) v.scrollToIndex(list().length - 1, { align: "end" });
  };

  const jump = async (target: string) => {
    setFailed(null);
    const found = await loadUntil(props.id, target).catch(() => false);
    if (!found) {
      setFailed("That message could not be found.");
      return;
    }
    const i = list().findIndex((m) => m.id === target);
    v.scrollToIndex(i, { align: "center" });
    setHighlight(target);
    // Once drawn, the message takes the focus (and screen readers read it).
    requestAnimationFrame(() =>
      requestAnimationFrame(() => document.getElementById(`message-${target}`)?.focus({ preventScroll: true })),
    );
    setTimeout(() => setHighlight((h) => (h === target ? null : h)), 3000);
  };

  onMount(async () => {
    try {
      await openChannel(props.id);
    } catch {
      setFailed("The messages could not be loaded.");
    }
    setLoaded(true);
    if (props.jumpTo) await jump(props.jumpTo);
    else requestAnimationFrame(scrollToEnd);
    requestAnimationFrame(noteRead);
  });
  createEffect(on(() => props.jumpTo, (t) => t && loaded() && void jump(t), { defer: true }));
  // New messages at the end mark the channel read when the person is there to see them.
  createEffect(on(() => list().length, () => requestAnimationFrame(noteRead), { defer: true }));
  const visible = () => noteRead();
  document.addEventListener("visibilitychange", visible);
  onCleanup(() => document.removeEventListener("visibilitychange", visible));

  const onScroll = () => {
    noteRead();
    if (scroller.scrollTop < 400 && more() && loaded()) void loadOlder(props.id).catch(() => undefined);
  };

  return (
    <div class="message-pane">
      <div class="messages" ref={scroller} onScroll={onScroll} role="log" aria-label={`Messages in ${props.guild === "@me" ? "@" : "#"}${props.channel.name}`} tabindex="0">
        <div class="messages-inner">
          <Show when={loaded() && !more()}>
            <p class="channel-start">
              This is the beginning of <strong>{props.guild === "@me" ? "@" : "#"}{props.channel.name}</strong>.
            </p>
          </Show>
          <div class="virtual" ref={rows} style={{ height: `${v.getTotalSize()}px` }}>
            <For each={v.getVirtualItems()}>
              {(item) => {
                const m = () => list()[item.index];
                const prev = () => (item.index > 0 ? list()[item.index - 1] : undefined);
                // The first loaded message starts a day only when nothing older exists: while
                // older pages may come, a separator above it would vanish when they do (and the
                // view with it, by the separator's height).
                const newDay = () => (prev() ? !sameDay(prev()!.timestamp, m().timestamp) : !more());
                const grouped = () =>
                  !!prev() &&
                  !newDay() &&
                  prev()!.author.id === m().author.id &&
                  !isSystem(prev()!.type) &&
                  !m().message_reference &&
                  m().id !== firstNew() &&
                  Date.parse(m().timestamp) - Date.parse(prev()!.timestamp) < GROUP_MS;
                return (
                  <div class="row" data-index={item.index} ref={(el) => queueMicrotask(() => v.measureElement(el))} style={{ transform: `translateY(${item.start}px)` }}>
                    <Show when={m()}>
                      <Show when={newDay()}>
                        <div class="day-separator" role="separator" aria-label={dayLabel.format(new Date(m().timestamp))}>
                          <span>{dayLabel.format(new Date(m().timestamp))}</span>
                        </div>
                      </Show>
                      <Show when={m().id === firstNew()}>
                        <div class="new-divider" role="separator" aria-label="New messages">
                          <span>New messages</span>
                        </div>
                      </Show>
                      <Show when={!isSystem(m().type)} fallback={<SystemMessage guild={props.guild} message={m()} />}>
                        <MessageItem
                          guild={props.guild}
                          message={m()}
                          grouped={grouped()}
                          highlighted={highlight() === m().id}
                          editing={props.editing === m().id}
                          onEdit={props.onEdit}
                          onReply={props.onReply}
                          mayManage={props.mayManage}
                          onThread={props.onThread}
                        />
                      </Show>
                    </Show>
                  </div>
                );
              }}
            </For>
          </div>
        </div>
      </div>
      <Alert message={failed()} />
      <Show when={!atEnd()}>
        <button type="button" class="jump-present" onClick={scrollToEnd}>
          Jump to present
        </button>
      </Show>
    </div>
  );
}
