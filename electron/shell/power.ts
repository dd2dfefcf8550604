import { powerSaveBlocker } from 'electron';
import { logger } from './log';

/** Keeps the display awake while a call is on (core/shell-policy/call-activity says when). */
export function createDisplayKeeper(): { set(keepAwake: boolean): void } {
  let blocker: number | null = null;
  return {
    set(keepAwake) {
      if (keepAwake && blocker === null) {
        blocker = powerSaveBlocker.start('prevent-display-sleep');
        logger.info('display kept awake for the call');
      } else if (!keepAwake && blocker !== null) {
        powerSaveBlocker.stop(blocker);
        blocker = null;
        logger.info('display may sleep again');
      }
    },
  };
}
