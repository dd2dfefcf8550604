import type { AddressLimits } from '../limits/address-guard';
import type { LogLevel } from '../log/logger';
import type { SfuConfig } from '../sfu/sfu-rooms';

/** The limits each connection lives under. Every one is configurable, and tests shorten the timers. */
export interface Limits extends AddressLimits {
  /** Largest text message accepted, in bytes. */
  maxMessageBytes: number;
  /** Sustained messages per second per connection. */
  ratePerSecond: number;
  /** Messages a connection may send in a burst above the sustained rate. */
  rateBurst: number;
  /** Sockets that have not yet authenticated, across the server. */
  maxUnauthenticated: number;
  /** Authenticated connections across the server. */
  maxConnections: number;
  /** Time a socket has to authenticate before it is closed. */
  authTimeoutMs: number;
  /** Interval between pings; a socket that missed the last pong is dropped. */
  heartbeatMs: number;
  /** An invite that is not answered in this time ends with call.ended "timeout". */
  inviteTimeoutMs: number;
  /** An active call outlives a party's dropped connection by this long, so that it can come back and resume it. */
  callGraceMs: number;
  /** How often the server checks the database for revocations made by the admin CLI. */
  revocationPollMs: number;
  /** A client that lets this much unread output pile up is dropped rather than buffered for. */
  maxBufferedBytes: number;
  /**
   * Full directory copies (a `directory.sync` answered in full) a connection may have at once;
   * after that, one per `fullDirectoryIntervalMs`. A full copy is the whole company: thousands of
   * times the size of the request. Deltas are limited only by the message rate.
   */
  fullDirectoryBurst: number;
  fullDirectoryIntervalMs: number;
  /**
   * Last-seen times are written in batches, every `lastSeenFlushMs`: a crash loses at most one
   * batch of logins and logouts. Users who stay connected are written every `lastSeenRefreshMs`
   * (a multiple of the flush), so after a crash their time is at most that old, not their login.
   */
  lastSeenFlushMs: number;
  lastSeenRefreshMs: number;
}

/** Several instances share one Redis store (docs/deployment.md); without it, SQLite in dataDir. */
export interface RedisConfig {
  url: string;
  /** The admin vouches that Redis persists every write, where CONFIG GET is refused. */
  persistenceCheckedByAdmin: boolean;
}

export const DEFAULT_LIMITS: Limits = {
  // A group.commit adding 49 members carries the commit and its Welcome (shared/protocol/group.ts).
  maxMessageBytes: 96 * 1024,
  ratePerSecond: 30,
  rateBurst: 120,
  maxUnauthenticated: 1000,
  maxConnections: 50_000,
  authTimeoutMs: 10_000,
  heartbeatMs: 30_000,
  inviteTimeoutMs: 30_000,
  callGraceMs: 20_000,
  revocationPollMs: 500,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxUnauthenticatedPerAddress: 50,
  connectRatePerAddress: 10,
  connectBurstPerAddress: 50,
  enrollFailuresPerAddress: 10,
  enrollFailures: 300,
  fullDirectoryBurst: 2,
  fullDirectoryIntervalMs: 30_000,
  lastSeenFlushMs: 5000,
  lastSeenRefreshMs: 60_000,
};

export interface TurnConfig {
  urls: string[];
  secret: string;
  ttlSeconds: number;
}

export interface ServerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /** Set: the durable store is this Redis, shared with other instances, and dataDir is not used. */
  redis?: RedisConfig;
  /** The URL clients connect to and sign; undefined means "ws://host:port/ws", loopback only. */
  publicUrl: string | undefined;
  /** Proxies whose X-Forwarded-For names the client, as address keys (see limits/client-address.ts). */
  trustedProxies: string[];
  turn: TurnConfig | undefined;
  /** Meetings over a Janus SFU (docs/deployment.md, "Janus for meetings"); undefined: none. */
  sfu?: SfuConfig;
  limits: Limits;
  logLevel: LogLevel;
  /** Cluster mode: the Redis that instances share (docs/deployment.md); undefined runs one instance alone. */
  cluster?: { redisUrl: string; instanceTtlMs: number };
}
