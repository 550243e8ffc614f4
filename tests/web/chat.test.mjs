// Two people chat in the web client, each in their own browser context, against a running
// hearth (HEARTH_URL): an invite link joins the second, messages travel both ways in real time,
// edits, deletions, replies and typing show on the other side, a private channel appears only
// once a role opens it, an unread marker shows, going offline and back loses and repeats
// nothing, a jump link finds an old message, and markup in a message stays text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, BASE, browser, person, register, unique } from "./support.mjs";



/** A REST call for set-up the test is not about: its answer, or a failure. */
async function rest(page, method, path, body) {
  const res = await api(page, method, path, body);
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const message = (page, text) => page.getByRole("article").filter({ hasText: text });
const composer = (page, channel) => page.getByRole("textbox", { name: `Message #${channel}` });

/** Sends `text` from the composer and waits for it to show (as `shown` once formatted). */
async function send(page, channel, text, shown = text) {
  const box = composer(page, channel);
  await box.fill(text);
  await box.press("Enter");
  await message(page, shown).first().waitFor();
}


test("two people chat in real time in the browser", async () => {
  const alice = await person();
  const bob = await person();
  const a = alice.page;
  const b = bob.page;
  const aliceName = `alice_${unique}`;
  const bobName = `bob_${unique}`;

  // Alice makes a server and an invite link.
  await register(a, aliceName);
  await a.getByLabel("Server name").fill("Test Hall");
  await a.getByRole("button", { name: "Create server" }).click();
  await composer(a, "general").waitFor();
  await a.getByRole("button", { name: "Invite people" }).click();
  await a.getByLabel("Expire after").selectOption({ label: "1 day" });
  await a.getByLabel("Max number of uses").selectOption({ label: "10 uses" });
  await a.getByRole("button", { name: "Create invite link" }).click();
  const link = await a.getByLabel("Invite link").inputValue();
  assert.match(link, /\/invite\/[A-Za-z0-9]+$/);
  await a.getByRole("button", { name: "Close" }).click();

  // Bob opens the link before having an account: registers, then joins.
  await register(b, bobName, new URL(link).pathname);
  await b.getByRole("heading", { name: "Test Hall" }).waitFor();
  await b.getByRole("button", { name: "Accept invite" }).click();
  await composer(b, "general").waitFor();

  const bobId = (await rest(b, "GET", "/users/@me")).id;

  // Both ways, in real time.
  await send(a, "general", "hello bob");
  await message(b, "hello bob").waitFor();
  assert.match(await message(b, "hello bob").innerText(), new RegExp(aliceName));
  await send(b, "general", "hi alice");
  await message(a, "hi alice").waitFor();

  // Typing shows on the other side.
  await composer(b, "general").fill("I am typing something");
  await a.getByText(`${bobName} is typing…`).waitFor();
  await composer(b, "general").fill("");

  // A status chosen by Bob shows in Alice's member list.
  const aliceSeesBob = a
    .getByRole("complementary", { name: "Members" })
    .getByRole("listitem")
    .filter({ hasText: bobName });
  await aliceSeesBob.getByRole("img", { name: "Online" }).waitFor();
  await b.getByRole("button", { name: /Change status/ }).click();
  await b.getByRole("radio", { name: "Do not disturb" }).check();
  await b.getByLabel("Custom status").fill("brb, fixing the boiler");
  await b.getByRole("button", { name: "Save status" }).click();
  await aliceSeesBob.getByRole("img", { name: "Do not disturb" }).waitFor();
  await aliceSeesBob.getByText("brb, fixing the boiler").waitFor();

  // Up in an empty composer edits one's last message; Enter saves.
  await composer(a, "general").press("ArrowUp");
  const editor = a.getByRole("textbox", { name: "Edit message" });
  await editor.fill("hello bob, edited");
  await editor.press("Enter");
  await message(b, "hello bob, edited").waitFor();
  await message(b, "hello bob, edited").getByText("(edited)").waitFor();

  // Delete, confirmed.
  await send(a, "general", "a message to delete");
  await message(b, "a message to delete").waitFor();
  const doomed = message(a, "a message to delete");
  await doomed.hover();
  await doomed.getByRole("button", { name: "Delete" }).click();
  await doomed.getByRole("button", { name: "Delete message" }).click();
  await message(b, "a message to delete").waitFor({ state: "detached" });
  await message(a, "a message to delete").waitFor({ state: "detached" });

  // Reply with the quoted message.
  const original = message(b, "hi alice");
  await original.hover();
  await original.getByRole("button", { name: "Reply" }).click();
  await b.getByText(`Replying to ${bobName}`).waitFor();
  await send(b, "general", "replying to myself");
  const reply = message(a, "replying to myself");
  await reply.waitFor();
  assert.match(await reply.innerText(), /hi alice/);

  // Markup in a message is text, never elements or script.
  const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
  await send(a, "general", payload);
  const shown = message(b, "window.__pwned=2");
  await shown.waitFor();
  assert.equal(await shown.locator("img, script").count(), 0);
  assert.equal(await b.evaluate(() => window.__pwned), undefined);
  assert.equal(await a.evaluate(() => window.__pwned), undefined);

  // Formatting and mentions by name.
  await send(a, "general", `**loud** words for <@${bobId}>`, "words for");
  const formatted = message(b, "words for");
  await formatted.waitFor();
  assert.equal(await formatted.locator("strong", { hasText: "loud" }).count(), 1);
  assert.match(await formatted.innerText(), new RegExp(`@${bobName}`));

  // A private channel: hidden from Bob until a role opens it.
  const guild = (await rest(a, "GET", "/users/@me/guilds"))[0].id;
  const role = await rest(a, "POST", `/guilds/${guild}/roles`, { name: "Crew", hoist: true });
  const secret = await rest(a, "POST", `/guilds/${guild}/channels`, {
    name: "secret",
    type: 0,
    permission_overwrites: [
      { id: guild, type: 0, allow: "0", deny: String(1 << 10) },
      { id: role.id, type: 0, allow: String(1 << 10), deny: "0" },
    ],
  });
  await a.getByRole("link", { name: /secret/ }).waitFor();
  const bobChannels = b.getByRole("navigation", { name: "Channel list" });
  await b.waitForTimeout(500);
  assert.equal(await bobChannels.getByRole("link", { name: /secret/ }).count(), 0);
  await rest(a, "PUT", `/guilds/${guild}/members/${bobId}/roles/${role.id}`);
  const secretLink = bobChannels.getByRole("link", { name: /secret/ });
  await secretLink.waitFor();

  // Unread: Alice writes in #secret while Bob reads #general.
  await a.getByRole("link", { name: /secret/ }).click();
  await send(a, "secret", "for the crew");
  await secretLink.getByRole("img", { name: "unread" }).waitFor();
  await secretLink.click();
  await message(b, "for the crew").waitFor();
  await secretLink.getByRole("img", { name: "unread" }).waitFor({ state: "detached" });
  await bobChannels.getByRole("link", { name: /general/ }).click();
  await composer(b, "general").waitFor();
  // What arrives while Bob is elsewhere sits below a "New messages" divider when he returns.
  await send(a, "secret", "news since you left");
  await secretLink.getByRole("img", { name: "unread" }).waitFor();
  await secretLink.click();
  await message(b, "news since you left").waitFor();
  const divider = b.getByRole("separator", { name: "New messages" });
  await divider.waitFor();
  const [dividerY, newsY, oldY] = await Promise.all([
    divider.boundingBox().then((r) => r.y),
    message(b, "news since you left").boundingBox().then((r) => r.y),
    message(b, "for the crew").boundingBox().then((r) => r.y),
  ]);
  assert.ok(oldY < dividerY && dividerY < newsY, `divider between the read and the new (${oldY} ${dividerY} ${newsY})`);
  // A day separator heads the channel's first message.
  await b.getByRole("separator", { name: new RegExp(String(new Date().getFullYear())) }).first().waitFor();
  await bobChannels.getByRole("link", { name: /general/ }).click();
  await composer(b, "general").waitFor();

  // Offline and back: every message once, by resuming the gateway session.
  const sentOps = [];
  b.on("websocket", (ws) =>
    ws.on("framesent", (f) => {
      const op = JSON.parse(String(f.payload)).op;
      if (op !== 1) sentOps.push(op);
    }),
  );
  await bob.context.setOffline(true);
  await b.getByText("Connection lost. Reconnecting…").waitFor();
  await a.getByRole("link", { name: /general/ }).click();
  const missed = [];
  for (let i = 1; i <= 5; i++) {
    missed.push(`while you were away ${i}`);
    await send(a, "general", missed[i - 1]);
  }
  await bob.context.setOffline(false);
  for (const text of missed) {
    await message(b, text).waitFor();
  }
  await b.getByText("Connection lost. Reconnecting…").waitFor({ state: "detached" });
  await send(a, "general", "after the return");
  await message(b, "after the return").waitFor();
  for (const text of [...missed, "after the return"]) {
    assert.equal(await message(b, text).count(), 1, text);
  }
  assert.deepEqual(sentOps, [6], "one RESUME on the new connection, no new IDENTIFY");

  // A link to a message opens its channel at it.
  const first = (await rest(a, "GET", `/channels/${secret.id}/messages?limit=1`))[0];
  await b.goto(`${BASE}/channels/${guild}/${secret.id}/${first.id}`);
  await b.locator(`#message-${first.id}.highlighted`).waitFor();

  assert.deepEqual(alice.problems, []);
  assert.deepEqual(bob.problems, []);
  await alice.context.close();
  await bob.context.close();
});

test.after(async () => {
  await browser.close();
});
