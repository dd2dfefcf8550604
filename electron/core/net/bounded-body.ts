import { concatBytes } from '../../../shared/crypto/bytes';
/**
 * A response body read whole up to `maxBytes`, or undefined once it is larger: the declared length
 * is checked first, and the count holds even when that header lies or is absent. Whatever is left
 * unread is cancelled, so a server that streams for ever costs at most `maxBytes` of memory.
 */
export async function readBoundedBody(response: Response, maxBytes: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (reader) {
    for (;;) {
      const read: { done: boolean; value?: unknown } = await reader.read();
      if (read.done) break;
      if (!(read.value instanceof Uint8Array)) break;
      total += read.value.length;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(read.value);
    }
  }
  return concatBytes(...chunks);
}
