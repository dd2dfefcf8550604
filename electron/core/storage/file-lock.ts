import path from 'node:path';

/**
 * Runs tasks one after another, in the order they were queued. A failed task does not stop the
 * ones after it: each caller gets its own result or error.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

const queues = new Map<string, { queue: SerialQueue; pending: number }>();

/**
 * Serializes work on one file across everything in this process, whoever holds a reference to it:
 * two quick writes must not interleave, and a writer must not clean up another's temp file.
 */
export async function withFileLock<T>(file: string, task: () => Promise<T>): Promise<T> {
  const key = path.resolve(file);
  let entry = queues.get(key);
  if (entry === undefined) {
    entry = { queue: new SerialQueue(), pending: 0 };
    queues.set(key, entry);
  }
  entry.pending++;
  try {
    return await entry.queue.run(task);
  } finally {
    entry.pending--;
    // Forget idle files, so a long-running process does not keep one entry per file ever touched.
    if (entry.pending === 0) queues.delete(key);
  }
}
