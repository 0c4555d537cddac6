// EtcdObjectStore: the ObjectStore on etcd v3, the way kube-apiserver keeps its objects
// (k8s.io/apiserver/pkg/storage/etcd3 for reads and writes, storage/cacher for watches).
//
// Every object is one etcd key, `/registry/<resource>/<namespace>/<name>` (cluster-scoped:
// `/registry/<resource>/<name>`), its value the object's JSON (a Secret's encrypted, exactly as
// with nedb: storage-transformer.ts sits between the store and either backend). etcd gives
// every write a revision, one counter for the whole database, and remembers per key the
// revision that created it (create_revision) and the one that last changed it (mod_revision).
// That is all optimistic concurrency needs, with no counter of our own:
// - resourceVersion is the key's mod_revision; it is not stored in the value (it could not be:
//   the revision is known only after the write), it is stamped on every object read back.
// - create is a transaction "if create_revision == 0 (no such key) then put": two servers
//   creating the same name cannot both succeed; the loser gets 409 AlreadyExists.
// - update and delete are transactions "if mod_revision == the version I read then write": a
//   caller that sent a resourceVersion gets 409 Conflict when someone wrote in between; one that
//   did not is retried against the newer object. A read-modify-write (guaranteedUpdate) starts
//   from the watch cache's copy instead of reading etcd first, and a transaction that loses
//   reads the winner in its failure branch: one round trip per write when nobody races, as
//   kube-apiserver's GuaranteedUpdate does.
// - a list reads a key range, at the latest revision (the response header's revision is the
//   list's resourceVersion) or, for the later pages of a paged list, at the first page's.
//
// Watches are served from a watch cache, as kube-apiserver's cacher does: one etcd watch over the
// whole prefix, started at open, keeps every object in memory and a bounded history of recent
// changes (watch-history.ts). A client's watch from a resourceVersion replays that history and
// then follows live events, synchronously and in revision order, each with the object's previous
// state (etcd's prev_kv) so filtered watches can tell "stopped matching". A version older than
// the last compaction is answered 410 Gone ("too old resource version"). A write's promise
// resolves only once the cache has seen the write, so a client that wrote and then watches from
// its version never misses it, exactly as with nedb.
//
// A version older than the cache but newer than the compaction is what a client brings when its
// server died and it resumes on a server that started after the client's last event (the cache
// starts empty at open). kube-apiserver answers 410 there and every informer of every agent
// lists again; kubelab serves that watch from etcd itself instead (watchFromEtcd: an etcd watch of
// the resource from that revision, with previous values), so a failover costs no relist. If
// etcd then says the revision is compacted after all, the watch ends with 410 (options.onError).
//
// etcd's history is compacted every 5 minutes (etcd-compactor.ts), to the revision of the tick
// before, so continue tokens and watch versions reach back about 5 minutes and then get 410.

import fs from 'node:fs';
import { Etcd3, type IKeyValue, type IOptions, type IWatchResponse, type Watcher as EtcdWatcher } from 'etcd3';
import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import { alreadyExists, ApiError, badRequest, conflict, errorMessage, gone, isConflict, notFound } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { ETCD_STORE_DEFAULTS, STORE_DEFAULTS } from '../config.js';
import { encodedJson, rememberEncoding } from './encoded-json.js';
import { isCompactedError, runCompactor } from './etcd-compactor.js';
import { advancePage, finishPage, type Candidate, type PageProgress } from './list-page.js';
import type { ObjectStore, StoreEvent, StoredListPage, StoreListOptions, StoreWatchOptions } from './object-store.js';
import { prefixEnd } from './sorted-keys.js';
import type { StorageTransformer } from './storage-transformer.js';
import { checkDeletePreconditions, copy, IDENTITY_TRANSFORMER, keyOf, objectPath, stampCreated, stampUpdated } from './store-objects.js';
import { StoreWatchers } from './store-watchers.js';
import { WatchHistory } from './watch-history.js';

/** --etcd-cafile, --etcd-certfile, --etcd-keyfile: TLS to etcd, with a client certificate when etcd asks for one. */
export interface EtcdTlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface EtcdObjectStoreOptions {
  /** etcd's client URLs, `http://127.0.0.1:2379` (https with TLS). */
  endpoints: string[];
  tls?: EtcdTlsFiles;
  /** Key prefix of every object (kube-apiserver's --etcd-prefix); ends with '/'. */
  prefix?: string;
  /** How many recent changes the watch cache keeps for watches that resume. */
  historySize?: number;
  /** Compact etcd this often (0: never; another server or the operator does). */
  compactionIntervalMs?: number;
  /** How long open() waits for etcd to answer. */
  dialTimeoutMs?: number;
  clock?: () => Date;
  transformer?: StorageTransformer;
}

const log = logger('etcd-store');

/** The client options for endpoints and TLS files (shared with `kubelabd snapshot`). */
export function etcdClientOptions(endpoints: string[], tls: EtcdTlsFiles = {}, dialTimeoutMs: number = ETCD_STORE_DEFAULTS.dialTimeoutMs): IOptions {
  const read = (file: string | undefined) => (file ? fs.readFileSync(file) : undefined);
  const rootCertificate = read(tls.caFile);
  const privateKey = read(tls.keyFile);
  const certChain = read(tls.certFile);
  return {
    hosts: endpoints,
    dialTimeout: dialTimeoutMs,
    ...(rootCertificate || certChain ? { credentials: { rootCertificate: rootCertificate ?? Buffer.alloc(0), ...(privateKey ? { privateKey } : {}), ...(certChain ? { certChain } : {}) } } : {}),
  };
}

/** Fails with a message naming the endpoints when etcd does not answer within `timeoutMs`. */
export async function checkEtcdAnswers(client: Etcd3, endpoints: string[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([client.maintenance.status({}), timeout]);
  } catch (err) {
    throw new Error(
      `etcd at ${endpoints.join(', ')} does not answer (${err instanceof Error ? err.message : String(err)}): start etcd, or fix --etcd-endpoints and the --etcd-* TLS files`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

export class EtcdObjectStore implements ObjectStore {
  private readonly endpoints: string[];
  private readonly prefix: string;
  private readonly client: Etcd3;
  private readonly historySize: number;
  private readonly compactionIntervalMs: number;
  private readonly dialTimeoutMs: number;
  private readonly clock: () => Date;
  private readonly transformer: StorageTransformer;
  private readonly watchers = new StoreWatchers();
  /** The watch cache: every object by resource, then `namespace/name`, as of `revision`. */
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history = new WatchHistory(1, 0);
  /** The revision the watch cache has reached: every change up to it is in `objects` and `history`. */
  private revision = 0;
  /** Writes waiting for the cache to reach their revision. */
  private waiting: { revision: number; resolve: () => void }[] = [];
  private cacheWatch: EtcdWatcher | undefined;
  /** The highest revision etcd is known to have compacted to (by this server): older watches get 410 at once. */
  private compactedUpTo = 0;
  /** Stop functions of the watches served from etcd itself (watchFromEtcd), ended at close. */
  private readonly etcdWatches = new Set<() => void>();
  private stopCompactor: () => void = () => undefined;
  private rewrittenAtOpen = 0;
  private opened = false;

  constructor(options: EtcdObjectStoreOptions) {
    this.endpoints = options.endpoints;
    this.prefix = (options.prefix ?? ETCD_STORE_DEFAULTS.prefix).replace(/\/?$/, '/');
    this.historySize = options.historySize ?? STORE_DEFAULTS.watchHistorySize;
    this.compactionIntervalMs = options.compactionIntervalMs ?? ETCD_STORE_DEFAULTS.compactionIntervalMs;
    this.dialTimeoutMs = options.dialTimeoutMs ?? ETCD_STORE_DEFAULTS.dialTimeoutMs;
    this.clock = options.clock ?? (() => new Date());
    this.transformer = options.transformer ?? IDENTITY_TRANSFORMER;
    this.client = new Etcd3(etcdClientOptions(this.endpoints, options.tls, this.dialTimeoutMs));
  }

  async open(): Promise<void> {
    try {
      await checkEtcdAnswers(this.client, this.endpoints, this.dialTimeoutMs);
      this.rewrittenAtOpen = await this.rewriteStaleValues();
      await this.startCache();
    } catch (err) {
      this.client.close();
      throw err;
    }
    if (this.compactionIntervalMs > 0) {
      this.stopCompactor = runCompactor(this.client, this.compactionIntervalMs, (revision) => this.forgetUpTo(revision));
    }
    this.opened = true;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    this.stopCompactor();
    for (const stop of [...this.etcdWatches]) stop();
    await this.cacheWatch?.cancel().catch(() => undefined);
    this.watchers.clear();
    for (const waiter of this.waiting) waiter.resolve();
    this.waiting = [];
    this.client.close();
  }

  currentResourceVersion(): number {
    return this.revision;
  }

  /** How many stored values open() found in an old form (unencrypted, an older key) and rewrote. */
  rewrittenOnOpen(): number {
    return this.rewrittenAtOpen;
  }

  /**
   * Compacts etcd's history up to `revision` now (the periodic compactor does this on its own):
   * watches and continue tokens older than it get 410 Gone from then on.
   */
  async compact(revision: number): Promise<void> {
    await this.client.kv.compact({ revision, physical: true });
    this.forgetUpTo(revision);
  }

  private forgetUpTo(revision: number): void {
    this.compactedUpTo = Math.max(this.compactedUpTo, revision);
    this.history.forgetUpTo(revision);
  }

  // -------------------------------------------------------------------------------------------
  // Keys and values

  private resourcePrefix(resource: string): string {
    return `${this.prefix}${resource}/`;
  }

  private keyFor(resource: string, namespace: string | undefined, name: string): Buffer {
    return Buffer.from(this.resourcePrefix(resource) + objectPath(namespace, name));
  }

  /** `/registry/pods/default/web` → pods, default, web. */
  private parseKey(key: string): { resource: string; namespace: string | undefined; name: string } {
    const rest = key.slice(this.prefix.length);
    const slash = rest.indexOf('/');
    const resource = rest.slice(0, slash);
    const path = rest.slice(slash + 1);
    const split = path.indexOf('/');
    return split < 0 ? { resource, namespace: undefined, name: path } : { resource, namespace: path.slice(0, split), name: path.slice(split + 1) };
  }

  /** The value written for an object: its JSON without resourceVersion (etcd's mod_revision is it), transformed. */
  private encode(resource: string, obj: KubeObject): Buffer {
    const { resourceVersion: _unstored, ...metadata } = obj.metadata;
    const json = JSON.stringify({ ...obj, metadata });
    return Buffer.from(this.transformer.toStorage(resource, keyOf(resource, obj.metadata.namespace, obj.metadata.name!), json));
  }

  /** The object a key-value holds, stamped with its mod_revision (or `revision`, for a delete's last state). */
  private decode(kv: IKeyValue, revision = kv.mod_revision): { resource: string; object: KubeObject; stale: boolean } {
    const { resource, namespace, name } = this.parseKey(kv.key.toString());
    const { json, stale } = this.transformer.fromStorage(resource, keyOf(resource, namespace, name), kv.value.toString());
    const object = JSON.parse(json) as KubeObject;
    object.metadata = { ...object.metadata, resourceVersion: String(revision) };
    return { resource, object, stale };
  }

  /** Every key-value under the prefix, at the latest revision. */
  private async rangeAll(): Promise<{ kvs: IKeyValue[]; revision: number }> {
    const response = await this.client.kv.range({ key: Buffer.from(this.prefix), range_end: Buffer.from(prefixEnd(this.prefix)) });
    return { kvs: response.kvs, revision: Number(response.header.revision) };
  }

  /**
   * Values in an old encryption form (plaintext from before encryption was on, an older key) are
   * written again in the current one, as nedb does at open, so no old form stays readable in etcd.
   * Each rewrite is guarded by the mod_revision read: a value another server changed meanwhile is
   * already in a current form.
   */
  private async rewriteStaleValues(): Promise<number> {
    let rewritten = 0;
    for (const kv of (await this.rangeAll()).kvs) {
      const { resource, object, stale } = this.decode(kv);
      if (!stale) continue;
      await this.client.kv.txn({
        compare: [{ key: kv.key, target: 'Mod', result: 'Equal', mod_revision: kv.mod_revision }],
        success: [{ request_put: { key: kv.key, value: this.encode(resource, object) } }],
      });
      rewritten += 1;
    }
    if (rewritten > 0) log.info(`rewrote ${rewritten} stored value(s) in the current encryption form (plaintext or an older key before)`);
    return rewritten;
  }

  // -------------------------------------------------------------------------------------------
  // The watch cache

  private async startCache(): Promise<void> {
    const { kvs, revision } = await this.rangeAll();
    for (const kv of kvs) {
      const { resource, object } = this.decode(kv);
      this.place(resource, object);
    }
    this.revision = revision;
    // Nothing before this revision is in memory: only it and later ones can be resumed from.
    this.history = new WatchHistory(this.historySize, revision);
    const watcher = await this.client
      .watch()
      .prefix(this.prefix)
      .startRevision(String(revision + 1))
      .withPreviousKV()
      .create();
    watcher.on('data', (response: IWatchResponse) => this.onWatchResponse(response));
    watcher.on('error', (err: Error) => log.error('the watch cache lost its etcd watch', { err }));
    this.cacheWatch = watcher;
  }

  private onWatchResponse(response: IWatchResponse): void {
    if (response.created || response.canceled) return;
    for (const event of response.events) {
      try {
        this.apply(event.type, event.kv, event.prev_kv);
      } catch (err) {
        log.error(`the watch cache could not read ${event.kv.key.toString()}; it is skipped`, { err });
      }
      this.reached(Number(event.kv.mod_revision));
    }
    // An empty response is a progress notification: every change up to its revision was sent.
    if (response.events.length === 0) this.reached(Number(response.header.revision));
  }

  private apply(type: 'Put' | 'Delete', kv: IKeyValue, prevKv: IKeyValue | null | undefined): void {
    const version = Number(kv.mod_revision);
    const { resource, namespace, name } = this.parseKey(kv.key.toString());
    const path = objectPath(namespace, name);
    const before = this.objects.get(resource)?.get(path) ?? (prevKv && prevKv.value ? this.decode(prevKv).object : undefined);
    let event: StoreEvent;
    if (type === 'Put') {
      const { object } = this.decode(kv);
      this.place(resource, object);
      event = before
        ? { type: 'MODIFIED', resource, object, previous: before, resourceVersion: version }
        : { type: 'ADDED', resource, object, resourceVersion: version };
    } else {
      if (!before) return; // a key the cache never held: nothing to tell
      this.objects.get(resource)?.delete(path);
      // Watchers see the last state, stamped with the version of the delete itself.
      const object = { ...before, metadata: { ...before.metadata, resourceVersion: String(version) } };
      event = { type: 'DELETED', resource, object, previous: before, resourceVersion: version };
    }
    this.history.append(event);
    this.revision = Math.max(this.revision, version);
    this.watchers.publish(event);
  }

  private place(resource: string, object: KubeObject): void {
    let objects = this.objects.get(resource);
    if (!objects) {
      objects = new Map();
      this.objects.set(resource, objects);
    }
    objects.set(objectPath(object.metadata.namespace, object.metadata.name!), object);
    rememberEncoding(object, JSON.stringify(object));
  }

  private reached(revision: number): void {
    if (revision <= this.revision && this.waiting.length === 0) return;
    this.revision = Math.max(this.revision, revision);
    const still: typeof this.waiting = [];
    for (const waiter of this.waiting) (waiter.revision <= this.revision ? waiter.resolve() : still.push(waiter));
    this.waiting = still;
  }

  /** Resolves once the watch cache shows every change up to `revision`. */
  private caughtUp(revision: number): Promise<void> {
    if (revision <= this.revision || !this.opened) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ revision, resolve }));
  }

  watch(resource: string, options: StoreWatchOptions, onEvent: (event: StoreEvent) => void): () => void {
    const from = options.resourceVersion ?? 0;
    // Older than the cache, not older than the last compaction we know of: etcd still has it.
    if (from > 0 && from < this.history.retainedAfter && from >= this.compactedUpTo) return this.watchFromEtcd(resource, options, from, onEvent);
    // The backlog and the registration happen in this synchronous call: no event slips between.
    const backlog = from === 0 ? this.currentAsAdded(resource, options) : this.history.since(from).filter((e) => e.resource === resource);
    // A list read from etcd may be newer than the cache: events up to its version are not sent again.
    return this.watchers.add(resource, options, onEvent, backlog, Math.max(from, this.revision));
  }

  /**
   * A watch from a revision the cache does not reach back to, served by an etcd watch of its own
   * (the resource's keys, from `from + 1`, with previous values) for as long as the client
   * watches. The events pass through the same StoreWatchers filter as the cache's, so a filtered
   * watch sees ADDED/DELETED for objects that start/stop matching, exactly as from the cache.
   */
  private watchFromEtcd(resource: string, options: StoreWatchOptions, from: number, onEvent: (event: StoreEvent) => void): () => void {
    const watchers = new StoreWatchers();
    watchers.add(resource, options, onEvent, [], from);
    let stopped = false;
    /** `canceledByEtcd`: etcd already dropped the watch (cancelling it again would answer an id nobody holds). */
    const end = (error?: ApiError, canceledByEtcd = false) => {
      if (stopped) return;
      stopped = true;
      this.etcdWatches.delete(stop);
      watchers.clear();
      if (!canceledByEtcd) void watcher.cancel().catch(() => undefined);
      if (!error) return;
      if (options.onError) options.onError(error);
      else log.warn(`a watch of ${resource} from ${from} served from etcd ended`, { err: error });
    };
    const stop = () => end();
    const prefix = this.resourcePrefix(resource) + (options.namespace !== undefined ? `${options.namespace}/` : '');
    // watcher() (not create()) so the listeners are on before etcd's first answer can arrive.
    const watcher = this.client.watch().prefix(prefix).startRevision(String(from + 1)).withPreviousKV().watcher();
    watcher.on('data', (response: IWatchResponse) => {
      for (const event of response.events) {
        if (stopped) return;
        const stored = this.storeEventOf(resource, event.type, event.kv, event.prev_kv);
        if (stored) watchers.publish(stored);
      }
    });
    // etcd cancels a watch whose start revision it compacted (etcd 3.4 gives no reason with it): ask etcd which it was.
    watcher.on('error', (err: Error) => {
      if (stopped) return;
      void this.compactedPast(from + 1).then((compacted) =>
        end(compacted ? gone(`too old resource version: ${from} (etcd compacted its history past it)`) : new ApiError(500, 'InternalError', `the etcd watch serving resourceVersion ${from} failed: ${errorMessage(err)}`), true),
      );
    });
    // After a reconnect etcd3 would resume from the newest revision, not from the last event sent: end instead, the client resumes.
    watcher.on('disconnected', () => end(new ApiError(500, 'InternalError', `the etcd watch serving resourceVersion ${from} lost its connection to etcd; watch again`)));
    this.etcdWatches.add(stop);
    return stop;
  }

  /** Whether etcd compacted its history past `revision` (a read at it fails with ErrCompacted). */
  private async compactedPast(revision: number): Promise<boolean> {
    try {
      await this.client.kv.range({ key: Buffer.from(this.prefix), revision, limit: 1 });
      return false;
    } catch (err) {
      return isCompactedError(err);
    }
  }

  /** One etcd event as a StoreEvent, its previous state from prev_kv; undefined for a delete etcd kept no value of. */
  private storeEventOf(resource: string, type: 'Put' | 'Delete', kv: IKeyValue, prevKv: IKeyValue | null | undefined): StoreEvent | undefined {
    const version = Number(kv.mod_revision);
    const previous = prevKv && prevKv.value && prevKv.value.length > 0 ? this.decode(prevKv).object : undefined;
    if (type === 'Put') {
      const { object } = this.decode(kv);
      return previous ? { type: 'MODIFIED', resource, object, previous, resourceVersion: version } : { type: 'ADDED', resource, object, resourceVersion: version };
    }
    if (!previous) return undefined;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(version) } };
    return { type: 'DELETED', resource, object, previous, resourceVersion: version };
  }

  private currentAsAdded(resource: string, options: StoreWatchOptions): StoreEvent[] {
    const objects = this.objects.get(resource);
    if (!objects) return [];
    const prefix = options.namespace !== undefined ? `${options.namespace}/` : '';
    return [...objects.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => objects.get(key)!)
      .filter((object) => !options.filter || options.filter(object))
      .map((object) => ({ type: 'ADDED' as const, resource, object, resourceVersion: Number(object.metadata.resourceVersion) }));
  }

  // -------------------------------------------------------------------------------------------
  // Reads: from etcd itself (linearizable), as kube-apiserver reads without a resourceVersion.

  private async read(resource: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const response = await this.client.kv.range({ key: this.keyFor(resource, namespace, name) });
    const kv = response.kvs[0];
    return kv ? this.decode(kv).object : undefined;
  }

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const found = await this.read(resource, namespace, name);
    if (!found) throw notFound(resource, name);
    return found;
  }

  async list(resource: string, options: { namespace?: string; filter?: (obj: KubeObject) => boolean } = {}): Promise<ObjectList> {
    const page = await this.listPage(resource, options);
    return { metadata: { resourceVersion: String(page.resourceVersion) }, items: page.items.map((item) => copy(item.object)) };
  }

  async listPage(resource: string, options: StoreListOptions = {}): Promise<StoredListPage> {
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const prefix = this.resourcePrefix(resource) + (options.namespace !== undefined ? `${options.namespace}/` : '');
    const atRevision = options.resourceVersion !== undefined && options.resourceVersion > 0 ? options.resourceVersion : 0;
    // Without a selector etcd itself cuts the page and counts the rest; with one, the range is read whole.
    const etcdLimit = !options.filter && limit > 0 ? limit : 0;
    let response;
    try {
      response = await this.client.kv.range({
        key: Buffer.from(prefix + (options.startKey ?? '')),
        range_end: Buffer.from(prefixEnd(prefix)),
        ...(atRevision > 0 ? { revision: atRevision } : {}),
        ...(etcdLimit > 0 ? { limit: etcdLimit } : {}),
      });
    } catch (err) {
      if (isCompactedError(err)) throw gone(`too old resource version: ${atRevision}: etcd compacted its history past it`);
      throw err;
    }
    const candidates: Candidate<KubeObject>[] = response.kvs.map((kv) => ({ key: kv.key.toString().slice(prefix.length), object: this.decode(kv).object }));
    const progress: PageProgress<KubeObject> = { items: [], next: 0 };
    advancePage(candidates, progress, limit, options.filter, candidates.length);
    const page = finishPage(candidates, progress, options.filter !== undefined, etcdLimit > 0 ? Number(response.count) : candidates.length);
    return {
      resourceVersion: atRevision > 0 ? atRevision : Number(response.header.revision),
      items: page.items.map((item) => ({ object: item.object, json: encodedJson(item.object) })),
      ...(page.lastKey !== undefined ? { lastKey: page.lastKey } : {}),
      ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Writes: guarded transactions; resolved once the watch cache has seen them.

  private checkOpen(): void {
    if (!this.opened) throw new Error('the object store is not open: call open() first');
  }

  async create(resource: string, obj: KubeObject): Promise<KubeObject> {
    this.checkOpen();
    const name = obj.metadata?.name;
    if (!name) throw badRequest(`${resource}: metadata.name is required to store an object`);
    const key = this.keyFor(resource, obj.metadata.namespace, name);
    const created = stampCreated(obj, this.clock(), '');
    const response = await this.client.kv.txn({
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value: this.encode(resource, created) } }],
    });
    if (!response.succeeded) throw alreadyExists(resource, name);
    const revision = Number(response.header.revision);
    created.metadata.resourceVersion = String(revision);
    await this.caughtUp(revision);
    return created;
  }

  /**
   * The object as the watch cache holds it (a copy), or undefined when the cache does not have
   * it. It may be a little behind etcd: writes use it only as their first guess of the current
   * state, guarded by its mod_revision, as kube-apiserver's GuaranteedUpdate starts from the
   * cacher's copy instead of reading etcd first.
   */
  private cached(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const object = this.objects.get(resource)?.get(objectPath(namespace, name));
    return object ? copy(object) : undefined;
  }

  /**
   * One guarded write: `success` runs if the key's mod_revision is still `current`'s; otherwise
   * the same transaction reads the key (kube-apiserver's txn with a failure get), so a writer that
   * lost learns the current state without a second round trip. Resolves with the revision
   * written, or with the state that won (undefined: the key is gone).
   */
  private async guarded(
    key: Buffer,
    current: KubeObject,
    success: { request_put: { key: Buffer; value: Buffer } } | { request_delete_range: { key: Buffer } },
  ): Promise<{ revision: number } | { lost: KubeObject | undefined }> {
    const response = await this.client.kv.txn({
      compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: current.metadata.resourceVersion! }],
      success: [success],
      failure: [{ request_range: { key } }],
    });
    if (response.succeeded) return { revision: Number(response.header.revision) };
    const kv = response.responses[0]?.response_range?.kvs[0];
    return { lost: kv ? this.decode(kv).object : undefined };
  }

  /** Puts `updated` in place of `current`, guarded by its version: the stored object (the watch cache has it), or the state that won. */
  private async putOver(resource: string, key: Buffer, current: KubeObject, updated: KubeObject): Promise<{ stored: KubeObject } | { lost: KubeObject | undefined }> {
    const written = await this.guarded(key, current, { request_put: { key, value: this.encode(resource, updated) } });
    if (!('revision' in written)) return written;
    updated.metadata.resourceVersion = String(written.revision);
    await this.caughtUp(written.revision);
    return { stored: updated };
  }

  async update(resource: string, obj: KubeObject): Promise<KubeObject> {
    this.checkOpen();
    const name = obj.metadata?.name ?? '';
    const namespace = obj.metadata?.namespace;
    const key = this.keyFor(resource, namespace, name);
    const expected = obj.metadata.resourceVersion;
    // The cache's copy serves when it is the very version the caller read; otherwise etcd says.
    const cached = this.cached(resource, namespace, name);
    let current = expected && cached?.metadata.resourceVersion === expected ? cached : await this.read(resource, namespace, name);
    for (;;) {
      if (!current) throw notFound(resource, name);
      if (expected && expected !== current.metadata.resourceVersion) throw conflict(resource, name);
      const written = await this.putOver(resource, key, current, stampUpdated(current, obj, ''));
      if ('stored' in written) return written.stored;
      // Someone wrote between our read and the transaction: a caller's stale version then fails above.
      current = written.lost;
    }
  }

  async guaranteedUpdate(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<KubeObject> {
    this.checkOpen();
    // kube-apiserver's GuaranteedUpdate: mutate the current state, write guarded by its version,
    // start again from the state that won on conflict. The first guess comes from the watch
    // cache (no read before the write); a guess etcd has not confirmed is never the last word:
    // when mutate refuses it or leaves it unchanged, etcd is read and mutate runs again.
    const key = this.keyFor(resource, namespace, name);
    let current = this.cached(resource, namespace, name);
    let confirmed = current === undefined;
    if (!current) current = await this.read(resource, namespace, name);
    for (;;) {
      if (!current) throw notFound(resource, name);
      let next: KubeObject;
      try {
        next = await mutate(copy(current));
      } catch (err) {
        if (confirmed) throw err;
        current = await this.read(resource, namespace, name);
        confirmed = true;
        continue;
      }
      if (JSON.stringify(next) === JSON.stringify(current)) {
        if (confirmed) return current;
        current = await this.read(resource, namespace, name);
        confirmed = true;
        continue;
      }
      next.metadata = { ...next.metadata, namespace, name };
      const written = await this.putOver(resource, key, current, stampUpdated(current, next, ''));
      if ('stored' in written) return written.stored;
      current = written.lost;
      confirmed = true;
    }
  }

  async delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): Promise<KubeObject> {
    this.checkOpen();
    const key = this.keyFor(resource, namespace, name);
    let current = await this.read(resource, namespace, name);
    for (;;) {
      if (!current) throw notFound(resource, name);
      checkDeletePreconditions(resource, current, preconditions);
      const written = await this.guarded(key, current, { request_delete_range: { key } });
      if ('revision' in written) {
        await this.caughtUp(written.revision);
        return { ...current, metadata: { ...current.metadata, resourceVersion: String(written.revision) } };
      }
      current = written.lost;
    }
  }
}
