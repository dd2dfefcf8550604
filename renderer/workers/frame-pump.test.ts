import { describe, expect, it } from 'vitest';
import { pumpFrames } from './frame-pipeline';

function source(chunks: readonly unknown[], fail?: Error): ReadableStream<unknown> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (fail === undefined) controller.close();
      else controller.error(fail);
    },
  });
}

function sink(): { stream: WritableStream<unknown>; written: unknown[] } {
  const written: unknown[] = [];
  return { stream: new WritableStream({ write: (chunk) => void written.push(chunk) }), written };
}

describe('pumpFrames', () => {
  it('passes on, in order, the frames the processor keeps, and drops the others', async () => {
    const { stream, written } = sink();
    await pumpFrames(source([1, 2, 3, 4, 5]), stream, (chunk) => chunk !== 3);
    // The writes were not awaited one by one; a turn lets the last ones land.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(written).toEqual([1, 2, 4, 5]);
  });

  it('ends quietly when the readable errors, after what came before', async () => {
    const { stream, written } = sink();
    await expect(pumpFrames(source([1, 2], new Error('connection closed')), stream, () => true)).resolves.toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(written.length).toBeLessThanOrEqual(2);
  });

  it('ends quietly when the writable fails', async () => {
    const failing = new WritableStream({
      write() {
        throw new Error('sink gone');
      },
    });
    await expect(pumpFrames(source([1, 2, 3]), failing, () => true)).resolves.toBeUndefined();
  });
});
