import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What the browser tier checks on every page: at a desk (1280 px) and on a phone (390 px), nothing
 * wider than the screen and no axe-core violation (WCAG 2.1 A and AA, and axe's best practices);
 * the README's screenshots (docs/screenshots) taken on the way; and no refusal by the pages' CSP.
 */

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const screenshots = 'docs/screenshots';
export const widths = { desktop: 1280, phone: 390 } as const;
export type Width = keyof typeof widths;

/** WCAG 2.1 A and AA, and axe's best practices. */
const axeOptions = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } };

interface AxeViolation {
  id: string;
  nodes: string[];
}

/**
 * The page as it is now, at both widths. `shot` names its screenshots (`<name>-desktop.png`,
 * `<name>-phone.png`), taken at the widths in `at` (both when not given).
 */
export async function checkPage(page: Page, name: string, shot?: string | { name: string; at?: Width[] }): Promise<void> {
  const photo = typeof shot === 'string' ? { name: shot } : shot;
  await page.evaluate(axeSource);
  for (const [label, width] of Object.entries(widths) as [Width, number][]) {
    await page.setViewportSize({ width, height: 900 });
    const size = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })')) as {
      scroll: number;
      client: number;
    };
    expect(size.scroll, `${name} is wider than the screen at ${width} px`).toBeLessThanOrEqual(size.client);
    const violations = await page.evaluate(
      `axe.run(document, ${JSON.stringify(axeOptions)}).then((r) => r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) })))`,
    );
    expect(violations as AxeViolation[], `${name} at ${width} px`).toEqual([]);
    if (photo && (photo.at ?? ['desktop', 'phone']).includes(label)) {
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: join(screenshots, `${photo.name}-${label}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: widths.desktop, height: 900 });
}

/** The pages' CSP refusals heard on the pages watched; a test expects none. */
export function cspWatch() {
  const refusals: string[] = [];
  const watched = new WeakSet<Page>();
  return {
    refusals,
    watch(page: Page): Page {
      if (watched.has(page)) return page;
      watched.add(page);
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) refusals.push(`${page.url()}: ${message.text()}`);
      });
      return page;
    },
  };
}

/** The id of the element that has focus (an error summary takes it). */
export const focusedId = (page: Page) => page.evaluate("document.activeElement ? document.activeElement.id : ''");
