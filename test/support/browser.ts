import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium package. Playwright's own browser download does not work on these machines. */
export const chromiumPath = '/usr/bin/chromium';

/**
 * Launches the system Chromium headless for browser tests. Fails (never skips) when it is not
 * installed, saying how to install it.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Browser tests need Chromium at ${chromiumPath}. Install it with \`apt-get install -y chromium\` (Debian) and run the tests again.`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    // Playwright adds --headless and --no-sandbox itself for these options; the flags are listed
    // too so the launch matches what was verified on these machines.
    headless: true,
    chromiumSandbox: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}
