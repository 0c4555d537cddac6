// Resource quantities (apimachinery/pkg/api/resource): `500m` CPU, `128Mi` of memory.
//
// A quantity is a decimal number and a suffix: binary (Ki Mi Gi Ti Pi Ei = powers of 1024),
// decimal (n u m "" k M G T P E = powers of 1000) or an exponent (`1e3`). CPU is counted in
// millicores (`1` = `1000m` = one core); memory in bytes. Like Kubernetes, a fraction below the
// unit rounds up: `0.5m` of CPU is 1 millicore, `1.5` bytes is 2 bytes.

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** Kubernetes' own wording for an unparsable quantity. */
export const QUANTITY_FORMAT_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The value of a quantity in base units (cores, bytes). Throws on anything that is not a quantity. */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new Error(`invalid quantity ${q}: ${QUANTITY_FORMAT_MESSAGE}`);
    return q;
  }
  const known = parsed.get(q);
  if (known !== undefined) return known;
  const value = parseQuantityText(q);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(q, value);
  return value;
}

/**
 * Quantities already parsed: a cluster spells the same few (`100m`, `128Mi`, a node's `4Gi`) over
 * and over, and the scheduler reads every bound pod's requests for each pod it places (the regular
 * expression was its largest cost, bench/scheduler.ts). Bounded, so odd strings cannot grow it.
 */
const parsed = new Map<string, number>();
const PARSED_LIMIT = 1_000;

function parseQuantityText(q: string): number {
  const match = QUANTITY.exec(q.trim());
  if (!match || q.trim() !== q) throw new Error(`invalid quantity ${JSON.stringify(q)}: ${QUANTITY_FORMAT_MESSAGE}`);
  const [, sign, digits, suffix = ''] = match;
  const multiplier = BINARY[suffix] ?? DECIMAL[suffix] ?? 10 ** Number(suffix.slice(1));
  const value = Number(digits) * multiplier;
  return sign === '-' ? -value : value;
}

/** `500m` → 500, `2` → 2000, `0.1` → 100. */
export function parseCpuMillis(q: string | number): number {
  return roundUp(parseQuantity(q) * 1000);
}

/** `128Mi` → 134217728, `1G` → 1000000000, `512` → 512. */
export function parseMemoryBytes(q: string | number): number {
  return roundUp(parseQuantity(q));
}

/** Rounds up, forgiving the floating-point noise of e.g. 0.1 * 1000. */
function roundUp(value: number): number {
  const nearest = Math.round(value);
  return Math.abs(value - nearest) < 1e-9 * Math.max(1, Math.abs(value)) ? nearest : Math.ceil(value);
}

/** 2000 → `2`, 500 → `500m`: whole cores when exact, as kubectl prints. */
export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** 134217728 → `128Mi`: the largest binary suffix that divides exactly, else plain bytes. */
export function formatMemory(bytes: number): string {
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const unit = BINARY[suffix];
    if (bytes !== 0 && bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}
