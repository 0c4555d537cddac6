// Small statistics for the benchmarks: medians and the printed line, ratio first.

export interface BenchResult {
  name: string;
  unit: string;
  /** Median of kubelab's figure. */
  subject: number;
  /** Median of the baseline measured side by side in the same run. */
  baseline: number;
  samples: number;
  /** A further line to print under the result. */
  detail?: string;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function formatResult(r: BenchResult): string {
  const ratio = r.subject / r.baseline;
  return `${r.name}\n  kubelab median ${r.subject.toFixed(1)} ${r.unit}, baseline median ${r.baseline.toFixed(1)} ${r.unit}, ratio ${ratio.toFixed(2)}x (n=${r.samples})${r.detail ? `\n  ${r.detail}` : ''}`;
}
