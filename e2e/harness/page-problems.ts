import type { BrowserContext, Page } from '@playwright/test';

/**
 * Turns CSP violations into console errors, so one console watch sees both. Runs in the page
 * before its scripts; `securitypolicyviolation` fires even for reports Chromium does not log.
 */
export const REPORT_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline'));
});`;

export async function reportCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript({ content: REPORT_CSP_VIOLATIONS });
}

/** Collects console errors and uncaught exceptions of one page, from now on. */
export function watchPageProblems(page: Page): () => readonly string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url } = message.location();
    problems.push(`console error: ${message.text()}${url === '' ? '' : ` (${url})`}`);
  });
  page.on('pageerror', (error) => {
    problems.push(`uncaught: ${error.message}`);
  });
  page.on('crash', () => {
    problems.push('the page crashed');
  });
  return () => [...problems];
}
