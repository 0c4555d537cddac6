// Paged lists: the continue token, page assembly, and what a client sees through the registry
// (limit, continue, remainingItemCount, one snapshot across pages, 410 Expired, 400 for junk).

import assert from 'node:assert/strict';
import type { KubeObject } from '../../lib/api/types.js';
import { decodeContinue, encodeContinue, keyAfter } from '../../lib/api/continue-token.js';
import { ApiError } from '../../lib/errors.js';
import { internalContext } from '../../daemon/api/registry.js';
import { ResourceRegistry } from '../../daemon/api/resource-registry.js';
import { advancePage, finishPage, mergeOverlay, type Candidate, type PageProgress } from '../../daemon/store/list-page.js';
import { NedbObjectStore } from '../../daemon/store/nedb-store.js';
import { SortedKeys } from '../../daemon/store/sorted-keys.js';

const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function configMap(name: string, labels: Record<string, string> = {}, namespace = 'default'): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { k: name } };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

const names = (list: { items: KubeObject[] }) => list.items.map((o) => o.metadata.name);

describe('continue tokens', () => {
  it('are base64url JSON of version, resourceVersion and start key, as kube-apiserver writes them', () => {
    const token = encodeContinue({ resourceVersion: 42, startKey: keyAfter('default/cm-1') });
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(JSON.parse(Buffer.from(token, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: 42, start: 'default/cm-1\u0000' });
    assert.deepEqual(decodeContinue(token), { resourceVersion: 42, startKey: 'default/cm-1\u0000' });
    assert.deepEqual(decodeContinue(encodeContinue({ resourceVersion: -1, startKey: 'x' })), { resourceVersion: -1, startKey: 'x' });
  });

  const table: [string, string, RegExp][] = [
    ['not base64', 'not a token!', /^invalid continue token: continue key is not valid: illegal base64 data$/],
    ['not JSON', Buffer.from('{nope').toString('base64url'), /^invalid continue token: continue key is not valid: /],
    ['another version', Buffer.from(JSON.stringify({ v: 'v2', rv: 1, start: 'a' })).toString('base64url'), /server does not recognize this encoded version v2$/],
    ['rv 0', Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' })).toString('base64url'), /incorrect encoded start resourceVersion \(version meta.k8s.io\/v1\)$/],
    ['empty start', Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: '' })).toString('base64url'), /encoded start key empty \(version meta.k8s.io\/v1\)$/],
    ['a path escaping its collection', Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 3, start: 'default/../kube-system/x' })).toString('base64url'), /continue key is not valid: default\/\.\.\/kube-system\/x$/],
  ];
  for (const [what, token, message] of table) {
    it(`refuses ${what} with 400 BadRequest`, () => {
      assert.throws(() => decodeContinue(token), (err: ApiError) => err.code === 400 && err.reason === 'BadRequest' && message.test(err.message));
    });
  }
});

describe('page assembly', () => {
  const candidates: Candidate<{ n: number }>[] = Array.from({ length: 10 }, (_, n) => ({ key: `k${n}`, object: { n } }));
  const run = (limit: number, filter?: (o: { n: number }) => boolean, budget = 3) => {
    const progress: PageProgress<{ n: number }> = { items: [], next: 0 };
    let steps = 1;
    while (!advancePage(candidates, progress, limit, filter, budget)) steps += 1;
    return { page: finishPage(candidates, progress, filter !== undefined), steps };
  };

  it('takes limit items and says how many remain when nothing is filtered', () => {
    const { page } = run(4);
    assert.deepEqual(page.items.map((c) => c.object.n), [0, 1, 2, 3]);
    assert.equal(page.lastKey, 'k3');
    assert.equal(page.remainingItemCount, 6);
  });

  it('filters in bounded steps, and leaves remainingItemCount out under a selector', () => {
    const { page, steps } = run(2, (o) => o.n % 3 === 0, 2);
    assert.deepEqual(page.items.map((c) => c.object.n), [0, 3]);
    assert.equal(page.lastKey, 'k3');
    assert.equal(page.remainingItemCount, undefined);
    assert.ok(steps >= 2, 'the scan was cut into steps');
  });

  it('sets no continue position when the last page ends exactly at the last key', () => {
    assert.equal(run(10).page.lastKey, undefined);
    assert.equal(run(0).page.items.length, 10);
    // Keys remain after the last match (none of them matches): the client gets a token and an empty page next.
    assert.equal(run(1, (o) => o.n === 8).page.lastKey, 'k8');
  });

  it('reads a range as it was: keys deleted since come back, keys created since drop out', () => {
    const overlay = new Map<string, string | undefined>([
      ['b', undefined], // created after the version
      ['c', 'c-then'], // deleted after the version
      ['d', 'd-then'], // modified after the version
    ]);
    const now: Record<string, string> = { a: 'a', b: 'b', d: 'd-now', e: 'e' };
    const merged = mergeOverlay(['a', 'b', 'd', 'e'], (key) => now[key], overlay, () => true);
    assert.deepEqual(merged, [
      { key: 'a', object: 'a' },
      { key: 'c', object: 'c-then' },
      { key: 'd', object: 'd-then' },
      { key: 'e', object: 'e' },
    ]);
  });

  it('keeps keys sorted through adds and removes, with namespace ranges', () => {
    const keys = new SortedKeys();
    for (const key of ['b/2', 'a/1', 'b/1', 'c/1', 'b/3']) keys.add(key);
    keys.remove('b/3');
    keys.add('a/1');
    assert.deepEqual(keys.slice(0, keys.size), ['a/1', 'b/1', 'b/2', 'c/1']);
    const range = keys.prefixRange('b/');
    assert.deepEqual(keys.slice(range.from, range.to), ['b/1', 'b/2']);
  });
});

describe('paged lists through the registry', () => {
  let store: NedbObjectStore;
  let registry: ResourceRegistry;
  const ctx = internalContext();

  beforeEach(async () => {
    store = new NedbObjectStore({ historySize: 50 });
    await store.open();
    registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    await registry.create('namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } }, ctx);
  });
  afterEach(() => store.close());

  it('returns every object exactly once, in namespace/name order, with remainingItemCount', async () => {
    for (let i = 0; i < 12; i += 1) await registry.create('configmaps', 'default', configMap(`cm-${String(i).padStart(2, '0')}`), ctx);
    await registry.create('configmaps', 'other', configMap('aaa', {}, 'other'), ctx);
    const seen: string[] = [];
    let token: string | undefined;
    const remaining: (number | undefined)[] = [];
    do {
      const page = await registry.list('configmaps', { limit: 5, ...(token ? { continue: token } : {}) }, ctx);
      seen.push(...page.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`));
      remaining.push(page.metadata.remainingItemCount);
      token = page.metadata.continue;
    } while (token);
    assert.deepEqual(seen, [...Array.from({ length: 12 }, (_, i) => `default/cm-${String(i).padStart(2, '0')}`), 'other/aaa']);
    assert.deepEqual(remaining, [8, 3, undefined]);
    const inOther = await registry.list('configmaps', { namespace: 'other', limit: 5 }, ctx);
    assert.deepEqual(names(inOther), ['aaa']);
    assert.equal(inOther.metadata.continue, undefined);
  });

  it('reads every page at the first page\'s resourceVersion while writes go on', async () => {
    for (let i = 0; i < 6; i += 1) await registry.create('configmaps', 'default', configMap(`cm-${i}`), ctx);
    const first = await registry.list('configmaps', { namespace: 'default', limit: 3 }, ctx);
    assert.deepEqual(names(first), ['cm-0', 'cm-1', 'cm-2']);
    // Between the pages: one created, one deleted, one changed, all in the second page's range.
    await registry.create('configmaps', 'default', configMap('cm-3a'), ctx);
    await registry.delete('configmaps', 'default', 'cm-4', {}, ctx);
    await registry.patch('configmaps', 'default', 'cm-5', { data: { k: 'changed' } }, 'merge', ctx);
    const second = await registry.list('configmaps', { namespace: 'default', limit: 3, continue: first.metadata.continue }, ctx);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
    assert.deepEqual(names(second), ['cm-3', 'cm-4', 'cm-5']);
    assert.equal((second.items[2] as { data?: Record<string, string> }).data?.k, 'cm-5', 'the state at the first page\'s version');
    assert.equal(second.metadata.continue, undefined);
  });

  it('filters by label without counting what remains, and pages over the matches', async () => {
    for (let i = 0; i < 10; i += 1) await registry.create('configmaps', 'default', configMap(`cm-${i}`, { even: String(i % 2 === 0) }), ctx);
    const first = await registry.list('configmaps', { namespace: 'default', labelSelector: 'even=true', limit: 3 }, ctx);
    assert.deepEqual(names(first), ['cm-0', 'cm-2', 'cm-4']);
    assert.equal(first.metadata.remainingItemCount, undefined);
    const second = await registry.list('configmaps', { namespace: 'default', labelSelector: 'even=true', limit: 3, continue: first.metadata.continue }, ctx);
    assert.deepEqual(names(second), ['cm-6', 'cm-8']);
  });

  it('answers a token older than the history 410 Expired with kube-apiserver\'s message and a token for the rest', async () => {
    for (let i = 0; i < 4; i += 1) await registry.create('configmaps', 'default', configMap(`cm-${i}`), ctx);
    const first = await registry.list('configmaps', { namespace: 'default', limit: 2 }, ctx);
    // More writes than the history holds (50): the first page's version is gone.
    for (let i = 0; i < 60; i += 1) await registry.create('configmaps', 'other', configMap(`x-${i}`, {}, 'other'), ctx);
    await registry.delete('configmaps', 'default', 'cm-3', {}, ctx);
    const err = await rejection(registry.list('configmaps', { namespace: 'default', limit: 2, continue: first.metadata.continue }, ctx));
    assert.equal(err.code, 410);
    assert.equal(err.reason, 'Expired');
    assert.equal(err.message, EXPIRED_MESSAGE);
    const status = err.toStatus();
    const inconsistent = status.metadata.continue as string;
    assert.deepEqual(decodeContinue(inconsistent), { resourceVersion: -1, startKey: keyAfter('cm-1') });
    // The new token goes on from the same key at the latest version: cm-3 is gone now.
    const rest = await registry.list('configmaps', { namespace: 'default', limit: 2, continue: inconsistent }, ctx);
    assert.deepEqual(names(rest), ['cm-2']);
    assert.equal(rest.metadata.resourceVersion, registry.currentResourceVersion());
  });

  it('refuses a malformed token with 400', async () => {
    const err = await rejection(registry.list('configmaps', { limit: 2, continue: 'garbage!' }, ctx));
    assert.equal(err.code, 400);
    assert.match(err.message, /^invalid continue token: /);
  });
});
