// Periodic compaction of etcd's history, as kube-apiserver does it
// (k8s.io/apiserver/pkg/storage/etcd3/compact.go).
//
// etcd keeps every old revision of every key until it is told to forget them ("compaction"):
// that history is what lets a watch resume from a resourceVersion and a paged list read its
// first page's revision, and also what makes the database grow without end. kube-apiserver
// compacts every 5 minutes to the revision it saw at the previous tick, so about 5 minutes of
// history stay available; a client asking for something older gets 410 Gone and lists again.
//
// With several API servers on one etcd, each runs this loop, but only one of them compacts per
// interval: they take turns through a compare-and-swap on the key `compact_rev_key`, whose etcd
// `version` (how many times it was written) serves as the compaction's logical clock. A server
// whose compare fails learns the clock's current value and tries again next interval.
//
// compactOnce is one tick, so a test can drive the loop without waiting 5 minutes.

import type { Etcd3 } from 'etcd3';
import { logger } from '../../lib/logger.js';

/** The key the API servers of one etcd take turns on (kube-apiserver's name). */
export const COMPACT_REVISION_KEY = 'compact_rev_key';

const log = logger('etcd-compactor');

export interface CompactionTick {
  /** The compaction clock this server last saw (the key's etcd version). */
  clock: number;
  /** The store revision at this tick: what the next tick compacts to. */
  revision: number;
}

/**
 * One tick: if nobody else ticked since `last`, record this tick and compact to `last.revision`
 * (the revision seen one interval ago). Returns what the next tick starts from; `compacted` is the
 * revision compacted to, when this server compacted.
 */
export async function compactOnce(client: Etcd3, last: CompactionTick): Promise<CompactionTick & { compacted?: number }> {
  const key = Buffer.from(COMPACT_REVISION_KEY);
  const response = await client.kv.txn({
    compare: [{ key, target: 'Version', result: 'Equal', version: last.clock }],
    success: [{ request_put: { key, value: Buffer.from(String(last.revision)) } }],
    failure: [{ request_range: { key } }],
  });
  const revision = Number(response.header.revision);
  if (!response.succeeded) {
    // Another server ticked: take its clock, compact nothing this time.
    const kv = response.responses[0]?.response_range?.kvs?.[0];
    return { clock: Number(kv?.version ?? 0), revision };
  }
  if (last.revision === 0) return { clock: last.clock + 1, revision };
  try {
    await client.kv.compact({ revision: last.revision, physical: false });
  } catch (err) {
    // Another server (or etcdctl) compacted further already: nothing is lost.
    if (!isCompactedError(err)) throw err;
  }
  return { clock: last.clock + 1, revision, compacted: last.revision };
}

/** etcd's "required revision has been compacted" (ErrCompacted), whatever client class carries it. */
export function isCompactedError(err: unknown): boolean {
  return err instanceof Error && /required revision has been compacted/.test(err.message);
}

/** Compacts every `intervalMs` until stopped; `onCompacted` hears of each compaction this server made. */
export function runCompactor(client: Etcd3, intervalMs: number, onCompacted: (revision: number) => void): () => void {
  let last: CompactionTick = { clock: 0, revision: 0 };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    compactOnce(client, last)
      .then((next) => {
        last = next;
        if (next.compacted !== undefined) onCompacted(next.compacted);
      })
      .catch((err: unknown) => log.error('compacting etcd failed; trying again at the next interval', { err }))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
