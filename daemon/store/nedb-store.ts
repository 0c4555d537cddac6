// NedbObjectStore: kubelab's etcd, built from an in-memory map and an append-only log on disk.
//
// Reads never touch the disk: every object lives in `objects`, a Map per resource. The disk is
// only the durable record, an @seald-io/nedb datafile (one JSON document per line, appended on
// every write, rewritten compactly on open and every so often). On open the file is replayed into
// the map, so a restarted daemon finds every object where it left it.
//
// Three design points teach how a real store keeps its promises:
// - One queue serialises all writes. Checking "is this resourceVersion still current?",
//   taking the next version number and recording the change happen as one step, so two
//   concurrent updates can never both succeed from the same version (optimistic concurrency).
// - A write is acknowledged only after nedb appended it to the file, and watchers hear about it
//   only then, so nobody ever acts on a change that a crash could undo.
// - The version counter is persisted too (objects carry their version; deletes also write the
//   counter), so versions never go backwards across restarts, even when the newest object was
//   deleted. Clients compare versions; a counter that moved backwards would make them ignore
//   real changes.
//
// Why objects are stored as JSON strings: nedb forbids field names containing '.' or starting
// with '$', and Kubernetes labels (`kubernetes.io/hostname`) and annotations are full of dots.
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

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import nedb from '@seald-io/nedb';
import type { KubeObject, ObjectList } from '../../lib/api/types.js';
import { logger } from '../../lib/logger.js';
import { rfc3339 } from '../../lib/time.js';
import { alreadyExists, badRequest, conflict, isConflict, notFound } from '../../lib/errors.js';
import { STORE_DEFAULTS } from '../config.js';
import type { ObjectStore, StoreEvent, StoreWatchOptions } from './object-store.js';
import { WatchHistory } from './watch-history.js';
import { acquireStoreLock } from './store-lock.js';
import type { StorageTransformer } from './storage-transformer.js';
import { ensurePrivateDirectory, PRIVATE_DIRECTORY_MODE, PRIVATE_FILE_MODE, restrictFileIfPresent } from '../private-files.js';

export interface NedbObjectStoreOptions {
  /** Directory of the datafile; absent = in memory only (tests). */
  dataDir?: string;
  /** How many recent events a watch can resume from (the API server's watch cache size). */
  historySize?: number;
  /** Rewrite the datafile after this many writes, so the append-only log does not grow without end. */
  compactEveryWrites?: number;
  /** ... and at least this often (nedb enforces at least 5 s). */
  compactIntervalMs?: number;
  /** Source of creationTimestamp; injectable for tests. */
  clock?: () => Date;
  /** Encryption at rest (storage-transformer.ts); absent: every object is stored as plain JSON. */
  transformer?: StorageTransformer;
}

/** No encryption: the JSON as it is. */
const IDENTITY: StorageTransformer = { toStorage: (_r, _k, json) => json, fromStorage: (_r, _k, json) => ({ json, stale: false }) };

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
type Datastore<T> = InstanceType<typeof nedb.default<T>>;

const COUNTER_ID = 'meta/resourceVersion';
const DATAFILE = 'objects.db';
const DEFAULT_HISTORY_SIZE = STORE_DEFAULTS.watchHistorySize;
const DEFAULT_COMPACT_EVERY_WRITES = STORE_DEFAULTS.compactEveryWrites;
const DEFAULT_COMPACT_INTERVAL_MS = STORE_DEFAULTS.compactIntervalMs;
const log = logger('store');

interface Watcher {
  resource: string;
  options: StoreWatchOptions;
  onEvent: (event: StoreEvent) => void;
}

const copy = <T>(value: T): T => structuredClone(value);

/** Generation counts changes of what the user asked for: everything except metadata and status. */
function desiredStateChanged(before: KubeObject, after: KubeObject): boolean {
  const { metadata: _m1, status: _s1, ...restBefore } = before;
  const { metadata: _m2, status: _s2, ...restAfter } = after;
  return !isDeepStrictEqual(restBefore, restAfter);
}

export class NedbObjectStore implements ObjectStore {
  private readonly db: Datastore<StoredDocument>;
  private readonly persistent: boolean;
  private readonly dataDir: string | undefined;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly watchers = new Set<Watcher>();
  private history: WatchHistory;
  /** The last version handed to a write, which may still be on its way to the disk. */
  private counter = 0;
  /**
   * The version of the last write that memory and watchers already show. Lists answer with this
   * one, never `counter`: a list stamped with a version whose write is still in flight would let
   * the client's watch from that version skip the very change the list did not contain.
   */
  private committed = 0;
  private writesSinceCompaction = 0;
  private writeQueue: Promise<unknown> = Promise.resolve();
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
    this.db = new Datastore<StoredDocument>(
      options.dataDir !== undefined
        ? // Every Secret lives in this file: nedb creates it, its directory and each compacted copy private.
          { filename: path.join(options.dataDir, DATAFILE), modes: { fileMode: PRIVATE_FILE_MODE, dirMode: PRIVATE_DIRECTORY_MODE } }
        : { inMemoryOnly: true },
    );
    this.historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.compactEveryWrites = options.compactEveryWrites ?? DEFAULT_COMPACT_EVERY_WRITES;
    this.compactIntervalMs = options.compactIntervalMs ?? DEFAULT_COMPACT_INTERVAL_MS;
    this.clock = options.clock ?? (() => new Date());
    this.transformer = options.transformer ?? IDENTITY;
    this.history = new WatchHistory(this.historySize, 0);
  }

  async open(): Promise<void> {
    if (this.dataDir !== undefined) {
      // A store made before (or a directory the user made) may be 0755 / 0644: made private on every start.
      await ensurePrivateDirectory(this.dataDir);
      for (const file of [DATAFILE, `${DATAFILE}~`]) await restrictFileIfPresent(path.join(this.dataDir, file));
      this.releaseLock = await acquireStoreLock(this.dataDir);
    }
    try {
      await this.load();
    } catch (err) {
      await this.releaseLock();
      throw err;
    }
    // Nothing before this moment is in memory: only the current version can be resumed from.
    this.committed = this.counter;
    this.history = new WatchHistory(this.historySize, this.counter);
    if (this.persistent) this.db.setAutocompactionInterval(this.compactIntervalMs);
    this.opened = true;
  }

  /** Replays the datafile into memory, decrypting; rewrites stale values in the current form. */
  private async load(): Promise<void> {
    // Loading also rewrites the datafile without superseded lines: compaction on open.
    await this.db.loadDatabaseAsync();
    const stale: { doc: StoredDocument; json: string }[] = [];
    const unreadable: string[] = [];
    for (const doc of this.db.getAllData()) {
      if (doc._id === COUNTER_ID) {
        this.counter = Math.max(this.counter, doc.resourceVersion ?? 0);
        continue;
      }
      let json: string;
      try {
        const read = this.transformer.fromStorage(doc.resource!, doc._id, doc.json!);
        json = read.json;
        if (read.stale) stale.push({ doc, json });
      } catch (err) {
        unreadable.push(`${doc._id}: ${(err as Error).message}`);
        continue;
      }
      const obj = JSON.parse(json) as KubeObject;
      this.bucket(doc.resource!).set(doc._id, obj);
      this.counter = Math.max(this.counter, Number(obj.metadata.resourceVersion ?? 0));
    }
    if (unreadable.length > 0) {
      const file = this.dataDir ? path.join(this.dataDir, DATAFILE) : 'the store';
      throw new Error(
        `cannot read ${unreadable.length} object(s) of ${file}, so the store does not open (nothing was changed):\n  ` +
          `${unreadable.slice(0, 5).join('\n  ')}${unreadable.length > 5 ? `\n  ... and ${unreadable.length - 5} more` : ''}`,
      );
    }
    for (const { doc, json } of stale) {
      await this.db.updateAsync({ _id: doc._id }, { _id: doc._id, resource: doc.resource, json: this.transformer.toStorage(doc.resource!, doc._id, json) }, {});
    }
    this.rewrittenAtOpen = stale.length;
    if (stale.length > 0 && this.persistent) {
      // The old lines are still in the append-only file until it is rewritten: rewrite it now.
      await this.db.compactDatafileAsync();
      log.info(`rewrote ${stale.length} stored object(s) in the current encryption form (plaintext or an older key before)`);
    }
  }

  /** How many stored objects open() found in an old form (unencrypted, an older key) and rewrote. */
  rewrittenOnOpen(): number {
    return this.rewrittenAtOpen;
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    await this.writeQueue;
    if (this.persistent) {
      this.db.stopAutocompaction();
      await this.db.compactDatafileAsync();
    }
    this.watchers.clear();
    await this.releaseLock();
  }

  currentResourceVersion(): number {
    return this.committed;
  }

  // -------------------------------------------------------------------------------------------
  // Reads: straight from memory, always as copies.

  async get(resource: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const found = this.objects.get(resource)?.get(keyOf(resource, namespace, name));
    if (!found) throw notFound(resource, name);
    return copy(found);
  }

  async list(resource: string, options: { namespace?: string; filter?: (obj: KubeObject) => boolean } = {}): Promise<ObjectList> {
    const items: KubeObject[] = [];
    const keys = [...(this.objects.get(resource)?.keys() ?? [])].sort();
    for (const key of keys) {
      const obj = this.objects.get(resource)!.get(key)!;
      if (options.namespace !== undefined && obj.metadata.namespace !== options.namespace) continue;
      if (options.filter && !options.filter(obj)) continue;
      items.push(copy(obj));
    }
    return { metadata: { resourceVersion: String(this.committed) }, items };
  }

  // -------------------------------------------------------------------------------------------
  // Writes: one at a time through the queue; memory and watchers change after the disk did.

  create(resource: string, obj: KubeObject): Promise<KubeObject> {
    return this.serialize(async () => {
      const created = copy(obj);
      const name = created.metadata?.name;
      if (!name) throw badRequest(`${resource}: metadata.name is required to store an object`);
      const key = keyOf(resource, created.metadata.namespace, name);
      if (this.bucket(resource).has(key)) throw alreadyExists(resource, name);

      const version = this.nextVersion();
      created.metadata = {
        ...created.metadata,
        // The registry strips any uid a client sends; one it set itself (a Job's, which its selector names) is kept.
        uid: created.metadata.uid ?? randomUUID(),
        creationTimestamp: rfc3339(this.clock()),
        generation: 1,
        resourceVersion: String(version),
      };
      await this.db.insertAsync({ _id: key, resource, json: this.transformer.toStorage(resource, key, JSON.stringify(created)) });
      this.bucket(resource).set(key, created);
      this.publish({ type: 'ADDED', resource, object: created, resourceVersion: version });
      return copy(created);
    });
  }

  update(resource: string, obj: KubeObject): Promise<KubeObject> {
    return this.serialize(async () => {
      const name = obj.metadata?.name ?? '';
      const key = keyOf(resource, obj.metadata?.namespace, name);
      const current = this.bucket(resource).get(key);
      if (!current) throw notFound(resource, name);
      const expected = obj.metadata.resourceVersion;
      if (expected && expected !== current.metadata.resourceVersion) throw conflict(resource, name);

      const version = this.nextVersion();
      const updated = copy(obj);
      updated.metadata = {
        ...updated.metadata,
        // Identity belongs to the store: whatever the caller sent, these stay as they were.
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        generation: (current.metadata.generation ?? 1) + (desiredStateChanged(current, updated) ? 1 : 0),
        resourceVersion: String(version),
      };
      await this.db.updateAsync({ _id: key }, { _id: key, resource, json: this.transformer.toStorage(resource, key, JSON.stringify(updated)) }, {});
      this.bucket(resource).set(key, updated);
      this.publish({ type: 'MODIFIED', resource, object: updated, previous: current, resourceVersion: version });
      return copy(updated);
    });
  }

  async guaranteedUpdate(
    resource: string,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject) => KubeObject | Promise<KubeObject>,
  ): Promise<KubeObject> {
    // Optimistic concurrency: mutate outside the queue (it may be slow or read the store), then
    // write with the version it started from; if someone else wrote meanwhile, start again.
    for (;;) {
      const current = await this.get(resource, namespace, name);
      const startedFrom = current.metadata.resourceVersion;
      const next = await mutate(copy(current));
      if (isDeepStrictEqual(next, current)) return current;
      next.metadata = { ...next.metadata, namespace, name, resourceVersion: startedFrom };
      try {
        return await this.update(resource, next);
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
  }

  delete(
    resource: string,
    namespace: string | undefined,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): Promise<KubeObject> {
    return this.serialize(async () => {
      const key = keyOf(resource, namespace, name);
      const current = this.bucket(resource).get(key);
      if (!current) throw notFound(resource, name);
      if (preconditions.uid && preconditions.uid !== current.metadata.uid) {
        throw conflict(resource, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (preconditions.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(
          resource,
          name,
          `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        );
      }

      const version = this.nextVersion();
      // The counter first: if we crash between the two appends, the counter is ahead, never behind.
      await this.db.updateAsync({ _id: COUNTER_ID }, { _id: COUNTER_ID, resourceVersion: version }, { upsert: true });
      await this.db.removeAsync({ _id: key }, {});
      this.bucket(resource).delete(key);
      // Watchers see the last state, stamped with the version of the delete itself.
      const deleted = copy(current);
      deleted.metadata.resourceVersion = String(version);
      this.publish({ type: 'DELETED', resource, object: deleted, previous: current, resourceVersion: version });
      return copy(deleted);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Watch

  watch(resource: string, options: StoreWatchOptions, onEvent: (event: StoreEvent) => void): () => void {
    const watcher: Watcher = { resource, options, onEvent };
    const from = options.resourceVersion ?? 0;
    // Collect the backlog before registering; both happen in this synchronous call, so no write
    // can slip in between (writes publish synchronously too).
    const backlog: StoreEvent[] =
      from === 0 ? this.currentAsAdded(resource) : this.history.since(from).filter((e) => e.resource === resource);
    this.watchers.add(watcher);
    for (const event of backlog) {
      if (!this.watchers.has(watcher)) break;
      this.deliver(watcher, event);
    }
    return () => {
      this.watchers.delete(watcher);
    };
  }

  private currentAsAdded(resource: string): StoreEvent[] {
    return [...(this.objects.get(resource)?.values() ?? [])]
      .map((object) => ({ type: 'ADDED' as const, resource, object, resourceVersion: Number(object.metadata.resourceVersion) }))
      .sort((a, b) => a.resourceVersion - b.resourceVersion);
  }

  private publish(event: StoreEvent): void {
    this.committed = event.resourceVersion;
    this.history.append(event);
    for (const watcher of [...this.watchers]) {
      if (watcher.resource === event.resource) this.deliver(watcher, event);
    }
    this.writesSinceCompaction += 1;
    if (this.persistent && this.writesSinceCompaction >= this.compactEveryWrites) {
      this.writesSinceCompaction = 0;
      // nedb queues the rewrite behind pending appends; a failure is retried at the next threshold.
      this.db.compactDatafileAsync().catch((err: unknown) => log.error('compacting the datafile failed; retrying at the next threshold', { err }));
    }
  }

  /**
   * Sends one event to one watcher, seen through the watcher's filter: a MODIFIED object that
   * starts matching arrives as ADDED, one that stops matching as DELETED (its previous state,
   * stamped with the new version), exactly as the API server's watch cache does.
   */
  private deliver(watcher: Watcher, event: StoreEvent): void {
    const { namespace, filter } = watcher.options;
    const matches = (obj: KubeObject | undefined): boolean =>
      obj !== undefined && (namespace === undefined || obj.metadata.namespace === namespace) && (!filter || filter(obj));

    let type = event.type;
    let object = event.object;
    if (event.type === 'MODIFIED') {
      const matchedBefore = matches(event.previous);
      const matchesNow = matches(event.object);
      if (!matchedBefore && !matchesNow) return;
      if (!matchedBefore) type = 'ADDED';
      if (!matchesNow) {
        type = 'DELETED';
        object = { ...event.previous!, metadata: { ...event.previous!.metadata, resourceVersion: String(event.resourceVersion) } };
      }
    } else if (!matches(event.object)) {
      return;
    }
    const delivered: StoreEvent = { type, resource: event.resource, object: copy(object), resourceVersion: event.resourceVersion };
    if (event.previous) delivered.previous = copy(event.previous);
    try {
      watcher.onEvent(delivered);
    } catch (err) {
      // A failing watcher must not fail the write that woke it (the write is already durable):
      // it loses its watch, as a client whose connection broke, and will re-watch.
      this.watchers.delete(watcher);
      log.error(`a watch of ${event.resource} failed in its event handler and was stopped`, { err, withStack: true });
    }
  }

  // -------------------------------------------------------------------------------------------

  private serialize<T>(step: () => Promise<T>): Promise<T> {
    if (!this.opened) return Promise.reject(new Error('the object store is not open: call open() first'));
    const run = this.writeQueue.then(step);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  private nextVersion(): number {
    this.counter += 1;
    return this.counter;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let map = this.objects.get(resource);
    if (!map) {
      map = new Map();
      this.objects.set(resource, map);
    }
    return map;
  }
}

function keyOf(resource: string, namespace: string | undefined, name: string): string {
  return `${resource}/${namespace ?? ''}/${name}`;
}
