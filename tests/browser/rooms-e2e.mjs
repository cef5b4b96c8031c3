// End to end in headless Chromium: the browser page's member list, its "Your rooms" list and its
// "new direct message" action (docs/protocol.md §14), against a real node, from one person's page.
//
//   node rooms-e2e.mjs BASE_URL TOKEN_B USER_A USER_B USER_C USER_D PRIVATE_ROOM OPEN_ROOM SCREENSHOT_PNG
//
// The page is user B ("bob"). PRIVATE_ROOM is a private room of user A ("alice", its owner) that
// B is a member of; OPEN_ROOM a room nobody created; user D ("dave") has used the API once, user
// C never. What user A does meanwhile, the test that runs this script does over HTTP: the script
// prints "@@ add-c" or "@@ remove-b" and waits for the line "done" on its standard input. It also
// runs the rooms snippet of docs/clients.md in the page. Prints one line per check; the last line
// is "browser rooms: all checks passed", else the exit code is 1.
// Run by RawChat.Tests/Browser/BrowserRoomsTests.cs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { launchChromium } from "./chromium.mjs";

const [baseUrl, tokenB, userA, userB, userC, userD, privateRoom, openRoom, screenshotPath] = process.argv.slice(2);
if (!screenshotPath) {
  console.error("usage: node rooms-e2e.mjs BASE_URL TOKEN_B USER_A USER_B USER_C USER_D PRIVATE_ROOM OPEN_ROOM SCREENSHOT_PNG");
  process.exit(2);
}

const TIMEOUT_MS = 20_000;
const pageErrors = [];
const check = (what) => console.log(`ok - ${what}`);
const stdinLines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

let browser;
try {
  browser = await launchChromium();
  console.log(`chromium ${browser.version()}, page ${baseUrl}, private room ${privateRoom}`);
  await run();
  assert.deepEqual(pageErrors, [], "uncaught errors in the page");
  console.log("browser rooms: all checks passed");
} catch (error) {
  console.error(`browser rooms: FAILED: ${error?.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  process.stdin.destroy();
}

async function run() {
  const { page, sockets, socketObjects, sent, memberReads } = await open();

  // 1. A room nobody created: no members, and the page says it is open.
  await page.locator("#member-note", { hasText: "Open room" }).waitFor();
  assert.equal(await page.locator("#member-list li").count(), 0);
  const hello = sent.find((f) => f.type === "hello");
  assert.deepEqual(hello, { type: "hello", features: ["members"] }, "the page says hello for members");
  check(`#${openRoom}: the page said ${JSON.stringify(hello)}; member list: "${await page.textContent("#member-note")}"`);

  // 2. "Your rooms" lists the private room; a click switches to it and shows both members.
  await page.click(`#my-rooms li[data-room="${privateRoom}"] button`);
  await page.locator("#room-title", { hasText: `#${privateRoom}` }).waitFor();
  await page.locator('#status[data-state="online"]').waitFor();
  await memberShown(page, userA);
  await memberShown(page, userB);
  assert.deepEqual(await memberIds(page), [userA, userB].sort(), "members of the private room");
  assert.match(await memberText(page, userA), /alice.*owner/);
  assert.match(await memberText(page, userB), /bob.*you/);
  assert.equal(await page.textContent("#member-count"), "2");
  assert.match(await page.textContent("#room-info"), /^Private room/);
  assert.equal(new URL(sockets.at(-1)).searchParams.get("room"), privateRoom);
  check(`"Your rooms" → #${privateRoom}: members ${(await page.locator("#member-list li").allTextContents()).join(" | ")}`);

  // 3. User A adds user C over HTTP: the member frame puts C in the list, with no new read of it.
  const readsBefore = memberReads.length;
  await askTheTest("add-c");
  await memberShown(page, userC);
  assert.deepEqual(await memberIds(page), [userA, userB, userC].sort());
  assert.equal(await page.textContent("#member-count"), "3");
  assert.equal(memberReads.length, readsBefore, "the page read the member list again instead of applying the frame");
  check(`user A added user C: the page shows C live from the member frame (${await memberText(page, userC)})`);
  await page.screenshot({ path: screenshotPath });
  check(`screenshot of the member list in ${screenshotPath}`);

  // 4. A direct message to user D from the page: it lands in a dm- room whose members are B and D.
  await page.fill("#dm-user", userD);
  await page.click("#dm-button");
  await page.locator("#room-title", { hasText: /^#dm-[A-Za-z0-9]{20}$/ }).waitFor();
  const dmRoom = (await page.textContent("#room-title")).slice(1);
  await page.locator('#status[data-state="online"]').waitFor();
  await memberShown(page, userD);
  await memberShown(page, userB);
  assert.deepEqual(await memberIds(page), [userB, userD].sort(), "members of the direct room");
  assert.match(await memberText(page, userD), /dave/);
  await page.locator("#room-info", { hasText: "Direct messages with dave" }).waitFor();
  await page.locator(`#my-rooms li[data-room="${dmRoom}"]`, { hasText: "@dave" }).waitFor();
  assert.equal(new URL(sockets.at(-1)).searchParams.get("room"), dmRoom);
  console.log(`dm room: ${dmRoom}`);
  check(`new direct message to user D: the page is in #${dmRoom}, members ${(await page.locator("#member-list li").allTextContents()).join(" | ")}`);

  // 5. An API refusal shows as its text, and never as the token.
  await page.fill("#dm-user", userB);
  await page.click("#dm-button");
  await page.locator("#dm-error", { hasText: "invalid_parameter" }).waitFor();
  const refusal = await page.textContent("#dm-error");
  assert.ok(!(await page.content()).includes(tokenB), "the token is on the page");
  assert.equal(await page.textContent("#room-title"), `#${dmRoom}`, "a refused direct message moved the page");
  check(`a direct message to oneself is refused, shown as: "${refusal}"`);

  // 6. The rooms snippet of docs/clients.md, run in the page with the same token, agrees with the page.
  await runSnippet(page, dmRoom);

  // 7. Back in the private room, user A removes B: the page says so and stops.
  await page.click(`#my-rooms li[data-room="${privateRoom}"] button`);
  await page.locator("#room-title", { hasText: `#${privateRoom}` }).waitFor();
  await memberShown(page, userC);
  await askTheTest("remove-b");
  await page.locator("#room-gone", { hasText: `You were removed from #${privateRoom}.` }).waitFor();
  await page.locator("#status-text", { hasText: `You were removed from #${privateRoom}.` }).waitFor();
  assert.equal(await page.locator("#composer-text").isDisabled(), true, "the composer is still enabled");
  assert.equal(await page.locator("#member-list li").count(), 0);
  const last = socketObjects.at(-1);
  if (!last.isClosed()) await last.waitForEvent("close");
  check(`user A removed B: the page shows "${await page.textContent("#room-gone")}" and closed the socket`);
}

async function open() {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT_MS);
  const sockets = [];
  const socketObjects = [];
  const sent = [];
  const memberReads = [];
  page.on("websocket", (ws) => {
    sockets.push(ws.url());
    socketObjects.push(ws);
    ws.on("framesent", (frame) => {
      try {
        sent.push(JSON.parse(frame.payload));
      } catch {
        // not JSON: not ours to check here
      }
    });
  });
  page.on("request", (request) => {
    if (/\/api\/rooms\/[^/]+\/members/.test(new URL(request.url()).pathname)) memberReads.push(request.url());
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") {
      console.log(`  (console.${message.type()}: ${message.text()})`);
    }
  });

  await page.goto(baseUrl);
  await page.fill("#token", tokenB);
  await page.fill("#room", openRoom);
  await page.click("#connect-button");
  await page.locator('#status[data-state="online"]').waitFor();
  assert.equal(await page.textContent("#room-title"), `#${openRoom}`);
  return { page, sockets, socketObjects, sent, memberReads };
}

/** Prints "@@ what" for the test that runs this script, and waits for its "done". */
async function askTheTest(what) {
  console.log(`@@ ${what}`);
  let timer;
  const line = await Promise.race([
    stdinLines.next(),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer to "@@ ${what}"`)), 60_000); }),
  ]);
  clearTimeout(timer);
  assert.equal(line.done ? null : line.value.trim(), "done", `the answer to "@@ ${what}"`);
}

async function memberShown(page, userId) {
  await page.locator(`#member-list li[data-user-id="${userId}"]`).waitFor();
}

async function memberIds(page) {
  return (await page.locator("#member-list li").evaluateAll((items) => items.map((li) => li.dataset.userId))).sort();
}

async function memberText(page, userId) {
  return page.locator(`#member-list li[data-user-id="${userId}"]`).textContent();
}

/** Loads the block marked <!-- rooms snippet --> in docs/clients.md into the page and calls it. */
async function runSnippet(page, dmRoom) {
  const doc = readFileSync(new URL("../../docs/clients.md", import.meta.url), "utf8").replace(/\r\n/g, "\n");
  const match = /<!-- rooms snippet -->\n```js\n([\s\S]*?)\n```/.exec(doc);
  assert.ok(match, "docs/clients.md has no block marked <!-- rooms snippet -->");
  // One expression, evaluated as DevTools would: the page's CSP forbids eval in its own scripts.
  const args = { token: tokenB, privateRoom, userB, userC, userD };
  const answer = await page.evaluate(`(async () => {\n${match[1]}\nreturn (${useSnippet})(${JSON.stringify(args)});\n})()`);
  assert.deepEqual(answer.members, [userA, userB, userC].sort(), "allMembers");
  assert.equal(answer.dmRoom, dmRoom, "POST /api/dm from the snippet answers the page's direct room");
  assert.ok(answer.myRooms.includes(privateRoom) && answer.myRooms.includes(dmRoom), answer.myRooms.join(", "));
  assert.match(answer.refusal, /^invalid_parameter: /);
  assert.ok(!answer.refusal.includes(tokenB));
  assert.deepEqual(answer.live, [[userA, "owner"], [userC, "moderator"]].sort(), "applyMemberFrame");
  check(`the rooms snippet of docs/clients.md: ${answer.members.length} members, the same direct room, refusal "${answer.refusal}"`);
}

/** Runs in the page, in the scope of the snippet's functions (rawchatApi, allMembers, applyMemberFrame). */
/* global rawchatApi, allMembers, applyMemberFrame */
async function useSnippet({ token, privateRoom, userB, userC, userD }) {
  const base = location.origin;
  const members = await allMembers(base, token, privateRoom);
  const dm = await rawchatApi(base, token, "POST", "/api/dm", { userId: userD });
  const mine = await rawchatApi(base, token, "GET", "/api/me/rooms");
  let refusal = "";
  try {
    await rawchatApi(base, token, "POST", "/api/dm", { userId: userB });
  } catch (error) {
    refusal = error.message;
  }
  const live = new Map(members.map((m) => [m.userId, m.role]));
  applyMemberFrame(live, { type: "member", room: privateRoom, userId: userC, event: "role", role: "moderator" });
  applyMemberFrame(live, { type: "member", room: privateRoom, userId: userB, event: "removed", role: null });
  return {
    members: members.map((m) => m.userId).sort(), dmRoom: dm.room, myRooms: mine.rooms.map((r) => r.room),
    refusal, live: [...live].sort(),
  };
}
