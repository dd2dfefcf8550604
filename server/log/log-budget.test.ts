import { describe, expect, it } from 'vitest';
import { LogBudget } from './log-budget';
import { createLogger } from './logger';

describe('LogBudget', () => {
  it('writes a few lines per interval and counts the rest into the next line', () => {
    const lines: string[] = [];
    const budget = new LogBudget(createLogger('info', (line) => lines.push(line)), 2, 1000);
    for (let i = 0; i < 50; i++) budget.info('authentication refused', { errorCode: 'invite-invalid' }, 10);
    expect(lines).toHaveLength(2);
    budget.info('authentication refused', { errorCode: 'invite-invalid' }, 1500);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2] ?? '{}')).toMatchObject({ msg: 'authentication refused', notLoggedBefore: 48 });
  });
});
