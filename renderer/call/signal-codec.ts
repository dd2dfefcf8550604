import type { SignalData } from '../../shared/protocol/call';

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null;
}

const DESCRIPTION_TYPES = ['offer', 'answer', 'pranswer', 'rollback'] as const;

function descriptionType(value: unknown): (typeof DESCRIPTION_TYPES)[number] | undefined {
  return DESCRIPTION_TYPES.find((type) => type === value);
}

/**
 * What simple-peer emitted, rebuilt in the wire form the server relays (exactly the protocol's
 * fields, nothing else), or undefined for what the protocol does not carry. Sizes are checked by
 * the bridge against the contract. Written out rather than parsed with the zod schema: zod's
 * object parser probes for eval, which the renderer's CSP forbids.
 */
export function toWireSignal(data: unknown): SignalData | undefined {
  if (!isFields(data)) return undefined;
  const type = descriptionType(data['type']);
  if (type !== undefined && typeof data['sdp'] === 'string') return { type, sdp: data['sdp'] };
  const candidate = data['candidate'];
  if (data['type'] === 'candidate' && isFields(candidate) && typeof candidate['candidate'] === 'string') {
    return {
      type: 'candidate',
      candidate: {
        candidate: candidate['candidate'],
        sdpMLineIndex: typeof candidate['sdpMLineIndex'] === 'number' ? candidate['sdpMLineIndex'] : null,
        sdpMid: typeof candidate['sdpMid'] === 'string' ? candidate['sdpMid'] : null,
      },
    };
  }
  // simple-peer tags these with a `type` the wire form leaves out; the other side reads the flag.
  if (data['renegotiate'] === true) return { renegotiate: true };
  const request = data['transceiverRequest'];
  if (isFields(request) && (request['kind'] === 'audio' || request['kind'] === 'video')) return { transceiverRequest: { kind: request['kind'] } };
  return undefined;
}
