// What `kubelab diff` prints for one object: a unified diff (`diff -u -N`) of the live object and
// the object the server would have after the apply (its dry run), both as `-o yaml` shows them,
// with the file names kubectl gives them (`apps.v1.Deployment.default.web`). An object that does
// not exist yet diffs against nothing. managedFields are left out, as kubectl diff does unless
// --show-managed-fields. Pure: the command fetches, this compares.

import { structuredPatch } from 'diff';
import type { ResourceInfo } from '../lib/api/resources.js';
import type { KubeObject } from '../lib/api/types.js';
import { printYaml } from './printers/yaml-printer.js';

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
  const { hunks } = structuredPatch(`LIVE/${fileName}`, `MERGED/${fileName}`, before, after, undefined, undefined, { context: 3 });
  const lines = [`diff -u -N LIVE/${fileName} MERGED/${fileName}`, `--- LIVE/${fileName}`, `+++ MERGED/${fileName}`];
  for (const hunk of hunks) {
    lines.push(`@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@`, ...hunk.lines);
  }
  return `${lines.join('\n')}\n`;
}

/** GNU diff's hunk range: `start,count`, just `start` for one line, and the line before for none. */
const range = (start: number, count: number): string => (count === 1 ? String(start) : count === 0 ? `${start - 1},0` : `${start},${count}`);
