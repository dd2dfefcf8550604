import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ServerMessage } from '../../shared/protocol';
import type { Logger } from '../log/logger';
import { errorOrigin } from '../log/error-origin';
import { InstanceHeartbeat } from './instance-heartbeat';
import { GroupScripts } from './group-scripts';
import { CHANNEL, KEY } from './keys';
import { LuaScripts, type Effect } from './lua-scripts';
import { PresenceMirror } from './presence-mirror';
import { Reaper } from './reaper';
import { RedisCallRelay } from './redis-call-relay';
import { RedisGroupRelay } from './redis-group-relay';
import { cutDelivery, parseDirectoryEvent, parseInstanceEvent, type InstanceEvent } from './cluster-events';

/** What the cluster needs from this instance's hub. */
export interface LocalSessions {
  /** Sends to this instance's session of `userId`, if it has one. */
  deliverLocal(userId: string, message: ServerMessage): void;
  /** The same, with the message already serialised by a server instance. */
  deliverLocalText(userId: string, text: string): void;
  /** Ends this instance's session of `userId` if it is the one `token` names: a newer one took over elsewhere. */
  endReplaced(userId: string, token: string, enrolled: boolean): void;
  /** Someone's presence changed somewhere in the cluster. */
  presenceChanged(userId: string): void;
  /** Someone enrolled or re-keyed on another instance: the store's directory moved. */
  directoryMoved(): void;
  /** The cluster reaped this instance while it ran: its sessions are routed nowhere and must reconnect. */
  dropAll(): void;
  isKnown(userId: string): boolean;
  /** The token of this instance's session of `userId`, if it holds one. */
  tokenOf(userId: string): string | undefined;
}

export interface ClusterOptions {
  url: string;
  inviteTimeoutMs: number;
  graceMs: number;
  /** An instance whose heartbeat is this old is dead. */
  heartbeatTtlMs: number;
  logger: Logger;
}

/** How the heartbeat TTL is split: survivors look for dead instances twice a TTL. */
const REAP_CHECKS_PER_TTL = 2;
/** How long leaving waits for Redis to take this instance's goodbye. */
const LEAVE_WAIT_MS = 1_000;

/**
 * This instance's membership of the cluster: its id and heartbeat, the session registry (one
 * session per user across the cluster), delivery to sessions on other instances over their
 * channel, the presence mirror, the Redis call relay, and reaping of dead instances.
 *
 * Order: every command goes out on one connection in the order sent, and a delivery to another
 * instance is PUBLISHed by the relay script that produced it (relay-lua.ts), so messages one
 * socket sends reach their recipient in the order sent, wherever the recipient is.
 */
export class ClusterNode {
  readonly instanceId = randomBytes(9).toString('base64url');
  readonly presence: PresenceMirror;
  readonly relay: RedisCallRelay;
  /** Group calls, their state in Redis (docs/deployment.md). */
  readonly groups: RedisGroupRelay;
  private local: LocalSessions | undefined;
  private sequence = 0;
  private readonly scripts: LuaScripts;
  private readonly groupScripts: GroupScripts;
  private readonly heartbeat: InstanceHeartbeat;
  private readonly reaper: Reaper;
  private readonly timing: { inviteTimeoutMs: number; graceMs: number };

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly options: ClusterOptions,
  ) {
    const onError = (error: unknown) => { this.failed(error); };
    this.timing = { inviteTimeoutMs: options.inviteTimeoutMs, graceMs: options.graceMs };
    this.scripts = new LuaScripts(redis, this.instanceId);
    this.presence = new PresenceMirror((userId) => this.local?.presenceChanged(userId));
    this.relay = new RedisCallRelay(
      this.scripts,
      {
        deliver: (userId, token, message) => { if (this.isHere(token)) this.local?.deliverLocal(userId, message); },
        deliverText: (userId, token, text) => { if (this.isHere(token)) this.local?.deliverLocalText(userId, text); },
        isKnown: (userId) => this.local?.isKnown(userId) ?? false,
        isBusy: (userId) => this.presence.isBusy(userId),
        busyCount: () => this.presence.busyCount,
      },
      this.timing,
      onError,
    );
    this.groupScripts = new GroupScripts(redis, this.instanceId);
    this.groups = new RedisGroupRelay(
      redis,
      this.groupScripts,
      {
        deliverText: (userId, token, text) => { if (this.isHere(token)) this.local?.deliverLocalText(userId, text); },
        isKnown: (userId) => this.local?.isKnown(userId) ?? false,
        tokenOf: (userId) => this.local?.tokenOf(userId),
      },
      options.graceMs,
      onError,
    );
    this.heartbeat = new InstanceHeartbeat(
      redis,
      this.instanceId,
      options.heartbeatTtlMs,
      () => {
        options.logger.warn('this instance was reaped while running (stalled or cut off from Redis); its clients must reconnect', {});
        this.local?.dropAll();
      },
      onError,
    );
    this.reaper = new Reaper(redis, this.instanceId, Math.max(10, Math.floor(options.heartbeatTtlMs / REAP_CHECKS_PER_TTL)), (id) => this.reap(id), onError);
  }

  /** Connects, subscribes, loads presence and scripts, and starts beating; throws if Redis cannot be reached. */
  static async join(options: ClusterOptions): Promise<ClusterNode> {
    const connect = () => new Redis(options.url, { lazyConnect: true, enableAutoPipelining: false, connectionName: 'sealcall' });
    const redis = connect();
    const subscriber = connect();
    for (const connection of [redis, subscriber]) {
      // ioredis reconnects by itself; without a listener an error event would end the process.
      connection.on('error', (error: Error) => { options.logger.warn('redis connection error', { error: error.message }); });
    }
    try {
      await redis.connect();
      await subscriber.connect();
      const node = new ClusterNode(redis, subscriber, options);
      await node.start();
      return node;
    } catch (error) {
      redis.disconnect();
      subscriber.disconnect();
      throw error;
    }
  }

  /** Redis answers (for /healthz). */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  attach(local: LocalSessions): void {
    this.local = local;
  }

  /** A fresh token for a session on this instance. */
  newToken(): string {
    this.sequence += 1;
    return `${this.instanceId}:${this.sequence}`;
  }

  /** A session became `userId`'s one session; an older one anywhere is ended as replaced. */
  sessionStarted(userId: string, token: string, enrolled: boolean): Promise<void> {
    return this.scripts.run('sessionClaim', this.timing, [userId, token]).then((effects) => {
      for (const effect of effects) {
        if (effect.kind !== 'replaced') continue;
        const where = instanceOf(effect.token);
        // This instance's own older session was ended by the hub already.
        if (where !== this.instanceId) this.publish(CHANNEL.instance(where), { k: 'replace', u: userId, t: effect.token, e: enrolled });
      }
      this.relay.apply(effects);
    }, (error: unknown) => { this.failed(error); });
  }

  /** This instance's session of `userId` ended (closed, or revoked). */
  sessionEnded(userId: string, token: string, reason: 'peer-disconnected' | 'peer-revoked'): Promise<void> {
    return this.scripts.run('sessionRelease', this.timing, [userId, token, reason]).then((effects) => { this.relay.apply(effects); }, (error: unknown) => { this.failed(error); });
  }

  /** Tells the other instances that an enrollment or a re-key made here changed the store's directory. */
  directoryChanged(): void {
    this.redis.publish(CHANNEL.directory, JSON.stringify({ from: this.instanceId })).catch((error: unknown) => { this.failed(error); });
  }

  presenceOf(userId: string) {
    return this.presence.presenceOf(userId);
  }

  /** Reaps an instance whose heartbeat lapsed (or, with `force`, this one at shutdown). */
  async reap(instanceId: string, force = false): Promise<void> {
    const effects = await this.scripts.run('reap', this.timing, [instanceId, force ? '1' : '0']);
    const reaped = effects.filter((effect) => effect.kind === 'reaped').length;
    if (reaped > 0 || !force) this.options.logger.info('reaped an instance', { instanceId, users: reaped });
    this.relay.apply(effects);
    // Members of a group call whose session was there are away from now: their grace starts.
    for (const effect of effects) if (effect.kind === 'reaped') this.groups.userGone(effect.to, 'peer-disconnected', effect.token);
  }

  /** Leaves the cluster: this instance's users go offline now (their calls get the grace), then the connections close. */
  async leave(): Promise<void> {
    this.reaper.stop();
    this.relay.stop();
    this.groups.stop();
    const goodbye = (async () => {
      await this.heartbeat.stop();
      await this.reap(this.instanceId, true);
      await this.redis.srem(KEY.instances, this.instanceId);
    })().catch((error: unknown) => { this.failed(error); });
    // A Redis that is down would hold these forever; the survivors reap this instance anyway.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([goodbye, new Promise((resolve) => { timer = setTimeout(resolve, LEAVE_WAIT_MS); })]);
    clearTimeout(timer);
    this.subscriber.disconnect();
    this.redis.disconnect();
  }

  /** Runs the reaper once now (tests). */
  reapNow(): Promise<void> {
    return this.reaper.check();
  }

  private async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, text: string) => { this.onMessage(channel, text); });
    await this.subscriber.subscribe(CHANNEL.instance(this.instanceId), CHANNEL.presence, CHANNEL.directory);
    await this.presence.load(this.redis);
    // Events published while the subscriber was reconnecting are lost: read the whole state again.
    this.subscriber.on('ready', () => { this.presence.load(this.redis).catch((error: unknown) => { this.failed(error); }); });
    await this.scripts.load();
    await this.groupScripts.load();
    await this.heartbeat.start();
    this.reaper.start();
  }

  /** A session token names a session on this instance ('' names none). */
  private isHere(token: string): boolean {
    return token !== '' && instanceOf(token) === this.instanceId;
  }

  private publish(channel: string, event: InstanceEvent): void {
    this.redis.publish(channel, JSON.stringify(event)).catch((error: unknown) => { this.failed(error); });
  }

  private onMessage(channel: string, text: string): void {
    try {
      if (channel === CHANNEL.presence) {
        this.presence.apply(text);
      } else if (channel === CHANNEL.directory) {
        const event = parseDirectoryEvent(text);
        if (event && event.from !== this.instanceId) this.local?.directoryMoved();
      } else {
        const delivery = cutDelivery(text);
        if (delivery) {
          this.local?.deliverLocalText(delivery.u, delivery.text);
          return;
        }
        const event = parseInstanceEvent(text);
        if (event?.k === 'message') this.local?.deliverLocal(event.u, event.m);
        else if (event?.k === 'replace') this.local?.endReplaced(event.u, event.t, event.e);
      }
    } catch (error) {
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    this.options.logger.error('cluster operation failed', errorOrigin(error));
  }
}

function instanceOf(token: string): string {
  return token.slice(0, token.lastIndexOf(':'));
}

export type { Effect };
