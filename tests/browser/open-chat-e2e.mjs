// The browser client that docs/clients.md shows (tests/clients/browser/open-chat.js, loaded as it
// is) in headless Chromium against a real node: two people chat in two rooms, and one of them loses
// the socket, posts while offline, and catches up with since without losing or doubling a message.
//
//   node open-chat-e2e.mjs BASE_URL TOKEN1 TOKEN2 ROOM OTHER_ROOM SEEDED
//
// SEEDED: how many messages ("seed 1" … "seed N") ROOM already holds. Drives Debian's chromium
// (RAWCHAT_CHROMIUM, default /usr/bin/chromium) with playwright-core. Prints one line per check;
// the last line is "open-chat snippet: all checks passed", else the exit code is 1.
// Run by RawChat.Tests/Browser/ClientSnippetBrowserTests.cs.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { launchChromium } from "./chromium.mjs";

const [baseUrl, token1, token2, room, other, seededArg] = process.argv.slice(2);
if (!seededArg) {
  console.error("usage: node open-chat-e2e.mjs BASE_URL TOKEN1 TOKEN2 ROOM OTHER_ROOM SEEDED");
  process.exit(2);
}

const seeded = Number(seededArg);
const snippet = fileURLToPath(new URL("../clients/browser/open-chat.js", import.meta.url));
const wsBase = new URL(baseUrl).origin.replace(/^http/, "ws");
const TIMEOUT_MS = 20_000;

const pageErrors = [];
const check = (what) => console.log(`ok - ${what}`);

let browser;
try {
  browser = await launchChromium();
  console.log(`chromium ${browser.version()}, node ${wsBase}, rooms ${room} and ${other}`);
  await run();
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
  console.log("open-chat snippet: all checks passed");
} catch (error) {
  console.error(`open-chat snippet: FAILED: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
}

async function run() {
  const alice = await openAs("alice", token1, [room, other]);
  const bob = await openAs("bob", token2, [room, other]);
  await received(alice, room, `seed ${seeded}`);
  await joined(alice, [room, other]);
  await joined(bob, [room, other]);
  check(`connect: the room's ${seeded} messages arrive as history, the other room is joined`);

  await post(alice, room, "hello from alice");
  await received(bob, room, "hello from alice");
  await received(alice, room, "hello from alice");
  await post(bob, other, "hello in the other room");
  await received(alice, other, "hello in the other room");
  check("posts reach both people, in the connect room and in the joined one");

  // Alice's socket drops; she posts before it is back, and Bob posts in both rooms meanwhile.
  await alice.evaluate(() => window.sockets.at(-1).close());
  await post(alice, room, "written while offline");
  await post(bob, room, "while alice was away");
  await post(bob, other, "other room, while alice was away");
  await received(bob, room, "written while offline");
  await received(alice, room, "while alice was away");
  await received(alice, other, "other room, while alice was away");
  await received(alice, room, "written while offline");
  const urls = await alice.evaluate(() => window.sockets.map((s) => s.url));
  assert.equal(urls.length, 2, `one reconnect: ${urls}`);
  assert.match(urls[1], /\?since=\d+$/, "the reconnect asks for what came after the last seq seen");
  assert.ok(urls.every((url) => !url.includes(token1)), "the token is in a socket URL");
  assert.equal(await alice.evaluate(() => window.tokensAsked), 2, "getToken is asked on every connect");
  check("after a drop: reconnect with since, the post made offline is sent then, nothing missed");

  for (const [name, page] of [["alice", alice], ["bob", bob]]) {
    for (const r of [room, other]) {
      const seqs = await page.evaluate((r) => window.received.filter((m) => m.room === r).map((m) => m.seq), r);
      const sorted = [...seqs].sort((a, b) => a - b);
      assert.deepEqual(sorted, Array.from({ length: sorted.length }, (_, i) => sorted[0] + i),
        `${name} in ${r}: a seq is missing or doubled: ${seqs}`);
    }
    const offline = await page.evaluate(() => window.received.filter((m) => m.message === "written while offline").length);
    assert.equal(offline, 1, `${name} sees the post made offline once`);
  }
  check("each person sees every message once, none missing, the re-sent post stored once");

  await alice.evaluate(() => window.chat.close());
  await bob.evaluate(() => window.chat.close());
}

/**
 * A page at the node's origin running the snippet as `openChat`. Every socket it opens is kept in
 * window.sockets, with the frames it received, so that the test can wait for a join and drop a socket.
 */
async function openAs(label, token, rooms) {
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  page.on("pageerror", (error) => pageErrors.push(`${label}: ${error.message}`));
  await page.goto(new URL("/healthz", baseUrl).href);
  await page.evaluate(() => {
    const Native = window.WebSocket;
    window.sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.frames = [];
        this.addEventListener("message", (event) => this.frames.push(JSON.parse(event.data)));
        window.sockets.push(this);
      }
    };
  });
  await page.addScriptTag({ path: snippet });
  await page.evaluate(({ base, rooms, token }) => {
    window.received = [];
    window.tokensAsked = 0;
    window.chat = openChat({
      base,
      rooms,
      getToken: async () => { window.tokensAsked++; return token; },
      onMessage: (m) => window.received.push(m),
    });
  }, { base: wsBase, rooms, token });
  return page;
}

function post(page, r, text) {
  return page.evaluate(([r, text]) => window.chat.post(r, text), [r, text]);
}

/** Waits until the page's onMessage has been given a message with this room and text. */
function received(page, r, text) {
  return page.waitForFunction(([r, text]) => window.received.some((m) => m.room === r && m.message === text), [r, text]);
}

/** Waits until the page's current socket has had a history frame for each room: the rooms are joined. */
function joined(page, rooms) {
  return page.waitForFunction((rooms) => rooms.every((r) =>
    window.sockets.at(-1)?.frames.some((f) => f.type === "history" && f.room === r)), rooms);
}
