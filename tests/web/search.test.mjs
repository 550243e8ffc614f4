// Message search in the web client, against a running hearth (HEARTH_URL): a person seeds
// messages (English, accented and Japanese text, a link), searches the server from the channel
// header, sees the hits with the words highlighted, narrows with typed `from:` and `has:`
// tokens and to one channel, pages through many hits, and jumps to an older hit in its channel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register } from "./support.mjs";

const unique = Date.now().toString(36);

test("a person searches the server's messages and jumps to a hit", async () => {
  const ann = await person();
  const a = ann.page;
  const annName = `ann_s_${unique}`;
  await register(a, annName);
  await a.getByLabel("Server name").fill("Library");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const general = (await api(a, "GET", `/guilds/${guild}/channels`)).body[0].id;
  const other = (await api(a, "POST", `/guilds/${guild}/channels`, { name: "other" })).body.id;

  // The target first, then thirty more messages.
  const target = (await api(a, "POST", `/channels/${general}/messages`, { content: "東京タワーへ行きましょう" })).body;
  await api(a, "POST", `/channels/${general}/messages`, { content: "Crème brûlée recipe https://example.org" });
  await api(a, "POST", `/channels/${other}/messages`, { content: "another crème" });
  for (let i = 0; i < 30; i++) {
    await api(a, "POST", `/channels/${general}/messages`, { content: `filler number ${i}` });
  }

  // CJK: a run of characters inside a word is found and highlighted.
  const box = a.getByRole("searchbox", { name: "Search messages" });
  await box.fill("京タ");
  await box.press("Enter");
  const results = a.getByRole("region", { name: "Search results" });
  await results.getByRole("status").filter({ hasText: "1 result" }).waitFor();
  assert.equal(await results.locator("mark").first().textContent(), "京タ");

  // Accents ignored, the whole server searched, then narrowed by typed tokens.
  await box.fill("creme");
  await box.press("Enter");
  await results.getByRole("status").filter({ hasText: "2 results" }).waitFor();
  assert.deepEqual((await results.locator("mark").allTextContents()).sort(), ["Crème", "crème"]);
  await box.fill(`creme from:${annName} has:link`);
  await box.press("Enter");
  await results.getByRole("status").filter({ hasText: "1 result" }).waitFor();
  await results.getByText("recipe").waitFor();

  // Only this channel (#general is open): #other's message is left out.
  await box.fill("another");
  await a.getByRole("checkbox", { name: "In this channel" }).check();
  await box.press("Enter");
  await results.getByRole("status").filter({ hasText: "0 results" }).waitFor();
  await a.getByRole("checkbox", { name: "In this channel" }).uncheck();

  // Paging: 30 fillers, 25 a page.
  await box.fill("filler");
  await box.press("Enter");
  await results.getByRole("status").filter({ hasText: "30 results" }).waitFor();
  assert.equal(await results.getByRole("listitem").count(), 25);
  await results.getByRole("button", { name: "Next" }).click();
  await results.getByText("Page 2 of 2").waitFor();
  assert.equal(await results.getByRole("listitem").count(), 5);
  await results.getByRole("button", { name: "Previous" }).click();
  await results.getByText("Page 1 of 2").waitFor();

  // Jump: the older message is loaded in its channel and shown.
  await box.fill("東京");
  await box.press("Enter");
  await results.getByRole("status").filter({ hasText: "1 result" }).waitFor();
  await results.getByRole("button", { name: "Jump" }).click();
  await a.waitForURL(new RegExp(`/channels/${guild}/${general}/${target.id}$`));
  await a.locator(`#message-${target.id}`).waitFor();
  assert.match(await a.locator(`#message-${target.id}`).textContent(), /東京タワー/);
  await ann.context.close();
});

test.after(async () => {
  await browser.close();
});
