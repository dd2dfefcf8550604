import type { Scheduler } from './key-ring';

/** Holds the key rings' grace timers until the test runs them. */
export function manualScheduler(): { schedule: Scheduler; readonly pending: number[]; runAll: () => void } {
  const tasks: { task: () => void; ms: number; cancelled: boolean }[] = [];
  return {
    schedule: (task, ms) => {
      const entry = { task, ms, cancelled: false };
      tasks.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    get pending() {
      return tasks.filter((entry) => !entry.cancelled).map((entry) => entry.ms);
    },
    runAll: () => {
      for (const entry of tasks.splice(0)) if (!entry.cancelled) entry.task();
    },
  };
}
