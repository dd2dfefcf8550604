import { useEffect, useState } from 'react';

/**
 * A thumbnail as a blob: URL. The core sends PNG data: URLs, and the page's CSP allows images
 * from 'self' and blob: only; a blob made here needs no CSP exception.
 */
export function useThumbnailUrl(dataUrl: string | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const bytes = dataUrl === null ? null : pngBytes(dataUrl);
    if (bytes === null) {
      setUrl(null);
      return;
    }
    const made = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
    setUrl(made);
    return () => {
      URL.revokeObjectURL(made);
    };
  }, [dataUrl]);
  return url;
}

const PREFIX = 'data:image/png;base64,';

function pngBytes(dataUrl: string): Uint8Array<ArrayBuffer> | null {
  if (!dataUrl.startsWith(PREFIX)) return null;
  try {
    const binary = atob(dataUrl.slice(PREFIX.length));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}
