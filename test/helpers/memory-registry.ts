// A small in-memory Registry for testing the HTTP layer (daemon/api/server.ts) without a store:
// uid, resourceVersion, creationTimestamp, AlreadyExists/NotFound/Conflict, a 422 for pods
// without an image, a warning for unknown top-level fields under fieldValidation=Warn, equality
// label selectors, merge patches, and a watch with a bounded history (older → 410 Gone).
// It is not ResourceRegistry: no defaults, no strategies; integration tests use the real one.

import crypto from 'node:crypto';
import { resourceByKey } from '../../lib/api/resources.js';
import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import type { DeleteOptions, ListOptions, PatchType, WatchEvent, WatchOptions } from '../../lib/client/api-client.js';
import { alreadyExists, badRequest, conflict, fieldRequired, gone, invalid, notFound } from '../../lib/errors.js';
import type { Registry, RequestContext, Subresource } from '../../daemon/api/registry.js';

interface Watcher {
  resource: string;
  options: WatchOptions;
  onEvent: (event: WatchEvent) => void;
}

const KNOWN_TOP_LEVEL = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status', 'data', 'type', 'subsets']);

function matchesLabels(obj: KubeObject, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return obj.metadata.labels?.[key] === value;
  });
}

function matches(obj: KubeObject, options: ListOptions): boolean {
  if (options.namespace !== undefined && obj.metadata.namespace !== options.namespace) return false;
  if (!matchesLabels(obj, options.labelSelector)) return false;
  const nameTerm = options.fieldSelector?.split(',').find((t) => t.startsWith('metadata.name='));
  return !nameTerm || obj.metadata.name === nameTerm.slice('metadata.name='.length);
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export class MemoryRegistry implements Registry {
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: { rv: number; resource: string; event: WatchEvent }[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;

  /** Events kept for watches that resume from a resourceVersion. */
  constructor(private readonly historyLimit = 50) {}

  private key(resource: string, namespace: string | undefined, name: string): string {
    return `${resource}/${namespace ?? ''}/${name}`;
  }

  private record(resource: string, type: WatchEvent['type'], object: KubeObject): void {
    const event = { type, object: structuredClone(object) };
    this.history.push({ rv: Number(object.metadata.resourceVersion), resource, event });
    if (this.history.length > this.historyLimit) this.history.shift();
    for (const w of this.watchers) if (w.resource === resource && matches(object, w.options)) w.onEvent(event);
  }

  /** How many watches are open: a test checks that closed HTTP watches stop theirs. */
  get openWatches(): number {
    return this.watchers.size;
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const obj = this.objects.get(this.key(resource, namespace, name));
    if (!obj) throw notFound(resource, name);
    return structuredClone(obj);
  }

  async list(resource: string, options: ListOptions): Promise<ObjectList> {
    const items = [...this.objects.entries()].filter(([k, o]) => k.startsWith(`${resource}/`) && matches(o, options)).map(([, o]) => structuredClone(o));
    return { metadata: { resourceVersion: this.currentResourceVersion() }, items };
  }

  watch(resource: string, options: WatchOptions, _ctx: RequestContext, onEvent: (event: WatchEvent) => void): () => void {
    const from = options.resourceVersion;
    if (!from || from === '0') {
      for (const [k, o] of this.objects) if (k.startsWith(`${resource}/`) && matches(o, options)) onEvent({ type: 'ADDED', object: structuredClone(o) });
    } else {
      const oldest = this.history[0]?.rv ?? this.rv + 1;
      if (Number(from) < oldest - 1) throw gone(`too old resource version: ${from} (${oldest - 1})`);
      for (const h of this.history) if (h.rv > Number(from) && h.resource === resource && matches(h.event.object, options)) onEvent(h.event);
    }
    const watcher: Watcher = { resource, options, onEvent };
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  async create(resource: string, namespace: string | undefined, body: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    const info = resourceByKey(resource)!;
    if (body.metadata?.namespace && namespace && body.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const name = body.metadata?.name ?? '';
    const unknown = Object.keys(body).filter((k) => !KNOWN_TOP_LEVEL.has(k));
    if (unknown.length && ctx.fieldValidation === 'Strict') throw badRequest(`strict decoding error: unknown field "${unknown[0]}"`);
    if (ctx.fieldValidation === 'Warn') for (const field of unknown) ctx.warnings.push(`unknown field "${field}"`);
    if (resource === 'pods') {
      const containers = ((body.spec as { containers?: { image?: string }[] } | undefined)?.containers ?? []);
      const errors = containers.flatMap((c, i) => (c.image ? [] : [fieldRequired(`spec.containers[${i}].image`)]));
      if (errors.length) throw invalid(info.kind, info.group, name, errors);
    }
    const key = this.key(resource, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(resource, name);
    const obj: KubeObject = {
      ...body,
      apiVersion: body.apiVersion ?? (info.group ? `${info.group}/${info.version}` : info.version),
      kind: info.kind,
      metadata: {
        ...body.metadata,
        name,
        ...(namespace ? { namespace } : {}),
        uid: crypto.randomUUID(),
        resourceVersion: String(++this.rv),
        creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    if (ctx.dryRun) return obj;
    this.objects.set(key, obj);
    this.record(resource, 'ADDED', obj);
    return structuredClone(obj);
  }

  async update(resource: string, namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext, subresource?: Subresource): Promise<KubeObject> {
    const current = await this.get(resource, namespace, name);
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflict(resource, name);
    const next: KubeObject = subresource === 'status' ? { ...current, status: body.status } : { ...body, status: current.status };
    next.metadata = { ...current.metadata, ...(subresource ? {} : body.metadata), resourceVersion: String(++this.rv) };
    if (ctx.dryRun) return next;
    this.objects.set(this.key(resource, namespace, name), next);
    this.record(resource, 'MODIFIED', next);
    return structuredClone(next);
  }

  async patch(resource: string, namespace: string | undefined, name: string, patch: unknown, type: PatchType, ctx: RequestContext, subresource?: Subresource): Promise<KubeObject> {
    if (type === 'json') throw badRequest('the memory registry only applies merge patches');
    const current = await this.get(resource, namespace, name);
    if (subresource === 'scale') {
      const replicas = (patch as { spec?: { replicas?: number } }).spec?.replicas;
      return this.update(resource, namespace, name, mergePatch(current, { spec: { replicas } }) as KubeObject, ctx);
    }
    return this.update(resource, namespace, name, mergePatch(current, patch) as KubeObject, ctx, subresource);
  }

  async getScale(resource: string, namespace: string, name: string): Promise<KubeObject> {
    const obj = await this.get(resource, namespace, name);
    const replicas = (obj.spec as { replicas?: number } | undefined)?.replicas ?? 1;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name, namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      spec: { replicas },
      status: { replicas: (obj.status as { replicas?: number } | undefined)?.replicas ?? 0 },
    };
  }

  async delete(resource: string, namespace: string | undefined, name: string, _options: DeleteOptions, ctx: RequestContext): Promise<KubeObject> {
    const current = await this.get(resource, namespace, name);
    if (ctx.dryRun) return current;
    this.objects.delete(this.key(resource, namespace, name));
    current.metadata.resourceVersion = String(++this.rv);
    this.record(resource, 'DELETED', current);
    return current;
  }
}
