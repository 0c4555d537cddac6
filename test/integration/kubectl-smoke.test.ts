// The real kubectl 1.32 against kubelab's API server (over the in-memory registry): discovery,
// OpenAPI-backed create, server-side Tables, JSON output and a watch. This is what makes
// `kubectl` a usable client of a kubelab cluster.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { internalContext } from '../../daemon/api/registry.js';
import { ApiTestServer, eventually } from '../helpers/api-test-server.js';

function findKubectl(): string | undefined {
  const candidates = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32'];
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(path.join(dir, 'kubectl'));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

describe('kubectl 1.32 against the API server', function () {
  this.timeout(60_000);
  const kubectl = findKubectl();
  let api: ApiTestServer;
  let cacheDir: string;

  before(async function () {
    if (!kubectl) {
      if (process.env.CI === 'true') throw new Error('kubectl not found (looked at /usr/lib/google-cloud-sdk/bin/kubectl.1.32 and PATH); CI needs it');
      console.log('    kubectl not found (/usr/lib/google-cloud-sdk/bin/kubectl.1.32 or PATH): skipping the kubectl smoke test');
      this.skip();
    }
    api = await ApiTestServer.start();
    cacheDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'kubelab-kubectl-cache-'));
    const ctx = internalContext();
    await api.registry.create('namespaces', undefined, { metadata: { name: 'default' }, status: { phase: 'Active' } }, ctx);
    const web = await api.registry.create('pods', 'default', { metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'kubelab/busybox:1' }] } }, ctx);
    await api.registry.update('pods', 'default', 'web', {
      ...web,
      status: { phase: 'Running', podIP: '10.244.0.5', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'kubelab/busybox:1', imageID: '', state: { running: {} }, lastState: {} }] },
    }, ctx, 'status');
  });
  after(async () => {
    await api?.close();
    if (cacheDir) await fsp.rm(cacheDir, { recursive: true, force: true });
  });

  const run = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(kubectl!, ['--kubeconfig', api.kubeconfigPath, '--cache-dir', cacheDir, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  it('version: prints our server version without a skew warning', async () => {
    const { code, stdout, stderr } = await run('version');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Server Version: v1\.32\.5\+kubelab/);
    assert.doesNotMatch(stdout + stderr, /WARNING/);
  });

  it('api-resources: lists our resources with short names', async () => {
    const { code, stdout, stderr } = await run('api-resources');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  });

  it('get pods: prints the server-side table columns', async () => {
    const { code, stdout, stderr } = await run('get', 'pods');
    assert.equal(code, 0, stderr);
    const [header, row] = stdout.trim().split('\n');
    assert.deepEqual(header.split(/\s{2,}/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    assert.deepEqual(row.split(/\s+/).slice(0, 4), ['web', '1/1', 'Running', '0']);
  });

  it('get pods -o json: returns the plain list', async () => {
    const { code, stdout, stderr } = await run('get', 'pods', '-o', 'json');
    assert.equal(code, 0, stderr);
    const list = JSON.parse(stdout);
    assert.equal(list.kind, 'List');
    assert.equal(list.items[0].metadata.name, 'web');
    assert.equal(list.items[0].status.podIP, '10.244.0.5');
  });

  it('create -f: validates through OpenAPI v3 and creates', async () => {
    const manifest = path.join(cacheDir, 'pod.yaml');
    await fsp.writeFile(manifest, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: created\nspec:\n  containers:\n  - name: c\n    image: kubelab/busybox:1\n');
    const { code, stdout, stderr } = await run('create', '-f', manifest);
    assert.doesNotMatch(stderr, /failed to download openapi/);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), 'pod/created created');
    const again = await run('create', '-f', manifest);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Error from server \(AlreadyExists\).*pods "created" already exists/);
  });

  it('get pods -w: prints a row for a change', async () => {
    const child = spawn(kubectl!, ['--kubeconfig', api.kubeconfigPath, '--cache-dir', cacheDir, 'get', 'pods', '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await eventually(() => /web\s+1\/1\s+Running/.test(output), 10_000, 'the initial rows');
      await api.registry.create('pods', 'default', { metadata: { name: 'watched' }, spec: { containers: [{ name: 'c', image: 'kubelab/busybox:1' }] } }, internalContext());
      await eventually(() => /^watched\s+0\/1/m.test(output), 10_000, 'the row of the new pod');
      assert.equal(output.match(/^NAME\s+READY/gm)?.length, 1, `one header only:\n${output}`);
    } finally {
      child.kill();
    }
  });
});
