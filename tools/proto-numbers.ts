// Writes Kubernetes' protobuf field numbers into kubelab's schemas (lib/api/schemas/*.ts).
//
// Every field of a served kind carries `proto: N`, its number in k8s.io/api's generated.proto,
// which the protobuf decoder (lib/api/protobuf-objects.ts) reads; a Go pointer field (written
// on the wire only when set, so a zero there is the client's value) also carries
// `pointer: true`; a field of a Go struct embedded inline carries `protoIn: M`, the number of
// the nested message it travels in. The numbers are public facts of the Kubernetes API and never change for a
// field once given. Run this after adding a field or a kind, with checkouts of k8s.io/api and
// k8s.io/apimachinery (any version that has the fields):
//
//   npx tsx tools/proto-numbers.ts PATH/TO/api PATH/TO/apimachinery
//
// It prints the fields it found no number for (kubelab-only fields, definitions built by a
// helper function); the decoder refuses those with a 415 naming them.

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const [apiDir, machineryDir] = process.argv.slice(2);
if (!apiDir || !machineryDir) {
  console.error('usage: npx tsx tools/proto-numbers.ts K8S_API_DIR K8S_APIMACHINERY_DIR');
  process.exit(2);
}

interface ProtoField { number: number; pointer: boolean; type: string }
/** `io.k8s.api.core.v1.Container` -> json field name -> number and pointer-ness. */
const messages = new Map<string, Map<string, ProtoField>>();

function walk(dir: string, found: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, found);
    else if (entry.name === 'generated.proto') found.push(full);
  }
  return found;
}

/** Go struct name -> json name -> whether the Go field is a pointer, from the package's types.go files. */
function goPointers(dir: string): Map<string, Map<string, boolean>> {
  const structs = new Map<string, Map<string, boolean>>();
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_') && !f.startsWith('generated'))) {
    let current: Map<string, boolean> | undefined;
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const start = /^type (\w+) struct \{/.exec(line);
      if (start) {
        current = new Map();
        structs.set(start[1]!, current);
        continue;
      }
      if (/^\}/.test(line)) current = undefined;
      const field = current && /^\s+\w+\s+(\S+)\s+`json:"([^,"]+)/.exec(line);
      if (field) current!.set(field[2]!, field[1]!.startsWith('*'));
    }
  }
  return structs;
}

function readProto(file: string, openApiPrefix: string): void {
  const pointers = goPointers(path.dirname(file));
  let current: Map<string, ProtoField> | undefined;
  let struct: Map<string, boolean> | undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const start = /^message (\w+) \{/.exec(line);
    if (start) {
      current = new Map();
      struct = pointers.get(start[1]!);
      messages.set(`${openApiPrefix}.${start[1]}`, current);
      continue;
    }
    if (/^\}/.test(line)) current = undefined;
    const field = current && /^\s+(?:optional|repeated)?\s*(map<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*(\d+);/.exec(line);
    if (field) {
      const type = field[1]!.startsWith('.k8s.io.') ? `io.k8s.${field[1]!.slice('.k8s.io.'.length)}` : `${openApiPrefix}.${field[1]}`;
      current!.set(field[2]!, { number: Number(field[3]), pointer: struct?.get(field[2]!) ?? false, type });
    }
  }
}

for (const file of walk(apiDir)) {
  const rel = path.relative(apiDir, path.dirname(file)).split(path.sep); // core/v1
  readProto(file, `io.k8s.api.${rel.join('.')}`);
}
for (const file of walk(path.join(machineryDir, 'pkg'))) {
  const rel = path.relative(machineryDir, path.dirname(file)).split(path.sep); // pkg/apis/meta/v1
  readProto(file, `io.k8s.apimachinery.${rel.join('.')}`);
}

/** The index of the `extra` argument of each field constructor in schema.ts. */
const EXTRA_ARG: Record<string, number> = {
  string: 1, bytes: 1, boolean: 1, int32: 1, int64: 1, intOrString: 1, quantity: 1, time: 1, free: 1, stringList: 1, stringMap: 1,
  enumOf: 2, object: 2, listOf: 2, mapOf: 2, listOfObjects: 2,
  // Helpers of the schema files that pass an `extra` on.
  passThroughStatus: 1, passThrough: 1, selector: 0,
};

const missing: string[] = [];
const schemaDir = path.resolve(import.meta.dirname, '../lib/api/schemas');
for (const file of fs.readdirSync(schemaDir).filter((f) => f.endsWith('.ts'))) {
  const full = path.join(schemaDir, file);
  const text = fs.readFileSync(full, 'utf8');
  const source = ts.createSourceFile(full, text, ts.ScriptTarget.Latest, true);
  const edits: Array<{ at: number; end: number; text: string }> = [];

  const fieldsOf = (name: string, fields: ts.ObjectLiteralExpression, topLevel = false) => {
    const proto = messages.get(name);
    for (const property of fields.properties) {
      if (!ts.isPropertyAssignment(property) || !ts.isCallExpression(property.initializer)) continue;
      const key = property.name.getText(source).replace(/^['"]|['"]$/g, '');
      // A kind's apiVersion and kind travel in the envelope, not in the object's message.
      if (topLevel && (key === 'apiVersion' || key === 'kind')) continue;
      const call = property.initializer;
      const ctor = call.expression.getText(source);
      const extraIndex = EXTRA_ARG[ctor];
      if (extraIndex === undefined) continue;
      let number = proto?.get(key);
      let inside: ProtoField | undefined;
      if (!number) {
        // A Go struct embedded inline (Probe's ProbeHandler, Volume's VolumeSource) is one nested
        // message on the wire, whose fields JSON shows flat: `protoIn` names that message's number.
        inside = [...(proto?.values() ?? [])].find((candidate) => messages.get(candidate.type)?.has(key));
        number = inside && messages.get(inside.type)!.get(key);
      }
      if (!number) {
        missing.push(`${name}.${key}`);
        continue;
      }
      const props = `proto: ${number.number}${inside ? `, protoIn: ${inside.number}` : ''}${number.pointer ? ', pointer: true' : ''}`;
      const extra = call.arguments[extraIndex];
      if (!extra) {
        // After a trailing comma (a call spread over lines), the new argument goes after it.
        const trailingComma = call.arguments.hasTrailingComma;
        if (call.arguments.length === 0) {
          edits.push({ at: call.arguments.pos, end: call.arguments.pos, text: `{ ${props} }` });
          continue;
        }
        const last = call.arguments[call.arguments.length - 1]!;
        const indent = ' '.repeat(source.getLineAndCharacterOfPosition(last.getStart(source)).character);
        const at = call.arguments.end; // past the trailing comma, if any
        edits.push({ at, end: at, text: trailingComma ? `\n${indent}{ ${props} },` : `, { ${props} }` });
      } else if (ts.isObjectLiteralExpression(extra)) {
        const kept = extra.properties.filter((p) => !['proto', 'protoIn', 'pointer'].includes(p.name?.getText(source) ?? '')).map((p) => p.getText(source));
        edits.push({ at: extra.getStart(source), end: extra.end, text: `{ ${[...kept, props].join(', ')} }` });
      }
    }
  };

  /** `const containerFields = { ... }`, passed to definition() by name. */
  const objectLiteralNamed = (name: string): ts.ObjectLiteralExpression | undefined => {
    let found: ts.ObjectLiteralExpression | undefined;
    const look = (node: ts.Node) => {
      if (ts.isVariableDeclaration(node) && node.name.getText(source) === name && node.initializer && ts.isObjectLiteralExpression(node.initializer)) found = node.initializer;
      ts.forEachChild(node, look);
    };
    look(source);
    return found;
  };

  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      const [first, , third] = node.arguments;
      const fields = third && ts.isIdentifier(third) ? objectLiteralNamed(third.text) : third;
      if ((callee === 'definition' || callee === 'volumeSource') && first && ts.isStringLiteral(first) && fields && ts.isObjectLiteralExpression(fields)) {
        fieldsOf(callee === 'volumeSource' ? `io.k8s.api.core.v1.${first.text}` : first.text, fields);
      }
      else if (callee === 'definition') missing.push(`${file}: ${first?.getText(source)} (a name built by a helper: number its fields by hand)`);
      if (callee === 'kindSchema' && node.arguments.length >= 5) {
        const [group, version, kind, , fields] = node.arguments;
        if (ts.isStringLiteral(group!) && ts.isStringLiteral(version!) && ts.isStringLiteral(kind!) && ts.isObjectLiteralExpression(fields!)) {
          const prefix = group.text === '' ? 'io.k8s.api.core' : `io.k8s.api.${group.text.split('.')[0]}`;
          fieldsOf(`${prefix}.${version.text}.${kind.text}`, fields, true);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (edits.length === 0) continue;
  let out = text;
  for (const edit of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, edit.at) + edit.text + out.slice(edit.end);
  fs.writeFileSync(full, out);
  console.log(`${file}: ${edits.length} fields numbered`);
}
if (missing.length) console.log(`no number found for ${missing.length} fields:\n  ${missing.join('\n  ')}`);
