import { describe, expect, it } from 'vitest';
import { formatReport, gate, parseAllowList, toFindings, type AllowEntry, type Finding } from './electronegativity-gate';

const finding = (over: Partial<Finding> = {}): Finding => ({
  check: 'SANDBOX_JS_CHECK',
  severity: 'MEDIUM',
  confidence: 'FIRM',
  file: 'electron/shell/window.ts',
  line: 15,
  sample: 'const window = new BrowserWindow({',
  description: 'Use the sandbox',
  ...over,
});
const entry = (over: Partial<AllowEntry> = {}): AllowEntry => ({
  check: 'SANDBOX_JS_CHECK',
  file: 'electron/shell/window.ts',
  justification: 'webPreferencesFor sets sandbox: true, typed as the literal true and tested',
  ...over,
});
const noSource = (): string | null => null;

describe('toFindings', () => {
  it("reads the runner's issues", () => {
    expect(
      toFindings([
        {
          id: 'CSP_GLOBAL_CHECK',
          severity: { value: 1, name: 'LOW' },
          confidence: { value: 1, name: 'FIRM' },
          file: 'renderer\\index.html',
          location: { line: 5, column: 0 },
          sample: "default-src 'self'",
          description: 'weak?',
          manualReview: true,
        },
      ]),
    ).toEqual([{ check: 'CSP_GLOBAL_CHECK', severity: 'LOW', confidence: 'FIRM', file: 'renderer/index.html', line: 5, sample: "default-src 'self'", description: 'weak?' }]);
  });

  it('fails loudly when the format changes', () => {
    expect(() => toFindings([{ id: 'X', severity: 'HIGH' }])).toThrow();
  });
});

describe('gate', () => {
  it('lets informational findings through and blocks anything above without an entry', () => {
    const result = gate([finding({ severity: 'INFORMATIONAL' }), finding({ severity: 'LOW', check: 'OTHER' })], [], noSource);
    expect(result.blocking.map((f) => f.check)).toEqual(['OTHER']);
  });

  it('allows a finding matched by check, file and, when given, sample', () => {
    expect(gate([finding()], [entry()], noSource).blocking).toEqual([]);
    expect(gate([finding()], [entry({ sample: 'const window = new BrowserWindow({' })], noSource).blocking).toEqual([]);
    const moved = gate([finding({ sample: 'sandbox: false,' })], [entry({ sample: 'const window = new BrowserWindow({' })], noSource);
    expect(moved.blocking).toHaveLength(1);
    expect(moved.stale).toHaveLength(1);
    expect(gate([finding({ file: 'electron/shell/other.ts' })], [entry()], noSource).blocking).toHaveLength(1);
  });

  it('drops an entry whose source condition no longer holds', () => {
    const guarded = entry({ sourceMustContain: 'webPreferences: webPreferencesFor(' });
    expect(gate([finding()], [guarded], () => 'webPreferences: webPreferencesFor(preloadPath)').blocking).toEqual([]);
    const result = gate([finding()], [guarded], () => 'webPreferences: { sandbox: false }');
    expect(result.blocking).toHaveLength(1);
    expect(result.stale[0]?.why).toMatch(/no longer contains/);
  });

  it('reports entries that match nothing, so the list stays reviewed', () => {
    const result = gate([], [entry()], noSource);
    expect(result.stale).toHaveLength(1);
    expect(formatReport(result)).toMatch(/stale allow-list entry SANDBOX_JS_CHECK/);
  });

  it('lists each blocking finding with where it is', () => {
    expect(formatReport(gate([finding()], [], noSource))).toContain('MEDIUM SANDBOX_JS_CHECK at electron/shell/window.ts:15');
  });
});

describe('parseAllowList', () => {
  it('requires a real justification for every entry', () => {
    expect(parseAllowList({ allow: [entry()] })).toHaveLength(1);
    expect(() => parseAllowList({ allow: [entry({ justification: 'fine' })] })).toThrow(/justification/);
    expect(() => parseAllowList({ allow: [{ ...entry(), extra: 1 }] })).toThrow();
  });
});
