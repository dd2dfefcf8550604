import type { ProtocolErrorCode } from '../../shared/protocol';
import { Counter, Gauge, Histogram, Registry } from './registry';

/** Why the server refused a message or a socket; each limit and each auth failure has its own. */
/** Why the server refused a message or a socket: each protocol error, and the two limits that just drop. */
export type RejectReason = ProtocolErrorCode | 'heartbeat-timeout' | 'slow-consumer';

export interface ConnectionCounts {
  unauthenticated: number;
  authenticated: number;
}

/** Everything /metrics exposes. Counts and timings only: no user ids, which would be metadata. */
export function createServerMetrics(connections: () => ConnectionCounts, activeCalls: () => number) {
  const registry = new Registry();
  const metrics = {
    registry,
    connections: registry.register(
      new Gauge('sealcall_connections', 'Open WebSocket connections, by authentication state.', () => {
        const counts = connections();
        return [
          [{ state: 'unauthenticated' }, counts.unauthenticated],
          [{ state: 'authenticated' }, counts.authenticated],
        ];
      }),
    ),
    authenticatedUsers: registry.register(
      new Gauge('sealcall_authenticated_users', 'Users with a live authenticated connection.', () => [[{}, connections().authenticated]]),
    ),
    activeCalls: registry.register(new Gauge('sealcall_calls_active', 'Calls ringing or in progress.', () => [[{}, activeCalls()]])),
    memory: registry.register(
      new Gauge('process_resident_memory_bytes', 'Resident set size of the server process.', () => [[{}, process.memoryUsage.rss()]]),
    ),
    messages: registry.register(new Counter('sealcall_messages_total', 'Client messages accepted, by type.')),
    directorySyncs: registry.register(new Counter('sealcall_directory_syncs_total', 'directory.sync answers, by kind (full copy or delta).')),
    rejects: registry.register(new Counter('sealcall_rejects_total', 'Messages and sockets refused, by reason.')),
    auths: registry.register(new Counter('sealcall_auth_total', 'Authentication attempts, by method and result.')),
    relayLatency: registry.register(
      new Histogram(
        'sealcall_relay_latency_seconds',
        'Time from a call message arriving to its relay being handed to the target socket.',
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      ),
    ),
  };
  return metrics;
}

export type ServerMetrics = ReturnType<typeof createServerMetrics>;
