// The Markdown subset of chat messages, parsed into a small tree. Pure: no DOM and no HTML. The
// renderer (Markdown.tsx) turns every node into DOM nodes, and text only ever into text nodes,
// so nothing a message says can become markup.
//
// Linear-ish on any input: no regular expression backtracks over the message; delimiters are
// matched with a stack (as CommonMark does) and every search that fails is remembered, so it
// is not repeated from a later position.

/** One piece of a parsed message. */
export type Node =
  | { type: "text"; text: string }
  | { type: "br" }
  | { type: "bold"; children: Node[] }
  | { type: "italic"; children: Node[] }
  | { type: "underline"; children: Node[] }
  | { type: "strike"; children: Node[] }
  | { type: "spoiler"; children: Node[] }
  | { type: "code"; text: string }
  | { type: "codeblock"; lang: string | null; text: string }
  | { type: "link"; url: string; masked: boolean; children: Node[] }
  | { type: "quote"; children: Node[] }
  | { type: "user"; id: string }
  | { type: "role"; id: string }
  | { type: "channel"; id: string }
  | { type: "everyone" }
  | { type: "here" };

/** Containers (quote, link, bold, ...) nest at most this deep; deeper markers stay text. */
export const MAX_DEPTH = 12;

/** Parses a message. Never throws; any input gives a tree. */
export function parse(content: string): Node[] {
  return parseBlocks(content.replace(/\r\n?/g, "\n"), MAX_DEPTH);
}

// ---------------------------------------------------------------------------------------------
// Blocks: quotes (`> ` lines, `>>> ` to the end) and code blocks (```lang\n...```).

interface Fence {
  open: number;
  close: number;
}

const BACKSLASH = 92;
const BACKTICK = 96;
const PUNCT = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

function isEscape(s: string, i: number): boolean {
  return s.charCodeAt(i) === BACKSLASH && i + 1 < s.length && PUNCT.has(s[i + 1]);
}

function runLength(s: string, i: number): number {
  const ch = s.charCodeAt(i);
  let j = i;
  while (j < s.length && s.charCodeAt(j) === ch) j++;
  return j - i;
}

/** The first run of exactly `k` backticks at or after `from` (a maximal run), or -1. */
function findBacktickRun(s: string, from: number, k: number): number {
  let j = from;
  for (;;) {
    j = s.indexOf("`", j);
    if (j < 0) return -1;
    const len = runLength(s, j);
    if (len === k) return j;
    j += len;
  }
}

/**
 * The first code block at or after `from`: a run of exactly three backticks (not escaped) up to
 * the next run of exactly three. When an opener has no closer, no later one has either: null.
 */
function nextFence(s: string, from: number): Fence | null {
  let i = from;
  while (i < s.length) {
    if (isEscape(s, i)) {
      i += 2;
    } else if (s.charCodeAt(i) === BACKTICK) {
      const k = runLength(s, i);
      if (k === 3) {
        const close = findBacktickRun(s, i + 3, 3);
        return close < 0 ? null : { open: i, close };
      }
      i += k;
    } else {
      i++;
    }
  }
  return null;
}

const LANG = /^[A-Za-z0-9_+#.-]{1,32}$/;

function codeBlock(raw: string): Node {
  let lang: string | null = null;
  let text = raw;
  const nl = raw.indexOf("\n");
  if (nl > 0 && nl < raw.length - 1 && LANG.test(raw.slice(0, nl))) {
    lang = raw.slice(0, nl);
    text = raw.slice(nl + 1);
  } else if (raw.startsWith("\n")) {
    text = raw.slice(1);
  }
  if (text.endsWith("\n")) text = text.slice(0, -1);
  return { type: "codeblock", lang, text };
}

/** Code blocks and the inline text between them (no quotes). */
function parseFenced(s: string, budget: number): Node[] {
  const out: Node[] = [];
  let pos = 0;
  for (;;) {
    const f = nextFence(s, pos);
    if (!f) break;
    if (f.open > pos) pushAll(out, parseInline(s.slice(pos, f.open), budget));
    out.push(codeBlock(s.slice(f.open + 3, f.close)));
    pos = f.close + 3;
    if (s.charCodeAt(pos) === 10) pos++; // the block ends the line
  }
  if (pos < s.length) pushAll(out, parseInline(s.slice(pos), budget));
  return out;
}

/**
 * Quote lines and everything else. A line is a quote line only where it starts outside a code
 * block, so a code block may hold lines that begin with `> `.
 */
function parseBlocks(s: string, budget: number): Node[] {
  const out: Node[] = [];
  const n = s.length;
  let segStart = 0;
  let pos = 0;
  // The next code block from a position, remembered while it stays valid.
  let cachedFrom = -1;
  let cached: Fence | null = null;
  const fenceFrom = (from: number): Fence | null => {
    if (cachedFrom < 0 || from < cachedFrom || (cached !== null && cached.open < from)) {
      cachedFrom = from;
      cached = nextFence(s, from);
    }
    return cached;
  };
  const flush = (end: number) => {
    // The newline before a quote belongs to the quote's line break.
    const e = end > segStart && s.charCodeAt(end - 1) === 10 ? end - 1 : end;
    if (e > segStart) pushAll(out, parseFenced(s.slice(segStart, e), budget));
  };
  const quote = (body: string): Node => ({
    type: "quote",
    children: parseFenced(body, budget - 1),
  });

  while (pos < n) {
    if (s.startsWith(">>> ", pos)) {
      flush(pos);
      out.push(quote(s.slice(pos + 4)));
      return out;
    }
    if (s.startsWith("> ", pos)) {
      const lines: string[] = [];
      let p = pos;
      while (p < n && s.startsWith("> ", p)) {
        let e = s.indexOf("\n", p);
        if (e < 0) e = n;
        lines.push(s.slice(p + 2, e));
        p = e + 1;
      }
      flush(pos);
      out.push(quote(lines.join("\n")));
      segStart = pos = Math.min(p, n);
      continue;
    }
    // An ordinary line; a code block opening on it carries it on to the block's closing line.
    let e = s.indexOf("\n", pos);
    let scan = pos;
    while (e >= 0) {
      const f = fenceFrom(scan);
      if (!f || f.open >= e) break;
      scan = f.close + 3;
      if (scan > e) e = s.indexOf("\n", scan);
    }
    if (e < 0) break;
    pos = e + 1;
  }
  if (segStart < n) pushAll(out, parseFenced(s.slice(segStart), budget));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inline: a left-to-right scan into a list of items; emphasis delimiters and `[` of masked
// links are matched with stacks.

interface Item {
  nodes: Node[]; // one node, or the pieces of a too-deep match kept together
  depth: number;
  prev: Item | null;
  next: Item | null;
}

interface Delim {
  item: Item; // its node is the text of the run still unmatched
  ch: string;
  len: number;
  canOpen: boolean;
  canClose: boolean;
  seq: number;
  prev: Delim | null;
  next: Delim | null;
}

interface Bracket {
  item: Item;
  bottom: number; // seq of the delimiter on top of the stack when `[` was seen (-1: none)
}

const WORD = /[\p{L}\p{N}]/u;
const SPACE = /\s/u;
const isWord = (ch: string | undefined) => ch !== undefined && WORD.test(ch);
const isSpace = (ch: string | undefined) => ch === undefined || SPACE.test(ch);

const USER = /<@!?(\d{1,20})>/y;
const ROLE = /<@&(\d{1,20})>/y;
const CHANNEL = /<#(\d{1,20})>/y;
const SCHEME = /https?:\/\//iy;

/**
 * An http(s) URL whose scheme and authority parse, or null: no other scheme ever becomes a link.
 * (Only the authority can make a URL fail to parse; checking just it keeps each try short.)
 */
function httpUrl(candidate: string): string | null {
  SCHEME.lastIndex = 0;
  if (!SCHEME.test(candidate)) return null;
  const start = SCHEME.lastIndex;
  let end = start;
  while (end < candidate.length && !"/?#\\".includes(candidate[end])) end++;
  if (end === start) return null;
  try {
    const u = new URL(candidate.slice(0, end));
    return u.protocol === "http:" || u.protocol === "https:" ? candidate : null;
  } catch {
    return null;
  }
}

/** Pushes without spreading (a spread of a long array can overflow the stack). */
function pushAll(out: Node[], nodes: Node[]) {
  for (const node of nodes) out.push(node);
}

function parseInline(s: string, budget: number): Node[] {
  return new InlineParser(s, budget).run();
}

class InlineParser {
  private head: Item | null = null;
  private tail: Item | null = null;
  private top: Delim | null = null; // delimiter stack
  private seq = 0;
  private brackets: Bracket[] = [];
  private codeFail = [Infinity, Infinity, Infinity]; // a run of k backticks is missing from here
  private runFrom = -1; // the last URL run scanned: [runFrom, runEnd)
  private runEnd = -1;
  private runStopsAtBracket = false;
  private brackets4: Int32Array | null = null; // prefix counts of ( ) [ ], made when needed

  constructor(
    private readonly s: string,
    private readonly budget: number,
  ) {}

  run(): Node[] {
    const s = this.s;
    const n = s.length;
    let i = 0;
    let textStart = 0;
    const flush = (end: number) => {
      if (end > textStart) this.append({ type: "text", text: s.slice(textStart, end) }, 0);
      textStart = end;
    };
    while (i < n) {
      const ch = s[i];
      let end = -1; // set when something was taken from i to end
      switch (ch) {
        case "\\":
          if (isEscape(s, i)) {
            flush(i);
            this.append({ type: "text", text: s[i + 1] }, 0);
            end = i + 2;
          }
          break;
        case "\n":
          flush(i);
          this.append({ type: "br" }, 0);
          end = i + 1;
          break;
        case "`": {
          const k = runLength(s, i);
          const close = k <= 2 ? this.findCodeClose(i + k, k) : -1;
          if (close >= 0) {
            flush(i);
            let text = s.slice(i + k, close);
            if (k === 2 && text.length > 2 && text.startsWith(" ") && text.endsWith(" ")) {
              text = text.slice(1, -1);
            }
            this.append({ type: "code", text }, 0);
            end = close + k;
          } else {
            i += k; // literal backticks
            continue;
          }
          break;
        }
        case "*":
        case "_":
        case "~":
        case "|": {
          const k = runLength(s, i);
          if ((ch === "~" || ch === "|") && k < 2) break;
          flush(i);
          this.pushDelim(ch, k, s[i - 1], s[i + k]);
          end = i + k;
          break;
        }
        case "[":
          flush(i);
          this.brackets.push({
            item: this.append({ type: "text", text: "[" }, 0),
            bottom: this.top?.seq ?? -1,
          });
          end = i + 1;
          break;
        case "]":
          end = this.closeBracket(i, flush);
          break;
        case "<":
          end = this.angle(i, flush);
          break;
        case "@":
          if (!isWord(s[i - 1])) {
            for (const word of ["everyone", "here"] as const) {
              if (s.startsWith(word, i + 1) && !isWord(s[i + 1 + word.length])) {
                flush(i);
                this.append({ type: word }, 0);
                end = i + 1 + word.length;
                break;
              }
            }
          }
          break;
        case "h":
        case "H":
          if (!isWord(s[i - 1])) end = this.bareUrl(i, flush);
          break;
      }
      if (end < 0) {
        i++;
      } else {
        i = textStart = end;
      }
    }
    flush(n);
    this.processEmphasis(-1);
    return this.collect(null).children;
  }

  // --- the item list ---

  private append(node: Node, depth: number): Item {
    const item: Item = { nodes: [node], depth, prev: this.tail, next: null };
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
    return item;
  }

  private remove(item: Item) {
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
  }

  /** The nodes of the items strictly between `a` and `b` (null: the list's ends), text merged. */
  private static between(
    a: Item | null,
    b: Item | null,
    first: Item | null,
  ): { nodes: Node[]; depth: number } {
    const nodes: Node[] = [];
    let depth = 0;
    let text = "";
    for (let item = a ? a.next : first; item && item !== b; item = item.next) {
      for (const node of item.nodes) {
        if (node.type === "text") {
          text += node.text;
        } else {
          if (text) nodes.push({ type: "text", text });
          text = "";
          nodes.push(node);
        }
      }
      depth = Math.max(depth, item.depth);
    }
    if (text) nodes.push({ type: "text", text });
    return { nodes, depth };
  }

  /** Replaces the items strictly between `a` and `b` (null: the list's ends) with one item. */
  private replaceBetween(a: Item | null, b: Item | null, nodes: Node[], depth: number) {
    const item: Item = { nodes, depth, prev: a, next: b };
    if (a) a.next = item;
    else this.head = item;
    if (b) b.prev = item;
    else this.tail = item;
  }

  /** Takes the items after `from` (all when null) out of the list, as merged nodes. */
  private collect(from: Item | null): { children: Node[]; depth: number } {
    const { nodes, depth } = InlineParser.between(from, null, this.head);
    if (from) {
      from.next = null;
      this.tail = from;
    } else {
      this.head = this.tail = null;
    }
    return { children: nodes, depth };
  }

  /**
   * Puts the items strictly between two delimiters' items into a container, `marker` being
   * what each delimiter gives up. Too deep, the markers stay text around the content (kept as
   * one item, so that an outer match does not walk it again).
   */
  private wrap(
    a: Item,
    b: Item,
    type: "bold" | "italic" | "underline" | "strike" | "spoiler",
    marker: string,
  ) {
    const { nodes, depth } = InlineParser.between(a, b, null);
    if (depth + 1 > this.budget) {
      const text = (t: string): Node => ({ type: "text", text: t });
      this.replaceBetween(a, b, [text(marker), ...nodes, text(marker)], depth);
    } else {
      this.replaceBetween(a, b, [{ type, children: nodes }], depth + 1);
    }
  }

  // --- emphasis delimiters ---

  private pushDelim(
    ch: string,
    len: number,
    before: string | undefined,
    after: string | undefined,
  ) {
    let canOpen: boolean;
    let canClose: boolean;
    if (ch === "*") {
      canOpen = !isSpace(after);
      canClose = !isSpace(before);
    } else if (ch === "_") {
      // No emphasis inside words: snake_case_names stay as they are.
      canOpen = !isSpace(after) && !isWord(before);
      canClose = !isSpace(before) && !isWord(after);
    } else {
      canOpen = canClose = true; // ~~ and || may have spaces inside
    }
    const item = this.append({ type: "text", text: ch.repeat(len) }, 0);
    const d: Delim = {
      item,
      ch,
      len,
      canOpen,
      canClose,
      seq: this.seq++,
      prev: this.top,
      next: null,
    };
    if (this.top) this.top.next = d;
    this.top = d;
  }

  private removeDelim(d: Delim) {
    if (d.prev) d.prev.next = d.next;
    if (d.next) d.next.prev = d.prev;
    if (this.top === d) this.top = d.prev;
  }

  private static usable(d: Delim): boolean {
    return d.ch === "*" || d.ch === "_" ? d.len >= 1 : d.len >= 2;
  }

  /** Matches the delimiters above `bottom` (a seq; -1 for all), then drops them. */
  private processEmphasis(bottom: number) {
    let closer: Delim | null = null;
    for (let d = this.top; d && d.seq > bottom; d = d.prev) closer = d;
    const openersBottom: Record<string, number> = {};
    while (closer) {
      const ch = closer.ch;
      if (!closer.canClose || !InlineParser.usable(closer)) {
        closer = closer.next;
        continue;
      }
      const limit = Math.max(bottom, openersBottom[ch] ?? -1);
      let opener = closer.prev;
      while (opener && opener.seq > limit) {
        if (opener.ch === ch && opener.canOpen && InlineParser.usable(opener)) break;
        opener = opener.prev;
      }
      if (!opener || opener.seq <= limit) {
        openersBottom[ch] = closer.prev ? closer.prev.seq : -1;
        const next: Delim | null = closer.next;
        if (!closer.canOpen) this.removeDelim(closer);
        closer = next;
        continue;
      }
      const use = (ch === "*" || ch === "_") && (opener.len < 2 || closer.len < 2) ? 1 : 2;
      const type =
        ch === "~"
          ? "strike"
          : ch === "|"
            ? "spoiler"
            : use === 1
              ? "italic"
              : ch === "*"
                ? "bold"
                : "underline";
      // Delimiters between the two stay text.
      opener.next = closer;
      closer.prev = opener;
      opener.len -= use;
      closer.len -= use;
      this.wrap(opener.item, closer.item, type, ch.repeat(use));
      opener.item.nodes = [{ type: "text", text: ch.repeat(opener.len) }];
      closer.item.nodes = [{ type: "text", text: ch.repeat(closer.len) }];
      if (opener.len === 0) {
        this.remove(opener.item);
        this.removeDelim(opener);
      }
      if (closer.len === 0) {
        const next: Delim | null = closer.next;
        this.remove(closer.item);
        this.removeDelim(closer);
        closer = next;
      }
    }
    // Whatever is left above the bottom is text.
    let d = this.top;
    while (d && d.seq > bottom) d = d.prev;
    if (d) d.next = null;
    this.top = d;
  }

  // --- code spans ---

  private findCodeClose(from: number, k: number): number {
    if (from >= this.codeFail[k]) return -1;
    const at = findBacktickRun(this.s, from, k);
    if (at < 0) this.codeFail[k] = from;
    return at;
  }

  // --- links and mentions ---

  /** End of the run of URL characters from i (cached: every start inside a run shares its end). */
  private urlRunEnd(i: number): number {
    const stopAtBracket = this.brackets.length > 0;
    if (i >= this.runFrom && i < this.runEnd && stopAtBracket === this.runStopsAtBracket)
      return this.runEnd;
    const s = this.s;
    let j = i;
    while (j < s.length) {
      const ch = s[j];
      if (ch === "<" || ch === ">" || SPACE.test(ch) || (stopAtBracket && ch === "]")) break;
      j++;
    }
    this.runFrom = i;
    this.runEnd = j;
    this.runStopsAtBracket = stopAtBracket;
    return j;
  }

  /** How many of `( ) [ ]` (k = 0..3) are in s[from, to). */
  private countIn(k: number, from: number, to: number): number {
    const s = this.s;
    const n = s.length + 1;
    if (!this.brackets4) {
      const c = new Int32Array(4 * n);
      for (let i = 0; i < s.length; i++) {
        const k2 = "()[]".indexOf(s[i]);
        for (let j = 0; j < 4; j++) c[j * n + i + 1] = c[j * n + i] + (j === k2 ? 1 : 0);
      }
      this.brackets4 = c;
    }
    return this.brackets4[k * n + to] - this.brackets4[k * n + from];
  }

  /** Trailing punctuation is the sentence's, not the URL's (a `)` or `]` only when unbalanced). */
  private trimUrlEnd(i: number, end: number): number {
    while (end > i) {
      const ch = this.s[end - 1];
      if (".,:;!?\"'*_~|".includes(ch)) end--;
      else if (ch === ")" && this.countIn(1, i, end) > this.countIn(0, i, end)) end--;
      else if (ch === "]" && this.countIn(3, i, end) > this.countIn(2, i, end)) end--;
      else break;
    }
    return end;
  }

  private bareUrl(i: number, flush: (end: number) => void): number {
    SCHEME.lastIndex = i;
    if (!SCHEME.test(this.s)) return -1;
    const url = httpUrl(this.s.slice(i, this.trimUrlEnd(i, this.urlRunEnd(i))));
    if (!url) return -1;
    flush(i);
    this.append({ type: "link", url, masked: false, children: [{ type: "text", text: url }] }, 1);
    return i + url.length;
  }

  private angle(i: number, flush: (end: number) => void): number {
    const s = this.s;
    for (const [re, type] of [
      [USER, "user"],
      [ROLE, "role"],
      [CHANNEL, "channel"],
    ] as const) {
      re.lastIndex = i;
      const m = re.exec(s);
      if (m) {
        flush(i);
        this.append({ type, id: m[1] }, 0);
        return re.lastIndex;
      }
    }
    // <https://...>: a link without a preview.
    SCHEME.lastIndex = i + 1;
    if (SCHEME.test(s)) {
      const end = this.urlRunEnd(i + 1);
      const url = s[end] === ">" ? httpUrl(s.slice(i + 1, end)) : null;
      if (url) {
        flush(i);
        this.append(
          { type: "link", url, masked: false, children: [{ type: "text", text: url }] },
          1,
        );
        return end + 1;
      }
    }
    return -1;
  }

  /** The `(url)` or `(<url>)` right after a `]` at i: the URL and where it ends. */
  private linkTarget(i: number): { url: string; end: number } | null {
    const s = this.s;
    if (s[i + 1] !== "(") return null;
    let j = i + 2;
    if (s[j] === "<") {
      const start = ++j;
      while (j < s.length && s[j] !== ">" && s[j] !== "<" && !SPACE.test(s[j])) j++;
      if (s[j] !== ">" || s[j + 1] !== ")") return null;
      const url = httpUrl(s.slice(start, j));
      return url ? { url, end: j + 2 } : null;
    }
    const start = j;
    let depth = 0;
    for (; j < s.length; j++) {
      const ch = s[j];
      if (ch === "(") depth++;
      else if (ch === ")") {
        if (depth === 0) break;
        depth--;
      } else if (ch === "<" || ch === ">" || ch === "[" || ch === "]" || SPACE.test(ch)) {
        return null;
      }
    }
    if (s[j] !== ")") return null;
    const url = httpUrl(s.slice(start, j));
    return url ? { url, end: j + 1 } : null;
  }

  private closeBracket(i: number, flush: (end: number) => void): number {
    const opener = this.brackets.pop();
    if (!opener) return -1;
    const target = this.linkTarget(i);
    if (!target) return -1; // this `[` and `]` stay text
    flush(i);
    this.processEmphasis(opener.bottom);
    let depth = 0;
    let visible = false;
    for (let item = opener.item.next; item; item = item.next) {
      depth = Math.max(depth, item.depth);
      for (const node of item.nodes)
        if (node.type !== "text" || /\S/.test(node.text)) visible = true;
    }
    if (!visible || depth + 1 > this.budget) return -1;
    const { children } = this.collect(opener.item);
    this.remove(opener.item);
    this.append(
      { type: "link", url: target.url, masked: true, children: unlink(children) },
      depth + 1,
    );
    this.brackets = []; // no links inside links
    return target.end;
  }
}

/** A link's text holds no links: inner ones become their text. */
function unlink(nodes: Node[]): Node[] {
  const out: Node[] = [];
  for (const node of nodes) {
    if (node.type === "link") pushAll(out, unlink(node.children));
    else if ("children" in node) out.push({ ...node, children: unlink(node.children) });
    else out.push(node);
  }
  return out;
}
