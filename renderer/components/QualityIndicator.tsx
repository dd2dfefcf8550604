import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ConnectionQuality } from '../call/call-engine-types';
import './quality-indicator.css';

const WORDS: Record<ConnectionQuality['level'], string> = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
  unknown: 'Measuring connection…',
};
const BARS: Record<ConnectionQuality['level'], number> = { good: 3, fair: 2, poor: 1, unknown: 0 };
const MEASURING = 'Measuring…';

function bitrate(kbps: number | null): string {
  if (kbps === null) return MEASURING;
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

/** The rows of the details panel, in the order a user reads them. */
export function qualityDetails(quality: ConnectionQuality): { label: string; value: string }[] {
  return [
    {
      label: 'Route',
      value: quality.relayed === null ? MEASURING : quality.relayed ? 'Through the company relay (TURN)' : 'Direct',
    },
    { label: 'Round trip', value: quality.roundTripMs === null ? MEASURING : `${Math.round(quality.roundTripMs)} ms` },
    { label: 'Packet loss', value: quality.packetLossPercent === null ? MEASURING : `${quality.packetLossPercent.toFixed(1)} %` },
    { label: 'Sending', value: bitrate(quality.sendBitrateKbps) },
    { label: 'Receiving', value: bitrate(quality.bitrateKbps) },
  ];
}

/**
 * Good, fair or poor at a glance; the numbers behind it on demand. A disclosure button rather
 * than a tooltip, so keyboard and screen reader users get the details too.
 */
export function QualityIndicator({ quality }: { quality: ConnectionQuality }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: PointerEvent) => {
      if (event.target instanceof Node && root.current?.contains(event.target) !== true) setOpen(false);
    };
    document.addEventListener('pointerdown', closeOutside);
    return () => {
      document.removeEventListener('pointerdown', closeOutside);
    };
  }, [open]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || !open) return;
    // Escape closes the panel only: it must not reach the call's own shortcuts.
    event.stopPropagation();
    setOpen(false);
    button.current?.focus();
  };

  const bars = BARS[quality.level];
  return (
    <div className="quality-disclosure" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className={`quality quality-button quality-${quality.level}`}
        // The visible words first, so that voice control users can say what they see.
        aria-label={`${WORDS[quality.level]}, details`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => {
          setOpen((was) => !was);
        }}
      >
        <span className="quality-bars" aria-hidden="true">
          {[1, 2, 3].map((bar) => (
            <span key={bar} className={bar <= bars ? 'quality-bar quality-bar-on' : 'quality-bar'} />
          ))}
        </span>
        <span className="quality-text">{WORDS[quality.level]}</span>
      </button>
      <div id={panelId} className="quality-details" role="group" aria-label="Connection details" hidden={!open}>
        <dl className="quality-list">
          {qualityDetails(quality).map((row) => (
            <div key={row.label} className="quality-row">
              <dt>{row.label}</dt>
              <dd>{row.value}</dd>
            </div>
          ))}
        </dl>
      </div>
    </div>
  );
}
