// A seeded fuzzer for the API server: it sends mutated requests (every served kind, every verb,
// every patch content type, odd names, paths, query strings and bodies) to a real HTTPS server
// over the real write pipeline, and checks after each answer what an attacker or a careless
// client must never obtain:
// - a status >= 500 (the server did not understand its own failure);
// - a write for a rejected request (the store's resourceVersion moved although the answer was 4xx);
// - a key on Object.prototype (pollution of the whole process).
//
// Everything random comes from one seeded generator (mulberry32), so `KUBELAB_FUZZ_SEED=N`
// replays a run request by request. The fuzzer knows the kinds from lib/api/resources.ts and
// starts each request from a valid object of that kind, so that most requests get past parsing
// and reach defaulting, validation, patching and the store, where the interesting bugs are.

import https from 'node:https';
import zlib from 'node:zlib';
import { RESOURCES, type ResourceInfo } from '../../lib/api/resources.js';

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same run. */
export class SeededRandom {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const FUZZ_NAMESPACE = 'fuzz';
/** The names the fuzzer's objects take, so updates, patches and deletes often hit an existing object. */
const NAMES = ['f0', 'f1', 'f2'];

const image = 'kubelab/busybox:1';
const podSpec = () => ({ containers: [{ name: 'app', image, command: ['sleep', '3600'], ports: [{ containerPort: 80, protocol: 'TCP' }], env: [{ name: 'A', value: 'b' }], resources: { requests: { cpu: '10m', memory: '8Mi' } } }] });
const template = () => ({ metadata: { labels: { app: 'fz' } }, spec: podSpec() });

/** A valid object of each served kind, the starting point of every mutation. */
export function validObject(resource: ResourceInfo, name: string): Record<string, unknown> {
  const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
  const metadata: Record<string, unknown> = { name, labels: { app: 'fz' }, annotations: { note: 'fuzz' } };
  const base = { apiVersion, kind: resource.kind, metadata };
  switch (resource.kind) {
    case 'Pod':
      return { ...base, spec: podSpec() };
    case 'Secret':
      return { ...base, type: 'Opaque', data: { key: Buffer.from('value').toString('base64') }, stringData: { other: 'v' } };
    case 'ConfigMap':
      return { ...base, data: { a: 'b' } };
    case 'Event':
      return { ...base, involvedObject: { kind: 'Pod', namespace: FUZZ_NAMESPACE, name: 'f0' }, reason: 'Fuzz', message: 'fuzz', type: 'Normal', count: 1 };
    case 'Service':
      return { ...base, spec: { selector: { app: 'fz' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } };
    case 'Endpoints':
      return { ...base, subsets: [{ addresses: [{ ip: '10.244.1.5' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] };
    case 'ReplicationController':
      return { ...base, spec: { replicas: 1, selector: { app: 'fz' }, template: template() } };
    case 'ReplicaSet':
    case 'Deployment':
      return { ...base, spec: { replicas: 1, selector: { matchLabels: { app: 'fz' } }, template: template() } };
    case 'Node':
      return { ...base, spec: { podCIDR: '10.244.9.0/24' } };
    default:
      return base;
  }
}

/** Values of every JSON type and the edges that break naive code. */
function oddValue(random: SeededRandom, depth = 0): unknown {
  const choices: (() => unknown)[] = [
    () => null,
    () => true,
    () => 0,
    () => -1,
    () => 2147483648,
    () => -2147483649,
    () => Number.MAX_SAFE_INTEGER + 2,
    () => 1e308,
    () => 0.5,
    () => '',
    () => '80',
    () => 'sleep 1',
    () => 'x'.repeat(random.pick([63, 64, 253, 254, 5000])),
    () => '../../etc/passwd',
    () => '/abs/path',
    () => 'é\u0000\u202e☃',
    () => '%E0%A4%A',
    () => '__proto__',
    () => '1e999',
    () => '10.96.0.1',
    () => 'not-a-quantity',
    () => '100Mi',
    () => [],
    () => [null],
    () => ['a', 1, {}],
    () => ({}),
    () => ({ '': '' }),
    () => ({ a: 'b' }),
    () => JSON.parse('{"__proto__": {"polluted": true}}'),
    () => ({ constructor: { prototype: { polluted: true } } }),
    () => nested(random.pick([5, 99, 101, 300])),
  ];
  if (depth < 2) {
    choices.push(() => [oddValue(random, depth + 1), oddValue(random, depth + 1)]);
    choices.push(() => ({ [random.pick(['name', 'port', 'image', 'x', 'prototype'])]: oddValue(random, depth + 1) }));
  }
  return random.pick(choices)();
}

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i += 1) value = { n: value };
  return value;
}

/** Every path (as a list of keys) to a value inside `value`, the root included. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 400) return out;
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const key of Object.keys(value)) paths((value as Record<string, unknown>)[key], [...prefix, key], out);
  return out;
}

// The generator itself handles keys such as `__proto__` as plain own properties (reads through
// Object.hasOwn, writes through defineProperty): otherwise the fuzzer would pollute its own process.
function getAt(value: unknown, path: (string | number)[]): unknown {
  let current: any = value;
  for (const key of path) current = current && typeof current === 'object' && Object.hasOwn(current, key) ? current[key] : undefined;
  return current;
}

function defineOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAt(root: any, path: (string | number)[], replacement: unknown): any {
  if (path.length === 0) return replacement;
  const parent = getAt(root, path.slice(0, -1));
  if (parent && typeof parent === 'object') defineOwn(parent, path[path.length - 1], replacement);
  return root;
}

function deleteAt(root: any, path: (string | number)[]): any {
  const parent: any = getAt(root, path.slice(0, -1));
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else if (parent && typeof parent === 'object' && Object.hasOwn(parent, path[path.length - 1])) delete parent[path[path.length - 1]];
  return root;
}

/** One to three mutations of a copy of `object`: a value replaced, a key deleted, an unknown key added. */
export function mutate(random: SeededRandom, object: unknown): unknown {
  let result = structuredClone(object);
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i += 1) {
    const all = paths(result);
    const path = random.pick(all);
    const roll = random.int(10);
    if (roll < 6) result = setAt(result, path, oddValue(random));
    else if (roll < 8 && path.length > 0) result = deleteAt(result, path);
    else {
      const target = getAt(result, path);
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        setAt(target, [random.pick(['unknownField', 'status', 'metadata', 'spec', '__proto__', 'constructor', 'prototype', ''])], oddValue(random));
      }
    }
  }
  return result;
}

function pointer(path: (string | number)[]): string {
  return path.map((key) => '/' + String(key).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function jsonPatch(random: SeededRandom, object: unknown): unknown {
  const ops: unknown[] = [];
  const count = 1 + random.int(3);
  const all = paths(object);
  for (let i = 0; i < count; i += 1) {
    const path = random.chance(0.8) ? pointer(random.pick(all)) : random.pick(['', '/', '/-', '/spec/containers/-', '/spec/containers/99', '/a~2b', '/metadata/labels/~', 'no-slash', '/__proto__/x', '/metadata/constructor/prototype/x']);
    const op = random.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus', 42]);
    const entry: Record<string, unknown> = { op, path };
    if (random.chance(0.8)) entry.value = random.chance(0.5) ? oddValue(random) : getAt(object, random.pick(all));
    if (op === 'move' || op === 'copy' || random.chance(0.1)) entry.from = random.chance(0.8) ? pointer(random.pick(all)) : random.pick(['', '/nope', 5]);
    if (random.chance(0.05)) entry.path = oddValue(random);
    ops.push(random.chance(0.05) ? oddValue(random) : entry);
  }
  return random.chance(0.05) ? oddValue(random) : ops;
}

/** A fragment of the object (mutated), plus strategic-merge directives now and then. */
function mergePatch(random: SeededRandom, object: unknown, strategic: boolean): unknown {
  const all = paths(object).filter((p) => p.length > 0 && p.every((k) => typeof k === 'string'));
  if (all.length === 0) return oddValue(random);
  const patch: Record<string, unknown> = {};
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i += 1) {
    const path = random.pick(all) as string[];
    let cursor = patch;
    for (const key of path.slice(0, -1)) {
      if (!Object.hasOwn(cursor, key) || !cursor[key] || typeof cursor[key] !== 'object') defineOwn(cursor, key, {});
      cursor = cursor[key] as Record<string, unknown>;
    }
    defineOwn(cursor, path[path.length - 1], random.chance(0.4) ? mutate(random, getAt(object, path)) : oddValue(random));
  }
  if (strategic && random.chance(0.5)) {
    const directive = random.pick([
      { $patch: random.pick(['replace', 'delete', 'merge', 'bogus', 5]) },
      { $retainKeys: random.pick([['a'], 'a', [1], null]) },
      { '$setElementOrder/containers': random.pick([[{ name: 'app' }], 'x', [null], [{}]]) },
      { '$deleteFromPrimitiveList/finalizers': random.pick([['a'], 'a', {}]) },
      { containers: [{ name: 'app', $patch: random.pick(['delete', 'replace']) }] },
    ]);
    const spec = Object.hasOwn(patch, 'spec') ? patch.spec : undefined;
    const target = random.chance(0.5) || !spec || typeof spec !== 'object' ? patch : spec;
    for (const [key, value] of Object.entries(directive)) defineOwn(target, key, value);
  }
  return random.chance(0.05) ? oddValue(random) : patch;
}

const ODD_NAMES = ['', '..', '.', 'UPPER', 'a%20b', 'a%2Fb', '%00', '%E0%A4%A', '%', '%25', 'é', '-x', 'x-', 'a.b', 'x'.repeat(254), 'a:b', '__proto__', 'constructor', 'f0%2F..%2Fsecrets', '%ZZ', '~', 'a;b'];
const ODD_QUERIES = [
  'labelSelector=app%3Dfz', 'labelSelector=%3D%3D%3D', 'labelSelector=app+in+(a,', 'labelSelector=!', 'fieldSelector=metadata.name%3Df0', 'fieldSelector=spec.bogus%3Dx',
  'fieldSelector=%3D', 'limit=1', 'limit=-1', 'limit=abc', 'limit=99999999999999999999', 'continue=garbage', 'continue=eyJ4IjoxfQ', 'resourceVersion=abc',
  'resourceVersion=-1', 'resourceVersion=0', 'resourceVersionMatch=Exact', 'watch=maybe', 'timeoutSeconds=-5', 'pretty=true', 'dryRun=All', 'dryRun=bogus',
  'fieldManager=' + 'x'.repeat(200), 'fieldValidation=Strict', 'fieldValidation=bogus', 'gracePeriodSeconds=-1', 'gracePeriodSeconds=abc', 'propagationPolicy=Bogus',
  'propagationPolicy=Foreground', 'orphanDependents=maybe', 'a=1&a=2&a=3', 'labelSelector[]=x', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1', '%E0%A4%A=1', 'x=%',
  'includeObject=Bogus', 'sendInitialEvents=true', 'allowWatchBookmarks=1',
];

export interface FuzzRequest {
  method: string;
  path: string;
  contentType?: string;
  contentEncoding?: string;
  body?: string | Buffer;
  /** A short description for the report. */
  what: string;
}

function collectionPath(resource: ResourceInfo, namespace = FUZZ_NAMESPACE): string {
  const prefix = resource.group ? `/apis/${resource.group}/${resource.version}` : '/api/v1';
  return resource.namespaced ? `${prefix}/namespaces/${namespace}/${resource.plural}` : `${prefix}/${resource.plural}`;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
  'constructor',
  'toString',
] as const;

/** The next request of the run: a verb, a kind, an object name and a body, all drawn from `random`. */
export function nextRequest(random: SeededRandom): FuzzRequest {
  const resource = random.pick(RESOURCES);
  const name = random.chance(0.85) ? random.pick(NAMES) : random.pick(ODD_NAMES);
  const base = validObject(resource, name);
  const collection = random.chance(0.97) ? collectionPath(resource) : collectionPath(resource, random.pick(['default', 'nope', '%E0', 'UPPER', '']));
  const item = `${collection}/${name}`;
  const query = () => (random.chance(0.3) ? '?' + Array.from({ length: 1 + random.int(3) }, () => random.pick(ODD_QUERIES)).join('&') : '');
  const subresource = () => random.pick(resource.subresources.filter((s) => ['status', 'scale', 'binding', 'eviction', 'finalize'].includes(s.name)).map((s) => s.name).concat(['nope']));
  const verb = random.pick(['create', 'create', 'create', 'update', 'update', 'patch', 'patch', 'patch', 'patch', 'get', 'list', 'delete', 'deletecollection', 'subresource', 'raw']);
  const json = (value: unknown) => JSON.stringify(value) ?? 'null';

  switch (verb) {
    case 'create': {
      const body = random.chance(0.15) ? base : mutate(random, base);
      return { method: 'POST', path: collection + query(), contentType: 'application/json', body: json(body), what: `create ${resource.plural}` };
    }
    case 'update': {
      const body = mutate(random, base);
      return { method: 'PUT', path: item + query(), contentType: 'application/json', body: json(body), what: `update ${resource.plural}/${name}` };
    }
    case 'patch': {
      const contentType = random.pick(PATCH_TYPES);
      let body: unknown;
      if (contentType === 'application/json-patch+json') body = jsonPatch(random, base);
      else body = mergePatch(random, base, contentType === 'application/strategic-merge-patch+json');
      return { method: 'PATCH', path: item + query(), contentType, body: json(body), what: `patch (${contentType}) ${resource.plural}/${name}` };
    }
    case 'get':
      return { method: 'GET', path: item + query(), what: `get ${resource.plural}/${name}` };
    case 'list':
      return { method: 'GET', path: collection + query(), what: `list ${resource.plural}` };
    case 'delete': {
      const body = random.chance(0.3) ? json(mutate(random, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, propagationPolicy: 'Background', preconditions: { uid: 'x' } })) : undefined;
      return { method: 'DELETE', path: item + query(), ...(body ? { contentType: 'application/json', body } : {}), what: `delete ${resource.plural}/${name}` };
    }
    case 'deletecollection':
      // Always with a selector that matches nothing of ours, or an odd one: an empty fuzz namespace tests little.
      return { method: 'DELETE', path: `${collection}?labelSelector=${random.pick(['nothing%3Dhere', '%3D%3D', 'app+notin+(', 'x'])}&${random.pick(ODD_QUERIES)}`, what: `deletecollection ${resource.plural}` };
    case 'subresource': {
      const sub = subresource();
      const method = random.pick(['GET', 'PUT', 'PATCH', 'POST']);
      let body: unknown = mutate(random, base);
      if (sub === 'scale') body = mutate(random, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace: FUZZ_NAMESPACE }, spec: { replicas: 2 } });
      if (sub === 'binding') body = mutate(random, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'n1' } });
      if (sub === 'eviction') body = mutate(random, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: FUZZ_NAMESPACE }, deleteOptions: { gracePeriodSeconds: 0 } });
      const contentType = method === 'PATCH' ? random.pick(PATCH_TYPES) : 'application/json';
      if (method === 'PATCH') body = contentType === 'application/json-patch+json' ? jsonPatch(random, body) : mergePatch(random, body, true);
      return { method, path: `${item}/${sub}${query()}`, ...(method === 'GET' ? {} : { contentType, body: json(body) }), what: `${method} ${resource.plural}/${name}/${sub}` };
    }
    default:
      return rawRequest(random, resource, collection, item, base);
  }
}

/** Bodies and headers that are broken before any object is in sight. */
function rawRequest(random: SeededRandom, resource: ResourceInfo, collection: string, item: string, base: unknown): FuzzRequest {
  const text = JSON.stringify(base);
  const method = random.pick(['POST', 'PUT', 'PATCH']);
  const path = method === 'POST' ? collection : item;
  const kinds: (() => FuzzRequest)[] = [
    () => ({ method, path, contentType: 'application/json', body: text.slice(0, random.int(text.length)), what: `${method} truncated JSON` }),
    () => ({ method, path, contentType: 'application/json', body: '', what: `${method} empty body` }),
    () => ({ method, path, contentType: 'application/json', body: random.pick(['null', '[]', '"x"', '1', 'true', '{}', '{"metadata": null}', '{"metadata": "x"}', '{"metadata": {"": ""}}', '{"a":1,"a":2}']), what: `${method} odd JSON` }),
    () => ({ method, path, contentType: random.pick(['text/plain', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'multipart/form-data', 'application/x-www-form-urlencoded', '']), body: random.chance(0.5) ? text : 'a=1&b[c]=2', what: `${method} other content type` }),
    () => ({ method, path, contentType: 'application/json', contentEncoding: 'gzip', body: random.chance(0.5) ? text : zlib.gzipSync(text).subarray(0, 20), what: `${method} gzip that is not` }),
    () => ({ method, path, contentType: 'application/json', contentEncoding: random.pick(['deflate', 'br', 'compress', 'gzip, gzip']), body: text, what: `${method} other encodings` }),
    () => ({ method, path, contentType: 'application/json', body: '['.repeat(50_000) + ']'.repeat(50_000), what: `${method} deep nesting` }),
    () => ({ method, path, contentType: 'application/json', body: Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3]), what: `${method} invalid UTF-8` }),
    () => ({ method: random.pick(['GET', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']), path: random.pick(['/', '//api/v1', '/api/v1/namespaces//pods', '/apis/apps/v2/deployments', '/apis//v1', '/api/v1/namespaces/fuzz/pods/f0/nope/deeper', '/api/v1/%E0%A4%A', '/api/v1/namespaces/fuzz/' + 'x'.repeat(10_000), '/apis/apps/v1/namespaces/fuzz/deployments/f0/scale/x', '/api/v1/namespaces/fuzz/pods/f0/log?container=%00&tailLines=abc', '/api/v1/watch/namespaces/fuzz/pods?timeoutSeconds=abc', '/openapi/v2?x=%', '/version/..', '/api/v1/namespaces/fuzz/pods/f0/exec?command=sh']), what: 'odd path' }),
  ];
  return random.pick(kinds)();
}

export interface FuzzServer {
  port: number;
  caCertPem: string;
  token: string;
  /** The store's version now: a rejected request must leave it as it was. */
  storeVersion(): number;
}

export interface FuzzResult {
  seed: number;
  requests: number;
  histogram: Record<number, number>;
  /** Requests answered >= 500, rejected requests that wrote, prototype pollution: each with its index and request. */
  failures: { index: number; request: string; problem: string }[];
  elapsedMs: number;
}

/** Sends `count` requests drawn from `seed`, one at a time, checking every answer. */
export async function runApiFuzz(server: FuzzServer, seed: number, count: number): Promise<FuzzResult> {
  const random = new SeededRandom(seed);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: server.caCertPem });
  const histogram: Record<number, number> = {};
  const failures: FuzzResult['failures'] = [];
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort().join();
  const started = Date.now();
  try {
    for (let index = 0; index < count; index += 1) {
      const request = nextRequest(random);
      if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeNames) throw new Error(`the fuzzer polluted Object.prototype itself while generating request ${index}`);
      const before = server.storeVersion();
      let status: number;
      let text = '';
      try {
        ({ status, text } = await send(agent, server, request));
      } catch (error) {
        status = 0;
        text = String(error);
      }
      histogram[status] = (histogram[status] ?? 0) + 1;
      const describe = `${request.what}: ${request.method} ${request.path.slice(0, 200)} ${String(request.body ?? '').slice(0, 300)}`;
      if (status >= 500 || status === 0) failures.push({ index, request: describe, problem: `answered ${status}: ${text.slice(0, 300)}` });
      if (status >= 400 && server.storeVersion() !== before) failures.push({ index, request: describe, problem: `answered ${status} but the store changed (resourceVersion ${before} → ${server.storeVersion()})` });
      const probe = {} as Record<string, unknown>;
      if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeNames || probe.polluted !== undefined) {
        failures.push({ index, request: describe, problem: 'Object.prototype changed' });
        break;
      }
    }
  } finally {
    agent.destroy();
  }
  return { seed, requests: count, histogram, failures, elapsedMs: Date.now() - started };
}

function send(agent: https.Agent, server: FuzzServer, request: FuzzRequest): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.token}` };
  if (request.body !== undefined) {
    if (request.contentType) headers['content-type'] = request.contentType;
    if (request.contentEncoding) headers['content-encoding'] = request.contentEncoding;
    headers['content-length'] = String(Buffer.byteLength(request.body));
  }
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: server.port, method: request.method, path: request.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    // A request that hangs is a failure too (a watch that never ends, a body never read).
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** A histogram as `200×512 201×40 ...`, sorted by status. */
export function formatHistogram(histogram: Record<number, number>): string {
  return Object.entries(histogram)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
}
