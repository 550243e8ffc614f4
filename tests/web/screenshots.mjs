// Screenshots of the web client's main screens for docs/ and the README, light and dark,
// desktop and phone width: a small community is set up through the REST API, then each screen
// is opened in Chromium. Run by tests/web/screenshots.sh against a fresh hearth (HEARTH_URL).
import { mkdir } from "node:fs/promises";
import { chromium } from "playwright-core";

const BASE = process.env.HEARTH_URL;
const OUT = process.env.OUT ?? "docs/screenshots";
if (!BASE) throw new Error("HEARTH_URL is not set");
await mkdir(OUT, { recursive: true });

async function call(token, method, path, body) {
  const res = await fetch(`${BASE}/api/v10${path}`, {
    method,
    headers: { ...(token ? { Authorization: token } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const person = async (username, global_name) => {
  const { token } = await call(null, "POST", "/auth/register", { username, password: "correct horse battery" });
  await call(token, "PATCH", "/users/@me", { global_name });
  return { token, id: (await call(token, "GET", "/users/@me")).id };
};

const ada = await person("ada", "Ada");
const ben = await person("ben", "Ben");
const cleo = await person("cleo", "Cleo");
const guild = await call(ada.token, "POST", "/guilds", { name: "Hearthside" });
const channels = await call(ada.token, "GET", `/guilds/${guild.id}/channels`);
const general = channels.find((c) => c.name === "general");
const projects = await call(ada.token, "POST", `/guilds/${guild.id}/channels`, { name: "Projects", type: 4 });
await call(ada.token, "POST", `/guilds/${guild.id}/channels`, { name: "design", type: 0, parent_id: projects.id });
await call(ada.token, "POST", `/guilds/${guild.id}/channels`, { name: "releases", type: 0, parent_id: projects.id });
const invite = await call(ada.token, "POST", `/channels/${general.id}/invites`, { max_age: 0 });
for (const p of [ben, cleo]) await call(p.token, "POST", `/invites/${invite.code}`);
const mods = await call(ada.token, "POST", `/guilds/${guild.id}/roles`, { name: "Moderators", hoist: true, color: 0x2e7d32 });
await call(ada.token, "PUT", `/guilds/${guild.id}/members/${ben.id}/roles/${mods.id}`);

const say = (p, content, reply) =>
  call(p.token, "POST", `/channels/${general.id}/messages`, {
    content,
    ...(reply ? { message_reference: { message_id: reply } } : {}),
  });
await say(ada, "Welcome to **Hearthside**! This is where we plan the spring fair.");
const q = await say(cleo, "Do we have a date yet? I can help with the *stalls*.");
await say(ben, "Saturday the 14th, if the hall is free. I'll ask today.", q.id);
await say(ada, `Thanks <@${ben.id}>. Checklist so far:\n> tables\n> lights\n> \`sign-up sheet\``);
await say(cleo, "I'll bring the lights ~~tomorrow~~ on Friday.");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
});

async function shoot(name, { token, path, width, height, scheme, before }) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, deviceScaleFactor: 1 });
  if (token) await context.addInitScript((t) => localStorage.setItem("hearth.token", t), token);
  const page = await context.newPage();
  await page.goto(BASE + path);
  if (before) await before(page);
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${OUT}/${name}.png` });
  await context.close();
  console.log(`${OUT}/${name}.png`);
}

const chat = `/channels/${guild.id}/${general.id}`;
const waitChat = (page) => page.getByRole("article").filter({ hasText: "on Friday" }).waitFor();
for (const scheme of ["light", "dark"]) {
  await shoot(`chat-desktop-${scheme}`, { token: ben.token, path: chat, width: 1280, height: 720, scheme, before: waitChat });
  await shoot(`chat-phone-${scheme}`, { token: ben.token, path: chat, width: 390, height: 780, scheme, before: waitChat });
  await shoot(`login-${scheme}`, { path: "/", width: 1280, height: 720, scheme, before: (p) => p.getByLabel("Username").waitFor() });
  await shoot(`settings-desktop-${scheme}`, {
    token: ada.token,
    path: `/settings/guild/${guild.id}`,
    width: 1280,
    height: 720,
    scheme,
    before: async (p) => {
      await p.getByRole("heading", { name: "Server settings" }).waitFor();
      await p.getByRole("tab", { name: "Roles" }).click();
      await p.getByText("Moderators").first().waitFor();
    },
  });
}
await browser.close();
