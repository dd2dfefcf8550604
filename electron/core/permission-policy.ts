import { isRendererUrl } from './renderer-url';

export interface PermissionAsk {
  /** Electron's permission name, e.g. 'media', 'notifications', 'display-capture'. */
  readonly permission: string;
  /** The document asking; undefined when Electron could not say, which is refused. */
  readonly requestingUrl: string | undefined;
  readonly isMainFrame: boolean;
}

/**
 * Permissions our renderer may have. Calls need camera and microphone; the screen-share,
 * notification and device-picker issues add theirs here, with their own checks.
 */
const GRANTED = new Set(['media']);

/** Deny by default: only our own top-level renderer document gets a permission, and only one it needs. */
export function isPermissionAllowed(ask: PermissionAsk, rendererUrl: string): boolean {
  return (
    GRANTED.has(ask.permission) &&
    ask.isMainFrame &&
    ask.requestingUrl !== undefined &&
    isRendererUrl(ask.requestingUrl, rendererUrl)
  );
}
