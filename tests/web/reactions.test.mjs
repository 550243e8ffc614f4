// Reactions in the web client, against a running hearth (HEARTH_URL): Ann reacts to Ben's
// message from the emoji picker (searched by name, picked from the keyboard), Ben sees the count
// arrive live and adds his by clicking it (2, pressed for him), Ann takes hers back (1, not
// pressed for her), and both pages agree after a reload.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register, unique } from "./support.mjs";

const message = (page, text) => page.getByRole("article").filter({ hasText: text });
const chip = (page, text, emoji) =>
  message(page, text).getByRole("group", { name: "Reactions" }).getByRole("button", { name: new RegExp(`^${emoji} `) });

test("two people react to a message and follow each other's reactions live", async () => {
  const ann = await person();
  const ben = await person();
  const a = ann.page;
  const b = ben.page;

  // Ann's server; Ben joins and writes.
  await register(a, `ann_r_${unique}`);
  await a.getByLabel("Server name").fill("Den");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const general = (await api(a, "GET", `/guilds/${guild}/channels`)).body[0].id;
  const invite = (await api(a, "POST", `/channels/${general}/invites`, {})).body;
  await register(b, `ben_r_${unique}`, `/invite/${invite.code}`);
  await b.getByRole("button", { name: "Accept invite" }).click();
  await b.getByRole("textbox", { name: "Message #general" }).fill("react to this");
  await b.keyboard.press("Enter");
  await message(a, "react to this").waitFor();

  // Ann opens the picker from the message's actions, searches, and picks with Enter.
  await message(a, "react to this").hover();
  await message(a, "react to this").getByRole("button", { name: "React" }).click();
  const picker = a.getByRole("dialog", { name: "Pick a reaction" });
  await picker.getByRole("searchbox", { name: "Search emoji" }).fill("party");
  await a.keyboard.press("Enter");
  await chip(a, "react to this", "🎉").waitFor();
  assert.equal(await chip(a, "react to this", "🎉").getAttribute("aria-pressed"), "true");
  assert.equal(await picker.count(), 0);

  // Ben sees it arrive, not pressed for him, and adds his.
  await chip(b, "react to this", "🎉").waitFor();
  assert.equal(await chip(b, "react to this", "🎉").getAttribute("aria-pressed"), "false");
  await chip(b, "react to this", "🎉").click();
  for (const page of [a, b]) {
    await chip(page, "react to this", "🎉").filter({ hasText: "2" }).waitFor();
  }
  assert.equal(await chip(b, "react to this", "🎉").getAttribute("aria-pressed"), "true");

  // Ann takes hers back: 1 for both, pressed only for Ben; a reload agrees.
  await chip(a, "react to this", "🎉").click();
  for (const page of [a, b]) {
    await chip(page, "react to this", "🎉").filter({ hasText: "1" }).waitFor();
  }
  assert.equal(await chip(a, "react to this", "🎉").getAttribute("aria-pressed"), "false");
  await a.reload();
  await chip(a, "react to this", "🎉").filter({ hasText: "1" }).waitFor();
  assert.equal(await chip(a, "react to this", "🎉").getAttribute("aria-pressed"), "false");

  for (const p of [ann, ben]) assert.deepEqual(p.problems, []);
  for (const p of [ann, ben]) await p.context.close();
});

test.after(async () => {
  await browser.close();
});
