// Message search: what the search box's text asks for. Words are searched as typed; tokens
// `from:name`, `has:link`, `before:2026-01-31` and `after:2026-01-01` become filters.

/** The server's `has` values. */
export const HAS = ["link", "embed", "image", "video", "file", "sound", "sticker"] as const;

export interface SearchText {
  /** The words to find. */
  content: string;
  /** Names after `from:`. */
  from: string[];
  /** Values after `has:` (known ones only). */
  has: string[];
  /** `before:` and `after:` dates (YYYY-MM-DD, local midnight), if valid. */
  before?: number;
  after?: number;
}

const EPOCH = 1420070400000n;

/** The smallest snowflake made at `ms` (Unix milliseconds). */
export function snowflakeAt(ms: number): string {
  const t = BigInt(Math.max(0, Math.floor(ms))) - EPOCH;
  return (t > 0n ? t << 22n : 0n).toString();
}

function day(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? undefined : d.getTime();
}

/** Splits the search box's text into words and filter tokens. */
export function parseSearch(text: string): SearchText {
  const out: SearchText = { content: "", from: [], has: [] };
  const words: string[] = [];
  for (const piece of text.trim().split(/\s+/).filter(Boolean)) {
    const colon = piece.indexOf(":");
    const key = colon > 0 ? piece.slice(0, colon).toLowerCase() : "";
    const value = colon > 0 ? piece.slice(colon + 1) : "";
    if (key === "from" && value) out.from.push(value.replace(/^@/, ""));
    else if (key === "has" && (HAS as readonly string[]).includes(value.toLowerCase())) out.has.push(value.toLowerCase());
    else if (key === "before" && day(value) !== undefined) out.before = day(value);
    else if (key === "after" && day(value) !== undefined) out.after = day(value);
    else words.push(piece);
  }
  out.content = words.join(" ");
  return out;
}

/**
 * The query string of a search: `users` turns a `from:` name into user ids (none: the name
 * matches no one, and the search finds nothing rather than ignoring it).
 */
export function searchQuery(s: SearchText, users: (name: string) => string[], offset = 0): string {
  const p = new URLSearchParams();
  if (s.content) p.append("content", s.content);
  for (const name of s.from) {
    const ids = users(name);
    for (const id of ids.length ? ids : ["0"]) p.append("author_id", id);
  }
  for (const h of s.has) p.append("has", h);
  // `after:` a day: from that day's end; `before:` a day: until it starts.
  if (s.after !== undefined) p.append("min_id", snowflakeAt(s.after + 86400000 - 1));
  if (s.before !== undefined) p.append("max_id", snowflakeAt(s.before));
  if (offset) p.append("offset", String(offset));
  return p.toString();
}

/** Lower case without accents, one character for one (for finding words to highlight). */
function fold(text: string): string {
  return Array.from(text, (c) => {
    const f = c.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
    return f.length === 1 ? f : c.toLowerCase().length === 1 ? c.toLowerCase() : c;
  }).join("");
}

/** `text` cut into pieces, `hit` where a word of `content` occurs (case and accents ignored). */
export function highlight(text: string, content: string): { text: string; hit: boolean }[] {
  const chars = Array.from(text);
  const folded = Array.from(fold(text));
  const words = content
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => Array.from(fold(w)));
  const hit = new Array<boolean>(chars.length).fill(false);
  for (const w of words) {
    for (let i = 0; i + w.length <= folded.length; i++) {
      if (w.every((c, j) => folded[i + j] === c)) for (let j = 0; j < w.length; j++) hit[i + j] = true;
    }
  }
  const out: { text: string; hit: boolean }[] = [];
  chars.forEach((c, i) => {
    const last = out[out.length - 1];
    if (last && last.hit === hit[i]) last.text += c;
    else out.push({ text: c, hit: hit[i] });
  });
  return out;
}
