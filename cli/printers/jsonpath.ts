// `-o jsonpath=TEMPLATE`: the subset of kubectl's JSONPath templates people actually type.
//
//   {.metadata.name}                      one field
//   {.items[*].metadata.name}             every item's field, separated by spaces
//   {.items[0].spec.containers[*].image}  index and wildcard at any depth
//   {.metadata.labels['app.kubernetes.io/name']}   keys with dots
//   {.items[?(@.status.phase=="Running")].metadata.name}   a simple == / != filter
//   {range .items[*]}{.metadata.name}{"\n"}{end}           a loop with a literal newline
//
// The template is parsed into nodes once, then evaluated against the object. A missing field
// prints nothing (kubectl `get` allows missing keys); strings print raw, anything else as JSON.

type Step =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: Step[]; op: '==' | '!=' | 'exists'; value?: unknown };

type TemplateNode =
  | { type: 'text'; text: string }
  | { type: 'path'; steps: Step[] }
  | { type: 'range'; steps: Step[]; body: TemplateNode[] };

export class JsonPathError extends Error {
  override name = 'JsonPathError';
}

/** Parses a whole template; throws a JsonPathError that quotes the template. */
export function parseJsonPath(template: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const stack: { body: TemplateNode[] }[] = [{ body: root }];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      stack.at(-1)!.body.push({ type: 'text', text: template.slice(i) });
      break;
    }
    if (open > i) stack.at(-1)!.body.push({ type: 'text', text: template.slice(i, open) });
    const close = findClose(template, open);
    const expr = template.slice(open + 1, close).trim();
    i = close + 1;
    if (expr === 'end') {
      if (stack.length === 1) throw new JsonPathError(`error parsing jsonpath ${template}: not in range, nothing to end`);
      stack.pop();
    } else if (expr.startsWith('range ')) {
      const node: TemplateNode = { type: 'range', steps: parsePath(expr.slice(6).trim(), template), body: [] };
      stack.at(-1)!.body.push(node);
      stack.push(node);
    } else if (expr.startsWith('"') || expr.startsWith("'")) {
      stack.at(-1)!.body.push({ type: 'text', text: parseStringLiteral(expr, template) });
    } else {
      stack.at(-1)!.body.push({ type: 'path', steps: parsePath(expr, template) });
    }
  }
  if (stack.length > 1) throw new JsonPathError(`error parsing jsonpath ${template}: unclosed range, add {end}`);
  return root;
}

function findClose(template: string, open: number): number {
  let quote = '';
  for (let j = open + 1; j < template.length; j++) {
    const ch = template[j];
    if (quote) {
      if (ch === '\\') j++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '}') return j;
  }
  throw new JsonPathError(`error parsing jsonpath ${template}: unclosed action, a "{" without its "}"`);
}

function parseStringLiteral(expr: string, template: string): string {
  const body = expr.slice(1, -1);
  if (expr.length < 2 || expr.at(-1) !== expr[0]) throw new JsonPathError(`error parsing jsonpath ${template}: unterminated string ${expr}`);
  return body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parsePath(expr: string, template: string): Step[] {
  const steps: Step[] = [];
  let i = expr.startsWith('$') || expr.startsWith('@') ? 1 : 0;
  const fail = (why: string): never => {
    throw new JsonPathError(`error parsing jsonpath ${template}: ${why} in "${expr}"`);
  };
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '.') {
      const m = FIELD_NAME.exec(expr.slice(i + 1));
      if (!m) {
        i++;
        continue; // a bare "." is the current object
      }
      steps.push({ kind: 'key', key: unescapeField(m[0]) });
      i += 1 + m[0].length;
    } else if (ch === '[') {
      const end = matchingBracket(expr, i) ?? fail('unclosed "["');
      const inner = expr.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^(['"]).*\1$/.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim(), template));
      else fail(`unsupported subscript [${inner}]`);
    } else if (/\s/.test(ch)) i++;
    else {
      const m = FIELD_NAME.exec(expr.slice(i)) ?? fail(`unexpected "${ch}"`);
      steps.push({ kind: 'key', key: unescapeField(m[0]) });
      i += m[0].length;
    }
  }
  return steps;
}

/** A field name runs to the next unescaped ".", "[" or space; `\.` is a dot inside it (`annotations.example\.com/key`), as in kubectl. */
const FIELD_NAME = /^(?:\\.|[^.[\]\s\\])+/;

function unescapeField(name: string): string {
  return name.replace(/\\(.)/g, '$1');
}

function matchingBracket(expr: string, open: number): number | undefined {
  let depth = 0;
  let quote = '';
  for (let j = open; j < expr.length; j++) {
    const ch = expr[j];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return j;
  }
  return undefined;
}

function parseFilter(condition: string, template: string): Step {
  const m = /^(@[^=!]*?)\s*(==|!=)\s*(.+)$/.exec(condition);
  if (!m) return { kind: 'filter', path: parsePath(condition, template), op: 'exists' };
  const raw = m[3].trim();
  const value = /^(['"]).*\1$/.test(raw) ? raw.slice(1, -1) : Number.isNaN(Number(raw)) ? raw : Number(raw);
  return { kind: 'filter', path: parsePath(m[1], template), op: m[2] as '==' | '!=', value };
}

/** Every value the steps reach from `from` (wildcards and filters fan out). */
function select(from: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [from];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || value === undefined) continue;
      if (step.kind === 'key' && typeof value === 'object' && !Array.isArray(value)) {
        const v = (value as Record<string, unknown>)[step.key];
        if (v !== undefined) next.push(v);
      } else if (step.kind === 'index' && Array.isArray(value)) {
        const v = value[step.index < 0 ? value.length + step.index : step.index];
        if (v !== undefined) next.push(v);
      } else if (step.kind === 'wildcard') {
        next.push(...(Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : []));
      } else if (step.kind === 'filter' && Array.isArray(value)) {
        next.push(...value.filter((item) => matches(item, step)));
      }
    }
    current = next;
  }
  return current;
}

function matches(item: unknown, filter: Extract<Step, { kind: 'filter' }>): boolean {
  const found = select(item, filter.path);
  if (filter.op === 'exists') return found.length > 0;
  const equal = found.some((v) => v === filter.value || String(v) === String(filter.value));
  return filter.op === '==' ? equal : !equal;
}

function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

function evaluate(nodes: TemplateNode[], data: unknown): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.text;
    else if (node.type === 'path') out += select(data, node.steps).map(render).join(' ');
    else for (const item of select(data, node.steps).flatMap((v) => (Array.isArray(v) ? v : [v]))) out += evaluate(node.body, item);
  }
  return out;
}

/** Parses and evaluates in one go: `printJsonPath('{.metadata.name}', pod)` → `web`. */
export function printJsonPath(template: string, data: unknown): string {
  return evaluate(parseJsonPath(template), data);
}
