// Measures the web client against a running hearth (HEARTH_URL), in Debian's chromium driven by
// playwright-core (never a browser download):
//
//   1. First load: what a logged-out visit to `/` and a logged-in visit to a channel transfer
//      (JS, CSS, the page, the API's answers), as the browser counted it, whether the server
//      compressed it, and what the JS and CSS would weigh gzipped (zlib level 6).
//   2. Time to the channel's newest message: 2 accounts post MESSAGES messages (default 10,000)
//      to one channel over the REST API; then, RUNS times (default 10), a fresh browser context
//      holding the token opens /channels/{guild}/{channel}, timed from navigation start to the
//      first animation frame at which the newest message's <article> is inside the scroller's
//      visible box. The gateway's frames and the page's requests give where the time goes.
//   3. Scrollback: in that channel, scrolling to the top again and again until "This is the
//      beginning of #channel." shows (the client loads 100 messages per page), then back down
//      through everything loaded, one scrollBy per animation frame; the DOM's size, the JS heap,
//      frame intervals and long tasks on the way.
//
// Usage: tests/web/measure.sh (starts a hearth of its own). Directly: HEARTH_URL=http://... node
// tests/web/measure.mjs. Environment: MESSAGES, RUNS, CONCURRENCY (seeding requests in flight,
// default 8), STEP (pixels scrolled per frame going down, default 240), CHROMIUM, MEASURE_JSON
// (a file to write every figure to as JSON). It prints figures; it asserts nothing about time.
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const BASE = process.env.HEARTH_URL;
if (!BASE) throw new Error("HEARTH_URL is not set");
const MESSAGES = Number(process.env.MESSAGES ?? 10_000);
const RUNS = Number(process.env.RUNS ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const STEP = Number(process.env.STEP ?? 240);
const VIEWPORT = { width: 1280, height: 800 };

const out = {};
const log = (...a) => console.log(...a);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const ms = (n) => `${n.toFixed(0)} ms`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// ---------------------------------------------------------------------------------------------
// REST set-up: two accounts, a guild, a channel, MESSAGES messages.

async function rest(token, method, path, body) {
  const res = await fetch(`${BASE}/api/v10${path}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const unique = Date.now().toString(36);
const register = async (name) =>
  (await rest(null, "POST", "/auth/register", { username: `${name}_${unique}`, password: "correct horse battery" })).token;

// A fixed pseudo-random sequence, so every run posts the same messages.
let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const WORDS =
  "the a hearth server channel message scroll back load page list time window browser network token guild member role invite reply edit fast slow quiet late early coffee build test deploy release merge review".split(
    " ",
  );
const words = (n) => Array.from({ length: n }, () => WORDS[Math.floor(rand() * WORDS.length)]).join(" ");
/** Message texts of the kinds a chat has: short, a few lines, some Markdown, a link, code. */
function text(i) {
  const r = rand();
  if (r < 0.45) return `${words(2 + Math.floor(rand() * 8))} (${i})`;
  if (r < 0.7) return `${words(15 + Math.floor(rand() * 30))} (${i})`;
  if (r < 0.8) return `**${words(2)}** and *${words(3)}*, ~~${words(1)}~~ \`${words(1)}\` (${i})`;
  if (r < 0.88) return `see https://example.com/${i} and <#0> ${words(6)} (${i})`;
  if (r < 0.95) return `${words(8)}\n${words(10)}\n${words(4)} (${i})`;
  return `\`\`\`js\nconst n = ${i};\nfor (let i = 0; i < n; i++) console.log(i);\n\`\`\``;
}

async function seedChannel() {
  const alice = await register("alice");
  const bob = await register("bob");
  const guild = await rest(alice, "POST", "/guilds", { name: "Scrollback" });
  const channel = await rest(alice, "POST", `/guilds/${guild.id}/channels`, { name: "history" });
  const invite = await rest(alice, "POST", `/channels/${channel.id}/invites`, { max_age: 0 });
  await rest(bob, "POST", `/invites/${invite.code}`);
  // Authors come in runs of 1-5 messages (grouped under one header by the client).
  const plan = [];
  let author = alice;
  while (plan.length < MESSAGES) {
    const run = 1 + Math.floor(rand() * 5);
    for (let k = 0; k < run && plan.length < MESSAGES; k++) plan.push({ token: author, content: text(plan.length) });
    author = author === alice ? bob : alice;
  }
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < plan.length) {
        const m = plan[next++];
        await rest(m.token, "POST", `/channels/${channel.id}/messages`, { content: m.content });
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const [newest] = await rest(alice, "GET", `/channels/${channel.id}/messages?limit=1`);
  log(`seeded ${MESSAGES} messages from 2 accounts in ${secs.toFixed(1)} s (${(MESSAGES / secs).toFixed(0)}/s, ${CONCURRENCY} in flight)`);
  out.seed = { messages: MESSAGES, seconds: secs, concurrency: CONCURRENCY };
  return { alice, guild: guild.id, channel: channel.id, newest: newest.id, path: `/channels/${guild.id}/${channel.id}` };
}

// ---------------------------------------------------------------------------------------------
// The browser.

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
});
log(`browser: chromium ${browser.version()}, viewport ${VIEWPORT.width}x${VIEWPORT.height}`);
out.browser = browser.version();

/** A fresh context (own cache and storage), logged in when `token` is given. */
async function open(token) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  if (token) {
    await context.addInitScript((t) => {
      try {
        localStorage.setItem("hearth.token", t);
      } catch {
        // about:blank has no storage
      }
    }, token);
  }
  // Long tasks, from the start of each page.
  await context.addInitScript(() => {
    window.__long = [];
    try {
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__long.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask", buffered: true });
    } catch {
      // no long task timing
    }
    performance.setResourceTimingBufferSize(5000);
  });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(String(e)));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Every request and WebSocket frame, with the browser's own timestamps (seconds).
  const net = { requests: new Map(), frames: [], doc: null };
  cdp.on("Network.requestWillBeSent", (e) => {
    net.requests.set(e.requestId, { url: e.request.url, type: e.type, sent: e.timestamp });
    if (e.type === "Document" && !net.doc) net.doc = { timestamp: e.timestamp, wallTime: e.wallTime };
  });
  cdp.on("Network.responseReceived", (e) => {
    const r = net.requests.get(e.requestId);
    if (!r) return;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    Object.assign(r, { status: e.response.status, mime: e.response.mimeType, encoding: h["content-encoding"] ?? null, fromCache: e.response.fromDiskCache || e.response.fromPrefetchCache });
  });
  cdp.on("Network.loadingFinished", (e) => {
    const r = net.requests.get(e.requestId);
    if (r) Object.assign(r, { finished: e.timestamp, encodedDataLength: e.encodedDataLength });
  });
  cdp.on("Network.webSocketCreated", (e) => net.frames.push({ kind: "created", ts: null, url: e.url, at: Date.now() }));
  cdp.on("Network.webSocketFrameReceived", (e) => {
    let t = null;
    try {
      const m = JSON.parse(e.response.payloadData);
      t = m.op === 0 ? m.t : `op${m.op}`;
      if (t === "GUILD_CREATE") t = `GUILD_CREATE ${m.d?.id}`;
    } catch {
      t = "binary";
    }
    net.frames.push({ kind: "in", ts: e.timestamp, t, bytes: e.response.payloadData.length });
  });
  cdp.on("Network.webSocketFrameSent", (e) => {
    let op = null;
    try {
      op = JSON.parse(e.response.payloadData).op;
    } catch {
      // not JSON
    }
    net.frames.push({ kind: "out", ts: e.timestamp, op });
  });
  return { context, page, cdp, net, problems };
}

const heap = async (cdp) => {
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  return usedSize;
};

// ---------------------------------------------------------------------------------------------
// 1. First load bytes.

const KINDS = (r) =>
  r.mime === "text/javascript" || r.mime === "application/javascript" || /\.m?js($|\?)/.test(r.url)
    ? "js"
    : r.mime === "text/css" || /\.css($|\?)/.test(r.url)
      ? "css"
      : r.type === "Document"
        ? "html"
        : r.url.includes("/api/")
          ? "api"
          : "other";

async function firstLoad(label, s, path, token, ready) {
  const { context, page, net, problems } = await open(token);
  await page.goto(BASE + path);
  await ready(page);
  await page.waitForTimeout(500); // anything the screen asks for right after it shows
  const timing = await page.evaluate(() =>
    [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].map((e) => ({
      url: e.name,
      transferSize: e.transferSize,
      encodedBodySize: e.encodedBodySize,
      decodedBodySize: e.decodedBodySize,
    })),
  );
  const rows = [];
  for (const r of net.requests.values()) {
    if (!r.url.startsWith("http")) continue;
    const t = timing.find((e) => e.url === r.url) ?? {};
    const kind = KINDS(r);
    let gzip = null;
    if (kind === "js" || kind === "css" || kind === "html") {
      const body = Buffer.from(await (await fetch(r.url)).arrayBuffer());
      gzip = gzipSync(body, { level: 6 }).length;
    }
    rows.push({
      kind,
      path: new URL(r.url).pathname + new URL(r.url).search,
      encoding: r.encoding,
      wire: r.encodedDataLength ?? 0, // headers and body as received
      body: t.encodedBodySize ?? null,
      decoded: t.decodedBodySize ?? null,
      gzip6: gzip,
    });
  }
  const ws = net.frames.filter((f) => f.kind === "in").reduce((a, f) => a + f.bytes, 0);
  await context.close();
  const sum = (k, f) => rows.filter((r) => k.includes(r.kind)).reduce((a, r) => a + (r[f] ?? 0), 0);
  const figures = {
    rows,
    jsCssWire: sum(["js", "css"], "wire"),
    jsCssBody: sum(["js", "css"], "body"),
    jsCssGzip6: sum(["js", "css"], "gzip6"),
    allWire: sum(["js", "css", "html", "api", "other"], "wire"),
    gatewayBytes: ws,
    compressed: rows.filter((r) => r.kind !== "api").some((r) => r.encoding),
    problems,
  };
  log(`\n[first load] ${label}`);
  log("  kind  path                                            content-encoding  on the wire  body      gzip -6");
  for (const r of rows) {
    log(
      `  ${r.kind.padEnd(5)} ${r.path.slice(0, 46).padEnd(47)} ${String(r.encoding ?? "none").padEnd(17)} ${String(r.wire).padStart(9)} B  ${String(r.body ?? "-").padStart(8)}  ${r.gzip6 == null ? "" : String(r.gzip6).padStart(7)}`,
    );
  }
  log(
    `  JS+CSS: ${figures.jsCssWire} B on the wire (${kb(figures.jsCssWire)}; bodies ${kb(figures.jsCssBody)}), gzip -6 would be ${figures.jsCssGzip6} B (${kb(figures.jsCssGzip6)}); every request: ${kb(figures.allWire)}; gateway frames received: ${kb(ws)}`,
  );
  log(`  the server compressed ${figures.compressed ? "some" : "none"} of the page's files`);
  if (problems.length) log(`  page problems: ${problems.join(" | ")}`);
  out[`firstLoad_${s}`] = figures;
}

// ---------------------------------------------------------------------------------------------
// 2. Time to the newest message.

/** Resolves to performance.now() at the first frame where the article is inside the scroller. */
const newestVisible = (page, id) =>
  page
    .waitForFunction(
      (id) => {
        const a = document.getElementById(`message-${id}`);
        const box = a?.closest(".messages");
        if (!a || !box) return false;
        const r = a.getBoundingClientRect();
        const b = box.getBoundingClientRect();
        if (r.height === 0 || r.bottom > b.bottom + 1 || r.top < b.top - 1) return false;
        return performance.now();
      },
      id,
      { polling: "raf", timeout: 60_000 },
    )
    .then((h) => h.jsonValue());

async function timeToMessages(s) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const { context, page, net, problems } = await open(s.alice);
    await page.goto(BASE + s.path, { waitUntil: "commit" });
    const shown = await newestVisible(page, s.newest);
    const origin = await page.evaluate(() => performance.timeOrigin);
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByType("resource");
      const script = res.find((e) => /\/assets\/.*\.js$/.test(e.name));
      const msgs = res.find((e) => /\/messages\?/.test(e.name));
      return {
        htmlEnd: n.responseEnd,
        scriptEnd: script?.responseEnd,
        domContentLoaded: n.domContentLoadedEventEnd,
        messagesStart: msgs?.startTime,
        messagesEnd: msgs?.responseEnd,
        long: window.__long.filter((l) => l.start < performance.now()),
      };
    });
    // The browser's monotonic timestamps, on the page's clock.
    const onPage = (ts) => (net.doc ? net.doc.wallTime * 1000 + (ts - net.doc.timestamp) * 1000 - origin : null);
    const frame = (re) => {
      const f = net.frames.find((f) => f.kind === "in" && re.test(f.t ?? ""));
      return f ? onPage(f.ts) : null;
    };
    const run = {
      shown,
      ...nav,
      hello: frame(/^op10$/),
      ready: frame(/^READY$/),
      guildCreate: frame(new RegExp(`^GUILD_CREATE ${s.guild}$`)),
      longTasks: nav.long.length,
      longTaskMs: nav.long.reduce((a, l) => a + l.duration, 0),
      problems,
    };
    delete run.long;
    runs.push(run);
    log(
      `  run ${String(i + 1).padStart(2)}: newest message shown at ${ms(shown)}  (html ${ms(run.htmlEnd)}, script ${ms(run.scriptEnd)}, DOMContentLoaded ${ms(run.domContentLoaded)}, HELLO ${ms(run.hello)}, READY ${ms(run.ready)}, GUILD_CREATE ${ms(run.guildCreate)}, GET messages ${ms(run.messagesStart)}-${ms(run.messagesEnd)}; long tasks ${run.longTasks}, ${ms(run.longTaskMs)})${problems.length ? " problems: " + problems.join(" | ") : ""}`,
    );
    await context.close();
  }
  const shown = runs.map((r) => r.shown);
  const warm = shown.slice(1);
  const med = (k) => median(runs.slice(1).map((r) => r[k]).filter((x) => x != null));
  log(
    `  => cold (run 1): ${ms(shown[0])}; warm (runs 2-${RUNS}): median ${ms(median(warm))}, max ${ms(Math.max(...warm))}; all ${RUNS}: median ${ms(median(shown))}, max ${ms(Math.max(...shown))}`,
  );
  log(
    `  => warm medians: html ${ms(med("htmlEnd"))}, script ${ms(med("scriptEnd"))}, DOMContentLoaded ${ms(med("domContentLoaded"))}, HELLO ${ms(med("hello"))}, READY ${ms(med("ready"))}, GUILD_CREATE ${ms(med("guildCreate"))}, GET messages ${ms(med("messagesStart"))}-${ms(med("messagesEnd"))}, shown ${ms(med("shown"))}`,
  );
  out.timeToMessages = { runs, cold: shown[0], warmMedian: median(warm), warmMax: Math.max(...warm), median: median(shown), max: Math.max(...shown) };
}

// ---------------------------------------------------------------------------------------------
// 3. Scrollback.

async function scrollback(s) {
  const { context, page, cdp, problems } = await open(s.alice);
  await page.goto(BASE + s.path);
  await newestVisible(page, s.newest);
  await page.waitForTimeout(500);
  const dom = () =>
    page.evaluate(() => ({
      articles: document.getElementsByTagName("article").length,
      elements: document.getElementsByTagName("*").length,
    }));
  const atOpen = { ...(await dom()), heap: await heap(cdp) };
  log(`\n[scrollback] at open: ${atOpen.articles} articles, ${atOpen.elements} elements, heap ${kb(atOpen.heap)}`);

  // Up: scrollTop = 0 until the beginning shows; each page timed from the scroll to the second
  // frame after its answer arrived; the message at the top is followed to see whether it stays.
  const up = await page.evaluate(async () => {
    const sc = document.querySelector(".messages");
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const fetched = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) if (/\/messages\?.*before=/.test(e.name)) fetched.push(e);
    }).observe({ type: "resource" });
    // The first two messages in view, top to bottom: where each starts.
    const inView = () => {
      const b = sc.getBoundingClientRect();
      return [...sc.querySelectorAll("article")]
        .map((a) => ({ id: a.id, r: a.getBoundingClientRect() }))
        .filter(({ r }) => r.bottom > b.top + 1 && r.top < b.bottom - 1)
        .sort((x, y) => x.r.top - y.r.top)
        .slice(0, 2)
        .map(({ id, r }) => ({ id, offset: r.top - b.top }));
    };
    const moved = (before) =>
      before.map(({ id, offset }) => {
        const a = document.getElementById(id);
        return a ? a.getBoundingClientRect().top - sc.getBoundingClientRect().top - offset : null;
      });
    const longBefore = window.__long.length;
    const t0 = performance.now();
    const pages = [];
    let maxArticles = 0;
    while (!document.querySelector(".channel-start")) {
      const seen = fetched.length;
      const start = performance.now();
      if (sc.scrollTop === 0) {
        sc.scrollTop = 1;
        await frame();
      }
      sc.scrollTop = 0;
      // The scroll event (which asks for the page) comes just before this frame's callbacks,
      // so the answer cannot have been applied yet: what is in view now is what should stay.
      await frame();
      const anchor = fetched.length === seen ? inView() : [];
      const deadline = performance.now() + 20_000;
      while (fetched.length === seen && performance.now() < deadline) await frame();
      if (fetched.length === seen) return { error: `no page loaded after ${pages.length} pages`, pages };
      const e = fetched[seen];
      await frame();
      await frame();
      const [jump = null, jump2 = null] = moved(anchor);
      maxArticles = Math.max(maxArticles, document.getElementsByTagName("article").length);
      pages.push({ ms: performance.now() - start, fetch: e.responseEnd - e.startTime, afterFetch: performance.now() - e.responseEnd, jump, jump2, scrollTop: sc.scrollTop });
    }
    const long = window.__long.slice(longBefore);
    return {
      ms: performance.now() - t0,
      pages,
      maxArticles,
      longTasks: long.length,
      longTaskMs: long.reduce((a, l) => a + l.duration, 0),
      longestTask: Math.max(0, ...long.map((l) => l.duration)),
    };
  });
  if (up.error) {
    log(`  up: FAILED: ${up.error}`);
    out.scrollback = { atOpen, up, problems };
    await context.close();
    return;
  }
  const atTop = { ...(await dom()), heap: await heap(cdp) };
  const pm = up.pages.map((p) => p.ms);
  const after = up.pages.map((p) => p.afterFetch);
  const fetchMs = up.pages.map((p) => p.fetch);
  const jumps = up.pages.slice(0, -1).map((p) => p.jump).filter((j) => j != null);
  const jumps2 = up.pages.slice(0, -1).map((p) => p.jump2).filter((j) => j != null);
  const last = up.pages[up.pages.length - 1];
  const firstTen = up.pages.slice(0, 10).map((p) => p.afterFetch);
  const lastTen = up.pages.slice(-10).map((p) => p.afterFetch);
  log(
    `  up to "This is the beginning": ${(up.ms / 1000).toFixed(1)} s for ${up.pages.length} pages; per page median ${ms(median(pm))}, max ${ms(Math.max(...pm))} (GET median ${ms(median(fetchMs))}; answer to 2nd frame median ${ms(median(after))}, first 10 pages ${ms(median(firstTen))}, last 10 ${ms(median(lastTen))}, max ${ms(Math.max(...after))})`,
  );
  log(
    `  long tasks going up: ${up.longTasks}, ${ms(up.longTaskMs)} in all, longest ${ms(up.longestTask)}; after a page was added the message at the top of the view moved by median ${median(jumps.map(Math.abs)).toFixed(0)} px, max ${Math.max(...jumps.map(Math.abs)).toFixed(0)} px (${jumps.filter((j) => Math.abs(j) > 2).length} of ${jumps.length} pages more than 2 px), the one below it by median ${median(jumps2.map(Math.abs)).toFixed(0)} px, max ${Math.max(...jumps2.map(Math.abs)).toFixed(0)} px (${jumps2.filter((j) => Math.abs(j) > 2).length} pages); the last (empty) page, which shows the channel's beginning above: ${last.jump?.toFixed(0)} px`,
  );
  log(`  at the top: ${atTop.articles} articles (at most ${up.maxArticles} on the way), ${atTop.elements} elements, heap ${kb(atTop.heap)}`);

  // Down: one scrollBy(STEP) per animation frame through everything loaded.
  const down = await page.evaluate(async (step) => {
    const sc = document.querySelector(".messages");
    const frame = () => new Promise((r) => requestAnimationFrame((t) => r(t)));
    // Idle frames first: what the browser's frame interval is when nothing happens.
    const idle = [];
    let last = await frame();
    for (let i = 0; i < 60; i++) {
      const t = await frame();
      idle.push(t - last);
      last = t;
    }
    const longBefore = window.__long.length;
    const intervals = [];
    let maxArticles = 0;
    const t0 = performance.now();
    const height0 = sc.scrollHeight;
    last = await frame();
    while (sc.scrollTop + sc.clientHeight < sc.scrollHeight - 1) {
      sc.scrollBy(0, step);
      const t = await frame();
      intervals.push(t - last);
      last = t;
      maxArticles = Math.max(maxArticles, document.getElementsByTagName("article").length);
    }
    const long = window.__long.slice(longBefore);
    return {
      ms: performance.now() - t0,
      height0,
      height: sc.scrollHeight,
      idle,
      intervals,
      maxArticles,
      longTasks: long.length,
      longTaskMs: long.reduce((a, l) => a + l.duration, 0),
      longestTask: Math.max(0, ...long.map((l) => l.duration)),
    };
  }, STEP);
  const atEnd = { ...(await dom()), heap: await heap(cdp) };
  const iv = down.intervals;
  const downFig = {
    ms: down.ms,
    frames: iv.length,
    idleMedian: median(down.idle),
    median: median(iv),
    p95: pct(iv, 95),
    p99: pct(iv, 99),
    max: Math.max(...iv),
    over50: iv.filter((x) => x > 50).length,
    over33: iv.filter((x) => x > 33.4).length,
    px: down.height,
    heightAtStart: down.height0,
    maxArticles: down.maxArticles,
    longTasks: down.longTasks,
    longTaskMs: down.longTaskMs,
    longestTask: down.longestTask,
  };
  log(
    `  down through ${MESSAGES} messages (${down.height} px, ${STEP} px a frame): ${(down.ms / 1000).toFixed(1)} s, ${iv.length} frames; interval median ${downFig.median.toFixed(1)} ms (idle ${downFig.idleMedian.toFixed(1)}), p95 ${downFig.p95.toFixed(1)}, p99 ${downFig.p99.toFixed(1)}, max ${downFig.max.toFixed(1)}; frames > 33 ms: ${downFig.over33}, > 50 ms: ${downFig.over50}; long tasks ${down.longTasks} (${ms(down.longTaskMs)}, longest ${ms(down.longestTask)}); at most ${down.maxArticles} articles`,
  );
  log(`  at the end: ${atEnd.articles} articles, ${atEnd.elements} elements, heap ${kb(atEnd.heap)}`);
  if (problems.length) log(`  page problems: ${problems.join(" | ")}`);
  out.scrollback = { atOpen, up: { ...up, pages: up.pages }, atTop, down: downFig, atEnd, problems };
  await context.close();
}

// ---------------------------------------------------------------------------------------------

try {
  const s = await seedChannel();
  await firstLoad("logged out, /", "loggedOut", "/", null, (p) => p.getByLabel("Username").waitFor());
  log(`\n[time to the newest message] ${RUNS} fresh contexts opening ${s.path}`);
  await timeToMessages(s);
  await firstLoad(`logged in, ${s.path}`, "loggedIn", s.path, s.alice, (p) => newestVisible(p, s.newest));
  await scrollback(s);
} finally {
  await browser.close();
  if (process.env.MEASURE_JSON) writeFileSync(process.env.MEASURE_JSON, JSON.stringify(out, null, 2));
}
