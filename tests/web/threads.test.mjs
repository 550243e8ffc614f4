// Threads in the web client, against a running hearth (HEARTH_URL): a person starts a thread from
// a message (the thread panel opens), another opens it from the same message and sees a reply
// arrive live, then the thread is archived and both panels say so; the channel's thread list
// shows it among the archived threads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register } from "./support.mjs";

const unique = Date.now().toString(36);

/** The message whose text is `text`, its actions shown. */
async function message(page, text) {
  const m = page.getByRole("article").filter({ hasText: text }).first();
  await m.hover();
  return m;
}

test("a thread from a message: opened, replied to live, archived", async () => {
  const ann = await person();
  const ben = await person();
  const a = ann.page;
  const b = ben.page;

  // Ann's server; everyone may post in threads; Ben joins.
  await register(a, `ann_t_${unique}`);
  await a.getByLabel("Server name").fill("Loom");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const general = (await api(a, "GET", `/guilds/${guild}/channels`)).body[0].id;
  const bits = 104_324_673n | (1n << 35n) | (1n << 38n);
  await api(a, "PATCH", `/guilds/${guild}/roles/${guild}`, { permissions: bits.toString() });
  const invite = (await api(a, "POST", `/channels/${general}/invites`, {})).body;
  await register(b, `ben_t_${unique}`, `/invite/${invite.code}`);
  await b.getByRole("button", { name: "Accept invite" }).click();
  await b.getByRole("textbox", { name: "Message #general" }).waitFor();

  // Ann writes, then starts a thread from her message.
  await a.getByRole("textbox", { name: "Message #general" }).fill("plan the trip");
  await a.keyboard.press("Enter");
  await (await message(a, "plan the trip")).getByRole("button", { name: "Create thread" }).click();
  const annPanel = a.getByRole("complementary", { name: "Thread" });
  await annPanel.getByRole("heading", { name: /plan the trip/ }).waitFor();
  await annPanel.getByText("1 member").waitFor();

  // Ben opens it from the same message (it now says it has a thread).
  await (await message(b, "plan the trip")).getByRole("button", { name: "Open thread" }).click();
  const benPanel = b.getByRole("complementary", { name: "Thread" });
  await benPanel.getByRole("heading", { name: /plan the trip/ }).waitFor();

  // Ann replies in the thread: Ben sees it live, in the thread and not in #general.
  await annPanel.getByRole("textbox", { name: "Message #plan the trip" }).fill("train at nine");
  await a.keyboard.press("Enter");
  await benPanel.getByText("train at nine").waitFor();
  const inGeneral = b.locator(".channel-view > .message-list, .channel-view").first();
  assert.ok(await inGeneral.isVisible());

  // Ann archives it; both panels say so; the thread list shows it as archived.
  await annPanel.getByRole("button", { name: "Archive" }).click();
  await annPanel.getByText(/archived/).waitFor();
  await benPanel.getByText(/archived/).waitFor();
  await annPanel.getByRole("button", { name: "Unarchive" }).waitFor();
  const stored = (await api(a, "GET", `/guilds/${guild}/threads/active`)).body;
  assert.deepEqual(stored.threads, []);
  await a.getByRole("button", { name: "Threads" }).click();
  await a
    .getByRole("navigation", { name: "Threads" })
    .getByRole("button", { name: "plan the trip" })
    .waitFor();

  for (const p of [ann, ben]) assert.deepEqual(p.problems, []);
  for (const p of [ann, ben]) await p.context.close();
});

test.after(async () => {
  await browser.close();
});
