// `-o yaml`: keys sorted like kubectl's (it converts JSON to YAML through sorted maps), and
// several objects wrapped in a `kind: List`, the way kubectl prints `get pods -o yaml`.

import { stringify } from 'yaml';
import type { KubeObject } from '../../lib/api/types.js';

export function asList(objects: KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
}

export function printYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0 });
}
