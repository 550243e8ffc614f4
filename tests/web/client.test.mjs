// The web client in Chromium, against a running hearth (HEARTH_URL): a person creates an
// account, makes a server, logs out and back in; a wrong password is refused in words; a second
// person in another browser context sees only their own servers; the page breaks no rule of its
// Content-Security-Policy.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, browser, person, unique } from "./support.mjs";




test("a person creates an account, a server, logs out and back in", async () => {
  const { context, page, problems } = await person();
  const name = `alice_${unique}`;
  await page.goto(BASE + "/");
  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  const servers = page.getByRole("navigation", { name: "Servers" });
  await servers.waitFor();
  await page.getByText("No servers yet.").waitFor();

  await page.getByLabel("Server name").fill("Hearthside");
  await page.getByRole("button", { name: "Create server" }).click();
  await servers.getByText("Hearthside").waitFor();

  // Reloading keeps the session; a deep link opens the client too.
  await page.goto(BASE + "/channels/1/2");
  await servers.getByText("Hearthside").waitFor();

  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByRole("button", { name: "Log in" }).waitFor();

  await page.getByLabel("Username").fill(name);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  assert.match(await alert.innerText(), /\S/);

  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Log in" }).click();
  await servers.getByText("Hearthside").waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test("a second person sees only their own servers", async () => {
  const { context, page, problems } = await person();
  await page.goto(BASE + "/login");
  await page.getByLabel("Username").fill(`bob_${unique}`);
  await page.getByLabel("Password").fill("another good password");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("No servers yet.").waitFor();
  assert.equal(await page.getByText("Hearthside").count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test.after(async () => {
  await browser.close();
});
