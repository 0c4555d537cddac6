// The pure half of `kubelab edit`: what goes into the file the editor opens and how the saved
// file is read back, in kubectl's words so a user who knows `kubectl edit` sees the same file.
//
// The file is the live object as YAML (or JSON with -o json) under a header of `#` comments.
// When saving fails the file is opened again with the reasons added to the header:
//
//   # deployments.apps "web" was not valid:
//   # * spec.replicas: Invalid value: -1: must be greater than or equal to 0
//   #
//
// The change goes to the server as a JSON merge patch from the object as shown to the object
// as saved (planApplyPatch with the shown object as both "last applied" and live): maps merge,
// a removed key is sent as null, a changed list is sent whole. A list is what the user saw and
// saved, so replacing it is exactly the edit.

import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../lib/api/types.js';
import { planApplyPatch } from './apply-patch.js';
import { printJson } from './printers/json-printer.js';
import { printYaml } from './printers/yaml-printer.js';

export const EDIT_HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** Why the last save failed: a headline and its detail lines (the field errors of a 422). */
export interface EditReason {
  head: string;
  other: string[];
}

/** The header with the reasons of the last failed save, as kubectl writes them. */
export function editHeader(reasons: EditReason[]): string {
  const comment = (text: string) => text.replace(/\n/g, '\n# ');
  let header = EDIT_HEADER;
  for (const reason of reasons) {
    header += `# ${comment(reason.head)}${reason.other.length > 0 ? ':' : ''}\n`;
    for (const line of reason.other) header += `# * ${comment(line)}\n`;
    header += '#\n';
  }
  return header;
}

/** The object as the user sees it: without metadata.managedFields (kubectl hides them too). */
export function shownObject(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  delete (copy.metadata as { managedFields?: unknown }).managedFields;
  return copy;
}

export function renderObject(object: unknown, format: 'yaml' | 'json'): string {
  return format === 'json' ? printJson(object) : printYaml(object);
}

/** The file's text without its `#` comment lines (kubectl's StripComments). */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
}

/** True when the saved file holds nothing but comments and blank lines. */
export function isEmptyEdit(text: string): boolean {
  return stripComments(text).trim() === '';
}

/** The saved file as an object; throws with the parser's message on a syntax error. */
export function parseEdited(text: string): KubeObject {
  const body = stripComments(text);
  const value: unknown = parseYaml(body); // YAML is a superset of JSON: one parser reads both
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the edited file is not an object');
  return value as KubeObject;
}

/** The merge patch from what was shown to what was saved; `{}` when they mean the same object. */
export function planEditPatch(shown: KubeObject, edited: KubeObject): Record<string, unknown> {
  return planApplyPatch(shown, edited, shown);
}
