// ServiceAccounts end to end with the real kubectl 1.32: `kubectl create token` prints a signed
// token the API accepts as the account; every pod gets its account's token, the CA and its
// namespace at /var/run/secrets/kubernetes.io/serviceaccount; and kubectl running inside a pod
// (the host's binary mounted read-only) reaches the API through the `kubernetes` Service with
// that token, refused with kube-apiserver's exact 403 until a RoleBinding lets it list pods.

import assert from 'node:assert/strict';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';

describe('ServiceAccounts, tokens and in-cluster kubectl', function () {
  this.timeout(240_000);
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl;
  let binary: string;

  before(async function () {
    binary = requireKubectl(this);
    daemon = await TestDaemon.start();
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
  });

  it('kubectl create token prints a JWT that authenticates as the service account', async () => {
    await kubectl.ok(['create', 'serviceaccount', 'robot']);
    const token = (await kubectl.ok(['create', 'token', 'robot', '--duration=10m'])).trim();
    assert.equal(token.split('.').length, 3);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:default:robot');
    assert.equal(claims.exp - claims.iat, 600);
    const refused = await kubectl.run(['get', 'pods', '--token', token]);
    assert.equal(refused.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"');
    const short = await kubectl.run(['create', 'token', 'robot', '--duration=5m']);
    assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
  });

  /** Runs kubelab and fails with its output unless it exits 0; returns stdout. */
  async function kubelabOk(args: string[]): Promise<string> {
    const result = await daemon!.kubelab(args);
    assert.equal(result.code, 0, `kubelab ${args.join(' ')}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  it('kubelab create serviceaccount and kubelab create token, as kubectl', async () => {
    const dryRun = ['create', 'serviceaccount', 'robot2', '-n', 'kube-system', '--dry-run=client', '-o', 'json'];
    assert.deepEqual(JSON.parse(await kubelabOk(dryRun)), JSON.parse(await kubectl.ok(dryRun)));
    assert.deepEqual(JSON.parse(await kubelabOk(['create', 'serviceaccount', 'robot', '--dry-run=client', '-o', 'json'])), JSON.parse(await kubectl.ok(['create', 'serviceaccount', 'robot', '--dry-run=client', '-o', 'json'])));
    assert.equal(await kubelabOk(['create', 'serviceaccount', 'robot3']), 'serviceaccount/robot3 created\n');
    assert.equal(await kubelabOk(['create', 'sa', 'robot4', '-o', 'name']), 'serviceaccount/robot4\n');
    assert.equal(await kubelabOk(['create', 'serviceaccount', 'ghost', '--dry-run=server']), 'serviceaccount/ghost created (server dry run)\n');
    assert.equal((await kubectl.run(['get', 'serviceaccount', 'ghost'])).stderr.trim(), 'Error from server (NotFound): serviceaccounts "ghost" not found');

    const out = await kubelabOk(['create', 'token', 'robot3', '--duration', '10m', '--audience', 'vault', '--audience', 'api']);
    assert.match(out, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = JSON.parse(Buffer.from(out.trim().split('.')[1]!, 'base64url').toString());
    assert.equal(claims.sub, 'system:serviceaccount:default:robot3');
    assert.deepEqual(claims.aud, ['vault', 'api']);
    assert.equal(claims.exp - claims.iat, 600);
    const whoami = await kubectl.ok(['auth', 'whoami', '--token', (await kubelabOk(['create', 'token', 'robot3'])).trim(), '-o', 'jsonpath={.status.userInfo.username}']);
    assert.equal(whoami, 'system:serviceaccount:default:robot3');

    const missing = await daemon!.kubelab(['create', 'token', 'nobody']);
    assert.notEqual(missing.code, 0);
    assert.equal(missing.stderr.trim(), 'Error from server (NotFound): serviceaccounts "nobody" not found');
    const unbound = await daemon!.kubelab(['create', 'token', 'robot3', '--bound-object-name', 'web']);
    assert.equal(unbound.stderr.trim(), 'error: --bound-object-name can only be set if --bound-object-kind is provided');
  });

  it('a pod gets its token, the CA and its namespace; kubectl inside it is refused, then allowed after a RoleBinding', async () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'incluster' },
      spec: {
        containers: [{ name: 'c', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; while :; do sleep 1; done"], volumeMounts: [{ name: 'kubectl', mountPath: '/opt/kubectl', readOnly: true }] }],
        volumes: [{ name: 'kubectl', hostPath: { path: binary, type: 'File' } }],
      },
    };
    await kubectl.ok(['apply', '-f', '-'], { input: JSON.stringify(pod) });
    await kubectl.ok(['wait', '--for=condition=Ready', 'pod/incluster', '--timeout=90s'], { timeoutMs: 100_000 });
    const stored = JSON.parse(await kubectl.ok(['get', 'pod', 'incluster', '-o', 'json']));
    assert.equal(stored.spec.serviceAccountName, 'default');
    assert.match(stored.spec.volumes.map((v: { name: string }) => v.name).join(','), /kube-api-access-[a-z0-9]{5}/);
    assert.equal(await kubectl.ok(['exec', 'incluster', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/namespace']), 'default');
    const ca = await kubectl.ok(['exec', 'incluster', '--', 'cat', '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt']);
    assert.match(ca, /^-----BEGIN CERTIFICATE-----/);

    const before = await kubectl.run(['exec', 'incluster', '--', '/opt/kubectl', 'get', 'pods']);
    assert.match(before.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"/);
    await kubectl.ok(['create', 'rolebinding', 'default-view', '--clusterrole=view', '--serviceaccount=default:default']);
    let listed = '';
    for (let attempt = 0; attempt < 50 && !listed.includes('incluster'); attempt += 1) {
      listed = (await kubectl.run(['exec', 'incluster', '--', '/opt/kubectl', 'get', 'pods'])).stdout;
    }
    assert.match(listed, /^NAME\s+READY\s+STATUS/);
    assert.match(listed, /incluster\s+1\/1\s+Running/);
  });

  it('the README example: examples/service-accounts/kubectl-in-pod.yml, refused until a RoleBinding, then lists pods', async () => {
    // In a namespace of its own, so the RoleBinding of the test above does not count.
    await kubelabOk(['create', 'namespace', 'sa-demo']);
    assert.equal(await kubelabOk(['create', '-f', 'examples/service-accounts/kubectl-in-pod.yml', '-n', 'sa-demo']), 'pod/pod-lister created\n');
    await eventually(async () => {
      assert.match(await kubelabOk(['logs', 'pod-lister', '-n', 'sa-demo']), /^Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:sa-demo:default" cannot list resource "pods" in API group "" in the namespace "sa-demo"$/m);
      return true;
    }, 90_000, 1000);
    await kubelabOk(['create', 'rolebinding', 'default-view', '--clusterrole=view', '--serviceaccount=sa-demo:default', '-n', 'sa-demo']);
    await eventually(async () => {
      const logs = await kubelabOk(['logs', 'pod-lister', '-n', 'sa-demo', '--tail', '3']);
      assert.match(logs, /^NAME\s+READY\s+STATUS/m);
      assert.match(logs, /pod-lister\s+1\/1\s+Running/);
      return true;
    }, 30_000, 1000);
    const bound = (await kubelabOk(['create', 'token', 'default', '-n', 'sa-demo', '--audience', 'vault', '--bound-object-kind', 'Pod', '--bound-object-name', 'pod-lister'])).trim();
    const claims = JSON.parse(Buffer.from(bound.split('.')[1]!, 'base64url').toString());
    assert.deepEqual([claims.sub, claims.aud, claims['kubernetes.io']?.pod?.name], ['system:serviceaccount:sa-demo:default', ['vault'], 'pod-lister']);
    const robot = (await kubelabOk(['create', 'token', 'robot3'])).trim();
    assert.match(await kubelabOk(['auth', 'whoami', '--token', robot]), /system:serviceaccount:default:robot3/);
  });
});
