import { PROTOCOL_VERSION, type ServerMessage, type SfuJoin } from '../../shared/protocol';
import { errorOrigin } from '../log/error-origin';
import type { Logger } from '../log/logger';
import { JanusRefusedError, JanusUnavailableError } from './janus-api';
import { SfuRooms, type SfuConfig } from './sfu-rooms';

/*
 * The hub's door to the SFU (docs/protocol.md, "Meetings over the SFU"): a seat only for a member
 * present in the group call; a member out of the call is revoked and kicked; the room goes with
 * the call. Everything done to one group's room runs in order, one step after another, so that a
 * seat asked for just before the call ended cannot make the room again after its destruction.
 */

export interface SfuDeskPorts {
  /** A member of the group whose session is connected (not away in its grace). */
  isPresent(groupId: string, userId: string): boolean;
  send(userId: string, message: ServerMessage): void;
}

type Refusal = Extract<ServerMessage, { type: 'error' }>;

/** A member asks again only before its token runs out (minutes): more often is a flood. */
const MIN_SEAT_INTERVAL_MS = 5_000;
/**
 * When a revoke or a room's destruction found Janus not answering, the waits before each try again:
 * a removed member must not stay in the room because Janus was restarting or overloaded for a
 * moment. About 8 minutes in all; a Janus that restarts loses its rooms anyway, which ends the tries.
 */
const CLEANUP_RETRY_MS = [2_000, 4_000, 8_000, 16_000, 30_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000] as const;

export class SfuDesk {
  private readonly rooms: SfuRooms;
  /** Per group: the tail of its chain of Janus steps. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Seats asked for and not yet given: one at a time per member, so a flood of asks cannot queue Janus work. */
  private readonly asking = new Set<string>();
  /** When each member last got a seat: a seat costs Janus a dozen requests, and a token lasts minutes. */
  private readonly lastSeat = new Map<string, number>();
  /** Revokes and destructions waiting to be tried again. */
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();
  private stopped = false;

  constructor(
    config: SfuConfig,
    private readonly ports: SfuDeskPorts,
    private readonly logger: Logger,
  ) {
    this.rooms = new SfuRooms(config);
  }

  join(userId: string, message: SfuJoin): void {
    const { groupId } = message;
    const refuse = (code: Refusal['code'], text: string) => {
      this.ports.send(userId, { v: PROTOCOL_VERSION, type: 'error', code, message: text, groupId, ...(message.id === undefined ? {} : { ref: message.id }) });
    };
    if (!this.ports.isPresent(groupId, userId)) {
      refuse('not-a-member', `you are not in group call ${groupId}: only its members get a seat in its SFU room`);
      return;
    }
    const key = `${groupId}\0${userId}`;
    if (this.asking.has(key)) {
      refuse('rate-limited', 'a seat in this SFU room is already on its way to you');
      return;
    }
    const last = this.lastSeat.get(key);
    if (last !== undefined && Date.now() - last < MIN_SEAT_INTERVAL_MS) {
      refuse('rate-limited', `one seat per ${MIN_SEAT_INTERVAL_MS / 1000} s: the last one is good until its expiry`);
      return;
    }
    this.asking.add(key);
    this.enqueue(groupId, async () => {
      try {
        await this.giveSeat(userId, groupId, refuse);
      } finally {
        this.asking.delete(key);
      }
    });
  }

  private async giveSeat(userId: string, groupId: string, refuse: (code: Refusal['code'], text: string) => void): Promise<void> {
    // Removed while the request waited its turn.
    if (!this.ports.isPresent(groupId, userId)) {
      refuse('not-a-member', `you are not in group call ${groupId}: only its members get a seat in its SFU room`);
      return;
    }
    let seat;
    try {
      seat = await this.rooms.seat(groupId, userId);
    } catch (error) {
      this.logger.warn('could not give an SFU seat', { groupId, userId, ...describe(error) });
      refuse('sfu-unavailable', 'the meeting server (SFU) is not answering; try again in a moment');
      return;
    }
    this.lastSeat.set(`${groupId}\0${userId}`, Date.now());
    this.ports.send(userId, { v: PROTOCOL_VERSION, type: 'sfu.seat', groupId, ...seat });
  }


  /** Members out of a group call lose their seats; an ended call loses its room. */
  membershipChanged(groupId: string, left: readonly string[], members: readonly string[] | null): void {
    for (const userId of left) this.lastSeat.delete(`${groupId}\0${userId}`);
    if (members === null) {
      this.enqueueCleanup(groupId, async () => {
        await this.rooms.end(groupId);
      }, 'could not destroy the SFU room of an ended group call');
      return;
    }
    for (const userId of left) {
      this.enqueueCleanup(groupId, async (retry) => {
        // Back in the call (invited again) since the first try: its new seat is not to be taken.
        if (retry && this.ports.isPresent(groupId, userId)) return;
        // A retry takes out only this member: the member list it was given may be out of date.
        const { kicked } = await this.rooms.revoke(groupId, userId, retry ? null : members);
        if (kicked.length > 0) this.logger.info('kicked from an SFU room', { groupId, userId, participants: kicked.length });
      }, 'could not revoke an SFU seat');
    }
  }

  /** Stops the tries still waiting (the server is shutting down). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }

  /** A step that must happen even when Janus is briefly away: tried again, later, while Janus does not answer. */
  private enqueueCleanup(groupId: string, step: (retry: boolean) => Promise<void>, failure: string, attempt = 0): void {
    this.enqueue(groupId, async () => {
      try {
        await step(attempt > 0);
      } catch (error) {
        const delay = CLEANUP_RETRY_MS[attempt];
        if (!(error instanceof JanusUnavailableError) || delay === undefined || this.stopped) throw error;
        this.logger.warn(`${failure}; trying again`, { groupId, inMs: delay, attempt: attempt + 1, ...describe(error) });
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          this.enqueueCleanup(groupId, step, failure, attempt + 1);
        }, delay);
        timer.unref();
        this.retries.add(timer);
      }
    }, failure);
  }

  private enqueue(groupId: string, step: () => Promise<void>, failure = 'an SFU step failed'): void {
    const previous = this.queues.get(groupId) ?? Promise.resolve();
    const next = previous.then(step).catch((error: unknown) => {
      // A step that failed does not stop the next; the log names the group, never a token or secret.
      this.logger.warn(failure, { groupId, ...describe(error) });
    });
    this.queues.set(groupId, next);
    void next.then(() => {
      if (this.queues.get(groupId) === next) this.queues.delete(groupId);
    });
  }

  /** Waits for every group's queued steps (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }
}

/** Janus's own words are kept (they name a code and a reason, no secret); anything else by origin. */
function describe(error: unknown): Record<string, unknown> {
  if (error instanceof JanusRefusedError) return { janusCode: error.code, janusReason: error.reason.slice(0, 200), request: error.request };
  if (error instanceof JanusUnavailableError) return { error: error.message.slice(0, 300) };
  return errorOrigin(error);
}
