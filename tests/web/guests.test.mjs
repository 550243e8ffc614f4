// Guests in the web client (hearth's extension), against a running hearth (HEARTH_URL): an admin
// makes a guest invite to one channel from the invite dialog; a new person joins by it and sees
// only that channel; the others see the Guest badge beside the guest's name (member list, under
// "Guests", and messages) and the channel's counters; the admin makes the guest a full member
// in the server settings and the rest of the channels appear to them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, browser, person, register, unique } from "./support.mjs";

const message = (page, text) => page.getByRole("article").filter({ hasText: text });

test("a guest invited to one channel sees only it, wears the Guest badge, and is made a member", async () => {
  const ann = await person();
  const gus = await person();
  const a = ann.page;
  const g = gus.page;
  const annName = `ann_g_${unique}`;
  const gusName = `gus_g_${unique}`;

  await register(a, annName);
  await a.getByLabel("Server name").fill("Lodge");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const backroom = await api(a, "POST", `/guilds/${guild}/channels`, { name: "backroom", type: 0 });
  assert.equal(backroom.status, 201);
  const annChannels = a.getByRole("navigation", { name: "Channel list" });
  await annChannels.getByRole("link", { name: "backroom" }).waitFor();

  // The invite dialog's guest access, for a day.
  await a.getByRole("button", { name: "Invite people" }).click();
  const dialog = a.getByRole("dialog", { name: "Invite people" });
  await dialog.getByLabel("Guest access (only this channel)").check();
  await dialog.getByLabel("Guests stay for").selectOption({ label: "1 day" });
  await dialog.getByRole("button", { name: "Create invite link" }).click();
  const link = await dialog.getByLabel("Invite link").inputValue();
  const code = link.split("/invite/")[1];
  const invite = (await api(a, "GET", `/invites/${code}`)).body;
  assert.equal(invite.hearth_guest, true);
  assert.equal(invite.hearth_guest_ttl, 86400);
  await dialog.getByRole("button", { name: "Close" }).click();

  // Gus joins by it and sees #general only.
  await register(g, gusName, `/invite/${code}`);
  await g.getByRole("button", { name: "Accept invite" }).click();
  const box = g.getByRole("textbox", { name: "Message #general" });
  await box.waitFor();
  const gusChannels = g.getByRole("navigation", { name: "Channel list" });
  await gusChannels.getByRole("link", { name: "general" }).waitFor();
  assert.equal(await gusChannels.getByRole("link", { name: "backroom" }).count(), 0);
  await box.fill("hello from a guest");
  await box.press("Enter");

  // Ann sees the Guest badge on his message and in the member list, under "Guests".
  const said = message(a, "hello from a guest");
  await said.waitFor();
  await said.locator(".guest-badge", { hasText: "Guest" }).waitFor();
  const members = a.getByRole("complementary", { name: "Members" });
  const guests = members.locator("section").filter({ has: a.getByRole("heading", { name: /^Guests — 1$/ }) });
  await guests.getByText(gusName).waitFor();
  await guests.locator(".guest-badge").waitFor();
  // Ann's own entry carries no badge.
  const annEntry = members.getByRole("listitem").filter({ hasText: annName });
  assert.equal(await annEntry.locator(".guest-badge").count(), 0);

  // The channel's counters: two members who can read #general, one of them a guest.
  await a.getByRole("button", { name: "Channel info" }).click();
  const info = a.getByRole("status", { name: "Channel info" });
  await info.getByText(/2 members · 1 guest · 1 message/).waitFor();

  // Ann makes Gus a full member in the server settings: the backroom appears to him.
  await a.getByRole("link", { name: "Server settings" }).click();
  await a.getByRole("heading", { name: "Server settings" }).waitFor();
  await a.getByRole("tab", { name: "Members" }).click();
  const panel = a.getByRole("tabpanel", { name: "Members" });
  const row = panel.getByRole("listitem").filter({ hasText: gusName });
  await row.getByText(/^guest until /).waitFor();
  await panel.getByRole("button", { name: `Make ${gusName} a full member` }).click();
  await panel.getByRole("button", { name: `Make ${gusName} a guest` }).waitFor();
  assert.equal(await row.getByText(/^guest/).count(), 0);
  await gusChannels.getByRole("link", { name: "backroom" }).click();
  const backBox = g.getByRole("textbox", { name: "Message #backroom" });
  await backBox.fill("in the backroom now");
  await backBox.press("Enter");
  await message(g, "in the backroom now").waitFor();
  // His badge is gone for Ann.
  await a.getByRole("link", { name: "Close" }).click();
  await annChannels.getByRole("link", { name: "backroom" }).click();
  const inBack = message(a, "in the backroom now");
  await inBack.waitFor();
  assert.equal(await inBack.locator(".guest-badge").count(), 0);

  // And back to a guest, for an hour, from the settings: the backroom goes away again.
  await a.getByRole("link", { name: "Server settings" }).click();
  await a.getByRole("tab", { name: "Members" }).click();
  await panel.getByRole("button", { name: `Make ${gusName} a guest` }).click();
  const form = panel.getByRole("form", { name: `Make ${gusName} a guest` });
  await form.getByLabel("Guest access ends after").selectOption({ label: "1 hour" });
  await form.getByRole("button", { name: "Make guest" }).click();
  await row.getByText(/^guest until /).waitFor();
  await gusChannels.getByRole("link", { name: "backroom" }).waitFor({ state: "detached" });
  await gusChannels.getByRole("link", { name: "general" }).waitFor();

  assert.deepEqual(ann.problems, []);
  assert.deepEqual(gus.problems, []);
  await ann.context.close();
  await gus.context.close();
});

test.after(() => browser.close());
