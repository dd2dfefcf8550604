/**
 * Meetings: mesh vs SFU. For each size, the same group video call run twice in one run, once as a
 * full mesh and once through a real Janus (the server picks by `--mesh-max`): each member's upload
 * and its page's CPU, and Janus's, over one window once everyone decrypts everyone. What it finds
 * sets the server's default `--mesh-max` (server/sfu/sfu-rooms.ts DEFAULT_MESH_MAX). Run directly:
 * `npx tsx bench/meeting-transport.bench.ts` (BENCH_QUICK=1: 3 and 4 members, a short window;
 * MEETING_TRANSPORT_SIZES=4,8 picks the sizes; 3,4,5,6,8 without it).
 */
import os from 'node:os';
import { QUICK } from './bench-browser';
import { printWhenRunDirectly, type BenchSection } from './bench-section';
import { formatRatio, markdownTable, median } from './bench-stats';
import { measureCell, type CellResult, type Transport } from './meeting-transport-cell';
import { readCrossover, sfuCheaper } from './meeting-transport-crossover';
import { DEFAULT_MESH_MAX } from '../server/sfu/sfu-rooms';

const SIZES = (process.env['MEETING_TRANSPORT_SIZES'] ?? (QUICK ? '3,4' : '3,4,5,6,8'))
  .split(',')
  .map(Number)
  .filter((size) => Number.isInteger(size) && size >= 3 && size <= 8);
/**
 * From everyone decrypting everyone to the window: each sender's bandwidth estimate starts low
 * (a few hundred kbit/s) and ramps up over seconds, even on loopback; measured before it settles,
 * every upload is the ramp's, not the call's.
 */
const RAMP_SECONDS = QUICK ? 5 : 20;
const WINDOW_SECONDS = QUICK ? 5 : 15;

const load = () => os.loadavg().map((value) => value.toFixed(2)).join(' / ');
const progress = (what: string) => { console.error(`bench meeting-transport: ${what} (load ${load()})`); };

const kbps = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} kbit/s` : 'n/a');
const percent = (cores: number) => (Number.isFinite(cores) ? `${(cores * 100).toFixed(1)} %` : 'n/a');
const fps = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');

interface SizeResult {
  size: number;
  mesh?: CellResult;
  sfu?: CellResult;
  failures: string[];
}

export async function runMeetingTransportBench(): Promise<BenchSection> {
  const loads: string[] = [`start ${load()}`];
  const rows: SizeResult[] = [];
  for (const [index, size] of SIZES.entries()) {
    const row: SizeResult = { size, failures: [] };
    // Mesh first at one size, SFU first at the next: drift in the machine's load hits both alike.
    const order: Transport[] = index % 2 === 0 ? ['mesh', 'sfu'] : ['sfu', 'mesh'];
    for (const transport of order) {
      try {
        const cell = await measureCell(size, transport, { ramp: RAMP_SECONDS, window: WINDOW_SECONDS }, progress);
        row[transport] = cell;
        progress(`${String(size)} ${transport}: upload ${kbps(median(cell.uploadKbps))}, renderer ${percent(median(cell.rendererCores))}, Janus ${percent(cell.janusCores)}`);
      } catch (error) {
        // Shown, not retried in silence: a call that does not come up at a size is a finding.
        row.failures.push(`${transport}: ${String(error).slice(0, 400)}`);
        progress(`${String(size)} ${transport} failed: ${String(error).slice(0, 300)}`);
      }
    }
    rows.push(row);
    loads.push(`after ${String(size)} ${load()}`);
  }
  return { title: 'Meetings: mesh vs SFU', markdown: report(rows, loads) };
}

function cellRow(row: SizeResult, transport: Transport): string[] {
  const cell = row[transport];
  if (cell === undefined) return [`${String(row.size)}, ${transport}`, 'did not run', '', '', '', '', '', '', '', ''];
  return [
    `${String(row.size)}, ${transport}`,
    kbps(median(cell.uploadKbps)),
    `${kbps(Math.min(...cell.uploadKbps))}–${kbps(Math.max(...cell.uploadKbps))}`,
    percent(median(cell.rendererCores)),
    percent(cell.browserCoresPerMember),
    transport === 'sfu' ? percent(cell.janusCores) : '—',
    String(median(cell.videoStreams)),
    `${String(median(cell.sentHeights))}p`,
    fps(median(cell.encodedFps) / Math.max(1, median(cell.videoStreams))),
    fps(median(cell.receivedFps)),
  ];
}

function ratioRow(row: SizeResult): string[] {
  const { mesh, sfu } = row;
  const wins = sfuCheaper(row);
  if (mesh === undefined || sfu === undefined) return [String(row.size), 'n/a', 'n/a', 'n/a', 'not measured'];
  return [
    String(row.size),
    formatRatio(median(sfu.uploadKbps), median(mesh.uploadKbps)),
    formatRatio(median(sfu.rendererCores), median(mesh.rendererCores)),
    formatRatio(sfu.browserCoresPerMember, mesh.browserCoresPerMember),
    wins === true ? '**SFU**' : 'mesh',
  ];
}

function crossover(rows: readonly SizeResult[]): string {
  const read = readCrossover(rows);
  const sizes = (list: readonly number[]) => list.map(String).join(', ');
  if (read.size === undefined && read.meshCheaperBelow.length === 0) return 'No size had both transports measured: no crossover read.';
  if (read.size === undefined || read.meshMax === undefined) return `The SFU did not cost a member less upload and no more CPU at any size measured (${sizes(read.meshCheaperBelow)}).`;
  return (
    `**Crossover: ${String(read.size)} members**, the smallest size measured where the SFU costs a member less upload and ` +
    `no more renderer CPU than the mesh` +
    (read.meshCheaperBelow.length > 0 ? ` (the mesh was cheaper at ${sizes(read.meshCheaperBelow)})` : ' (no smaller size was measured, so it may lie lower)') +
    (read.meshCheaperAbove.length > 0 ? `; but the mesh was cheaper again at ${sizes(read.meshCheaperAbove)}, so the reading is noisy` : '') +
    `. A call for more than \`--mesh-max\` people goes through the SFU, so this reads as \`--mesh-max ${String(read.meshMax)}\` ` +
    `(the default is ${String(DEFAULT_MESH_MAX)}).`
  );
}

function report(rows: readonly SizeResult[], loads: readonly string[]): string {
  const cells = rows.flatMap((row) => [row.mesh, row.sfu]).filter((cell): cell is CellResult => cell !== undefined);
  const failures = rows.flatMap((row) => row.failures.map((failure) => `${String(row.size)} members, ${failure}`));
  const cellLoads = cells.map((cell) => cell.load);
  return [
    `One group video call per size and transport, each on a fresh company: N members enrolled through real links on a ` +
      `real server that drives a real Janus (Debian's, the shipped VideoRoom config), each member a page of the app in ` +
      `its own browser context (its own renderer process) in one headless Debian Chromium, with a core each; the owner ` +
      `starts the call, each invitee accepts as it rings. Mesh: the server runs with \`--mesh-max 8\` (every member ` +
      `sends its camera to each other member over its own encrypted pair); SFU: \`--mesh-max 2\` (every member publishes ` +
      `one stream to Janus and subscribes to the others'). Once every member's worker decrypts every other member's video, ` +
      `${String(RAMP_SECONDS)} s for the senders' bandwidth estimates to ramp up, then a ${String(WINDOW_SECONDS)} s window. Camera: Chromium's fake device at ` +
      `its default rate, as the group e2e specs run it; the app asks for 1280×720 at 30 fps and gets ` +
      `${[...new Set(cells.map((cell) => cell.camera))].join(', ')} (width×height @ fps). Upload: the sum of \`bytesSent\` ` +
      `(RTP payload, audio and video) over every outbound-rtp of every RTCPeerConnection the page made, over the window, ` +
      `median over members (and the range). Renderer: the member's page's renderer process, all its threads (the ` +
      `frame-crypto worker, WebRTC's encoders and decoders), CDP \`Performance.getMetrics\` ProcessTime, % of one core, ` +
      `median over members. Browser: every process of the browser (renderers, GPU, network and audio services, the ` +
      `browser process, where WebRTC's sockets live), divided by N. Janus: its process's utime + stime from /proc over the ` +
      `same window. All on loopback, so no member's path limits its bitrate: each encoder runs at what the app and ` +
      `WebRTC allow it (Janus's room caps a publisher at 1.5 Mbit/s).`,
    '',
    markdownTable(
      ['members, transport', 'upload / member', 'upload range', 'renderer CPU / member', 'browser CPU / member', 'Janus CPU', 'video streams sent', 'height sent', 'fps / stream sent', 'fps / stream decrypted'],
      rows.flatMap((row) => [cellRow(row, 'mesh'), cellRow(row, 'sfu')]),
    ),
    '',
    markdownTable(['members', 'upload SFU/mesh', 'renderer CPU SFU/mesh', 'browser CPU SFU/mesh', 'cheaper for a member'], rows.map(ratioRow)),
    '',
    crossover(rows) +
      ' How it was read: upload by the medians above; CPU by the renderer medians, which on a shared 2-core machine ' +
      'move by tens of % between runs, so a CPU verdict at a size where the two are within ~20 % is weak; upload is ' +
      'steady (it is set by the encoders, not the load). Janus\'s CPU is the server\'s, not a member\'s, and is not in the ' +
      'verdict. Frame rates are shown because WebRTC lowers them when the CPU is short: a row that sends or decrypts ' +
      'fewer frames costs less for that reason alone.',
    ...(failures.length === 0 ? [] : ['', `**Did not run:** ${failures.join(' / ')}`]),
    '',
    `Set-up (Start → everyone decrypts everyone): ${cells.map((cell) => `${String(cell.size)} ${cell.transport} ${cell.setupSeconds.toFixed(0)} s`).join(', ')}. ` +
      `Load average (1 / 5 / 15 min) on ${String(os.cpus().length)} cores: ${loads.join('; ')}; 1-min load as each window started ` +
      `${cellLoads.length > 0 ? `${Math.min(...cellLoads).toFixed(1)}–${Math.max(...cellLoads).toFixed(1)}` : 'n/a'}.`,
  ].join('\n');
}

await printWhenRunDirectly(import.meta.url, runMeetingTransportBench);
