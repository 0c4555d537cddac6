// What `kubelab diff` prints for one object: a unified diff (`diff -u -N`) of the live object and
// the object the server would have after the apply (its dry run), both as `-o yaml` shows them,
// with the file names kubectl gives them (`apps.v1.Deployment.default.web`). An object that does
// not exist yet diffs against nothing. managedFields are left out, as kubectl diff does unless
// --show-managed-fields. Pure: the command fetches, this compares.
//
// The line diff is the textbook one: a longest common subsequence table, walked from the start
// to emit kept, removed and added lines, then grouped into hunks with 3 lines of context.

import type { ResourceInfo } from '../lib/api/resources.js';
import type { KubeObject } from '../lib/api/types.js';
import { printYaml } from './printers/yaml-printer.js';

const CONTEXT_LINES = 3;

/** kubectl diff's file name: `[group.]version.Kind.namespace.name`. */
export function diffFileName(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${info.group ? `${info.group}.` : ''}${info.version}.${info.kind}.${namespace ?? ''}.${name}`;
}

function asYaml(obj: KubeObject | undefined): string {
  if (!obj) return '';
  const { managedFields: _omitted, ...metadata } = obj.metadata ?? {};
  return printYaml({ ...obj, metadata });
}

/** The unified diff from `live` to `merged`, or '' when they read the same. */
export function planObjectDiff(fileName: string, live: KubeObject | undefined, merged: KubeObject | undefined): string {
  const before = asYaml(live);
  const after = asYaml(merged);
  if (before === after) return '';
  return [`diff -u -N LIVE/${fileName} MERGED/${fileName}`, ...unifiedDiff(`LIVE/${fileName}`, `MERGED/${fileName}`, before, after)].join('\n') + '\n';
}

type Edit = { op: ' ' | '-' | '+'; line: string };

const linesOf = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/** `--- a`, `+++ b` and the hunks of GNU `diff -u` between two texts. */
export function unifiedDiff(fromName: string, toName: string, from: string, to: string): string[] {
  const edits = lineEdits(linesOf(from), linesOf(to));
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  // Each change with CONTEXT_LINES kept lines around it; ranges that touch make one hunk.
  const hunks: [number, number][] = [];
  edits.forEach((edit, k) => {
    if (edit.op === ' ') return;
    const [start, end] = [Math.max(0, k - CONTEXT_LINES), Math.min(edits.length, k + CONTEXT_LINES + 1)];
    const last = hunks[hunks.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else hunks.push([start, end]);
  });
  for (const [start, end] of hunks) {
    const hunk = edits.slice(start, end);
    const before = edits.slice(0, start);
    const oldStart = before.filter((e) => e.op !== '+').length + 1;
    const newStart = before.filter((e) => e.op !== '-').length + 1;
    const oldCount = hunk.filter((e) => e.op !== '+').length;
    const newCount = hunk.filter((e) => e.op !== '-').length;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...hunk.map((e) => `${e.op}${e.line}`));
  }
  return out;
}

/** GNU diff's hunk range: `start,count`, just `start` for one line, and the line before for none. */
const range = (start: number, count: number): string => (count === 1 ? String(start) : count === 0 ? `${start - 1},0` : `${start},${count}`);

/** The shortest edit from `a` to `b` by a longest common subsequence table (removals before additions). */
function lineEdits(a: string[], b: string[]): Edit[] {
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i] });
      i += 1;
      j += 1;
    } else if (j >= b.length || (i < a.length && lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) {
      edits.push({ op: '-', line: a[i] });
      i += 1;
    } else {
      edits.push({ op: '+', line: b[j] });
      j += 1;
    }
  }
  return edits;
}
