// The -o flag: which printer, and for jsonpath the template (`-o jsonpath='{.metadata.name}'`).

import { CliError } from './cli-errors.js';
import { parseJsonPath } from './printers/jsonpath.js';

export type OutputFormat =
  | { kind: 'table'; wide: boolean }
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'name' }
  | { kind: 'jsonpath'; template: string };

const ALLOWED = 'json, jsonpath, name, wide, yaml';

export function parseOutputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === '') return { kind: 'table', wide: false };
  if (value === 'wide') return { kind: 'table', wide: true };
  if (value === 'json' || value === 'yaml' || value === 'name') return { kind: value };
  const m = /^jsonpath=(.*)$/s.exec(value);
  if (m) {
    if (m[1] === '') throw new CliError('template format specified but no template given');
    parseJsonPath(m[1]); // fail before any request on a template that cannot work
    return { kind: 'jsonpath', template: m[1] };
  }
  throw new CliError(`unable to match a printer suitable for the output format "${value}", allowed formats are: ${ALLOWED}`);
}
