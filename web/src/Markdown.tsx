import { createMemo, createSignal, Show, type JSX } from "solid-js";
import { parse, type Node as MdNode } from "./markdown";
import "./markdown.css";

/** Names for the ids a message mentions (undefined: not known here). */
export interface Resolver {
  user(id: string): string | undefined;
  role(id: string): { name: string; color: number } | undefined;
  channel(id: string): string | undefined;
  /** Where a channel mention leads (a path on this site, such as /channels/{guild}/{id}). */
  channelHref?(id: string): string | undefined;
}

/**
 * A chat message's Markdown subset as DOM nodes. The message's text only ever becomes text
 * nodes and attribute values set through the DOM: HTML in a message is shown as it was typed.
 */
export function Markdown(props: { content: string; resolve: Resolver }) {
  const nodes = createMemo(() => parse(props.content));
  const resolve = () => props.resolve;
  return <div class="md">{renderAll(nodes(), resolve)}</div>;
}

type Resolve = () => Resolver;

function renderAll(nodes: MdNode[], r: Resolve): JSX.Element {
  return nodes.map((n) => render(n, r));
}

/** A role's colour as #rrggbb, or undefined for 0 (no colour). */
function roleColor(color: number | undefined): string | undefined {
  const c = (color ?? 0) & 0xffffff;
  return c === 0 ? undefined : `#${c.toString(16).padStart(6, "0")}`;
}

/** Only a path on this site (not //host, not another scheme) is used as a channel link. */
function sitePath(href: string | undefined): string | undefined {
  return href !== undefined && /^\/(?![/\\])/.test(href) ? href : undefined;
}

function render(n: MdNode, r: Resolve): JSX.Element {
  switch (n.type) {
    case "text":
      return n.text;
    case "br":
      return <br />;
    case "bold":
      return <strong class="md-bold">{renderAll(n.children, r)}</strong>;
    case "italic":
      return <em class="md-italic">{renderAll(n.children, r)}</em>;
    case "underline":
      return <u class="md-underline">{renderAll(n.children, r)}</u>;
    case "strike":
      return <s class="md-strike">{renderAll(n.children, r)}</s>;
    case "spoiler":
      return <Spoiler>{renderAll(n.children, r)}</Spoiler>;
    case "code":
      return <code class="md-code">{n.text}</code>;
    case "codeblock":
      return (
        <pre class="md-codeblock">
          <code class={n.lang === null ? undefined : `lang-${n.lang}`}>{n.text}</code>
        </pre>
      );
    case "quote":
      return <blockquote class="md-quote">{renderAll(n.children, r)}</blockquote>;
    case "link":
      return (
        <a
          class="md-link"
          href={n.url}
          title={n.masked ? n.url : undefined}
          rel="noopener noreferrer nofollow"
          target="_blank"
        >
          {renderAll(n.children, r)}
        </a>
      );
    case "user": {
      const name = () => r().user(n.id);
      return (
        <span
          class="md-mention md-mention-user"
          classList={{ "md-mention-unknown": name() === undefined }}
        >
          @{name() ?? "unknown-user"}
        </span>
      );
    }
    case "role": {
      const role = () => r().role(n.id);
      const color = () => roleColor(role()?.color);
      return (
        <span
          class="md-mention md-mention-role"
          classList={{
            "md-mention-unknown": role() === undefined,
            "md-mention-colored": color() !== undefined,
          }}
          style={color() === undefined ? undefined : { color: color() }}
        >
          @{role()?.name ?? "unknown-role"}
        </span>
      );
    }
    case "channel": {
      const name = () => r().channel(n.id);
      const label = () => `#${name() ?? "unknown-channel"}`;
      const href = () => sitePath(r().channelHref?.(n.id));
      return (
        <Show
          when={href()}
          fallback={
            <span
              class="md-mention md-mention-channel"
              classList={{ "md-mention-unknown": name() === undefined }}
            >
              {label()}
            </span>
          }
        >
          {(h) => (
            <a class="md-mention md-mention-channel" href={h()}>
              {label()}
            </a>
          )}
        </Show>
      );
    }
    case "everyone":
      return <span class="md-mention md-mention-everyone">@everyone</span>;
    case "here":
      return <span class="md-mention md-mention-everyone">@here</span>;
  }
}

/** Hidden until clicked (or Enter / Space on it); its content is inert until then. */
function Spoiler(props: { children: JSX.Element }) {
  const [shown, setShown] = createSignal(false);
  const reveal = (e: Event) => {
    if (shown()) return;
    e.preventDefault(); // a hidden link is not followed
    e.stopPropagation();
    setShown(true);
  };
  return (
    <span
      class="md-spoiler"
      classList={{ "md-spoiler-shown": shown() }}
      role={shown() ? undefined : "button"}
      tabIndex={shown() ? undefined : 0}
      aria-label={shown() ? undefined : "Spoiler"}
      onClick={reveal}
      onKeyDown={(e) => {
        if (e.key === "Enter" || e.key === " ") reveal(e);
      }}
    >
      <span class="md-spoiler-content" inert={!shown()}>
        {props.children}
      </span>
    </span>
  );
}
