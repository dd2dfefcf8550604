import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from './registry';

describe('metrics registry', () => {
  it('renders the Prometheus text format', () => {
    const registry = new Registry();
    const counter = registry.register(new Counter('x_total', 'Things.'));
    counter.inc({ reason: 'a"b' });
    counter.inc({ reason: 'a"b' }, 2);
    registry.register(new Gauge('y', 'Level.', () => [[{}, 7]]));
    const histogram = registry.register(new Histogram('z_seconds', 'Time.', [0.1, 1]));
    histogram.observe(0.05);
    histogram.observe(0.5);
    histogram.observe(5);
    expect(registry.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{reason="a\\"b"} 3',
        '# HELP y Level.',
        '# TYPE y gauge',
        'y 7',
        '# HELP z_seconds Time.',
        '# TYPE z_seconds histogram',
        'z_seconds_bucket{le="0.1"} 1',
        'z_seconds_bucket{le="1"} 2',
        'z_seconds_bucket{le="+Inf"} 3',
        'z_seconds_sum 5.55',
        'z_seconds_count 3',
        '',
      ].join('\n'),
    );
  });
});
