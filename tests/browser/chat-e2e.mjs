// End to end in headless Chromium: two people chat through RawChat's browser page, and one of
// them survives a dropped connection without losing or doubling a message.
//
//   node chat-e2e.mjs BASE_URL TOKEN1 TOKEN2 ROOM SCREENSHOT_PNG [SEEDED]
//
// SEEDED: how many messages ("seed 1" … "seed N") the room already holds; with more than one
// history page of them, "load older" is checked too. Drives Debian's chromium
// (RAWCHAT_CHROMIUM, default /usr/bin/chromium) with playwright-core. Prints one line per
// check; the last line is "browser chat: all checks passed", else the exit code is 1.
// Run by RawChat.Tests/Browser/BrowserChatTests.cs.

import assert from "node:assert/strict";
import { launchChromium } from "./chromium.mjs";

const [baseUrl, token1, token2, room, screenshotPath, seededArg = "0"] = process.argv.slice(2);
if (!screenshotPath) {
  console.error("usage: node chat-e2e.mjs BASE_URL TOKEN1 TOKEN2 ROOM SCREENSHOT_PNG [SEEDED]");
  process.exit(2);
}

const seeded = Number(seededArg);
const HISTORY_PAGE = 50;
const TIMEOUT_MS = 20_000;

const pageErrors = [];
const check = (what) => console.log(`ok - ${what}`);

let browser;
try {
  browser = await launchChromium();
  console.log(`chromium ${browser.version()}, page ${baseUrl}, room ${room}`);
  await run();
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
  console.log("browser chat: all checks passed");
} catch (error) {
  console.error(`browser chat: FAILED: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}

async function run() {
  const alice = await openAs("page 1", token1);
  const bob = await openAs("page 2", token2);
  check("both pages connected to the room, the token in the subprotocol and not in the URL");

  if (seeded > 0) {
    const shown = Math.min(seeded, HISTORY_PAGE);
    await shownText(alice.page, `seed ${seeded}`);
    assert.deepEqual(await seedNumbers(alice.page), range(seeded - shown + 1, seeded), "the newest history page");
    if (seeded > HISTORY_PAGE) {
      await alice.page.click("#load-older");
      await shownText(alice.page, "seed 1");
      await alice.page.locator("#load-older").waitFor({ state: "hidden" });
      assert.deepEqual(await seedNumbers(alice.page), range(1, seeded), "all history, in order, once");
      await alice.page.locator("#history-note", { hasText: "beginning of" }).waitFor();
      check(`history: the newest ${shown} at connect, "load older" brings the rest, then the beginning is marked`);
    } else {
      check(`history: the room's ${shown} messages at connect`);
    }
  }

  for (const user of [alice, bob]) {
    await user.page.waitForFunction(() =>
      document.getElementById("presence-note").textContent === "Presence not available on this server."
      || document.querySelectorAll("#people-list li").length >= 2);
  }
  const presence = await alice.page.locator("#people-list li").allTextContents();
  if (presence.length === 0) {
    check('who is online: this server has no presence, the page says "Presence not available"');
  } else {
    assert.ok(presence.some((p) => p.includes("alice")) && presence.some((p) => p.includes("bob")), presence.join(", "));
    check(`who is online: ${presence.join(", ")}`);
  }

  // A post shows as pending until its ack, then as a stored message on both pages.
  await alice.page.evaluate(() => {
    window.sawPending = false;
    new MutationObserver(() => {
      window.sawPending ||= document.querySelector("#message-lists li.message.pending") !== null;
    }).observe(document.getElementById("message-lists"), { childList: true, subtree: true });
  });
  await alice.page.fill("#composer-text", "Hello Bob, this is Alice");
  await alice.page.press("#composer-text", "Enter");
  await shownText(alice.page, "Hello Bob, this is Alice");
  assert.equal(await alice.page.evaluate(() => window.sawPending), true, "the post was shown as pending first");
  await shownText(bob.page, "Hello Bob, this is Alice");
  check("page 1 posts (pending, then acknowledged); page 2 shows it");

  await bob.page.fill("#composer-text", "Hi Alice! Bob here.");
  await bob.page.click("#send-button");
  await shownText(alice.page, "Hi Alice! Bob here.");
  check("page 2 replies; page 1 shows it");

  const markup = `<img src=x onerror="window.pwned=1"><b>not bold</b> & "quoted"`;
  await alice.page.fill("#composer-text", markup);
  await alice.page.press("#composer-text", "Enter");
  const shownMarkup = await shownText(bob.page, markup);
  assert.equal(await shownMarkup.evaluate((el) => el.childElementCount), 0, "message text became markup");
  assert.equal(await bob.page.evaluate(() => window.pwned), undefined);
  check("message text is shown as text, never as markup");

  assert.equal(await alice.page.locator("#message-lists li.message.pending").count(), 0, "posts still pending");
  await alice.page.screenshot({ path: screenshotPath });
  check(`screenshot of page 1 in ${screenshotPath}`);

  // Drop page 2's socket while its network is down, post from page 1 meanwhile, then let page 2
  // back online: it must reconnect with ?since= and show the missed message exactly once.
  const lastSeqBefore = Math.max(...(await shownSeqs(bob.page)));
  const socketsBefore = bob.sockets.length;
  await bob.context.setOffline(true);
  await bob.page.evaluate(() => window.rawchat.dropConnection());
  await bob.page.locator('#status[data-state="reconnecting"]').waitFor();
  await alice.page.fill("#composer-text", "Sent while Bob was away");
  await alice.page.press("#composer-text", "Enter");
  await shownText(alice.page, "Sent while Bob was away");
  // One attempt fails while offline (the page then backs off), before the network comes back.
  await bob.page.locator("#status-text", { hasText: "Cannot reach the server" }).waitFor();
  assert.equal(await bob.page.locator("#message-lists .text", { hasText: "while Bob was away" }).count(), 0,
    "page 2 saw the message while disconnected");
  await bob.context.setOffline(false);
  await shownText(bob.page, "Sent while Bob was away");
  await bob.page.locator('#status[data-state="online"]').waitFor();

  const reconnects = bob.sockets.slice(socketsBefore);
  assert.ok(reconnects.length >= 2, `page 2 tried ${reconnects.length} socket(s), expected a failed one and a good one`);
  for (const url of reconnects) {
    const query = new URL(url).searchParams;
    assert.equal(query.get("since"), String(lastSeqBefore), `reconnect URL ${url}`);
    assert.equal(query.get("room"), room, `reconnect URL ${url}`);
  }
  check(`page 2 reconnected with since=${lastSeqBefore} (${reconnects.length} attempt(s)) and shows the missed message`);

  // Anything doubled by the replay would arrive before this later message.
  await alice.page.fill("#composer-text", "And one after the reconnect");
  await alice.page.press("#composer-text", "Enter");
  await shownText(bob.page, "And one after the reconnect");
  const bobTexts = await bob.page.locator("#message-lists li.message[data-seq] .text").allTextContents();
  assert.equal(bobTexts.filter((t) => t === "Sent while Bob was away").length, 1, "the missed message, once");
  const bobSeqs = await shownSeqs(bob.page);
  assert.deepEqual(bobSeqs, range(bobSeqs[0], bobSeqs[0] + bobSeqs.length - 1),
    "page 2 shows each seq once, in order, with no gap");
  const aliceSeqs = await shownSeqs(alice.page);
  assert.equal(bobSeqs.at(-1), aliceSeqs.at(-1), "both pages end at the same message");
  check(`page 2 shows every message once, in seq order, with no gap (seq ${bobSeqs[0]}–${bobSeqs.at(-1)})`);
}

async function openAs(label, token) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const sockets = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  page.on("pageerror", (error) => pageErrors.push(`${label}: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      console.log(`  (${label} console.${message.type()}: ${message.text()})`);
    }
  });

  await page.goto(baseUrl);
  assert.equal(await page.title(), "RawChat");
  await page.fill("#token", token);
  await page.fill("#room", room);
  await page.click("#connect-button");
  await page.locator('#status[data-state="online"]').waitFor();
  assert.equal(await page.locator("#room-title").textContent(), `#${room}`);
  assert.ok(!sockets[0].includes(token), "the token is in the socket URL");
  return { context, page, sockets };
}

/** Waits until a stored message (one with a seq) with exactly this text is shown; returns its text element. */
async function shownText(page, text) {
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const locator = page.locator("#message-lists li.message[data-seq] .text", { hasText: exact });
  await locator.first().waitFor();
  return locator.first();
}

async function shownSeqs(page) {
  return page.locator("#message-lists li.message[data-seq]").evaluateAll((items) => items.map((li) => Number(li.dataset.seq)));
}

async function seedNumbers(page) {
  const texts = await page.locator("#message-lists li.message[data-seq] .text").allTextContents();
  return texts.filter((t) => t.startsWith("seed ")).map((t) => Number(t.slice(5)));
}

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
