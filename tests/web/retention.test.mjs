// Deletion rules, forwards and system messages in the web client, against a running hearth
// (HEARTH_URL): a newcomer's join shows as a line in #general; Ann forwards Ben's message into
// their DM (Ben sees the forwarded copy live, and it stays when the original is deleted); in
// the DM she sets messages to be deleted after 7 days and secret, and both see the notice; the
// server's retention is set in its settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register, unique } from "./support.mjs";

test("join lines, forwards that outlive their original, and deletion rules", async () => {
  const ann = await person();
  const ben = await person();
  const a = ann.page;
  const b = ben.page;

  await register(a, `ann_r_${unique}`);
  await a.getByLabel("Server name").fill("Archive");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const general = (await api(a, "GET", `/guilds/${guild}/channels`)).body[0].id;
  const invite = (await api(a, "POST", `/channels/${general}/invites`, {})).body;
  const benName = `ben_r_${unique}`;
  await register(b, benName, `/invite/${invite.code}`);
  await b.getByRole("button", { name: "Accept invite" }).click();
  await b.getByRole("textbox", { name: "Message #general" }).waitFor();

  // The join, as a line in #general (live for Ann).
  await a.getByText(`${benName} joined the server.`).waitFor();

  // Ben writes; Ann forwards it to their DM from the message's actions.
  const original = (await api(b, "POST", `/channels/${general}/messages`, { content: "the plan is on the wiki" })).body;
  const ben_id = (await api(b, "GET", "/users/@me")).body.id;
  const dm = (await api(a, "POST", "/users/@me/channels", { recipient_id: ben_id })).body;
  const message = a.locator(`#message-${original.id}`);
  await message.hover();
  await message.getByRole("button", { name: "Forward" }).click();
  const dialog = a.getByRole("dialog", { name: "Forward message" });
  await dialog.getByLabel("Forward to").fill(benName);
  await dialog.getByRole("button", { name: `@${benName}` }).click();
  await dialog.getByRole("status").filter({ hasText: "Forwarded to" }).waitFor();

  // Ben opens the DM: the forwarded copy is there, and stays after the original goes.
  await b.goto(`${process.env.HEARTH_URL}/channels/@me/${dm.id}`);
  const copy = b.getByRole("blockquote", { name: "Forwarded message" }).or(b.locator("blockquote.forwarded"));
  await copy.filter({ hasText: "the plan is on the wiki" }).first().waitFor();
  await api(b, "DELETE", `/channels/${general}/messages/${original.id}`);
  await b.reload();
  await copy.filter({ hasText: "the plan is on the wiki" }).first().waitFor();

  // Ann sets the DM's deletion rules; both see the notice.
  await a.goto(`${process.env.HEARTH_URL}/channels/@me/${dm.id}`);
  await a.getByRole("button", { name: "Deletion rules" }).click();
  const rules = a.getByRole("form", { name: "Message deletion" });
  await rules.getByLabel(/Secret channel/).check();
  await rules.getByLabel(/Delete messages after/).fill("7");
  await rules.getByRole("button", { name: "Save deletion rules" }).click();
  await a.getByRole("note").filter({ hasText: "Messages are deleted after 7 days." }).waitFor();
  await b.reload();
  await b.getByRole("note").filter({ hasText: "Secret channel: deleted messages leave no trace." }).waitFor();
  const stored = (await api(b, "GET", `/channels/${dm.id}/retention`)).body;
  assert.deepEqual([stored.secret, stored.retention_days], [true, 7]);

  // A bad number is refused in the form, before the server.
  await rules.getByLabel(/Delete messages after/).fill("0");
  await rules.getByRole("button", { name: "Save deletion rules" }).click();
  await rules.getByRole("alert").filter({ hasText: "whole number" }).waitFor();

  // The server's retention, from its settings.
  await a.goto(`${process.env.HEARTH_URL}/channels/${guild}/${general}`);
  await a.getByRole("link", { name: "Server settings" }).click();
  await a.getByLabel(/Delete messages after \(days; empty: keep them\)/).fill("365");
  await a.getByRole("button", { name: "Save retention" }).click();
  await a.getByRole("form", { name: "Message retention" }).getByRole("status").waitFor();
  assert.equal((await api(a, "GET", `/guilds/${guild}/retention`)).body.retention_days, 365);
  await a.goto(`${process.env.HEARTH_URL}/channels/${guild}/${general}`);
  await a.getByRole("note").filter({ hasText: "Messages are deleted after 365 days." }).waitFor();
});

test.after(() => browser.close());
