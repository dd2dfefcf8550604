import { appInfo } from './app-info';
import type { HandlerTable } from './handler';

export const defaultHandlers: HandlerTable = {
  'app.info': appInfo,
};
