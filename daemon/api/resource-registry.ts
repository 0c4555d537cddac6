// ResourceRegistry: the API server's REST storage (k8s.io/apiserver's generic registry).
//
// Every write runs the same pipeline, whatever the kind:
//   decode checks (kind, namespace, name)  →  unknown fields (Strict / Warn / Ignore)
//   →  the kind's strategy (what a client may not set)  →  defaults  →  validation (422)
//   →  the store (uid, resourceVersion, conflicts)  →  watchers.
// What differs per kind lives in strategies/: status owned by /status, pods born Pending and
// deleted gracefully, namespaces that empty themselves. Updates and patches are read-modify-write
// inside store.guaranteedUpdate, so a patch always applies to the latest object and a
// controller's status write is never lost under a concurrent spec edit.
//
// The HTTP handlers and the in-process LocalClient both call this class, so kubectl and the
// daemon's own controllers meet exactly the same rules.

import { applyDefaults } from '../../lib/api/defaults.js';
import { shortValue, validateAgainstSchema } from '../../lib/api/schemas/validate.js';
import { GENERATED_NAME_RANDOM_LENGTH, generatedName } from '../../lib/api/name-rules.js';
import { resourceByKey, apiVersionOf, type ResourceInfo } from '../../lib/api/resources.js';
import { compileSelectors } from '../../lib/api/selectors.js';
import type { KubeObject, ObjectList, ObjectMeta } from '../../lib/api/types.js';
import { validateObject } from '../../lib/api/validation.js';
import { applyConflictError, planApply, planUpdateManagedFields, type WriteScope } from '../../lib/api/managed-fields.js';
import type { DeleteOptions, ListOptions, PatchType, WatchEvent, WatchOptions } from '../../lib/client/api-client.js';
import { ApiError, badRequest, conflict, expiredContinue, fieldInvalid, forbidden, invalid, isAlreadyExists, isGone, isNotFound, notFound, type FieldError } from '../../lib/errors.js';
import { decodeContinue, encodeContinue, keyAfter } from '../../lib/api/continue-token.js';
import { rfc3339 } from '../../lib/time.js';
import type { ObjectStore } from '../store/object-store.js';
import { applyPatch } from './apply-patch.js';
import { enforceFieldValidation } from './field-validation.js';
import { NamespaceFinalizer } from './namespace-finalizer.js';
import { internalContext, type EncodedList, type Registry, type RequestContext, type Subresource } from './registry.js';
import { isTerminating, SYSTEM_NAMESPACES } from './strategies/namespace-strategy.js';
import { applyScale, ensureScalable, toScale } from './strategies/scale.js';
import { finishesDeletion, withFinalizers } from './strategies/finalizers.js';
import { strategyFor } from './strategies/strategy-for.js';
import type { Reservation, Strategy } from './strategies/strategy.js';

export interface ResourceRegistryOptions {
  store: ObjectStore;
  clock?: () => Date;
  /** Source of randomness for generateName suffixes; injectable for tests. */
  random?: () => number;
  /** Per-resource strategies that replace the built-in ones, e.g. services with a ServiceAllocation (service-strategy.ts). */
  strategies?: Record<string, Strategy>;
  /**
   * Told of every object stored by create, with the time the write began (kubelabd records an
   * `Accepted` event for pods: creationTimestamp has whole seconds, the pod trace needs more).
   */
  onCreated?: (resource: string, created: KubeObject, acceptedAt: Date) => void;
  /**
   * Mutating admission on create, after defaults and before validation (kube-apiserver's order):
   * may change the object or throw to refuse it (the ServiceAccount plugin: service-account-admission.ts).
   */
  admitCreate?: (resource: string, obj: KubeObject, ctx: RequestContext) => Promise<void>;
}

/** Kubernetes' generateName alphabet: no vowels (no accidental words), no look-alike characters. */
export const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GENERATE_NAME_ATTEMPTS = 8;

/** Set by the store, never by a client: dropped from every create. */
const SERVER_OWNED_METADATA = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation'] as const;

const copy = <T>(value: T): T => structuredClone(value);

export class ResourceRegistry implements Registry {
  private readonly store: ObjectStore;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly namespaces: NamespaceFinalizer;
  private readonly strategies: Record<string, Strategy>;
  private readonly onCreated?: ResourceRegistryOptions['onCreated'];
  private readonly admitCreate?: ResourceRegistryOptions['admitCreate'];

  constructor(options: ResourceRegistryOptions) {
    this.strategies = options.strategies ?? {};
    this.onCreated = options.onCreated;
    this.admitCreate = options.admitCreate;
    this.store = options.store;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.namespaces = new NamespaceFinalizer({
      store: this.store,
      deleteObject: (resource, namespace, name) => this.delete(resource, namespace, name, {}, internalContext()),
    });
  }

  /** Creates the namespaces the cluster needs and resumes deleting namespaces a restart interrupted. */
  async ensureSystemNamespaces(): Promise<void> {
    for (const name of SYSTEM_NAMESPACES) {
      await this.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, internalContext()).catch(
        (err: unknown) => {
          if (!isAlreadyExists(err)) throw err;
        },
      );
    }
    await this.namespaces.resumeAll();
  }

  currentResourceVersion(): string {
    return String(this.store.currentResourceVersion());
  }

  // -------------------------------------------------------------------------------------------
  // Reads

  async get(resource: string, namespace: string | undefined, name: string, _ctx: RequestContext): Promise<KubeObject> {
    const info = infoOf(resource);
    return this.store.get(resource, scoped(info, namespace), name);
  }

  async list(resource: string, options: ListOptions, ctx: RequestContext): Promise<ObjectList> {
    const page = await this.listEncoded(resource, options, ctx);
    return { apiVersion: page.apiVersion, kind: page.kind, metadata: page.metadata, items: page.items.map((item) => copy(item.object)) };
  }

  /**
   * A list, or one page of it (`limit`, `continue`), as kube-apiserver serves it from etcd:
   * items in key order (namespace/name); `metadata.continue` when more follow, a token holding
   * the list's resourceVersion and the key to go on from (lib/api/continue-token.ts);
   * `remainingItemCount` when no selector filters. Every page of one list reads the first
   * page's version as long as the store's history still reaches back to it; after that the token
   * is answered 410 Expired with a new token that goes on from the same key at the latest version.
   */
  async listEncoded(resource: string, options: ListOptions, _ctx: RequestContext): Promise<EncodedList> {
    const info = infoOf(resource);
    const filter = compileSelectors(options); // parsed even when empty: a bad selector is a 400
    const filtered = Boolean(options.labelSelector || options.fieldSelector);
    const limit = options.limit ?? 0;
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit must be a non-negative integer, got ${String(options.limit)}`);
    const position = options.continue ? decodeContinue(options.continue) : undefined;
    let page;
    try {
      page = await this.store.listPage(resource, {
        namespace: scoped(info, options.namespace),
        ...(filtered ? { filter } : {}),
        limit,
        ...(position ? { startKey: position.startKey } : {}),
        ...(position && position.resourceVersion > 0 ? { resourceVersion: position.resourceVersion } : {}),
      });
    } catch (err) {
      // The first page's version fell out of the history (etcd: compacted): start-over or go on inconsistently.
      if (position && isGone(err)) throw expiredContinue(encodeContinue({ resourceVersion: -1, startKey: position.startKey }));
      throw err;
    }
    const next = page.lastKey !== undefined ? encodeContinue({ resourceVersion: page.resourceVersion, startKey: keyAfter(page.lastKey) }) : undefined;
    return {
      apiVersion: apiVersionOf(info),
      kind: `${info.kind}List`,
      metadata: {
        resourceVersion: String(page.resourceVersion),
        ...(next !== undefined ? { continue: next } : {}),
        ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
      },
      items: page.items,
    };
  }

  watch(resource: string, options: WatchOptions, _ctx: RequestContext, onEvent: (event: WatchEvent) => void): () => void {
    const info = infoOf(resource);
    const filter = compileSelectors(options);
    const from = parseResourceVersion(options.resourceVersion);
    // A watch the store ends on its own (etcd compacted the version it served) ends with an ERROR event.
    const onError = (error: ApiError) => onEvent({ type: 'ERROR', object: error.toStatus() as unknown as KubeObject });
    return this.store.watch(resource, { namespace: scoped(info, options.namespace), resourceVersion: from, filter, onError }, (event) =>
      onEvent({ type: event.type, object: event.object }),
    );
  }

  async getScale(resource: string, namespace: string, name: string, _ctx: RequestContext): Promise<KubeObject> {
    ensureScalable(resource);
    return toScale(await this.store.get(resource, namespace, name));
  }

  // -------------------------------------------------------------------------------------------
  // Create

  async create(resource: string, namespace: string | undefined, body: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    const info = infoOf(resource);
    const obj = copy(body);
    checkKind(info, obj);
    checkMetadataIsObject(info, obj);
    obj.metadata = obj.metadata ?? {};
    if (info.namespaced) {
      const bodyNamespace = obj.metadata.namespace;
      if (namespace && bodyNamespace && bodyNamespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      const target = namespace ?? bodyNamespace;
      if (!target) throw badRequest(`${resource}: a namespace is required to create a namespaced object`);
      obj.metadata.namespace = target;
      await this.ensureNamespaceAcceptsContent(resource, target, obj.metadata.name ?? obj.metadata.generateName ?? '');
    } else {
      delete obj.metadata.namespace;
    }

    enforceFieldValidation(resource, info, obj, ctx);
    this.checkFieldTypes(info, resource, obj);
    for (const field of SERVER_OWNED_METADATA) delete obj.metadata[field];
    this.strategyOf(resource).prepareForCreate(obj);
    applyDefaults(resource, obj);
    await this.admitCreate?.(resource, obj, ctx);
    ctx.checkWrite?.(resource, obj, undefined);

    const generated = !obj.metadata.name && Boolean(obj.metadata.generateName);
    for (let attempt = 1; ; attempt += 1) {
      if (generated) obj.metadata.name = generatedName(obj.metadata.generateName!, this.nameSuffix());
      this.strategyOf(resource).prepareNamedForCreate?.(obj);
      this.validate(info, resource, obj);
      if (ctx.fieldManager) this.trackUpdate(info, resource, undefined, obj, ctx.fieldManager);
      // Cluster-wide pools (a Service's ClusterIP, NodePorts) are taken last, and given back if the write fails.
      const reservation = await this.strategyOf(resource).reserve?.(obj, undefined, { dryRun: ctx.dryRun });
      if (ctx.dryRun) {
        await reservation?.rollback();
        return obj;
      }
      let created: KubeObject | undefined;
      const acceptedAt = this.clock();
      try {
        created = await this.store.create(resource, obj);
      } catch (err) {
        await reservation?.rollback();
        // A generated name that collides is our bad luck, not the user's mistake: draw again.
        if (!(generated && isAlreadyExists(err) && attempt < GENERATE_NAME_ATTEMPTS)) throw err;
      }
      if (created) {
        await reservation?.commit();
        this.onCreated?.(resource, created, acceptedAt);
        return created;
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Update and patch: both build the new object from the current one inside guaranteedUpdate.

  async update(
    resource: string,
    namespace: string | undefined,
    name: string,
    body: KubeObject,
    ctx: RequestContext,
    subresource?: Subresource,
  ): Promise<KubeObject> {
    const info = infoOf(resource);
    if (subresource === 'scale') {
      ensureScalable(resource);
      const updated = await this.readModifyWrite(info, resource, namespace, name, ctx, (current) => {
        checkPreconditions(resource, name, body.metadata ?? {}, current);
        return applyScale(current, body);
      }, 'scale');
      return toScale(updated);
    }
    const incoming = copy(body);
    checkKind(info, incoming);
    checkMetadataIsObject(info, incoming);
    incoming.metadata = incoming.metadata ?? {};
    checkIdentity(info, namespace, name, incoming);
    enforceFieldValidation(resource, info, incoming, ctx);
    return this.readModifyWrite(info, resource, namespace, name, ctx, (current) => {
      checkPreconditions(resource, name, incoming.metadata, current);
      return this.nextState(resource, current, incoming, subresource);
    }, subresource);
  }

  async patch(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    ctx: RequestContext,
    subresource?: Subresource,
  ): Promise<KubeObject> {
    const info = infoOf(resource);
    if (subresource === 'scale') {
      ensureScalable(resource);
      const updated = await this.readModifyWrite(info, resource, namespace, name, ctx, (current) => {
        const scale = toScale(current);
        const patched = applyPatch(resource, copy(scale), patch, type);
        checkPreconditions(resource, name, patched.metadata ?? {}, scale);
        return applyScale(current, patched);
      }, 'scale');
      return toScale(updated);
    }
    return this.readModifyWrite(info, resource, namespace, name, ctx, (current) => {
      const patched = applyPatch(resource, copy(current), patch, type);
      checkPatchedObject(info, name, patched);
      patched.metadata = patched.metadata ?? {};
      // A patch that names a resourceVersion is a precondition ("only if nobody changed it since").
      checkPreconditions(resource, name, patched.metadata, current);
      checkIdentity(info, namespace, name, patched);
      enforceFieldValidation(resource, info, patched, ctx);
      return this.nextState(resource, current, patched, subresource);
    }, subresource);
  }

  /**
   * Server-side apply (lib/api/managed-fields.ts plans it): the configuration is merged into the
   * live object, or creates it; then the object takes the usual way (defaults, validation, store).
   */
  async apply(
    resource: string,
    namespace: string | undefined,
    name: string,
    config: KubeObject,
    ctx: RequestContext,
    options: { force: boolean },
  ): Promise<{ object: KubeObject; created: boolean }> {
    const info = infoOf(resource);
    const manager = ctx.fieldManager;
    if (!manager) throw badRequest('fieldManager is required for apply patch');
    const body = copy(config);
    if (!isJsonMap(body)) throw badRequest('the applied configuration must be an object');
    if (body.apiVersion === undefined || body.kind === undefined) {
      throw badRequest(`${body.apiVersion === undefined ? 'apiVersion' : 'kind'} must be set in the applied configuration`);
    }
    checkKind(info, body);
    checkMetadataIsObject(info, body);
    body.metadata = body.metadata ?? {};
    checkIdentity(info, namespace, name, body);
    enforceFieldValidation(resource, info, body, ctx);
    const plan = (live: KubeObject | undefined) => {
      const planned = planApply({ scope: this.writeScope(info, resource), live, config: body, entries: live?.metadata.managedFields, manager, force: options.force });
      if (planned.conflicts) throw applyConflictError(planned.conflicts);
      return planned.object;
    };
    const live = await this.store.get(resource, scoped(info, namespace), name).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!live) {
      try {
        return { object: await this.create(resource, namespace, plan(undefined), { ...ctx, fieldManager: undefined }), created: true };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err; // created meanwhile: apply to it
      }
    }
    const object = await this.readModifyWrite(info, resource, namespace, name, ctx, (current) => {
      checkPreconditions(resource, name, body.metadata, current);
      return this.nextState(resource, current, plan(current));
    }, undefined, { tracked: false });
    return { object, created: false };
  }

  /** What a write of this resource (through `subresource`) means for field ownership. */
  private writeScope(info: ResourceInfo, resource: string, subresource?: Subresource): WriteScope {
    const { statusFields } = this.strategyOf(resource);
    return {
      resource,
      apiVersion: apiVersionOf(info),
      ...(subresource ? { subresource } : {}),
      fields: subresource === 'status' ? { only: statusFields } : { except: statusFields },
      now: rfc3339(this.clock()),
    };
  }

  /** An ordinary write by `manager`: it takes the fields it changed (metadata.managedFields, operation Update). */
  private trackUpdate(info: ResourceInfo, resource: string, current: KubeObject | undefined, next: KubeObject, manager: string, subresource?: Subresource): void {
    const entries = Array.isArray(next.metadata.managedFields) ? next.metadata.managedFields : current?.metadata.managedFields;
    const managedFields = planUpdateManagedFields({ scope: this.writeScope(info, resource, subresource), live: current, next, entries, manager });
    if (managedFields.length > 0) next.metadata.managedFields = managedFields;
    else delete next.metadata.managedFields;
  }

  /**
   * The object a write leaves behind: through /status only the status fields of `incoming`;
   * through the main resource everything but them. Identity and deletion marks always stay.
   */
  private nextState(resource: string, current: KubeObject, incoming: KubeObject, subresource?: Subresource): KubeObject {
    const { statusFields } = this.strategyOf(resource);
    if (subresource === 'ephemeralcontainers') {
      // Only the list of ephemeral containers: whatever else the request changed is ignored, as
      // kube-apiserver's podEphemeralContainersStrategy does (validation keeps the list append-only).
      const next = copy(current);
      const spec = (incoming.spec ?? {}) as Record<string, unknown>;
      (next.spec as Record<string, unknown>).ephemeralContainers = spec.ephemeralContainers;
      dropUndefined(next.spec as Record<string, unknown>);
      return next;
    }
    if (subresource === 'status') {
      const next = copy(current);
      for (const field of statusFields) copyField(incoming, next, field);
      return next;
    }
    const next = copy(incoming);
    for (const field of statusFields) copyField(current, next, field);
    next.metadata = {
      ...next.metadata,
      uid: current.metadata.uid,
      creationTimestamp: current.metadata.creationTimestamp,
      generation: current.metadata.generation,
      resourceVersion: current.metadata.resourceVersion,
      deletionTimestamp: current.metadata.deletionTimestamp,
      deletionGracePeriodSeconds: current.metadata.deletionGracePeriodSeconds,
    };
    dropUndefined(next.metadata);
    return next;
  }

  /** Defaults and validation around `build`, inside the store's retry loop (or once, for dry run). */
  private async readModifyWrite(
    info: ResourceInfo,
    resource: string,
    namespace: string | undefined,
    name: string,
    ctx: RequestContext,
    build: (current: KubeObject) => KubeObject,
    subresource?: Subresource,
    { tracked = true }: { tracked?: boolean } = {},
  ): Promise<KubeObject> {
    const ns = scoped(info, namespace);
    const strategy = this.strategyOf(resource);
    let reservation: Reservation | undefined;
    const mutate = async (current: KubeObject): Promise<KubeObject> => {
      await reservation?.rollback(); // a conflict retry builds again from the newer object
      const next = build(current);
      this.checkFieldTypes(info, resource, next);
      applyDefaults(resource, next);
      ctx.checkWrite?.(resource, next, current);
      this.validate(info, resource, next, current, subresource);
      // A body without managedFields (a PUT of a hand-written file) keeps the live ones.
      if (next.metadata && !Array.isArray(next.metadata.managedFields) && current.metadata.managedFields) {
        next.metadata.managedFields = current.metadata.managedFields;
      }
      if (tracked && ctx.fieldManager) this.trackUpdate(info, resource, current, next, ctx.fieldManager, subresource);
      reservation = undefined;
      reservation = await strategy.reserve?.(next, current, { dryRun: ctx.dryRun });
      return next;
    };
    if (ctx.dryRun) {
      const next = await mutate(await this.store.get(resource, ns, name));
      await reservation?.rollback();
      return next;
    }
    let finished = false;
    const written = await this.store
      .guaranteedUpdate(resource, ns, name, async (current) => {
        const next = await mutate(current);
        finished = finishesDeletion(resource, current, next);
        return next;
      })
      .catch(async (err: unknown) => {
        await reservation?.rollback();
        throw err;
      });
    await reservation?.commit();
    // The last finalizer of a deleting object is gone: the delete completes now (finalizers.ts).
    if (finished) {
      const removed = await this.store.delete(resource, ns, name, { uid: written.metadata.uid }).catch(ignoreNotFound);
      if (removed) await strategy.afterDelete?.(removed);
    }
    return written;
  }

  // -------------------------------------------------------------------------------------------
  // Delete

  async delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions, ctx: RequestContext): Promise<KubeObject> {
    const info = infoOf(resource);
    const ns = scoped(info, namespace);
    const strategy = withFinalizers(resource, this.strategyOf(resource));
    const dryRun = ctx.dryRun || options.dryRun === true;
    const current = await this.store.get(resource, ns, name);
    checkDeletePreconditions(resource, name, options, current);

    const plan = strategy.planDelete(current, options, this.clock());
    if (dryRun) return plan.action === 'mark' ? plan.object : current;
    if (plan.action === 'remove') {
      const removed = await this.store.delete(resource, ns, name, { uid: current.metadata.uid, ...options.preconditions });
      await strategy.afterDelete?.(removed);
      if (ns !== undefined) await this.namespaces.removeIfEmpty(ns);
      return removed;
    }

    // Marked already, and this delete changes nothing: no write, so no event for watchers to chase.
    if (plan.object === current && resource !== 'namespaces') return current;
    // Graceful: write the marked object (re-planned on the latest state if it changed meanwhile).
    const marked = await this.store.guaranteedUpdate(resource, ns, name, (latest) => {
      checkDeletePreconditions(resource, name, options, latest);
      const again = strategy.planDelete(latest, options, this.clock());
      return again.action === 'mark' ? again.object : latest;
    });
    if (resource === 'namespaces') {
      await this.namespaces.finalize(name);
      return this.store.get(resource, undefined, name).catch((err: unknown) => {
        if (isNotFound(err)) return marked;
        throw err;
      });
    }
    return marked;
  }

  // -------------------------------------------------------------------------------------------

  private strategyOf(resource: string): Strategy {
    return this.strategies[resource] ?? strategyFor(resource);
  }

  /**
   * The kind's schema first (lib/api/schemas): wrong JSON types (`ports: "80"`), int32 ranges and
   * enum values are refused before the strategy, defaulting and validation read the fields.
   */
  private checkFieldTypes(info: ResourceInfo, resource: string, obj: KubeObject): void {
    const errors = validateAgainstSchema(resource, obj);
    if (errors.length > 0) throw invalid(info.kind, info.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
  }

  private validate(info: ResourceInfo, resource: string, obj: KubeObject, old?: KubeObject, subresource?: Subresource): void {
    const errors = validateObject(resource, obj, old, subresource === 'ephemeralcontainers' ? subresource : undefined);
    if (errors.length > 0) throw invalid(info.kind, info.group, obj.metadata.name ?? '', errors);
  }

  private async ensureNamespaceAcceptsContent(resource: string, namespace: string, name: string): Promise<void> {
    const ns = await this.store.get('namespaces', undefined, namespace).catch((err: unknown) => {
      if (isNotFound(err)) throw notFound('namespaces', namespace);
      throw err;
    });
    if (isTerminating(ns)) {
      throw forbidden(`${resource} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private nameSuffix(): string {
    let suffix = '';
    for (let i = 0; i < GENERATED_NAME_RANDOM_LENGTH; i += 1) {
      suffix += NAME_SUFFIX_ALPHABET[Math.floor(this.random() * NAME_SUFFIX_ALPHABET.length)];
    }
    return suffix;
  }
}

// ---------------------------------------------------------------------------------------------
// Request checks: each throws the error the real API server answers.

function infoOf(resource: string): ResourceInfo {
  const info = resourceByKey(resource);
  if (!info) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${resource})`);
  return info;
}

/** Cluster-scoped resources ignore a namespace; namespaced ones keep it (undefined = all namespaces). */
const scoped = (info: ResourceInfo, namespace: string | undefined): string | undefined => (info.namespaced ? namespace : undefined);

/** In-process callers may omit kind and apiVersion; a different one is a client mistake. */
function checkKind(info: ResourceInfo, obj: KubeObject): void {
  const apiVersion = apiVersionOf(info);
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.kind !== undefined && obj.kind !== info.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
  }
  obj.apiVersion = apiVersion;
  obj.kind = info.kind;
}

const isJsonMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * ObjectMeta is an object or absent. kube-apiserver's decoder refuses anything else before any
 * other step (`cannot unmarshal string into Go struct field ... of type v1.ObjectMeta`): 400.
 */
function checkMetadataIsObject(info: ResourceInfo, obj: KubeObject): void {
  const metadata: unknown = obj.metadata;
  if (metadata === undefined || metadata === null || isJsonMap(metadata)) return;
  throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: metadata must be an object (ObjectMeta), got ${JSON.stringify(shortValue(metadata))}`);
}

/**
 * What a patch leaves behind must still be an object of this kind. kube-apiserver decodes the
 * patched document into the resource's type and answers 422 Invalid when that fails: a document
 * that is not an object (a JSON patch replacing the root with null), metadata that is not an
 * object, or a kind or apiVersion that is not this resource's. A patch that *removes* kind or
 * apiVersion decodes fine there (the type fills them in), and here they are put back.
 */
function checkPatchedObject(info: ResourceInfo, name: string, patched: unknown): asserts patched is KubeObject {
  if (!isJsonMap(patched)) {
    throw invalid(info.kind, info.group, name, [fieldInvalid('patch', shortValue(patched), `the patched ${info.kind} must be a JSON object`)]);
  }
  const apiVersion = apiVersionOf(info);
  const errors: FieldError[] = [];
  if (patched.apiVersion !== undefined && patched.apiVersion !== apiVersion) {
    errors.push(fieldInvalid('apiVersion', patched.apiVersion, `a patch cannot change the apiVersion of a ${info.kind} (${apiVersion})`));
  }
  if (patched.kind !== undefined && patched.kind !== info.kind) {
    errors.push(fieldInvalid('kind', patched.kind, `a patch cannot change the kind of a ${info.kind}`));
  }
  const metadata = patched.metadata;
  if (metadata !== undefined && metadata !== null && !isJsonMap(metadata)) {
    errors.push(fieldInvalid('metadata', shortValue(metadata), 'must be an object (ObjectMeta)'));
  }
  if (errors.length > 0) throw invalid(info.kind, info.group, name, errors);
  patched.apiVersion = apiVersion;
  patched.kind = info.kind;
}

/** The body names the object of the URL (an empty name or namespace in the body is taken from the URL). */
function checkIdentity(info: ResourceInfo, namespace: string | undefined, name: string, obj: KubeObject): void {
  const bodyName = obj.metadata.name;
  if (bodyName && bodyName !== name) {
    throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  }
  obj.metadata.name = name;
  if (info.namespaced) {
    const bodyNamespace = obj.metadata.namespace;
    if (namespace && bodyNamespace && bodyNamespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = namespace ?? bodyNamespace;
  } else {
    delete obj.metadata.namespace;
  }
}

/**
 * Optimistic concurrency: a resourceVersion in the request must still be the stored one, and a
 * uid must be the stored object's (not a deleted and re-created namesake).
 */
function checkPreconditions(resource: string, name: string, requested: ObjectMeta, current: KubeObject): void {
  if (requested.uid && requested.uid !== current.metadata.uid) {
    throw conflict(resource, name, `Precondition failed: UID in precondition: ${requested.uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (requested.resourceVersion && requested.resourceVersion !== current.metadata.resourceVersion) throw conflict(resource, name);
}

function checkDeletePreconditions(resource: string, name: string, options: DeleteOptions, current: KubeObject): void {
  const { uid, resourceVersion } = options.preconditions ?? {};
  if (uid && uid !== current.metadata.uid) {
    throw conflict(resource, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid}`);
  }
  if (resourceVersion && resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(
      resource,
      name,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
    );
  }
}

/** A watch's resourceVersion: absent, '' and '0' mean "current state first". */
function parseResourceVersion(text: string | undefined): number {
  if (text === undefined || text === '' || text === '0') return 0;
  const version = Number(text);
  if (!Number.isInteger(version) || version < 0) throw badRequest(`invalid resource version: "${text}"`);
  return version;
}

/** Copies the value at a dotted path from one object to another (deleting it when absent in `from`). */
function copyField(from: KubeObject, to: KubeObject, path: string): void {
  const keys = path.split('.');
  let source: unknown = from;
  let target = to as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    source = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[key] : undefined;
    if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[last] : undefined;
  if (value === undefined) delete target[last];
  else target[last] = copy(value);
}

function dropUndefined(obj: Record<string, unknown>): void {
  for (const key of Object.keys(obj)) if (obj[key] === undefined) delete obj[key];
}

function ignoreNotFound(err: unknown): void {
  if (!isNotFound(err)) throw err;
}
