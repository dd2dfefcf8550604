/*
 * A client's side of Janus's own HTTP API, for tests: what an app does with the seat the server
 * handed it (session, attach, join as a participant), with the token in every request, and what an
 * outsider would try. No WebRTC: joining a VideoRoom as a participant needs none.
 */

export type JoinOutcome = { ok: true; id: number } | { ok: false; stage: 'session' | 'attach' | 'join'; code: number; reason: string };

interface Reply {
  janus?: string;
  data?: { id?: number };
  error?: { code?: number; reason?: string };
  plugindata?: { data?: Record<string, unknown> };
}

async function post(url: string, body: Record<string, unknown>): Promise<Reply> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: Math.random().toString(36).slice(2) }), signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as Reply;
}

function refusal(stage: 'session' | 'attach' | 'join', reply: Reply): JoinOutcome {
  return { ok: false, stage, code: reply.error?.code ?? -1, reason: reply.error?.reason ?? JSON.stringify(reply) };
}

/**
 * Joins `room` as participant `id`, as an app would: `token` in every request (undefined: none at
 * all), `roomToken` in the join (by default the same).
 */
export async function joinRoom(apiUrl: string, token: string | undefined, room: number, id: number, roomToken = token): Promise<JoinOutcome & { session?: number }> {
  const auth = token === undefined ? {} : { token };
  const created = await post(apiUrl, { janus: 'create', ...auth });
  const session = created.data?.id;
  if (created.janus !== 'success' || session === undefined) return refusal('session', created);
  const attached = await post(`${apiUrl}/${session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom', ...auth });
  const handle = attached.data?.id;
  if (attached.janus !== 'success' || handle === undefined) return { ...refusal('attach', attached), session };
  const sent = await post(`${apiUrl}/${session}/${handle}`, { janus: 'message', body: { request: 'join', ptype: 'publisher', room, id, display: 'test', ...(roomToken === undefined ? {} : { token: roomToken }) }, ...auth });
  if (sent.janus !== 'ack') return { ...refusal('join', sent), session };
  // The join's answer is an event, fetched by long poll.
  const query = token === undefined ? '' : `&token=${encodeURIComponent(token)}`;
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const response = await fetch(`${apiUrl}/${session}?maxev=5&rid=${Date.now()}${query}`, { signal: AbortSignal.timeout(40_000) });
    const events = (await response.json()) as Reply | Reply[];
    for (const event of Array.isArray(events) ? events : [events]) {
      const data = event.plugindata?.data;
      if (data === undefined) continue;
      if (data.videoroom === 'joined' && typeof data.id === 'number') return { ok: true, id: data.id, session };
      if (typeof data.error_code === 'number') return { ok: false, stage: 'join', code: data.error_code, reason: String(data.error), session };
    }
  }
  return { ok: false, stage: 'join', code: -1, reason: 'no answer to the join', session };
}
