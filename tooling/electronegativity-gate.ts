import { z } from 'zod';

/*
 * The pure half of `npm run lint`'s electronegativity step: reads the scanner's findings, holds
 * them against the reviewed allow-list (tooling/electronegativity-allow.json), and says what
 * blocks. Informational findings never block; anything above must be fixed or allowed with a
 * justification. An allow-list entry that matches nothing also blocks, so the list cannot rot.
 */

export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  readonly check: string;
  readonly severity: Severity;
  readonly confidence: string;
  /** Relative to the scanned folder, with forward slashes; "N/A" for project-wide findings. */
  readonly file: string;
  readonly line: number;
  readonly sample: string | null;
  readonly description: string;
}

const issueSchema = z.object({
  id: z.string(),
  severity: z.object({ name: z.enum(SEVERITIES) }),
  confidence: z.object({ name: z.string() }),
  file: z.string(),
  location: z.object({ line: z.number() }),
  sample: z.string().nullish(),
  description: z.string(),
});

/** The runner's `issues` array, checked: a change in the scanner's output format fails loudly. */
export function toFindings(issues: unknown): Finding[] {
  return z.array(issueSchema).parse(issues).map((issue) => ({
    check: issue.id,
    severity: issue.severity.name,
    confidence: issue.confidence.name,
    file: issue.file.split('\\').join('/'),
    line: issue.location.line,
    sample: issue.sample ?? null,
    description: issue.description,
  }));
}

const allowEntrySchema = z
  .object({
    check: z.string().min(1),
    file: z.string().min(1),
    /** When set, only a finding whose code sample is exactly this is allowed. */
    sample: z.string().min(1).optional(),
    /** When set, the scanned file must still contain this text, or the entry no longer holds. */
    sourceMustContain: z.string().min(1).optional(),
    justification: z.string().min(40, 'a justification says why the finding is safe here, in a sentence or more'),
  })
  .strict();
export type AllowEntry = z.infer<typeof allowEntrySchema>;

export function parseAllowList(json: unknown): AllowEntry[] {
  return z.object({ allow: z.array(allowEntrySchema) }).strict().parse(json).allow;
}

export interface GateResult {
  readonly blocking: readonly Finding[];
  readonly allowed: ReadonlyArray<{ readonly finding: Finding; readonly entry: AllowEntry }>;
  /** Entries that matched no finding, or whose sourceMustContain no longer holds. */
  readonly stale: ReadonlyArray<{ readonly entry: AllowEntry; readonly why: string }>;
}

export function gate(findings: readonly Finding[], allowList: readonly AllowEntry[], readSource: (file: string) => string | null): GateResult {
  const stale: Array<{ entry: AllowEntry; why: string }> = [];
  const valid = allowList.filter((entry) => {
    if (entry.sourceMustContain === undefined) return true;
    const source = readSource(entry.file);
    if (source?.includes(entry.sourceMustContain) === true) return true;
    stale.push({ entry, why: `${entry.file} no longer contains ${JSON.stringify(entry.sourceMustContain)}` });
    return false;
  });

  const blocking: Finding[] = [];
  const allowed: Array<{ finding: Finding; entry: AllowEntry }> = [];
  const used = new Set<AllowEntry>();
  for (const finding of findings) {
    if (finding.severity === 'INFORMATIONAL') continue;
    const entry = valid.find(
      (candidate) => candidate.check === finding.check && candidate.file === finding.file && (candidate.sample === undefined || candidate.sample === finding.sample),
    );
    if (entry === undefined) {
      blocking.push(finding);
    } else {
      used.add(entry);
      allowed.push({ finding, entry });
    }
  }
  for (const entry of valid) {
    if (!used.has(entry)) stale.push({ entry, why: 'it matches no finding any more; remove it' });
  }
  return { blocking, allowed, stale };
}

export function formatReport(result: GateResult): string {
  const lines: string[] = [];
  for (const finding of result.blocking) {
    lines.push(`  ${finding.severity} ${finding.check} at ${finding.file}:${finding.line}: ${finding.description}`);
    if (finding.sample !== null) lines.push(`      ${finding.sample.slice(0, 160)}`);
  }
  for (const { entry, why } of result.stale) {
    lines.push(`  stale allow-list entry ${entry.check} for ${entry.file}: ${why}`);
  }
  return lines.join('\n');
}
