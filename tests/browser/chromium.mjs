// Debian's chromium (RAWCHAT_CHROMIUM, default /usr/bin/chromium), headless, through playwright-core,
// which gives every launch a fresh, empty user data dir of its own. Shared by the *-e2e.mjs scripts.
import { chromium } from "playwright-core";

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export const launchChromium = () =>
  chromium.launch({
    executablePath: process.env.RAWCHAT_CHROMIUM || "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
