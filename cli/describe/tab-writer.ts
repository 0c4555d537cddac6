// Go's text/tabwriter, the part kubectl describe relies on: cells end with a tab, and a column
// is aligned across each run of consecutive lines that have that cell, recursively per column.
// So `Name:\tweb` lines line up with each other, and a nested block (`  State:\tRunning`) lines
// up within itself, exactly like kubectl's output.

export function alignTabs(text: string, padding = 2): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[][] = lines.map(() => []);
  const format = (first: number, end: number, column: number): void => {
    let i = first;
    while (i < end) {
      if (column >= lines[i].length - 1) {
        i++;
        continue;
      }
      let j = i;
      let width = 0;
      while (j < end && column < lines[j].length - 1) {
        width = Math.max(width, lines[j][column].length + padding);
        j++;
      }
      for (let k = i; k < j; k++) widths[k][column] = width;
      format(i, j, column + 1);
      i = j;
    }
  };
  format(0, lines.length, 0);
  return lines.map((cells, k) => cells.map((cell, col) => (col < cells.length - 1 ? cell.padEnd(widths[k][col]) : cell)).join('')).join('\n');
}

/** Collects `describe` lines: level = indentation in steps of two spaces, cells joined by tabs. */
export class DescribeWriter {
  private readonly lines: string[] = [];

  line(level: number, ...cells: (string | number | boolean | undefined)[]): this {
    this.lines.push('  '.repeat(level) + cells.map((c) => (c === undefined ? '' : String(c))).join('\t'));
    return this;
  }

  /** `Labels:  app=web` then one line per further entry, aligned under the first value. */
  map(level: number, label: string, values: Record<string, string> | undefined, separator = '='): this {
    const keys = Object.keys(values ?? {}).sort();
    if (keys.length === 0) return this.line(level, `${label}:`, '<none>');
    // kubectl indents only the first line; the others start with the tab (matters for raw output).
    keys.forEach((k, i) => (i === 0 ? this.line(level, `${label}:`, `${k}${separator}${values![k]}`) : this.line(0, '', `${k}${separator}${values![k]}`)));
    return this;
  }

  /** The lines with their tabs left in: kubectl's PrefixWriter without a tabwriter (`rollout history --revision`). */
  toRawString(): string {
    return this.lines.join('\n') + '\n';
  }

  toString(): string {
    return alignTabs(this.lines.join('\n')) + '\n';
  }
}
