// Paged lists against a real kubelabd, with the clients that page: kubectl 1.32
// (`--chunk-size=500`, its default), @kubernetes/client-node 1.4.0 (limit / _continue) and the
// kubelab CLI. 1,200 ConfigMaps come back each exactly once, in name order, also while writes go
// on between the pages; a continue token older than the store's history (10,000 writes) is
// answered 410 Expired with kube-apiserver's message and a token for the rest; a malformed one 400.

import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { TestDaemon } from '../../harness/test-daemon.js';

const NAMESPACE = 'paging';
const COUNT = 1_200;
const EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const nameOf = (i: number) => `cm-${String(i).padStart(4, '0')}`;
const expectedNames = Array.from({ length: COUNT }, (_, i) => nameOf(i));
/** Every namespace also holds the cluster CA's ConfigMap (the root-ca-cert-publisher's, as on Kubernetes); it sorts last. */
const ROOT_CA = 'kube-root-ca.crt';

/** Runs `work` for 0..count-1 with at most `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

describe('paged lists (limit and continue) against kubelabd', function () {
  this.timeout(240_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let core: k8s.CoreV1Api;

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(daemon.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    await inParallel(COUNT, 32, (i) => core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: nameOf(i), labels: { app: 'paging' } }, data: { i: String(i) } } }));
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
  });

  it('kubectl get cm --chunk-size=500: three requests with limit=500, every ConfigMap once, one header', async () => {
    const result = await kubectl.run(['get', 'cm', '-n', NAMESPACE, '-l', 'app=paging', '--chunk-size=500', '-v=6']);
    assert.equal(result.code, 0, result.stderr);
    const pages = result.stderr.split('\n').filter((line) => /GET .*\/namespaces\/paging\/configmaps\?.*limit=500/.test(line));
    assert.equal(pages.length, 3, `requests:\n${pages.join('\n')}`);
    assert.equal(pages.filter((line) => /continue=/.test(line)).length, 2);
    const lines = result.stdout.trim().split('\n');
    assert.match(lines[0], /^NAME\s+DATA\s+AGE$/);
    assert.deepEqual(lines.slice(1).map((line) => line.split(/\s+/)[0]), expectedNames);

    const names = (await kubectl.ok(['get', 'cm', '-n', NAMESPACE, '-l', 'app=paging', '--chunk-size=500', '-o', 'name'])).trim().split('\n');
    assert.deepEqual(names, expectedNames.map((n) => `configmap/${n}`));
  });

  it('client-node: limit=500 and _continue give each ConfigMap exactly once at one resourceVersion, while writes go on', async () => {
    const seen: string[] = [];
    const remaining: (number | undefined)[] = [];
    const versions = new Set<string>();
    let token: string | undefined;
    let extra = 0;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: NAMESPACE, limit: 500, ...(token ? { _continue: token } : {}) });
      seen.push(...page.items.map((cm) => cm.metadata!.name!));
      remaining.push(page.metadata?.remainingItemCount);
      versions.add(page.metadata!.resourceVersion!);
      token = page.metadata?._continue;
      // Between the pages: a new ConfigMap that sorts into the next page, and a change to one there.
      await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: `cm-0999-new-${extra++}` } } });
      await core.patchNamespacedConfigMap({ namespace: NAMESPACE, name: nameOf(1100), body: [{ op: 'replace', path: '/data/i', value: `changed-${extra}` }] });
    } while (token);
    assert.deepEqual(seen, [...expectedNames, ROOT_CA], 'the list as it was at the first page: nothing twice, nothing created later');
    assert.deepEqual(remaining, [701, 201, undefined]);
    assert.equal(versions.size, 1, 'every page answered with the first page\'s resourceVersion');
    for (let i = 0; i < extra; i += 1) await core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: `cm-0999-new-${i}` });
  });

  it('kubelab get pages its lists too (--chunk-size)', async () => {
    const result = await daemon!.kubelab(['get', 'configmaps', '-n', NAMESPACE, '-l', 'app=paging', '-o', 'name', '--chunk-size=500']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), expectedNames.map((n) => `configmap/${n}`));
  });

  it('a continue token older than the history is 410 Expired with kube-apiserver\'s message and a token for the rest', async function () {
    // 10,050 writes through the whole API path (authentication, RBAC, managedFields): minutes on a loaded machine.
    this.timeout(600_000);
    const first = await core.listNamespacedConfigMap({ namespace: NAMESPACE, limit: 500 });
    const token = first.metadata!._continue!;
    // The store keeps the last 10,000 changes (STORE_DEFAULTS.watchHistorySize): write more.
    await core.createNamespace({ body: { metadata: { name: 'churn' } } });
    await inParallel(10_050, 32, (i) => core.createNamespacedConfigMap({ namespace: 'churn', body: { metadata: { name: `c-${i}` } } }));
    await core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: nameOf(1199) });

    const err = await core.listNamespacedConfigMap({ namespace: NAMESPACE, limit: 500, _continue: token }).then(
      () => assert.fail('the expired token was accepted'),
      (e: unknown) => e as { code: number; body: string },
    );
    assert.equal(err.code, 410);
    const status = JSON.parse(err.body) as { kind: string; reason: string; message: string; code: number; metadata: { continue?: string } };
    assert.equal(status.kind, 'Status');
    assert.equal(status.reason, 'Expired');
    assert.equal(status.code, 410);
    assert.equal(status.message, EXPIRED_MESSAGE);
    assert.ok(status.metadata.continue, 'a new token for the inconsistent remainder');

    const rest: string[] = [];
    let next: string | undefined = status.metadata.continue;
    while (next) {
      const page = await core.listNamespacedConfigMap({ namespace: NAMESPACE, limit: 500, _continue: next });
      rest.push(...page.items.map((cm) => cm.metadata!.name!));
      next = page.metadata?._continue;
    }
    assert.deepEqual(rest, [...expectedNames.slice(500, 1199), ROOT_CA], 'the remainder at the latest version: the deleted one is gone');

    // kubectl's pager starts over with one full list when its token expires: no error for the user.
    const names = (await kubectl.ok(['get', 'cm', '-n', NAMESPACE, '-o', 'name'])).trim().split('\n');
    assert.equal(names.length, 1200, 'the 1,199 left and the root CA ConfigMap');
  });

  it('a malformed continue token is 400 BadRequest', async () => {
    const err = await core.listNamespacedConfigMap({ namespace: NAMESPACE, limit: 10, _continue: 'not-a-token!' }).then(
      () => assert.fail('the malformed token was accepted'),
      (e: unknown) => e as { code: number; body: string },
    );
    assert.equal(err.code, 400);
    const status = JSON.parse(err.body) as { reason: string; message: string };
    assert.equal(status.reason, 'BadRequest');
    assert.match(status.message, /^invalid continue token: continue key is not valid/);
  });
});
