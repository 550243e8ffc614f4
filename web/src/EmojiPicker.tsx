import { createSignal, For, Show } from "solid-js";

/** A small built-in set of common unicode emoji, each with the names it is found by. */
export const EMOJI: { emoji: string; names: string }[] = [
  { emoji: "👍", names: "thumbs up like yes +1" },
  { emoji: "👎", names: "thumbs down dislike no -1" },
  { emoji: "❤️", names: "red heart love" },
  { emoji: "😂", names: "joy tears of joy laugh" },
  { emoji: "😄", names: "smile happy grin" },
  { emoji: "😊", names: "blush smiling" },
  { emoji: "😉", names: "wink" },
  { emoji: "😍", names: "heart eyes love" },
  { emoji: "🤔", names: "thinking hmm" },
  { emoji: "😮", names: "open mouth surprised wow" },
  { emoji: "😢", names: "cry sad tear" },
  { emoji: "😭", names: "sob crying loudly" },
  { emoji: "😡", names: "angry rage" },
  { emoji: "😎", names: "cool sunglasses" },
  { emoji: "🙄", names: "eye roll" },
  { emoji: "😴", names: "sleeping tired" },
  { emoji: "🙏", names: "pray thanks please" },
  { emoji: "👏", names: "clap applause" },
  { emoji: "🙌", names: "raised hands celebrate" },
  { emoji: "👋", names: "wave hello bye" },
  { emoji: "👀", names: "eyes look" },
  { emoji: "💯", names: "hundred 100 perfect" },
  { emoji: "🔥", names: "fire lit hot" },
  { emoji: "✨", names: "sparkles" },
  { emoji: "🎉", names: "tada party celebration" },
  { emoji: "🚀", names: "rocket launch ship" },
  { emoji: "✅", names: "check mark done yes" },
  { emoji: "❌", names: "cross mark no wrong" },
  { emoji: "⚠️", names: "warning caution" },
  { emoji: "❓", names: "question" },
  { emoji: "💡", names: "bulb idea" },
  { emoji: "⭐", names: "star" },
  { emoji: "☕", names: "coffee tea hot beverage" },
  { emoji: "🍕", names: "pizza food" },
  { emoji: "🐛", names: "bug insect" },
  { emoji: "🐱", names: "cat" },
  { emoji: "🐶", names: "dog" },
  { emoji: "👌", names: "ok hand" },
  { emoji: "💪", names: "muscle strong flex" },
  { emoji: "🤝", names: "handshake deal" },
];

/**
 * A popover to pick an emoji: a search field (focused on open; Enter picks the first match,
 * Escape closes) above a grid of buttons reachable by Tab and the arrow keys.
 */
export function EmojiPicker(props: { onPick: (emoji: string) => void; onClose: () => void }) {
  const [query, setQuery] = createSignal("");
  const shown = () => {
    const q = query().trim().toLowerCase();
    return q ? EMOJI.filter((e) => e.names.includes(q) || e.emoji === q) : EMOJI;
  };
  let grid: HTMLDivElement | undefined;
  const move = (e: KeyboardEvent) => {
    const buttons = [...(grid?.querySelectorAll("button") ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 8, ArrowUp: -8 }[e.key];
    if (step === undefined || i < 0) return;
    e.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, i + step))]?.focus();
  };
  return (
    <div
      class="emoji-picker"
      role="dialog"
      aria-label="Pick a reaction"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          props.onClose();
        }
      }}
    >
      <input
        type="search"
        aria-label="Search emoji"
        placeholder="Search emoji"
        value={query()}
        ref={(el) => queueMicrotask(() => el.focus())}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && shown().length) {
            e.preventDefault();
            props.onPick(shown()[0].emoji);
          }
        }}
      />
      <div class="emoji-grid" ref={grid} onKeyDown={move}>
        <For each={shown()}>
          {(e) => (
            <button type="button" title={e.names.split(" ")[0]} aria-label={e.names.split(" ").slice(0, 2).join(" ")} onClick={() => props.onPick(e.emoji)}>
              {e.emoji}
            </button>
          )}
        </For>
      </div>
      <Show when={!shown().length}>
        <p class="hint">No emoji match.</p>
      </Show>
    </div>
  );
}
