// Label and field selectors: how a list, a watch, a ReplicaSet or a Service says which objects it
// means (apimachinery/pkg/labels and pkg/fields).
//
// A label selector is a conjunction of requirements on an object's labels:
//   `app=web`, `app==web`, `tier!=db`, `env in (prod,staging)`, `env notin (dev)`, `canary`, `!canary`
// joined by commas. Commas inside `( )` separate values, not requirements, so the text is parsed
// with a small lexer instead of split(','). A requirement on a missing label: `=`/`in` and
// "exists" fail, `!=`/`notin` and "does not exist" succeed — as in Kubernetes.
//
// A field selector compares fields of the object (`metadata.name=web`, `spec.nodeName=`,
// `status.phase!=Succeeded`); a missing field reads as '', so `spec.nodeName=` selects
// unscheduled pods. Kubernetes allows only a few fields per kind; kubelab accepts any dotted path.

import { badRequest } from '../errors.js';
import { checkLabelValue, checkQualifiedName } from './name-rules.js';
import type { KubeObject, LabelSelector } from './types.js';

export type LabelOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals' | 'NotEquals';

export type LabelRequirement = { key: string; operator: LabelOperator; values: string[] };

export type FieldRequirement = { field: string; operator: '=' | '!='; value: string };

// ---------------------------------------------------------------------------------------------
// Lexing: identifiers, the operators `= == != !`, parentheses and commas; whitespace separates.

type Token =
  | { kind: 'identifier'; text: string }
  | { kind: 'in' | 'notin' | '=' | '==' | '!=' | '!' | '(' | ')' | ',' | 'end'; text: string };

const SYMBOLS = ['!=', '==', '=', '!', '(', ')', ','] as const;
const isSpace = (c: string): boolean => /\s/.test(c);
const startsSymbol = (text: string, at: number): boolean => SYMBOLS.some((s) => text.startsWith(s, at)) || text[at] === '<' || text[at] === '>';

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    if (isSpace(text[at])) {
      at++;
      continue;
    }
    if (text[at] === '<' || text[at] === '>') {
      throw parseError(`operator '${text[at]}' (Gt/Lt) is not supported by kubelab`);
    }
    const symbol = SYMBOLS.find((s) => text.startsWith(s, at));
    if (symbol) {
      tokens.push({ kind: symbol, text: symbol });
      at += symbol.length;
      continue;
    }
    const start = at;
    while (at < text.length && !isSpace(text[at]) && !startsSymbol(text, at)) at++;
    const word = text.slice(start, at);
    tokens.push(word === 'in' || word === 'notin' ? { kind: word, text: word } : { kind: 'identifier', text: word });
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

function parseError(detail: string): Error {
  return badRequest(`unable to parse requirement: ${detail}`);
}

// ---------------------------------------------------------------------------------------------
// Parsing: requirement (',' requirement)*

/** Parses `app=web,tier in (fe,be),!canary`. Throws a 400 BadRequest that names the bad part. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const tokens = lex(text);
  let pos = 0;
  const peek = (): Token => tokens[pos];
  const next = (): Token => tokens[pos++];
  const expect = (what: string): never => {
    const t = peek();
    throw parseError(`found '${t.text}', expected: ${what} (in selector "${text}")`);
  };

  const requirements: LabelRequirement[] = [];
  if (peek().kind === 'end') return requirements;

  for (;;) {
    requirements.push(parseRequirement());
    const t = next();
    if (t.kind === 'end') break;
    if (t.kind !== ',') {
      pos--;
      expect("','");
    }
    if (peek().kind === 'end') expect('identifier');
  }
  return requirements;

  function parseRequirement(): LabelRequirement {
    if (peek().kind === '!') {
      next();
      if (peek().kind !== 'identifier') expect('identifier');
      return requirement(next().text, 'DoesNotExist', []);
    }
    if (peek().kind !== 'identifier') expect('identifier');
    const key = next().text;
    const op = peek();
    switch (op.kind) {
      case ',':
      case 'end':
        return requirement(key, 'Exists', []);
      case '=':
      case '==':
      case '!=':
        next();
        return requirement(key, op.kind === '!=' ? 'NotEquals' : 'Equals', [parseExactValue()]);
      case 'in':
      case 'notin':
        next();
        return requirement(key, op.kind === 'in' ? 'In' : 'NotIn', parseValueSet());
      default:
        return expect("'=', '!=', '==', 'in', 'notin'");
    }
  }

  /** `app=` is legal and means "label app is the empty string". */
  function parseExactValue(): string {
    const t = peek();
    if (t.kind === ',' || t.kind === 'end') return '';
    if (t.kind === 'identifier' || t.kind === 'in' || t.kind === 'notin') return next().text;
    return expect('identifier');
  }

  /** `(a,b)`; like Kubernetes, `(a,)` and `(,a)` also hold the empty value, and duplicates collapse. */
  function parseValueSet(): string[] {
    if (peek().kind !== '(') expect("'('");
    next();
    const values = new Set<string>();
    if (peek().kind === ')') {
      next();
      return [];
    }
    for (;;) {
      const t = next();
      if (t.kind === 'identifier' || t.kind === 'in' || t.kind === 'notin') {
        values.add(t.text);
        if (peek().kind === ')') break;
        if (peek().kind !== ',') expect("',' or ')'");
      } else if (t.kind === ',') {
        if (values.size === 0 || peek().kind === ',') values.add('');
        if (peek().kind === ')') {
          values.add('');
          break;
        }
      } else {
        pos--;
        expect("',', or identifier");
      }
    }
    next();
    return [...values];
  }
}

/** Builds one requirement, validating the key and values like labels.NewRequirement. */
function requirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const keyErrors = checkQualifiedName(key);
  if (keyErrors.length > 0) throw parseError(`key: Invalid value: ${JSON.stringify(key)}: ${keyErrors.join('; ')}`);
  if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
    throw parseError(`values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty (key "${key}")`);
  }
  values.forEach((value, i) => {
    const valueErrors = checkLabelValue(value);
    if (valueErrors.length > 0) throw parseError(`values[${i}][${key}]: Invalid value: ${JSON.stringify(value)}: ${valueErrors.join('; ')}`);
  });
  return { key, operator, values };
}

// ---------------------------------------------------------------------------------------------
// Matching and converting

export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const set = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(set, r.key);
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'Equals':
      case 'In':
        return has && r.values.includes(set[r.key]);
      case 'NotEquals':
      case 'NotIn':
        return !has || !r.values.includes(set[r.key]);
    }
  });
}

/** An RC's or a Service's selector: a plain map, every pair must match. */
export function requirementsFromMap(map: Record<string, string> | undefined): LabelRequirement[] {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => ({ key, operator: 'Equals' as const, values: [map![key]] }));
}

/** A ReplicaSet's or Deployment's selector: matchLabels AND matchExpressions. Absent or empty selects everything. */
export function requirementsFromLabelSelector(selector: LabelSelector | undefined): LabelRequirement[] {
  if (!selector) return [];
  const expressions = (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: [...(e.values ?? [])] }));
  return [...requirementsFromMap(selector.matchLabels), ...expressions];
}

/** Prints a selector the way kubectl does: requirements sorted by key, `app=web,tier in (a,b),!canary`. */
export function labelSelectorToString(selector: LabelSelector | Record<string, string>): string {
  const requirements = isLabelSelector(selector) ? requirementsFromLabelSelector(selector) : requirementsFromMap(selector);
  return [...requirements]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(requirementToString)
    .join(',');
}

function isLabelSelector(selector: LabelSelector | Record<string, string>): selector is LabelSelector {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => k === 'matchLabels' || k === 'matchExpressions') && keys.some((k) => typeof selector[k as keyof typeof selector] === 'object');
}

function requirementToString(r: LabelRequirement): string {
  const set = `(${[...r.values].sort().join(',')})`;
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${r.values[0] ?? ''}`;
    case 'NotEquals':
      return `${r.key}!=${r.values[0] ?? ''}`;
    case 'In':
      return `${r.key} in ${set}`;
    case 'NotIn':
      return `${r.key} notin ${set}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Field selectors

/** Parses `metadata.name=web,status.phase!=Succeeded`; `\,` `\=` `\\` escape inside values. */
export function parseFieldSelector(text: string): FieldRequirement[] {
  if (text.trim() === '') return [];
  return splitUnescaped(text, ',').map((term) => {
    for (const op of ['!=', '==', '='] as const) {
      const at = indexOfUnescaped(term, op);
      if (at < 0) continue;
      const field = term.slice(0, at).trim();
      if (field === '') throw badRequest(`invalid field selector: '${term}'; missing field name`);
      return { field, operator: op === '!=' ? '!=' : '=', value: unescape(term.slice(at + op.length).trim()) };
    }
    throw badRequest(`invalid field selector: '${term}'; can't understand '${term}' (expected field=value, field==value or field!=value)`);
  });
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function indexOfUnescaped(text: string, needle: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(needle, i)) return i;
  }
  return -1;
}

const unescape = (value: string): string => value.replace(/\\(.)/g, '$1');

/**
 * The value of a dotted field path as a field selector sees it: strings as they are, numbers and
 * booleans printed (`spec.unschedulable=true`), anything missing or non-scalar ''. An Event's
 * `source` is its reporting component, as in Kubernetes.
 */
export function fieldValue(obj: KubeObject, field: string): string {
  let current: unknown = obj;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[part];
  }
  if (field === 'source' && current !== null && typeof current === 'object') {
    current = (current as { component?: unknown }).component;
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'boolean') return String(current);
  return '';
}

export function matchesFields(requirements: FieldRequirement[], obj: KubeObject): boolean {
  return requirements.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === '='));
}

/** One predicate for a list or watch request's `labelSelector` and `fieldSelector`. Throws 400 on bad syntax. */
export function compileSelectors(options: { labelSelector?: string; fieldSelector?: string }): (obj: KubeObject) => boolean {
  const labels = parseLabelSelector(options.labelSelector ?? '');
  const fields = parseFieldSelector(options.fieldSelector ?? '');
  return (obj) => matchesLabels(labels, obj.metadata?.labels) && matchesFields(fields, obj);
}
