import { encodePng } from '../../electron/core/shell-policy/png';
import type { CaptureSource } from '../../electron/core/shell-policy/display-media';

/*
 * The harness's captureSources port. Chromium's fake display capture
 * (--use-fake-ui-for-media-stream) always captures its one fake screen, so the picker offers that
 * one screen, with a drawn thumbnail, as desktopCapturer would on a one-monitor machine.
 */

function thumbnail(width: number, height: number): string {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const at = (y * width + x) * 4;
      // A desktop-ish picture: a blue gradient with a light "window" in the middle.
      const inWindow = x > width * 0.2 && x < width * 0.8 && y > height * 0.2 && y < height * 0.75;
      rgba[at] = inWindow ? 236 : 30 + Math.round((x / width) * 40);
      rgba[at + 1] = inWindow ? 240 : 60 + Math.round((y / height) * 60);
      rgba[at + 2] = inWindow ? 245 : 140 + Math.round((x / width) * 80);
      rgba[at + 3] = 255;
    }
  }
  return `data:image/png;base64,${Buffer.from(encodePng(width, height, rgba)).toString('base64')}`;
}

const FAKE_SCREEN: CaptureSource = { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: thumbnail(160, 90) };

export function harnessCaptureSources(): Promise<readonly CaptureSource[]> {
  return Promise.resolve([FAKE_SCREEN]);
}
