// Mentions in the web client, against a running hearth (HEARTH_URL): a message that mentions the
// person is highlighted for them, and one whose mention the sender suppressed with
// allowed_mentions is not (the client follows the server's `mentions`, not the text).
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register, unique } from "./support.mjs";

/** A REST call for set-up the test is not about: its answer, or a failure. */
async function rest(page, method, path, body) {
  const res = await api(page, method, path, body);
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const message = (page, text) => page.getByRole("article").filter({ hasText: text });
const composer = (page, channel) => page.getByRole("textbox", { name: `Message #${channel}` });

test("a mention the server lists highlights the message; a suppressed one does not", async () => {
  const alice = await person();
  const bob = await person();
  const a = alice.page;
  const b = bob.page;

  await register(a, `alice_m_${unique}`);
  await a.getByLabel("Server name").fill("Mention Hall");
  await a.getByRole("button", { name: "Create server" }).click();
  await composer(a, "general").waitFor();
  const guild = (await rest(a, "GET", "/users/@me/guilds"))[0];
  const general = (await rest(a, "GET", `/guilds/${guild.id}/channels`)).find((c) => c.name === "general");
  const invite = await rest(a, "POST", `/channels/${general.id}/invites`, {});

  await register(b, `bob_m_${unique}`, `/invite/${invite.code}`);
  await b.getByRole("button", { name: "Accept invite" }).click();
  await composer(b, "general").waitFor();
  const bobId = (await rest(b, "GET", "/users/@me")).id;

  const pinged = await rest(a, "POST", `/channels/${general.id}/messages`, { content: `ping <@${bobId}> loud` });
  assert.deepEqual(pinged.mentions.map((u) => u.id), [bobId]);
  const quiet = await rest(a, "POST", `/channels/${general.id}/messages`, {
    content: `ping <@${bobId}> quiet`,
    allowed_mentions: { parse: [] },
  });
  assert.deepEqual(quiet.mentions, []);

  await message(b, "quiet").waitFor();
  await message(b, "loud").waitFor();
  assert.match(await message(b, "loud").getAttribute("class"), /\bmentioned\b/);
  assert.doesNotMatch(await message(b, "quiet").getAttribute("class"), /\bmentioned\b/);
  // The sender sees neither highlighted: they are not mentioned.
  await message(a, "quiet").waitFor();
  assert.doesNotMatch(await message(a, "loud").getAttribute("class"), /\bmentioned\b/);

  await alice.context.close();
  await bob.context.close();
});

test.after(async () => {
  await browser.close();
});
