import type { IdentityStatus, IpcResult } from '../../shared/ipc';
import { removeDataDir, runCli, startServerProcess, type ServerProcess } from '../../server/test-support/harness.fixture';
import { freeTcpPort } from './free-ports';
import type { HarnessEnvironment } from './harness-environment';
import { HARNESS_RING_MS, type HarnessUser, type HarnessUserOptions } from './harness-user';

export const TEST_PASSPHRASE = 'correct horse battery staple';

/**
 * How long an unanswered call rings in the test company: the server's longest. Specs look at a
 * ringing call (screenshots, axe scans) for as long as a busy machine makes that take, and must
 * not see the call give up under them; a spec about the timeout sets its own (--invite-timeout).
 */
export const RING_FOR = `${HARNESS_RING_MS / 1000}s`;

/** A user of the company: the app (page + host) after enrollment through a real invite link. */
export interface CompanyUser extends HarnessUser {
  readonly userId: string;
  readonly displayName: string;
}

/**
 * One company for a test: a real server process on loopback with its own SQLite file, and users
 * enrolled the way IT enrolls them, through `sealcall-server invite` links.
 */
export class Company {
  private constructor(
    private current: ServerProcess,
    private readonly serverArgs: readonly string[],
    private readonly harness: HarnessEnvironment,
    private readonly users: HarnessUser[] = [],
  ) {}

  static async open(harness: HarnessEnvironment, serverArgs: readonly string[] = []): Promise<Company> {
    const args = ['--invite-timeout', RING_FOR, ...serverArgs];
    // A port of its own above the ephemeral range, not the one the server would pick with port 0:
    // a restart must find it again, and there another process's connect() could have taken it.
    // Another process can still bind it between the check and the server's own bind: try again.
    const failures: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        return new Company(await startServerProcess({ args: [...args, '--port', String(await freeTcpPort())] }), args, harness);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
    throw new Error(`the server did not start in 3 attempts:\n${failures.join('\n')}`);
  }

  /**
   * A company whose server was started elsewhere (one instance of a cluster, see
   * cluster-company.ts): invites go through its data directory, and close() stops it.
   */
  static adopt(harness: HarnessEnvironment, server: ServerProcess, storeArgs: readonly string[]): Company {
    const company = new Company(server, [], harness);
    company.storeArgs = storeArgs;
    return company;
  }

  /** The logs of the server instances a restart replaced. */
  private readonly earlierLogs: string[] = [];

  /** Every instance's logs (JSON lines, no secrets), oldest first: attached to a failed spec. */
  serverLogs(): string {
    return [...this.earlierLogs, this.current.logs()].join('--- restarted ---\n');
  }

  /** Where the admin CLI finds the company's data: the server's data directory, unless adopted with others. */
  private storeArgs: readonly string[] | undefined;

  private cliStoreArgs(): readonly string[] {
    return this.storeArgs ?? ['--data-dir', this.server.dataDir];
  }

  get server(): ServerProcess {
    return this.current;
  }

  /** Starts the server again on the same port and data (after `server.stop()`), as an admin's restart would. */
  async restartServer(): Promise<ServerProcess> {
    this.earlierLogs.push(this.current.logs());
    this.current = await startServerProcess({ dataDir: this.current.dataDir, args: [...this.serverArgs, '--port', String(this.current.port)] });
    return this.current;
  }

  /** `sealcall-server invite` as an admin runs it; returns the link it prints. */
  async inviteLink(userId: string, displayName: string, extra: readonly string[] = []): Promise<string> {
    const result = await runCli(['invite', userId, '--name', displayName, ...this.cliStoreArgs(), ...extra]);
    const link = /sealcall:\/\/enroll\?\S+/.exec(result.stdout)?.[0];
    if (link === undefined) throw new Error(`sealcall-server invite printed no link: ${result.stdout} ${result.stderr}`);
    return link;
  }

  /** Opens the app for a new user, not yet enrolled. */
  async openApp(options: Pick<HarnessUserOptions, 'eventFilter' | 'hostOptions' | 'dataDir'> = {}): Promise<HarnessUser> {
    const user = await this.harness.openUser(options);
    this.users.push(user);
    return user;
  }

  /** A user enrolled through a real link (via the host, as the enrollment screen does) and online. */
  async enrolledUser(
    userId: string,
    displayName: string,
    options: Pick<HarnessUserOptions, 'eventFilter' | 'hostOptions'> & { inviteArgs?: readonly string[] } = {},
  ): Promise<CompanyUser> {
    const link = await this.inviteLink(userId, displayName, options.inviteArgs);
    const user = await this.openApp(options);
    const status = unwrap<IdentityStatus>(
      await user.host.invoke('identity.enroll', { link, deviceName: `${displayName}'s laptop`, passphrase: TEST_PASSPHRASE }),
    );
    if (status.state !== 'ready') throw new Error(`enrollment of ${userId} ended ${status.state}`);
    await waitUntil(async () => unwrap<{ state: string }>(await user.host.invoke('connection.status', undefined)).state === 'online');
    return Object.assign(user, { userId, displayName });
  }

  /**
   * The user gets a new computer: IT revokes the old key and reinstates them with a fresh link, so
   * every colleague's app sees a changed key. Resolves with the new app, enrolled and online, once
   * each of `colleagues` sees it online.
   */
  async newComputer(userId: string, displayName: string, ...colleagues: CompanyUser[]): Promise<CompanyUser> {
    const revoked = await runCli(['revoke', userId, ...this.cliStoreArgs()]);
    if (revoked.code !== 0) throw new Error(`sealcall-server revoke ${userId} failed: ${revoked.stderr}`);
    const user = await this.enrolledUser(userId, displayName, { inviteArgs: ['--reinstate'] });
    await this.seeEachOther(...colleagues, user);
    return user;
  }

  /** Resolves once `user` sees each of `others` online. */
  async seeEachOther(...users: CompanyUser[]): Promise<void> {
    for (const user of users) {
      await waitUntil(async () => {
        const contacts = unwrap<{ id: string; presence: string }[]>(await user.host.invoke('contacts.list', undefined));
        return users.every((other) => other === user || contacts.some((c) => c.id === other.userId && c.presence === 'online'));
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.users.map((user) => user.close().catch(() => undefined)));
    await this.server.stop();
    removeDataDir(this.server.dataDir);
  }
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names what the channel returns
export function unwrap<T>(result: IpcResult): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

// Enrollment and presence settle in under a second on a quiet machine; with three test workers on
// two cores (playwright.config.ts) a loaded one took over 10 s (seen at load 75). The limit only ends a wait that never
// would.
async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the company to settle');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
