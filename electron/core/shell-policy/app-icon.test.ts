import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { drawMark, markPng } from './app-icon';
import { crc32, encodePng } from './png';

function pixel(rgba: Uint8Array, size: number, x: number, y: number): number[] {
  const at = (y * size + x) * 4;
  return [...rgba.subarray(at, at + 4)];
}

describe('encodePng', () => {
  it('writes a valid PNG whose pixels read back', () => {
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4]);
    const png = encodePng(2, 2, rgba);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    expect([view.getUint32(16), view.getUint32(20)]).toEqual([2, 2]);
    expect(view.getUint32(29)).toBe(crc32(png.subarray(12, 29)));
    const idatLength = view.getUint32(33);
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, ...rgba.subarray(0, 8), 0, ...rgba.subarray(8)]);
  });

  it('knows the CRC-32 check value and refuses wrong sizes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(/RGBA/);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(/size/);
  });
});

describe('the mark', () => {
  const size = 64;
  const mark = drawMark(size);

  it('is a blue shield with a white padlock on a transparent ground', () => {
    expect(pixel(mark, size, 1, 1)[3]).toBe(0);
    expect(pixel(mark, size, 32, 58)).toEqual([0x0f, 0x5f, 0xd6, 255]);
    expect(pixel(mark, size, 32, 36)).toEqual([255, 255, 255, 255]);
  });

  it('carries a presence dot for the tray', () => {
    const online = drawMark(size, { presence: 'online' });
    const offline = drawMark(size, { presence: 'offline' });
    expect(pixel(online, size, 50, 50)).toEqual([0x1e, 0x9e, 0x4a, 255]);
    expect(pixel(offline, size, 50, 50)).toEqual([0x80, 0x88, 0x94, 255]);
  });

  it('encodes as PNG', () => {
    expect(markPng(16).length).toBeGreaterThan(60);
  });
});
