import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { serveDirectory, type StaticServer } from './harness/static-server';
import { expectAccessible, snapBothSchemes, WINDOW_SIZE } from './screens-support';
import type {} from './screens-meeting/page-entry';

/*
 * The group call screen in a meeting of 50 (the screen alone, e2e/screens-meeting/page-entry.tsx,
 * in real Chromium): the grid shows a page of at most 9 tiles and no video for anyone off it, the
 * pager turns pages by mouse and keyboard, the recent speaker comes to page 1, raised hands show
 * on the tile and lead the participant list in the order they went up, and the search narrows
 * the list.
 */

const FIRST = ['Avery', 'Blake', 'Casey', 'Devon', 'Emery', 'Finley', 'Gray', 'Harper', 'Indigo', 'Jules', 'Kendall', 'Logan', 'Morgan', 'Noel', 'Oakley', 'Parker', 'Quinn'];
const LAST = ['Adams', 'Brooks', 'Chen'];
/** 49 others, "Avery Adams" (u01) to "Zed Zimmer" (u49): names in list order match the user ids. */
const OTHERS = [...FIRST.flatMap((first) => LAST.map((last) => `${first} ${last}`)).slice(0, 48).sort(), 'Zed Zimmer'];

// axe over a screen of 50 list rows and 9 live videos, in both schemes, took up to 2 minutes on the
// shared 2-core machine: the limit bounds a hung test, it times nothing.
test.describe.configure({ timeout: 300_000 });

let dir: string | undefined;
let server: StaticServer | undefined;

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sealcall-meeting-page-'));
  await build({
    entryPoints: { page: path.join(import.meta.dirname, 'screens-meeting', 'page-entry.tsx') },
    bundle: true,
    outdir: dir,
    format: 'iife',
    platform: 'browser',
    target: 'chrome130',
    logLevel: 'silent',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
  });
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><html lang="en"><title>Meeting</title><link rel="stylesheet" href="page.css"><div id="root"></div><script src="page.js"></script></html>',
  );
  server = await serveDirectory(dir);
});

test.afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function openMeeting(page: Page): Promise<void> {
  if (server === undefined) throw new Error('the page server did not start');
  const errors: string[] = [];
  page.on('pageerror', (error) => {
    errors.push(error.message);
  });
  await page.setViewportSize(WINDOW_SIZE);
  await page.goto(server.url);
  await expect(page.getByRole('toolbar', { name: 'Call controls' })).toBeVisible();
  expect(errors).toEqual([]);
  await page.evaluate((others) => {
    window.meetingPage.setup({
      others,
      invitees: [
        { userId: 'r1', displayName: 'Rita Ringing', absence: null },
        { userId: 'r2', displayName: 'Rob Ringing', absence: null },
        { userId: 'd1', displayName: 'Dora Declined', absence: 'declined' },
      ],
    });
  }, OTHERS);
}

const grid = (page: Page) => page.getByRole('list', { name: /^People in the call/ });
const tileIds = (page: Page) => grid(page).getByRole('listitem').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-user-id')));
const lastVisible = (page: Page) => page.evaluate(() => window.meetingPage.visible.at(-1) ?? []);

test('50 people: a page of 9 tiles, video only on the page, the pager by mouse and keyboard', async ({ page }, testInfo) => {
  await openMeeting(page);
  await expect(grid(page).getByRole('listitem')).toHaveCount(9);
  expect(await tileIds(page)).toEqual(['me', 'u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u08']);
  const pager = page.getByRole('navigation', { name: 'Pages of people' });
  await expect(pager).toContainText('1 / 7');
  await expect(pager.getByRole('status')).toHaveText('Page 1 of 7');
  // The page's 9 tiles decode video; the other 41 members have no <video> at all.
  await expect(page.locator('video')).toHaveCount(9);
  await expect.poll(() => lastVisible(page)).toEqual(['me', 'u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u08']);
  await expect(page.getByRole('button', { name: 'Previous page of people' })).toHaveAttribute('aria-disabled', 'true');
  await snapBothSchemes(page, testInfo, 'meeting-50');
  await expectAccessible(page, 'a meeting of 50');

  await page.getByRole('button', { name: 'Next page of people' }).click();
  await expect(pager).toContainText('2 / 7');
  expect(await tileIds(page)).toEqual(['me', 'u09', 'u10', 'u11', 'u12', 'u13', 'u14', 'u15', 'u16']);
  await expect.poll(() => lastVisible(page)).toEqual(['me', 'u09', 'u10', 'u11', 'u12', 'u13', 'u14', 'u15', 'u16']);
  await expect(page.locator('video')).toHaveCount(9);

  // Keyboard: the pager's buttons by Enter, and PageDown / PageUp from anywhere in the call.
  await page.getByRole('button', { name: 'Next page of people' }).focus();
  await page.keyboard.press('Enter');
  await expect(pager).toContainText('3 / 7');
  await page.keyboard.press('PageDown');
  await expect(pager).toContainText('4 / 7');
  for (let press = 0; press < 5; press++) await page.keyboard.press('PageDown');
  await expect(pager).toContainText('7 / 7');
  expect(await tileIds(page)).toEqual(['me', 'u49']);
  // At the end the button keeps the focus (aria-disabled, not disabled) and does nothing.
  await expect(page.getByRole('button', { name: 'Next page of people' })).toHaveAttribute('aria-disabled', 'true');
  await expect(page.getByRole('button', { name: 'Next page of people' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(pager).toContainText('7 / 7');
  await page.keyboard.press('PageUp');
  await expect(pager).toContainText('6 / 7');

  // Someone on a later page speaks: they come to page 1.
  await page.evaluate(() => {
    window.meetingPage.setActiveSpeaker('u40');
  });
  for (let press = 0; press < 6; press++) await page.keyboard.press('PageUp');
  await expect(pager).toContainText('1 / 7');
  expect(await tileIds(page)).toEqual(['me', 'u01', 'u02', 'u03', 'u04', 'u05', 'u06', 'u07', 'u40']);
});

test('raised hands: on the tile, first in the list in the order raised; your own by the button', async ({ page }) => {
  await openMeeting(page);
  await page.evaluate(() => {
    const meeting = window.meetingPage;
    meeting.setHands({ u45: 1, u03: 2 });
    meeting.setActiveSpeaker('u45');
  });
  const tile = grid(page).locator('[data-user-id="u45"]');
  await expect(tile).toContainText('hand raised');
  await expect(grid(page).locator('[data-user-id="u04"]')).not.toContainText('hand raised');

  const list = page.getByRole('region', { name: /^Participants/ });
  const raised = list.getByRole('region', { name: 'Raised hands (2)' });
  await expect(raised.getByRole('listitem')).toHaveCount(2);
  expect(await raised.getByRole('listitem').locator('.group-person-id').allInnerTexts()).toEqual(['u45', 'u03']);
  await expect(list.getByRole('region', { name: 'In the call (48)' })).toBeVisible();
  await expect(list.getByRole('region', { name: 'Invited (2)' })).toBeVisible();
  await expect(list.getByRole('region', { name: 'Not joining (1)' })).toContainText('Declined');

  const hand = page.getByRole('button', { name: 'Raise your hand' });
  await expect(hand).toHaveAttribute('aria-pressed', 'false');
  await hand.focus();
  await page.keyboard.press('Enter');
  const lower = page.getByRole('button', { name: 'Lower your hand' });
  await expect(lower).toHaveAttribute('aria-pressed', 'true');
  await expect(grid(page).locator('[data-user-id="me"]')).toContainText('hand raised');
  await expect(list.getByRole('region', { name: 'Raised hands (3)' }).getByRole('listitem').last()).toContainText('Me Myself (you)');
  await expectAccessible(page, 'a meeting with raised hands');
  await lower.click();
  await expect(list.getByRole('region', { name: 'Raised hands (2)' })).toBeVisible();
});

test('the participant search narrows every section by name', async ({ page }) => {
  await openMeeting(page);
  const list = page.getByRole('region', { name: /^Participants/ });
  const search = list.getByRole('searchbox', { name: 'Search participants' });
  await search.fill('zed');
  await expect(list.getByRole('region', { name: 'In the call (1)' })).toContainText('Zed Zimmer');
  await expect(list.getByRole('status')).toHaveText('1 match');
  await search.fill('ringing');
  await expect(list.getByRole('region', { name: 'Invited (2)' })).toBeVisible();
  await expect(list.getByRole('region', { name: /^In the call/ })).toHaveCount(0);
  await search.fill('chen');
  await expect(list.getByRole('region', { name: 'In the call (16)' })).toBeVisible();
  await search.fill('nobody here');
  await expect(list.getByRole('status')).toHaveText('No one matches');
  await search.fill('');
  // Everyone again, yourself included.
  await expect(list.getByRole('region', { name: 'In the call (50)' })).toBeVisible();
});
