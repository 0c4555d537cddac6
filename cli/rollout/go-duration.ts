// Go's time.ParseDuration, which kubectl's duration flags (--timeout=5m) use: a sequence of
// decimal numbers with units, `300ms`, `1.5h`, `2h45m`; a bare `0` is the only number without one.

import { CliError } from '../cli-errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseGoDurationMs(text: string, flag: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) break;
    total += Number(match[1]) * UNIT_MS[match[2]];
    at = part.lastIndex;
  }
  if (trimmed === '' || at !== trimmed.length) {
    throw new CliError(`invalid argument "${text}" for "--${flag}" flag: time: invalid duration "${text}" (use units, e.g. 30s, 5m, 1h)`);
  }
  return total;
}
