// Loading a channel's messages: the latest page when it opens, older pages as the person
// scrolls up, pages until a linked message is loaded, and after a new gateway session whatever
// arrived while the client was away (merged by id: nothing twice, nothing lost).
import { produce } from "solid-js/store";
import { api, type Message } from "./api";
import { cmpId, setState, state, upsertMessages } from "./store";

const PAGE = 100;
const loading = new Set<string>();

/**
 * Adds a page of messages older than every loaded one (or the first page of an empty list) in
 * front of the list with one unshift: the loaded messages move once per page. Inserting the
 * page message by message (a binary search and a splice each) moved them once per message, and
 * every move is a store write: 100 x N writes per page, 0.8 s a page once 9,000 messages were
 * loaded, so scrolling back through 10,000 took 55 s. Anything else (a message the page
 * overlaps, which arrived meanwhile) is merged by id as before.
 */
function addOlder(channel: string, page: Message[]) {
  const first = state.messages[channel]?.list[0]?.id;
  const older = first ? page.filter((m) => cmpId(m.id, first) < 0) : page.slice();
  const rest = older.length === page.length ? [] : page.filter((m) => !older.includes(m));
  older.sort((a, b) => cmpId(a.id, b.id));
  if (!state.messages[channel]) {
    setState("messages", channel, { list: older, latest: false, more: true });
  } else if (older.length) {
    setState("messages", channel, "list", produce((list) => void list.unshift(...older)));
  }
  if (rest.length) upsertMessages(channel, rest);
}

/** Loads the newest page of a channel unless it is loaded. */
export async function openChannel(channel: string) {
  if (state.messages[channel]?.latest || loading.has(channel)) return;
  loading.add(channel);
  try {
    const page = await api.messages(channel, {}, PAGE);
    addOlder(channel, page);
    setState("messages", channel, { latest: true, more: page.length === PAGE });
  } finally {
    loading.delete(channel);
  }
}

/** Loads the page before the oldest loaded message; false when there is nothing older. */
export async function loadOlder(channel: string): Promise<boolean> {
  const c = state.messages[channel];
  if (!c || !c.more || loading.has(channel)) return false;
  const oldest = c.list[0]?.id;
  if (!oldest) return false;
  loading.add(channel);
  try {
    const page = await api.messages(channel, { before: oldest }, PAGE);
    addOlder(channel, page);
    setState("messages", channel, "more", page.length === PAGE);
    return page.length > 0;
  } finally {
    loading.delete(channel);
  }
}

/** Loads older pages until `message` is loaded (at most 100 pages); whether it was found. */
export async function loadUntil(channel: string, message: string): Promise<boolean> {
  await openChannel(channel);
  for (let i = 0; i < 100; i++) {
    if (state.messages[channel]?.list.some((m) => m.id === message)) return true;
    if (!(await loadOlder(channel))) break;
  }
  return state.messages[channel]?.list.some((m) => m.id === message) ?? false;
}

/**
 * After a new gateway session (the old one could not be resumed): each loaded channel fetches
 * what came after its newest loaded message, page by page, and refetches its latest page so
 * edits and deletions made meanwhile show.
 */
export async function catchUp() {
  for (const channel of Object.keys(state.messages)) {
    const c = state.messages[channel];
    if (!c?.latest) continue;
    let after = c.list[c.list.length - 1]?.id;
    try {
      for (let i = 0; after && i < 100; i++) {
        const page = await api.messages(channel, { after }, PAGE);
        upsertMessages(channel, page);
        if (page.length < PAGE) break;
        after = page.reduce((a, m) => (cmpId(m.id, a) > 0 ? m.id : a), after);
      }
      const latest = await api.messages(channel, {}, PAGE);
      const seen = new Set(latest.map((m) => m.id));
      const oldest = latest[latest.length - 1]?.id;
      // Messages within the latest page's span that the server no longer has were deleted.
      if (oldest) {
        const gone = state.messages[channel].list
          .filter((m) => !seen.has(m.id) && cmpId(m.id, oldest) > 0)
          .map((m) => m.id);
        if (gone.length) {
          setState("messages", channel, "list", (list) => list.filter((m) => !gone.includes(m.id)));
        }
      }
      upsertMessages(channel, latest);
    } catch {
      // The channel may be gone or hidden now; what is shown stays.
    }
  }
}
