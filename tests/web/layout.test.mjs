// The web client at phone width and by keyboard alone, against a running hearth (HEARTH_URL):
// one pane at a time with the channel list behind a button; every step of signing up, making a
// server, joining by an invite link and chatting done with keys, each focused control drawn
// with a visible outline.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, browser, person, unique } from "./support.mjs";



/** Tabs until the focused element matches `name` (its accessible label or text); fails after 40 tabs. */
async function tabTo(p, name) {
  for (let i = 0; i < 40; i++) {
    await p.keyboard.press("Tab");
    const here = await p.evaluate(() => {
      const el = document.activeElement;
      if (!el) return null;
      const label = el.getAttribute("aria-label") || (el.id && document.querySelector(`label[for="${el.id}"]`)?.textContent) || el.textContent || "";
      const outline = getComputedStyle(el).outlineStyle;
      return { label: label.trim(), outline };
    });
    if (here && here.label === name) {
      assert.notEqual(here.outline, "none", `${name} shows where the focus is`);
      return;
    }
  }
  throw new Error(`no control named ${name} reached by Tab`);
}

test("by keyboard alone: sign up, make a server, send a message", async () => {
  const { context, page: p, problems } = await person();
  await p.goto(BASE + "/");
  await tabTo(p, "Username");
  await p.keyboard.type(`keys_${unique}`);
  await tabTo(p, "Password");
  await p.keyboard.type("correct horse battery");
  await tabTo(p, "Create account");
  await p.keyboard.press("Enter");
  await p.getByLabel("Server name").waitFor();
  await tabTo(p, "Server name");
  await p.keyboard.type("Keyboard Club");
  await p.keyboard.press("Enter");
  const box = p.getByRole("textbox", { name: "Message #general" });
  await box.waitFor();
  await tabTo(p, "Message #general");
  await p.keyboard.type("typed without a mouse");
  await p.keyboard.press("Shift+Enter");
  await p.keyboard.type("on two lines");
  await p.keyboard.press("Enter");
  const sent = p.getByRole("article").filter({ hasText: "typed without a mouse" });
  await sent.waitFor();
  assert.match(await sent.innerText(), /typed without a mouse\non two lines/);
  // The message's actions are reachable too.
  await tabTo(p, "Reply");
  await p.keyboard.press("Enter");
  await p.getByText(/Replying to/).waitFor();
  await p.keyboard.press("Escape");
  await p.getByText(/Replying to/).waitFor({ state: "detached" });
  assert.deepEqual(problems, []);
  await context.close();
});

test("at phone width one pane shows at a time", async () => {
  const { context, page: p, problems } = await person({ viewport: { width: 390, height: 780 } });
  await p.goto(BASE + "/");
  await p.getByLabel("Username").fill(`phone_${unique}`);
  await p.getByLabel("Password").fill("correct horse battery");
  await p.getByRole("button", { name: "Create account" }).click();
  await p.getByLabel("Server name").fill("Pocket");
  await p.getByRole("button", { name: "Create server" }).click();
  const box = p.getByRole("textbox", { name: "Message #general" });
  await box.waitFor();
  // The channel list is behind a button; picking a channel returns to the chat.
  const list = p.getByRole("navigation", { name: "Channel list" });
  assert.equal(await list.isVisible(), false);
  await p.getByRole("button", { name: "Channels" }).click();
  await list.waitFor();
  assert.equal(await box.isVisible(), false);
  await list.getByRole("link", { name: /general/ }).click();
  await box.waitFor();
  await box.fill("from a phone");
  await box.press("Enter");
  await p.getByRole("article").filter({ hasText: "from a phone" }).waitFor();
  // The member list is a pane of its own.
  await p.getByRole("button", { name: "Members" }).click();
  const members = p.getByRole("complementary", { name: "Members" });
  await members.getByText(`phone_${unique}`).waitFor();
  assert.equal(await box.isVisible(), false);
  await members.getByRole("button", { name: "Back to chat" }).click();
  await box.waitFor();
  // Nothing overflows the screen sideways.
  const wide = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `page is ${wide}px wide`);
  assert.deepEqual(problems, []);
  await context.close();
});

test.after(async () => {
  await browser.close();
});
