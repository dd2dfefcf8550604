import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { startServer } from '../app';
import { formatDuration } from '../config/duration';
import { checkPublicUrl } from '../config/public-url';
import { DEFAULT_LIMITS, type Limits, type ServerConfig, type TurnConfig } from '../config/server-config';
import { canonicalIp } from '../limits/client-address';
import { errorOrigin } from '../log/error-origin';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log/logger';
import { defineCommand } from './command';
import { JANUS_OPTIONS, readJanus } from './janus-options';
import { CommandError, UsageError } from './io';
import { DATA_DIR_OPTION, HELP_OPTION, durationOption, integerOption, listOption, stringOption, type OptionSpec, type OptionValues } from './options';
import { REDIS_OPTION, REDIS_PERSISTENCE_OPTION, readRedisConfig } from './store-options';
import { checkRedisUrl } from '../store/redis-url';

const o = {
  host: { name: 'host', kind: 'string', env: 'SEALCALL_HOST', default: '127.0.0.1', placeholder: 'ADDR', help: 'address to listen on' },
  port: { name: 'port', kind: 'string', env: 'SEALCALL_PORT', default: '8787', placeholder: 'N', help: 'port to listen on; 0 picks a free one' },
  publicUrl: {
    name: 'public-url',
    kind: 'string',
    env: 'SEALCALL_PUBLIC_URL',
    placeholder: 'URL',
    help: 'the wss:// URL clients use (needed unless listening on loopback)',
  },
  turnUrl: {
    name: 'turn-url',
    kind: 'list',
    env: 'SEALCALL_TURN_URLS',
    placeholder: 'URL',
    help: 'a TURN/STUN URL handed to clients; repeat, or comma-separate in the variable',
  },
  turnSecret: { name: 'turn-secret', kind: 'string', env: 'SEALCALL_TURN_SECRET', placeholder: 'S', help: "coturn's static-auth-secret" },
  turnSecretFile: {
    name: 'turn-secret-file',
    kind: 'string',
    env: 'SEALCALL_TURN_SECRET_FILE',
    placeholder: 'FILE',
    help: 'read the TURN secret from a file (keeps it out of ps)',
  },
  turnTtl: { name: 'turn-ttl', kind: 'duration', env: 'SEALCALL_TURN_TTL', default: '6h', placeholder: 'DUR', help: 'lifetime of TURN credentials' },
  maxMessageBytes: {
    name: 'max-message-bytes',
    kind: 'integer',
    env: 'SEALCALL_MAX_MESSAGE_BYTES',
    default: String(DEFAULT_LIMITS.maxMessageBytes),
    placeholder: 'N',
    help: 'largest message accepted',
  },
  rateLimit: {
    name: 'rate-limit',
    kind: 'integer',
    env: 'SEALCALL_RATE_LIMIT',
    default: String(DEFAULT_LIMITS.ratePerSecond),
    placeholder: 'N',
    help: 'messages per second per connection',
  },
  rateBurst: {
    name: 'rate-burst',
    kind: 'integer',
    env: 'SEALCALL_RATE_BURST',
    default: String(DEFAULT_LIMITS.rateBurst),
    placeholder: 'N',
    help: 'burst allowance above the rate',
  },
  maxUnauthenticated: {
    name: 'max-unauthenticated',
    kind: 'integer',
    env: 'SEALCALL_MAX_UNAUTHENTICATED',
    default: String(DEFAULT_LIMITS.maxUnauthenticated),
    placeholder: 'N',
    help: 'sockets allowed to be waiting for authentication',
  },
  maxConnections: {
    name: 'max-connections',
    kind: 'integer',
    env: 'SEALCALL_MAX_CONNECTIONS',
    default: String(DEFAULT_LIMITS.maxConnections),
    placeholder: 'N',
    help: 'authenticated connections allowed',
  },
  authTimeout: {
    name: 'auth-timeout',
    kind: 'duration',
    env: 'SEALCALL_AUTH_TIMEOUT',
    default: formatDuration(DEFAULT_LIMITS.authTimeoutMs),
    placeholder: 'DUR',
    help: 'time a socket has to authenticate, counted from its TCP accept',
  },
  heartbeat: {
    name: 'heartbeat',
    kind: 'duration',
    env: 'SEALCALL_HEARTBEAT',
    default: formatDuration(DEFAULT_LIMITS.heartbeatMs),
    placeholder: 'DUR',
    help: 'ping interval; a socket that misses a pong is dropped',
  },
  inviteTimeout: {
    name: 'invite-timeout',
    kind: 'duration',
    env: 'SEALCALL_INVITE_TIMEOUT',
    default: formatDuration(DEFAULT_LIMITS.inviteTimeoutMs),
    placeholder: 'DUR',
    help: 'time an unanswered call rings',
  },
  callGrace: {
    name: 'call-grace',
    kind: 'duration',
    env: 'SEALCALL_CALL_GRACE',
    default: formatDuration(DEFAULT_LIMITS.callGraceMs),
    placeholder: 'DUR',
    help: 'how long a call waits for a party whose connection dropped',
  },
  revocationPoll: {
    name: 'revocation-poll',
    kind: 'duration',
    env: 'SEALCALL_REVOCATION_POLL',
    default: formatDuration(DEFAULT_LIMITS.revocationPollMs),
    placeholder: 'DUR',
    help: 'how often to look for revocations made by the CLI',
  },
  trustedProxy: {
    name: 'trusted-proxy',
    kind: 'list',
    env: 'SEALCALL_TRUSTED_PROXIES',
    placeholder: 'ADDR',
    help: "a proxy's IP address whose X-Forwarded-For names the client, for per-address limits; repeat, or comma-separate in the variable",
  },
  maxUnauthenticatedPerAddress: {
    name: 'max-unauthenticated-per-address',
    kind: 'integer',
    env: 'SEALCALL_MAX_UNAUTHENTICATED_PER_ADDRESS',
    default: String(DEFAULT_LIMITS.maxUnauthenticatedPerAddress),
    placeholder: 'N',
    help: 'sockets one client address may have waiting for authentication',
  },
  connectRatePerAddress: {
    name: 'connect-rate-per-address',
    kind: 'integer',
    env: 'SEALCALL_CONNECT_RATE_PER_ADDRESS',
    default: String(DEFAULT_LIMITS.connectRatePerAddress),
    placeholder: 'N',
    help: 'new connections per second from one client address',
  },
  connectBurstPerAddress: {
    name: 'connect-burst-per-address',
    kind: 'integer',
    env: 'SEALCALL_CONNECT_BURST_PER_ADDRESS',
    default: String(DEFAULT_LIMITS.connectBurstPerAddress),
    placeholder: 'N',
    help: 'burst allowance above that rate',
  },
  enrollFailuresPerAddress: {
    name: 'enroll-failures-per-address',
    kind: 'integer',
    env: 'SEALCALL_ENROLL_FAILURES_PER_ADDRESS',
    default: String(DEFAULT_LIMITS.enrollFailuresPerAddress),
    placeholder: 'N',
    help: 'failed enrollments per hour from one client address, before its attempts are refused',
  },
  enrollFailures: {
    name: 'enroll-failures',
    kind: 'integer',
    env: 'SEALCALL_ENROLL_FAILURES',
    default: String(DEFAULT_LIMITS.enrollFailures),
    placeholder: 'N',
    help: 'failed enrollments per hour from all addresses together, before all attempts are refused',
  },
  instanceTtl: {
    name: 'instance-ttl',
    kind: 'duration',
    env: 'SEALCALL_INSTANCE_TTL',
    default: '5s',
    placeholder: 'DUR',
    help: 'with --redis: an instance silent this long is dead, and another takes over its users',
  },
  logLevel: { name: 'log-level', kind: 'string', env: 'SEALCALL_LOG_LEVEL', default: 'info', placeholder: 'LEVEL', help: LOG_LEVELS.join(', ') },
} satisfies Record<string, OptionSpec>;

const SPECS: OptionSpec[] = [o.host, o.port, DATA_DIR_OPTION, REDIS_OPTION, REDIS_PERSISTENCE_OPTION, o.publicUrl, o.trustedProxy, o.turnUrl, o.turnSecret, o.turnSecretFile, o.turnTtl, ...Object.values(JANUS_OPTIONS)];
const LIMIT_SPECS: OptionSpec[] = [
  o.maxMessageBytes,
  o.rateLimit,
  o.rateBurst,
  o.maxUnauthenticated,
  o.maxConnections,
  o.maxUnauthenticatedPerAddress,
  o.connectRatePerAddress,
  o.connectBurstPerAddress,
  o.enrollFailuresPerAddress,
  o.enrollFailures,
  o.authTimeout,
  o.heartbeat,
  o.inviteTimeout,
  o.callGrace,
  o.revocationPoll,
];
const ALL_SPECS = [...SPECS, o.instanceTtl, ...LIMIT_SPECS, o.logLevel, HELP_OPTION];

const USAGE = 'sealcall-server start [options]';

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(`${what} has no value`);
  return value;
}

function readLimits(values: OptionValues): Limits {
  const ms = (spec: OptionSpec, min: number, max: number) => required(durationOption(values, spec, min, max), `--${spec.name}`);
  const int = (spec: OptionSpec, min: number, max: number) => required(integerOption(values, spec, min, max), `--${spec.name}`);
  return {
    ...DEFAULT_LIMITS,
    maxMessageBytes: int(o.maxMessageBytes, 1024, 16 * 1024 * 1024),
    ratePerSecond: int(o.rateLimit, 1, 1_000_000),
    rateBurst: int(o.rateBurst, 1, 1_000_000),
    maxUnauthenticated: int(o.maxUnauthenticated, 1, 1_000_000),
    maxConnections: int(o.maxConnections, 1, 10_000_000),
    maxUnauthenticatedPerAddress: int(o.maxUnauthenticatedPerAddress, 1, 1_000_000),
    connectRatePerAddress: int(o.connectRatePerAddress, 1, 1_000_000),
    connectBurstPerAddress: int(o.connectBurstPerAddress, 1, 1_000_000),
    enrollFailuresPerAddress: int(o.enrollFailuresPerAddress, 1, 1_000_000),
    enrollFailures: int(o.enrollFailures, 1, 1_000_000),
    authTimeoutMs: ms(o.authTimeout, 50, 600_000),
    heartbeatMs: ms(o.heartbeat, 50, 3_600_000),
    inviteTimeoutMs: ms(o.inviteTimeout, 50, 600_000),
    callGraceMs: ms(o.callGrace, 0, 600_000),
    revocationPollMs: ms(o.revocationPoll, 10, 60_000),
  };
}

function readTrustedProxies(values: OptionValues): string[] {
  return listOption(values, o.trustedProxy).map((address) => {
    if (isIP(address.trim().replace(/%.*$/, '')) === 0) throw new UsageError(`--trusted-proxy '${address}' must be an IP address`);
    return canonicalIp(address);
  });
}

function readTurn(values: OptionValues): TurnConfig | undefined {
  const urls = listOption(values, o.turnUrl);
  for (const url of urls) {
    if (!/^(stun|stuns|turn|turns):/.test(url)) throw new UsageError(`--turn-url '${url}' must start with turn:, turns:, stun: or stuns:`);
  }
  const inline = stringOption(values, o.turnSecret);
  const file = stringOption(values, o.turnSecretFile);
  if (inline !== undefined && file !== undefined) throw new UsageError('give --turn-secret or --turn-secret-file, not both');
  let secret = inline;
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new CommandError(`cannot read the TURN secret file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (urls.length === 0 && secret === undefined) return undefined;
  if (urls.length === 0) throw new UsageError('a TURN secret was given but no --turn-url to go with it');
  if (secret === undefined || secret.length === 0) throw new UsageError('--turn-url needs the TURN shared secret (--turn-secret-file or SEALCALL_TURN_SECRET)');
  const ttlMs = required(durationOption(values, o.turnTtl, 60_000, 7 * 86_400_000), '--turn-ttl');
  return { urls, secret, ttlSeconds: Math.floor(ttlMs / 1000) };
}

/** With the Redis store, the instance also joins the cluster on the same Redis (docs/deployment.md). */
function readCluster(values: OptionValues, redis: ServerConfig['redis']): ServerConfig['cluster'] {
  const instanceTtlMs = required(durationOption(values, o.instanceTtl, 300, 60_000), '--instance-ttl');
  return redis ? { redisUrl: redis.url, instanceTtlMs } : undefined;
}

export function readServerConfig(values: OptionValues): ServerConfig {
  const redis = readRedisConfig(values);
  const logLevel = stringOption(values, o.logLevel) ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const publicUrl = stringOption(values, o.publicUrl);
  if (publicUrl !== undefined) {
    try {
      checkPublicUrl(publicUrl);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  return {
    host: stringOption(values, o.host) ?? '127.0.0.1',
    port: required(integerOption(values, o.port, 0, 65535), '--port'),
    dataDir: stringOption(values, DATA_DIR_OPTION) ?? './data',
    redis,
    publicUrl,
    trustedProxies: readTrustedProxies(values),
    turn: readTurn(values),
    sfu: readJanus(values),
    limits: readLimits(values),
    logLevel: logLevel as LogLevel,
    cluster: readCluster(values, redis),
  };
}

export const startCommand = defineCommand({
  name: 'start',
  summary: 'run the server',
  usage: USAGE,
  description: 'Runs the Sealcall server: WebSocket at /ws, GET /healthz, GET /metrics.',
  specs: ALL_SPECS,
  notes: [
          'Durations take ms, s, m, h or d (30s, 72h). Listening off loopback needs --public-url wss://...,',
          'with a TLS proxy in front: the server never advertises plain ws:// beyond loopback.',
          'Behind that proxy, give its address with --trusted-proxy, or every client counts as the',
          "proxy's one address against the per-address limits.",
          'SIGTERM or SIGINT: tell clients, drain, close the database, exit 0.',
        ],
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new UsageError(`start takes no arguments, got '${positionals.join(' ')}'`);
    const config = readServerConfig(values);
    const logger = createLogger(config.logLevel);
    let server;
    try {
      server = await startServer(config, logger);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      throw new CommandError(/EADDRINUSE/.test(text) ? `port ${config.port} on ${config.host} is already in use` : text);
    }
    const dataIn = config.redis ? `Redis at ${checkRedisUrl(config.redis.url).shown}` : config.dataDir;
    io.out(`sealcall-server listening on ${server.httpUrl} (clients connect to ${server.publicUrl}, data in ${dataIn})`);
    logger.info('server started', { httpUrl: server.httpUrl, publicUrl: server.publicUrl, dataIn, turn: config.turn !== undefined, sfu: config.sfu?.apiUrl });
    const running = server;
    // A last resort, not a recovery: a fault that escaped every handler still ends the process
    // (exit 70, for the supervisor to restart it), as Node would. What it adds is a log line
    // without the error's message (which may quote client data) and the pending last-seen times.
    process.on('uncaughtException', (error) => {
      logger.error('the server stops on an unexpected fault', errorOrigin(error, 10));
      try {
        running.flushLastSeen();
      } finally {
        process.exit(70);
      }
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.info('shutting down', { signal });
        process.off('SIGTERM', stop);
        process.off('SIGINT', stop);
        void running.close().then(resolve, (error: unknown) => {
          logger.error('shutdown failed', { error: String(error) });
          resolve();
        });
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
    return 0;
  },
});
