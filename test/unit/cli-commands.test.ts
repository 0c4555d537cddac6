// The kubelab CLI as a user runs it: the real entry (cli/main.ts through tsx) in a child process,
// against the fake API server over HTTPS with a CA and a token from a kubeconfig file. Asserts
// what the user sees (stdout, stderr, exit code) and what reached the server.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeApiServer, notFoundBody, podTable, sendJson, statusBody } from '../helpers/fake-api-server.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('kubelab CLI (tsx cli/main.ts) against a fake API server', function () {
  this.timeout(60_000);
  let fake: FakeApiServer;
  let dir: string;
  let kubeconfig: string;

  before(async () => {
    fake = await FakeApiServer.start({ tls: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-cli-'));
    kubeconfig = path.join(dir, 'kubeconfig.yaml');
    fs.writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: fake',
        'clusters:',
        `- name: fake`,
        `  cluster: {server: "${fake.url}", certificate-authority-data: ${Buffer.from(fake.pki!.caPem).toString('base64')}}`,
        'users:',
        '- name: admin',
        '  user: {token: cli-token}',
        'contexts:',
        '- name: fake',
        '  context: {cluster: fake, user: admin}',
      ].join('\n'),
    );
  });
  after(async () => {
    await fake?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => fake.reset());

  function kubelab(args: string[], input = ''): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn(tsx, ['cli/main.ts', '--kubeconfig', kubeconfig, ...args], { cwd: repoRoot, env: { ...process.env, KUBECONFIG: '' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(input);
    });
  }

  it('get pods prints the server Table; empty lists say so on stderr', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods', podTable([{ name: 'web' }]));
    const r = await kubelab(['get', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          5m\n');
    assert.equal(fake.requests[0].headers.authorization, 'Bearer cli-token');
    assert.match(String(fake.requests[0].headers.accept), /as=Table/);

    fake.onJson('GET', '/api/v1/namespaces/default/pods', podTable([]));
    const empty = await kubelab(['get', 'po']);
    assert.equal(empty.code, 0);
    assert.equal(empty.stdout, '');
    assert.equal(empty.stderr, 'No resources found in default namespace.\n');
  });

  it('fails with kubectl messages and exit 1: NotFound, unknown type, unknown flag', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods/nope', notFoundBody('pods', 'nope'), 404);
    const missing = await kubelab(['get', 'pod', 'nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error from server (NotFound): pods "nope" not found\n');

    const bogus = await kubelab(['get', 'bogus']);
    assert.equal(bogus.code, 1);
    assert.equal(bogus.stderr, 'error: the server doesn\'t have a resource type "bogus"\n');

    const flag = await kubelab(['get', 'pods', '--bogus-flag']);
    assert.equal(flag.code, 1);
    assert.match(flag.stderr, /^error: .*bogus-flag/);
  });

  it('create -f checks every object before sending any', async () => {
    const file = path.join(dir, 'mixed.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Foo\nmetadata: {name: x}\n');
    const r = await kubelab(['create', '-f', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: ${file}: kind "Foo" (apiVersion "v1") is not served by kubelab\n`);
    assert.equal(fake.requests.length, 0, 'nothing was sent');
  });

  it('create -f - sends fieldValidation=Warn, prints warnings and 422 causes', async () => {
    fake.on('POST', '/api/v1/namespaces/default/pods', (req, res) => {
      const pod = JSON.parse(req.body);
      if (pod.metadata.name === 'bad') {
        const causes = [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }];
        return sendJson(res, 422, statusBody(422, 'Invalid', 'Pod "bad" is invalid: spec.containers[0].image: Required value', { name: 'bad', kind: 'Pod', causes }));
      }
      sendJson(res, 201, { ...pod, metadata: { ...pod.metadata, uid: 'u1' } }, { Warning: '299 - "unknown field \\"spec.foo\\""' });
    });
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {foo: 1, containers: [{name: c, image: i}]}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{name: c}]}\n';
    const r = await kubelab(['create', '-f', '-'], manifest);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'pod/web created\n');
    assert.equal(r.stderr, 'Warning: unknown field "spec.foo"\nThe Pod "bad" is invalid: \n* spec.containers[0].image: Required value\n');
    assert.equal(fake.requests[0].query.get('fieldValidation'), 'Warn');
    assert.equal(JSON.parse(fake.requests[0].body).metadata.namespace, 'default');
  });

  it('label refuses to overwrite without --overwrite; scale patches /scale', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods/web', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { app: 'web' } } });
    const label = await kubelab(['label', 'pod', 'web', 'app=db']);
    assert.equal(label.code, 1);
    assert.equal(label.stderr, "error: 'app' already has a value (web), and --overwrite is false\n");
    assert.ok(!fake.requests.some((r) => r.method === 'PATCH'));

    fake.onJson('GET', '/apis/apps/v1/namespaces/default/deployments/d', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } });
    fake.onJson('PATCH', '/apis/apps/v1/namespaces/default/deployments/d/scale', { kind: 'Scale', spec: { replicas: 3 } });
    const scale = await kubelab(['scale', 'deploy/d', '--replicas=3']);
    assert.equal(scale.code, 0, scale.stderr);
    assert.equal(scale.stdout, 'deployment.apps/d scaled\n');
    const patch = fake.requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.headers['content-type'], 'application/merge-patch+json');
    assert.deepEqual(JSON.parse(patch.body), { spec: { replicas: 3 } });
  });

  it('delete waits until the object is gone (watch for DELETED)', async () => {
    const terminating = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1', deletionTimestamp: '2024-01-01T00:00:00Z' } };
    fake.onJson('DELETE', '/api/v1/namespaces/default/pods/web', terminating);
    fake.on('GET', '/api/v1/namespaces/default/pods', (req, res) => {
      if (req.query.get('watch') !== 'true') return sendJson(res, 200, { kind: 'PodList', metadata: { resourceVersion: '8' }, items: [terminating] });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      setTimeout(() => res.end(JSON.stringify({ type: 'DELETED', object: terminating }) + '\n'), 200);
    });
    const r = await kubelab(['delete', 'pod', 'web', '--grace-period', '5']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'pod "web" deleted\n');
    assert.deepEqual(JSON.parse(fake.requests[0].body), { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5, propagationPolicy: 'Background' });
    const watch = fake.requests.find((q) => q.query.get('watch') === 'true')!;
    assert.equal(watch.query.get('fieldSelector'), 'metadata.name=web');
    assert.equal(watch.query.get('resourceVersion'), '8');
  });

  it('get -o jsonpath', async () => {
    fake.onJson('GET', '/api/v1/namespaces/default/pods', { kind: 'PodList', metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] });
    const jp = await kubelab(['get', 'pods', '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.name}{"\\n"}{end}']);
    assert.equal(jp.code, 0, jp.stderr);
    assert.equal(jp.stdout, 'Pod/a\nPod/b\n');
  });

  it('apply creates with the last-applied annotation, then finds nothing to change', async () => {
    let stored: Record<string, any> | undefined;
    fake.on('GET', '/api/v1/namespaces/default/services/web', (_req, res) =>
      stored ? sendJson(res, 200, stored) : sendJson(res, 404, notFoundBody('services', 'web')),
    );
    fake.on('POST', '/api/v1/namespaces/default/services', (req, res) => {
      const body = JSON.parse(req.body);
      // The server adds defaults; apply must not call that a change.
      stored = { ...body, metadata: { ...body.metadata, uid: 'u', resourceVersion: '3' }, spec: { ...body.spec, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], clusterIP: '10.96.0.9' } };
      sendJson(res, 201, stored);
    });
    const file = path.join(dir, 'svc.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n');
    const first = await kubelab(['apply', '-f', file]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'service/web created\n');
    assert.match(stored!.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /"selector":\{"app":"web"\}/);
    const second = await kubelab(['apply', '-f', file]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'service/web unchanged\n');
    assert.ok(!fake.requests.some((r) => r.method === 'PATCH'));
  });

  it('describe pod shows containers and the events about it; logs picks the container', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', uid: 'u9', labels: { app: 'web' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'kubelab/hello:v1', ports: [{ containerPort: 3000, protocol: 'TCP' }] }, { name: 'side', image: 'busybox' }] },
      status: { phase: 'Running', podIP: '10.244.0.7', containerStatuses: [{ name: 'main', ready: true, restartCount: 2, image: 'kubelab/hello:v1', imageID: '', state: { running: { startedAt: '2024-01-01T00:00:00Z' } }, lastState: {} }] },
    };
    fake.onJson('GET', '/api/v1/namespaces/default/pods/web', pod);
    fake.onJson('GET', '/api/v1/namespaces/default/events', {
      metadata: { resourceVersion: '4' },
      items: [{ metadata: { name: 'e1' }, involvedObject: { name: 'web' }, type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web to node-1', source: { component: 'default-scheduler' }, lastTimestamp: new Date().toISOString() }],
    });
    fake.on('GET', '/api/v1/namespaces/default/pods/web/log', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`log of ${req.query.get('container')}\n`);
    });
    const d = await kubelab(['describe', 'pod', 'web']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^Name:\s+web$/m);
    assert.match(d.stdout, /^Node:\s+node-1$/m);
    assert.match(d.stdout, /^ {4}Restart Count:\s+2$/m);
    assert.match(d.stdout, /^ {4}Port:\s+3000\/TCP$/m);
    assert.match(d.stdout, /^ {2}Type\s+Reason\s+Age\s+From\s+Message$/m);
    assert.match(d.stdout, /^ {2}Normal\s+Scheduled\s+\d+s\s+default-scheduler\s+Successfully assigned default\/web to node-1$/m);
    const events = fake.requests.find((r) => r.path.endsWith('/events'))!;
    assert.equal(events.query.get('fieldSelector'), 'involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u9');

    const logs = await kubelab(['logs', 'web']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'log of main\n');
    assert.equal(logs.stderr, 'Defaulted container "main" out of: main, side\n');
  });
});
