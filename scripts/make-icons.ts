/**
 * Draws the installer icon, build/icon.png (1024 px: electron-builder derives the macOS .icns, the
 * Windows .ico and the Linux sizes from it), from the same code that draws the tray icon.
 * Run after changing electron/core/shell-policy/app-icon.ts: `npx tsx scripts/make-icons.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { markPng } from '../electron/core/shell-policy/app-icon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'build', 'icon.png');
writeFileSync(target, markPng(1024));
console.log(`wrote ${path.relative(root, target)}`);
