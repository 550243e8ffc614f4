import { createSignal, For, Show } from "solid-js";
import { Alert } from "./Alert";
import { api, errorText, type Channel, type SearchResults } from "./api";
import { navigate, paths } from "./router";
import { HAS, highlight, parseSearch, searchQuery, type SearchText } from "./search";
import { displayName, state } from "./store";

const PAGE = 25;

/** The ids of the people a `from:` name may mean: username, display name or nickname. */
function usersNamed(guild: string, channel: string, name: string): string[] {
  const n = name.toLowerCase();
  const people =
    guild === "@me"
      ? [...(state.privateChannels[channel]?.recipients ?? []), ...(state.me ? [state.me] : [])]
      : Object.values(state.guilds[guild]?.members ?? {}).map((m) => ({ ...m.user, nick: m.nick }));
  return people
    .filter((u) =>
      [u.username, u.global_name, (u as { nick?: string | null }).nick].some((x) => x?.toLowerCase() === n),
    )
    .map((u) => u.id);
}

/** The search box of the channel header and its results panel. */
export function MessageSearch(props: { guild: string; channel: Channel }) {
  const [text, setText] = createSignal("");
  const [inChannel, setInChannel] = createSignal(false);
  const [has, setHas] = createSignal("");
  const [asked, setAsked] = createSignal<SearchText | null>(null);
  const [offset, setOffset] = createSignal(0);
  const [results, setResults] = createSignal<SearchResults | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const dm = () => props.guild === "@me";

  const run = (s: SearchText, at: number) => {
    setBusy(true);
    setError(null);
    const query = searchQuery(s, (n) => usersNamed(props.guild, props.channel.id, n), at);
    api
      .search(props.guild, props.channel.id, inChannel(), query)
      .then((r) => {
        setResults(r);
        setOffset(at);
      })
      .catch((e) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const s = parseSearch(text());
    if (has() && !s.has.includes(has())) s.has.push(has());
    if (!s.content && !s.from.length && !s.has.length && s.before === undefined && s.after === undefined) return;
    setAsked(s);
    run(s, 0);
  };
  const close = () => {
    setResults(null);
    setAsked(null);
    setError(null);
  };
  const page = (delta: number) => {
    const s = asked();
    if (s) run(s, Math.max(0, offset() + delta));
  };

  return (
    <div class="message-search">
      <form role="search" onSubmit={submit}>
        <input
          type="search"
          aria-label="Search messages"
          placeholder={dm() ? "Search this conversation" : "Search (from:name has:link before:2026-01-31)"}
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <select aria-label="Has" value={has()} onChange={(e) => setHas(e.currentTarget.value)}>
          <option value="">Has…</option>
          <For each={HAS}>{(h) => <option value={h}>{h}</option>}</For>
        </select>
        <Show when={!dm()}>
          <label class="search-scope">
            <input type="checkbox" checked={inChannel()} onChange={(e) => setInChannel(e.currentTarget.checked)} />
            In this channel
          </label>
        </Show>
        <button type="submit" disabled={busy()}>
          Search
        </button>
      </form>
      <Alert message={error()} />
      <Show when={results()}>
        {(r) => (
          <section class="search-results" aria-label="Search results">
            <header>
              <p role="status">
                {r().total_results === 1 ? "1 result" : `${r().total_results} results`}
              </p>
              <button type="button" onClick={close}>
                Close
              </button>
            </header>
            <ol>
              <For each={r().messages}>
                {(hit) => {
                  const m = hit[0];
                  const channelName = () =>
                    dm()
                      ? ""
                      : `#${state.guilds[props.guild]?.channels[m.channel_id]?.name ?? ""}`;
                  return (
                    <li class="search-hit">
                      <p class="search-meta">
                        <strong>{displayName(dm() ? undefined : props.guild, m.author)}</strong>{" "}
                        <span>{channelName()}</span>{" "}
                        <time dateTime={m.timestamp}>{new Date(m.timestamp).toLocaleString()}</time>
                      </p>
                      <p class="search-text">
                        <For each={highlight(m.content, asked()?.content ?? "")}>
                          {(part) => (part.hit ? <mark>{part.text}</mark> : <>{part.text}</>)}
                        </For>
                      </p>
                      <button
                        type="button"
                        onClick={() => navigate(paths.channel(props.guild, m.channel_id, m.id))}
                      >
                        Jump
                      </button>
                    </li>
                  );
                }}
              </For>
            </ol>
            <nav class="search-pages" aria-label="Result pages">
              <button type="button" disabled={busy() || offset() === 0} onClick={() => page(-PAGE)}>
                Previous
              </button>
              <span>
                Page {Math.floor(offset() / PAGE) + 1} of {Math.max(1, Math.ceil(r().total_results / PAGE))}
              </span>
              <button
                type="button"
                disabled={busy() || offset() + PAGE >= r().total_results}
                onClick={() => page(PAGE)}
              >
                Next
              </button>
            </nav>
          </section>
        )}
      </Show>
    </div>
  );
}
