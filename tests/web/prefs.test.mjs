// Channel preferences in the web client, against a running hearth (HEARTH_URL): a person
// favourites a channel (it moves to Favourites), mutes another from its menu (dimmed, and no
// unread marker on it or on the server when someone writes there, until unmuted), sets a
// channel's and the server's notifications, and mutes a DM; a second session of the same person
// follows every change live.
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, BASE, browser, person, register } from "./support.mjs";

const unique = Date.now().toString(36);

/** The channel list of the open server. */
const list = (page) => page.getByRole("navigation", { name: "Channel list" });
const link = (page, name) => list(page).getByRole("link", { name: new RegExp(`^#?\\s*${name}\\b`) });
const menuButton = (page, name) => list(page).getByRole("button", { name: `Options for #${name}` });
const menu = (page, name) => page.getByRole("menu", { name: `Options for #${name}` });

test("favourites, mutes and notification settings follow the person across sessions", async () => {
  const ann = await person();
  const again = await person();
  const ben = await person();
  const a = ann.page;
  const a2 = again.page;
  const b = ben.page;
  const annName = `ann_f_${unique}`;

  // Ann's server with #general, #random and #news; Ben joins.
  await register(a, annName);
  await a.getByLabel("Server name").fill("Den");
  await a.getByRole("button", { name: "Create server" }).click();
  await a.getByRole("textbox", { name: "Message #general" }).waitFor();
  const guild = (await api(a, "GET", "/users/@me/guilds")).body[0].id;
  const general = (await api(a, "GET", `/guilds/${guild}/channels`)).body[0].id;
  const random = (await api(a, "POST", `/guilds/${guild}/channels`, { name: "random" })).body.id;
  await api(a, "POST", `/guilds/${guild}/channels`, { name: "news" });
  const invite = (await api(a, "POST", `/channels/${general}/invites`, {})).body;
  await register(b, `ben_f_${unique}`, `/invite/${invite.code}`);
  await b.getByRole("button", { name: "Accept invite" }).click();
  await b.getByRole("textbox", { name: "Message #general" }).waitFor();

  // Ann's second session: the same person logged in elsewhere.
  await a2.goto(BASE + "/login");
  await a2.getByLabel("Username").fill(annName);
  await a2.getByLabel("Password").fill("correct horse battery");
  await a2.getByRole("button", { name: "Log in" }).click();
  await a2.getByRole("link", { name: "Den" }).click();
  await link(a2, "random").waitFor();

  // Favourite #random from its menu, opened from the keyboard.
  await menuButton(a, "random").focus();
  await a.keyboard.press("Enter");
  await menu(a, "random").getByRole("menuitem", { name: "Add to Favourites" }).waitFor();
  await a.keyboard.press("Enter");
  for (const page of [a, a2]) {
    await page.getByRole("region", { name: "Favourites" }).getByRole("link", { name: /random/ }).waitFor();
  }
  assert.equal(await a.getByRole("region", { name: "Favourites" }).getByRole("link").count(), 1);

  // Mute #random for an hour (right click opens the menu too); Ann reads #news meanwhile.
  await link(a, "news").click();
  await link(a, "random").click({ button: "right" });
  await menu(a, "random").getByRole("menuitem", { name: "Mute for 1 hour" }).click();
  for (const page of [a, a2]) {
    await link(page, "random").filter({ hasText: "(muted)" }).waitFor();
    await page.locator(".channel-entry.muted").filter({ hasText: "random" }).waitFor();
  }

  // Ben writes in the muted channel: no unread marker on it, nor on the server.
  await api(b, "POST", `/channels/${random}/messages`, { content: "anyone here?" });
  await a.waitForTimeout(1000);
  assert.equal(await link(a, "random").getByRole("img", { name: "unread" }).count(), 0);
  const den = a.getByRole("navigation", { name: "Servers" }).getByRole("link", { name: "Den" });
  assert.equal(await den.evaluate((el) => el.classList.contains("unread")), false);
  // Unmuted from the second session: the message was there all along.
  await menuButton(a2, "random").click();
  await menu(a2, "random").getByRole("menuitem", { name: "Unmute" }).click();
  await link(a, "random").getByRole("img", { name: "unread" }).waitFor();
  assert.equal(await den.evaluate((el) => el.classList.contains("unread")), true);

  // Notifications of #general: only mentions, seen checked in the other session.
  await menuButton(a, "general").click();
  await menu(a, "general").getByRole("menuitemradio", { name: "Only @mentions" }).click();
  await menuButton(a2, "general").click();
  await menu(a2, "general")
    .getByRole("menuitemradio", { name: "Only @mentions", checked: true })
    .waitFor();
  await a2.keyboard.press("Escape");

  // The server's notification settings.
  await a.getByRole("button", { name: "Notification settings" }).click();
  const dialog = (page) => page.getByRole("dialog", { name: "Notification settings" });
  await dialog(a).getByRole("radio", { name: "Nothing" }).check();
  await dialog(a).getByRole("checkbox", { name: "Suppress @everyone and @here" }).check();
  await a2.getByRole("button", { name: "Notification settings" }).click();
  await dialog(a2).getByRole("radio", { name: "Nothing", checked: true }).waitFor();
  await dialog(a2).getByRole("checkbox", { name: "Suppress @everyone and @here", checked: true }).waitFor();
  const entry = (await api(a, "GET", `/users/@me/guilds/${guild}/settings`)).body;
  assert.equal(entry.message_notifications, 2);
  assert.equal(entry.suppress_everyone, true);

  // A DM can be muted too.
  const benId = (await api(b, "GET", "/users/@me")).body.id;
  const dm = (await api(a, "POST", "/users/@me/channels", { recipient_id: benId })).body.id;
  await a.getByRole("link", { name: "Home" }).click();
  const dms = a.getByRole("navigation", { name: "Direct messages" });
  await dms.getByRole("button", { name: /^Options for ben_f_/ }).click();
  await a.getByRole("menu", { name: /^Options for ben_f_/ }).getByRole("menuitem", { name: "Mute until I turn it back on" }).click();
  await dms.getByRole("link", { name: /\(muted\)/ }).waitFor();
  await api(b, "POST", `/channels/${dm}/messages`, { content: "hello?" });
  await a.waitForTimeout(1000);
  assert.equal(await dms.getByRole("img", { name: "unread" }).count(), 0);

  for (const p of [ann, again, ben]) assert.deepEqual(p.problems, []);
  for (const p of [ann, again, ben]) await p.context.close();
});

test.after(async () => {
  await browser.close();
});
