// NedbObjectStore: kubelab's etcd, built from an in-memory map and an append-only log on disk.
//
// Reads never touch the disk: every object lives in `objects`, a Map per resource. The disk is
// only the durable record, an @seald-io/nedb datafile (one JSON document per line, appended on
// every write, rewritten compactly on open and every so often). On open the file is replayed into
// the map, so a restarted daemon finds every object where it left it.
//
// Three design points teach how a real store keeps its promises:
// - Writes are decided one at a time, in the order they arrive. Checking "is this
//   resourceVersion still current?", taking the next version number and queueing the change
//   happen as one synchronous step (against the newest state, including accepted writes still on
//   their way to the disk), so two concurrent updates can never both succeed from the same
//   version (optimistic concurrency).
// - A write is acknowledged only after its line reached the file, and readers and watchers see it
//   only then, so nobody ever acts on a change that a crash could undo. Writes accepted while one
//   append is in flight go to the file together in the next one (group commit, append-log.ts):
//   32 writers wait for about two appends, not for 32 in a row.
// - The version counter is persisted too (objects carry their version; deletes also write the
//   counter), so versions never go backwards across restarts, even when the newest object was
//   deleted. Clients compare versions; a counter that moved backwards would make them ignore
//   real changes.
//
// Lists read the keys of a resource from a sorted index (sorted-keys.ts), so a namespace or a
// page is a range, never a sort of the whole collection; the pages of one paged list all read
// the version of the first page, reconstructed from the watch history (list-page.ts).
// Every stored object keeps the JSON text made for the datafile (encoded-json.ts), which lists
// and watches send as it is: an object is encoded once per version, not once per reader.
//
// Why objects are stored as JSON strings: nedb forbids field names containing '.' or starting
// with '$', and Kubernetes labels (`kubernetes.io/hostname`) and annotations are full of dots.
// nedb itself only reads the file at open (its loader replays the log and compacts it); the
// appends and later compactions are append-log.ts's, in nedb's format.
//
// Encryption at rest sits between the two (storage-transformer.ts): the string written is what
// the transformer makes of the JSON (`k8s:enc:aesgcm:v1:key1:...` for a Secret), memory keeps
// the plain object. When the store opens, every value not in the transformer's current write form
// (a Secret stored before encryption was on, or under an older key) is rewritten in that form and
// the datafile compacted, so no plaintext or old-key copy stays in the file. The rewrite happens
// at open, not at the object's next write, because Secrets are rarely written again: "next write"
// would leave them readable on disk for months, and a rotated-out key could never be dropped.
// Nobody watches or writes yet at open, and the object does not change (same resourceVersion):
// only its form on disk does.

import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import nedb from '@seald-io/nedb';
import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import { logger } from '../../lib/logger.js';
import { alreadyExists, badRequest, conflict, isConflict, notFound } from '../../lib/errors.js';
import { checkDeletePreconditions, copy, IDENTITY_TRANSFORMER, keyOf, objectPath, stampCreated, stampUpdated } from './store-objects.js';
import { StoreWatchers } from './store-watchers.js';
import { STORE_DEFAULTS } from '../config.js';
import type { ObjectStore, StoreEvent, StoredListPage, StoreListOptions, StoreWatchOptions } from './object-store.js';
import { AppendLog } from './append-log.js';
import { encodedJson, rememberEncoding } from './encoded-json.js';
import { advancePage, finishPage, mergeOverlay, type Candidate, type PageProgress } from './list-page.js';
import { SortedKeys } from './sorted-keys.js';
import { WatchHistory } from './watch-history.js';
import { acquireStoreLock } from './store-lock.js';
import type { StorageTransformer } from './storage-transformer.js';
import { ensurePrivateDirectory, PRIVATE_DIRECTORY_MODE, PRIVATE_FILE_MODE, restrictFileIfPresent } from '../private-files.js';

export interface NedbObjectStoreOptions {
  /** Directory of the datafile; absent = in memory only (tests). */
  dataDir?: string;
  /**
   * How many recent events a watch can resume from (the API server's watch cache size), and so
   * how many writes a paged list's continue token survives (etcd's compaction window).
   */
  historySize?: number;
  /** Rewrite the datafile after this many writes, so the append-only log does not grow without end. */
  compactEveryWrites?: number;
  /** ... and at least this often. */
  compactIntervalMs?: number;
  /** Source of creationTimestamp; injectable for tests. */
  clock?: () => Date;
  /** Encryption at rest (storage-transformer.ts); absent: every object is stored as plain JSON. */
  transformer?: StorageTransformer;
}


/** One line of the datafile. `_id` is the object's key; the counter has its own document. */
interface StoredDocument {
  _id: string;
  resource?: string;
  json?: string;
  resourceVersion?: number;
}

// nedb is a CommonJS module whose typings declare an ES default export; at run time the module
// itself is the Datastore class.
const Datastore = nedb as unknown as typeof nedb.default;

const COUNTER_ID = 'meta/resourceVersion';
const DATAFILE = 'objects.db';
const DEFAULT_HISTORY_SIZE = STORE_DEFAULTS.watchHistorySize;
const DEFAULT_COMPACT_EVERY_WRITES = STORE_DEFAULTS.compactEveryWrites;
const DEFAULT_COMPACT_INTERVAL_MS = STORE_DEFAULTS.compactIntervalMs;
/**
 * A list examines this many objects (selector checks), then lets the event loop run before the
 * next ones: an 11,000-object list with a selector never holds up other requests for more than
 * about a millisecond at a time.
 */
const LIST_CHUNK = STORE_DEFAULTS.listChunkObjects;
const log = logger('store');

/** The objects of one resource, by `namespace/name` (or `name`), and their keys in order. */
interface Bucket {
  objects: Map<string, KubeObject>;
  keys: SortedKeys;
}

/** A write decided and queued, not yet in the file. */
interface AcceptedWrite {
  resource: string;
  id: string;
  path: string;
  version: number;
  /** The object after the write; undefined for a delete. */
  object: KubeObject | undefined;
  json?: string;
  event: StoreEvent;
}


export class NedbObjectStore implements ObjectStore {
  private readonly persistent: boolean;
  private readonly dataDir: string | undefined;
  private readonly buckets = new Map<string, Bucket>();
  private readonly watchers = new StoreWatchers();
  private history: WatchHistory;
  private log: AppendLog;
  /** The last version handed to a write, which may still be on its way to the disk. */
  private counter = 0;
  /**
   * The version of the last write that memory and watchers already show. Lists answer with this
   * one, never `counter`: a list stamped with a version whose write is still in flight would let
   * the client's watch from that version skip the very change the list did not contain.
   */
  private committed = 0;
  /** Accepted writes not yet in the file, newest per datafile id: what the next write is checked against. */
  private readonly accepted = new Map<string, AcceptedWrite>();
  /** The stored (transformed) form of objects whose stored form is not their JSON (encrypted Secrets). */
  private readonly storedForms = new WeakMap<KubeObject, string>();
  private writesSinceCompaction = 0;
  /** How many objects memory holds, all resources together. */
  private liveObjects = 0;
  private compactionTimer: NodeJS.Timeout | undefined;
  private readonly historySize: number;
  private readonly compactEveryWrites: number;
  private readonly compactIntervalMs: number;
  private readonly clock: () => Date;
  private readonly transformer: StorageTransformer;
  private releaseLock: () => Promise<void> = async () => undefined;
  private rewrittenAtOpen = 0;
  private opened = false;

  constructor(options: NedbObjectStoreOptions = {}) {
    this.persistent = options.dataDir !== undefined;
    this.dataDir = options.dataDir;
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.compactEveryWrites = options.compactEveryWrites ?? DEFAULT_COMPACT_EVERY_WRITES;
    this.compactIntervalMs = options.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
    this.clock = options.clock ?? (() => new Date());
    this.transformer = options.transformer ?? IDENTITY_TRANSFORMER;
    this.history = new WatchHistory(this.historySize, 0);
    this.log = this.newLog();
  }

  private newLog(): AppendLog {
    return new AppendLog({
      ...(this.dataDir !== undefined ? { filename: path.join(this.dataDir, DATAFILE), fileMode: PRIVATE_FILE_MODE } : {}),
      // The writes in flight never reached the file: the next ones are checked against what did.
      onFailure: (err) => {
        this.accepted.clear();
        log.error('appending to the datafile failed; the writes in flight were refused', { err });
      },
    });
  }

  async open(): Promise<void> {
    if (this.dataDir !== undefined) {
      // A store made before (or a directory the user made) may be 0755 / 0644: made private on every start.
      await ensurePrivateDirectory(this.dataDir);
      for (const file of [DATAFILE, `${DATAFILE}~`]) await restrictFileIfPresent(path.join(this.dataDir, file));
      this.releaseLock = await acquireStoreLock(this.dataDir);
    }
    try {
      const stale = await this.load();
      this.log = this.newLog();
      await this.log.open();
      if (stale > 0 && this.persistent) {
        // The old lines are still in the file until it is rewritten: rewrite it now.
        await this.log.rewrite(() => this.datafileLines());
        log.info(`rewrote ${stale} stored object(s) in the current encryption form (plaintext or an older key before)`);
      }
      this.rewrittenAtOpen = stale;
    } catch (err) {
      await this.releaseLock();
      throw err;
    }
    // Nothing before this moment is in memory: only the current version can be resumed from.
    this.committed = this.counter;
    this.history = new WatchHistory(this.historySize, this.counter);
    if (this.persistent && this.compactIntervalMs > 0) {
      this.compactionTimer = setInterval(() => void this.compact(), this.compactIntervalMs);
      this.compactionTimer.unref();
    }
    this.opened = true;
  }

  /** Replays the datafile into memory, decrypting; returns how many values are in a stale form. */
  private async load(): Promise<number> {
    if (this.dataDir === undefined) return 0;
    // nedb's loader replays the log (later lines win, deletions remove) and compacts the file.
    const loader = new Datastore<StoredDocument>({
      filename: path.join(this.dataDir, DATAFILE),
      modes: { fileMode: PRIVATE_FILE_MODE, dirMode: PRIVATE_DIRECTORY_MODE },
    });
    await loader.loadDatabaseAsync();
    let stale = 0;
    const unreadable: string[] = [];
    for (const doc of loader.getAllData()) {
      if (doc._id === COUNTER_ID) {
        this.counter = Math.max(this.counter, doc.resourceVersion ?? 0);
        continue;
      }
      let read: { json: string; stale: boolean };
      try {
        read = this.transformer.fromStorage(doc.resource!, doc._id, doc.json!);
        if (read.stale) stale += 1;
      } catch (err) {
        unreadable.push(`${doc._id}: ${(err as Error).message}`);
        continue;
      }
      const { json } = read;
      const obj = JSON.parse(json) as KubeObject;
      // A stale form (plaintext, an older key) is not kept: the rewrite below makes the current one.
      this.place(doc.resource!, obj, json, doc.json !== json && !read.stale ? doc.json : undefined);
      this.counter = Math.max(this.counter, Number(obj.metadata.resourceVersion ?? 0));
    }
    if (unreadable.length > 0) {
      const file = path.join(this.dataDir, DATAFILE);
      throw new Error(
        `cannot read ${unreadable.length} object(s) of ${file}, so the store does not open (nothing was changed):\n  ` +
          `${unreadable.slice(0, 5).join('\n  ')}${unreadable.length > 5 ? `\n  ... and ${unreadable.length - 5} more` : ''}`,
      );
    }
    return stale;
  }

  /** How many stored objects open() found in an old form (unencrypted, an older key) and rewrote. */
  rewrittenOnOpen(): number {
    return this.rewrittenAtOpen;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    if (this.compactionTimer) clearInterval(this.compactionTimer);
    if (this.persistent) await this.log.rewrite(() => this.datafileLines());
    await this.log.close();
    this.watchers.clear();
    await this.releaseLock();
  }

  currentResourceVersion(): number {
    return this.committed;
  }

  /** Appends and batches written so far: how much group commit grouped (tests, bench). */
  appendStats(): { batches: number; appends: number; rewrites: number } {
    return { ...this.log.stats };
  }

  // -------------------------------------------------------------------------------------------
  // Reads: straight from memory, always as copies.

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const found = this.buckets.get(resource)?.objects.get(objectPath(namespace, name));
    if (!found) throw notFound(resource, name);
    return copy(found);
  }

  async list(resource: string, options: { namespace?: string; filter?: (obj: KubeObject) => boolean } = {}): Promise<ObjectList> {
    const page = await this.listPage(resource, options);
    return { metadata: { resourceVersion: String(page.resourceVersion) }, items: page.items.map((item) => copy(item.object)) };
  }

  async listPage(resource: string, options: StoreListOptions = {}): Promise<StoredListPage> {
    const limit = options.limit && options.limit > 0 ? options.limit : 0;
    const prefix = options.namespace !== undefined ? `${options.namespace}/` : '';
    const start = prefix + (options.startKey ?? '');
    // The version the list reads: the first page's (from its continue token), or the latest.
    const version = options.resourceVersion !== undefined && options.resourceVersion > 0 ? options.resourceVersion : this.committed;
    const bucket = this.buckets.get(resource);
    const range = bucket ? bucket.keys.prefixRange(prefix) : { from: 0, to: 0 };
    const from = bucket && start > prefix ? Math.max(range.from, bucket.keys.lowerBound(start)) : range.from;
    const objects = bucket?.objects ?? new Map<string, KubeObject>();

    // Captured synchronously: the keys and the (never mutated) objects at `version`. Whatever is
    // written while the selectors run below, this page shows that one version.
    let candidates: Candidate<KubeObject>[];
    let total: number;
    if (version < this.committed) {
      // A later page of a list that began before some writes: the keys as they were then.
      const overlay = this.stateAt(resource, version);
      const inRange = (key: string) => key >= start && key.startsWith(prefix);
      candidates = mergeOverlay(bucket ? bucket.keys.slice(from, range.to) : [], (key) => objects.get(key), overlay, inRange).map((c) => ({
        key: c.key.slice(prefix.length),
        object: c.object,
      }));
      total = candidates.length;
    } else {
      total = Math.max(0, range.to - from);
      // Without a selector only the page's own objects are needed: the rest are just counted.
      const take = !options.filter && limit > 0 ? Math.min(total, limit) : total;
      candidates = (bucket ? bucket.keys.slice(from, from + take) : []).map((key) => ({ key: key.slice(prefix.length), object: objects.get(key)! }));
    }

    const progress: PageProgress<KubeObject> = { items: [], next: 0 };
    while (!advancePage(candidates, progress, limit, options.filter, LIST_CHUNK)) await yieldToEventLoop();
    const page = finishPage(candidates, progress, options.filter !== undefined, total);
    return {
      resourceVersion: version,
      items: page.items.map((item) => ({ object: item.object, json: encodedJson(item.object) })),
      ...(page.lastKey !== undefined ? { lastKey: page.lastKey } : {}),
      ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
    };
  }

  /**
   * The state at `version` of every key of `resource` changed since: the object it held then, or
   * undefined if it did not exist. Throws Gone when the history no longer reaches back that far.
   */
  private stateAt(resource: string, version: number): Map<string, KubeObject | undefined> {
    const overlay = new Map<string, KubeObject | undefined>();
    for (const event of this.history.since(version)) {
      if (event.resource !== resource) continue;
      const key = objectPath(event.object.metadata.namespace, event.object.metadata.name!);
      // The first change after `version` tells what the key held at `version`.
      if (!overlay.has(key)) overlay.set(key, event.type === 'ADDED' ? undefined : event.previous);
    }
    return overlay;
  }

  // -------------------------------------------------------------------------------------------
  // Writes: decided in arrival order against the newest state; visible once in the file.

  create(resource: string, obj: KubeObject): Promise<KubeObject> {
    return this.write(() => {
      const name = obj.metadata?.name;
      if (!name) throw badRequest(`${resource}: metadata.name is required to store an object`);
      const id = keyOf(resource, obj.metadata.namespace, name);
      if (this.newest(resource, id, obj.metadata.namespace, name)) throw alreadyExists(resource, name);

      const version = this.nextVersion();
      const created = stampCreated(obj, this.clock(), String(version));
      return this.accept(resource, id, created, { type: 'ADDED', resource, object: created, resourceVersion: version });
    });
  }

  update(resource: string, obj: KubeObject): Promise<KubeObject> {
    return this.write(() => {
      const name = obj.metadata?.name ?? '';
      const id = keyOf(resource, obj.metadata?.namespace, name);
      const current = this.newest(resource, id, obj.metadata?.namespace, name);
      if (!current) throw notFound(resource, name);
      const expected = obj.metadata.resourceVersion;
      if (expected && expected !== current.metadata.resourceVersion) throw conflict(resource, name);

      const version = this.nextVersion();
      // Identity belongs to the store: whatever the caller sent, uid and creationTimestamp stay as they were.
      const updated = stampUpdated(current, obj, String(version));
      return this.accept(resource, id, updated, { type: 'MODIFIED', resource, object: updated, previous: current, resourceVersion: version });
    });
  }

  async guaranteedUpdate(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<KubeObject> {
    // Optimistic concurrency: mutate outside the write step (it may be slow or read the store),
    // then write with the version it started from; if someone else wrote meanwhile, start again.
    // It starts from the newest accepted state, so it does not spin against a write in flight.
    for (;;) {
      const newest = this.newest(resource, keyOf(resource, namespace, name), namespace, name);
      if (!newest) throw notFound(resource, name);
      const current = copy(newest);
      const startedFrom = current.metadata.resourceVersion;
      const next = await mutate(copy(current));
      if (isDeepStrictEqual(next, current)) return current;
      next.metadata = { ...next.metadata, namespace, name, resourceVersion: startedFrom };
      try {
        return await this.update(resource, next);
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Let the write we lost to reach the file before trying again.
        await yieldToEventLoop();
      }
    }
  }

  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): Promise<KubeObject> {
    return this.write(() => {
      const id = keyOf(resource, namespace, name);
      const current = this.newest(resource, id, namespace, name);
      if (!current) throw notFound(resource, name);
      checkDeletePreconditions(resource, current, preconditions);
      const version = this.nextVersion();
      // Watchers see the last state, stamped with the version of the delete itself.
      const deleted = copy(current);
      deleted.metadata.resourceVersion = String(version);
      return this.accept(resource, id, undefined, { type: 'DELETED', resource, object: deleted, previous: current, resourceVersion: version });
    });
  }

  /** The newest state of an object: an accepted write still in flight, else what memory shows. */
  private newest(resource: string, id: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const inFlight = this.accepted.get(id);
    if (inFlight) return inFlight.object;
    return this.buckets.get(resource)?.objects.get(objectPath(namespace, name));
  }

  private accept(resource: string, id: string, object: KubeObject | undefined, event: StoreEvent): AcceptedWrite {
    const metadata = event.object.metadata;
    return {
      resource,
      id,
      path: objectPath(metadata.namespace, metadata.name!),
      version: event.resourceVersion,
      object,
      ...(object ? { json: JSON.stringify(object) } : {}),
      event,
    };
  }

  /** Decides the write now (synchronously, in call order), then queues it for the next append. */
  private write(decide: () => AcceptedWrite): Promise<KubeObject> {
    if (!this.opened) return Promise.reject(new Error('the object store is not open: call open() first'));
    let write: AcceptedWrite;
    try {
      write = decide();
    } catch (err) {
      return Promise.reject(err);
    }
    this.accepted.set(write.id, write);
    let lines: string;
    if (write.object) {
      const stored = this.transformer.toStorage(write.resource, write.id, write.json!);
      if (stored !== write.json) this.storedForms.set(write.object, stored);
      lines = `${JSON.stringify({ _id: write.id, resource: write.resource, json: stored })}\n`;
    } else {
      // The counter first: if a crash cuts the batch between the two lines, the counter is ahead, never behind.
      lines = `${JSON.stringify({ _id: COUNTER_ID, resourceVersion: write.version })}\n${JSON.stringify({ $$deleted: true, _id: write.id })}\n`;
    }
    return this.log.append(lines, () => this.commit(write)).then(() => copy(write.event.object));
  }

  /** The write is in the file: memory shows it, watchers hear of it. */
  private commit(write: AcceptedWrite): void {
    if (this.accepted.get(write.id) === write) this.accepted.delete(write.id);
    if (write.object) {
      this.place(write.resource, write.object, write.json!);
    } else {
      const bucket = this.buckets.get(write.resource);
      if (bucket?.objects.delete(write.path)) this.liveObjects -= 1;
      bucket?.keys.remove(write.path);
    }
    this.publish(write.event);
  }

  /** Puts an object into memory with its encoding (and its stored form when that differs). */
  private place(resource: string, object: KubeObject, json: string, storedForm?: string): void {
    const bucket = this.bucket(resource);
    const key = objectPath(object.metadata.namespace, object.metadata.name!);
    if (!bucket.objects.has(key)) {
      bucket.keys.add(key);
      this.liveObjects += 1;
    }
    bucket.objects.set(key, object);
    rememberEncoding(object, json);
    if (storedForm !== undefined) this.storedForms.set(object, storedForm);
  }

  /**
   * The whole datafile from memory: one line per object, and the counter when a delete is newest.
   * In _id order, as nedb's own compaction writes it, so a store rewritten by either looks the same.
   */
  private datafileLines(): string[] {
    let newestObject = 0;
    const lines: [string, string][] = [];
    for (const [resource, bucket] of this.buckets) {
      for (const object of bucket.objects.values()) {
        const id = keyOf(resource, object.metadata.namespace, object.metadata.name!);
        const stored = this.storedForms.get(object) ?? this.transformer.toStorage(resource, id, encodedJson(object));
        newestObject = Math.max(newestObject, Number(object.metadata.resourceVersion));
        lines.push([id, `${JSON.stringify({ _id: id, resource, json: stored })}\n`]);
      }
    }
    if (this.committed > newestObject) lines.push([COUNTER_ID, `${JSON.stringify({ _id: COUNTER_ID, resourceVersion: this.committed })}\n`]);
    return lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, line]) => line);
  }

  private compact(): Promise<void> {
    this.writesSinceCompaction = 0;
    return this.log.rewrite(() => this.datafileLines()).catch((err: unknown) => log.error('compacting the datafile failed; retrying at the next threshold', { err }));
  }

  // -------------------------------------------------------------------------------------------
  // Watch

  watch(resource: string, options: StoreWatchOptions, onEvent: (event: StoreEvent) => void): () => void {
    const from = options.resourceVersion ?? 0;
    // Collect the backlog before registering; both happen in this synchronous call, so no write
    // can slip in between (writes publish synchronously too).
    const backlog: StoreEvent[] =
      from === 0 ? this.currentAsAdded(resource, options.namespace, options.filter) : this.history.since(from).filter((e) => e.resource === resource);
    return this.watchers.add(resource, options, onEvent, backlog, this.committed);
  }

  /**
   * The current objects as ADDED events, in key order as a list shows them (all of them are "the
   * state now"; no order among them matters). Only the namespace's key range is read, and only
   * the objects the watch's selector keeps become events.
   */
  private currentAsAdded(resource: string, namespace: string | undefined, filter: ((obj: KubeObject) => boolean) | undefined): StoreEvent[] {
    const bucket = this.buckets.get(resource);
    if (!bucket) return [];
    const range = bucket.keys.prefixRange(namespace !== undefined ? `${namespace}/` : '');
    const events: StoreEvent[] = [];
    for (const key of bucket.keys.slice(range.from, range.to)) {
      const object = bucket.objects.get(key)!;
      if (filter && !filter(object)) continue;
      events.push({ type: 'ADDED', resource, object, resourceVersion: Number(object.metadata.resourceVersion) });
    }
    return events;
  }

  private publish(event: StoreEvent): void {
    this.committed = event.resourceVersion;
    this.history.append(event);
    this.watchers.publish(event);
    this.writesSinceCompaction += 1;
    // At least as many writes as there are objects between two rewrites of the whole file: the
    // cost of compaction per write stays constant however big the store grows (a rewrite every
    // 1,000 writes of a 10,000-object store would copy 10 objects per write).
    if (this.persistent && this.writesSinceCompaction >= Math.max(this.compactEveryWrites, this.liveObjects)) void this.compact();
  }

  // -------------------------------------------------------------------------------------------

  private nextVersion(): number {
    this.counter += 1;
    return this.counter;
  }

  private bucket(resource: string): Bucket {
    let bucket = this.buckets.get(resource);
    if (!bucket) {
      bucket = { objects: new Map(), keys: new SortedKeys() };
      this.buckets.set(resource, bucket);
    }
    return bucket;
  }
}
