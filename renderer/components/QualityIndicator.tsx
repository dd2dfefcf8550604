import type { ConnectionQuality } from '../call/call-engine-types';

const WORDS: Record<ConnectionQuality['level'], string> = {
  good: 'Good connection',
  fair: 'Fair connection',
  poor: 'Poor connection',
  unknown: 'Measuring connection…',
};
const BARS: Record<ConnectionQuality['level'], number> = { good: 3, fair: 2, poor: 1, unknown: 0 };

function details(quality: ConnectionQuality): string {
  const parts: string[] = [];
  if (quality.roundTripMs !== null) parts.push(`${Math.round(quality.roundTripMs)} ms round trip`);
  if (quality.packetLossPercent !== null) parts.push(`${quality.packetLossPercent.toFixed(1)} % loss`);
  if (quality.bitrateKbps !== null) parts.push(`${Math.round(quality.bitrateKbps)} kbit/s`);
  if (quality.relayed !== null) parts.push(quality.relayed ? 'through the relay' : 'direct');
  return parts.join(' · ');
}

export function QualityIndicator({ quality }: { quality: ConnectionQuality }) {
  const bars = BARS[quality.level];
  const detail = details(quality);
  return (
    <span className={`quality quality-${quality.level}`} title={detail === '' ? undefined : detail}>
      <span className="quality-bars" aria-hidden="true">
        {[1, 2, 3].map((bar) => (
          <span key={bar} className={bar <= bars ? 'quality-bar quality-bar-on' : 'quality-bar'} />
        ))}
      </span>
      <span className="quality-text">{WORDS[quality.level]}</span>
      {detail !== '' && <span className="visually-hidden">: {detail}</span>}
    </span>
  );
}
