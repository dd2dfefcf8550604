/** The two permissions a call's capture needs. */
export type CapturePermission = 'microphone' | 'camera';

const NAMES: readonly CapturePermission[] = ['microphone', 'camera'];

/**
 * The camera's and microphone's permission states, queried ahead of any call (at start-up and
 * after each call) and then read from the live PermissionStatus objects, which the browser
 * updates when the user or the OS changes the permission. Asking at call time instead put a
 * browser round trip per kind on the callee's path from "Accept" to the accept leaving: measured at
 * 10–12 ms, as the browser is busy starting the capture that began in the same task.
 */
export class MediaPermissions {
  readonly #statuses = new Map<CapturePermission, Promise<PermissionStatus | null>>();

  /**
   * Queries both again, without making anyone wait: the state in hand serves until the fresh one
   * is there, so a state that did not update by itself is at most one call old.
   */
  warm(): void {
    for (const name of NAMES) {
      const fresh = this.#query(name);
      if (!this.#statuses.has(name)) {
        this.#keep(name, fresh);
        continue;
      }
      void fresh.then((found) => {
        if (found !== null) this.#statuses.set(name, Promise.resolve(found));
      });
    }
  }

  /**
   * Whether the permission is known to be refused. Undecided or unknown (no Permissions API, or it
   * cannot tell) is not a refusal: the capture itself then finds out.
   */
  async denied(name: CapturePermission): Promise<boolean> {
    let status = this.#statuses.get(name);
    if (status === undefined) {
      status = this.#query(name);
      this.#keep(name, status);
    }
    return (await status)?.state === 'denied';
  }

  #query(name: CapturePermission): Promise<PermissionStatus | null> {
    try {
      return navigator.permissions.query({ name }).catch(() => null);
    } catch {
      return Promise.resolve(null);
    }
  }

  #keep(name: CapturePermission, status: Promise<PermissionStatus | null>): void {
    this.#statuses.set(name, status);
    // A failed query is not kept: the next call asks again.
    void status.then((found) => {
      if (found === null && this.#statuses.get(name) === status) this.#statuses.delete(name);
    });
  }
}
