// `kubelabd server --store etcd`: a real server whose objects live in a real etcd (started by this
// file on free loopback ports), used through real kubectl. What the user sees must not change
// with the backend; what etcd holds is checked too: the kube-apiserver key layout, resourceVersion
// = the key's mod_revision, and Secrets encrypted at rest exactly as with nedb.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Etcd3 } from 'etcd3';
import { daemonEntry, TestDaemon } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { freePort, startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';

describe('kubelabd server --store etcd', function () {
  this.timeout(120_000);
  let etcd: EtcdProcess | undefined;
  let daemon: TestDaemon | undefined;
  let kubectl: Kubectl | undefined;
  let client: Etcd3 | undefined;

  before(async function () {
    const binary = requireKubectl(this);
    etcd = await startEtcd();
    client = new Etcd3({ hosts: [etcd.endpoint] });
    daemon = await TestDaemon.start({ args: ['--store', 'etcd', '--etcd-endpoints', etcd.endpoint] });
    kubectl = await Kubectl.forDaemon(binary, daemon);
  });
  after(async () => {
    await kubectl?.killAll();
    await daemon?.cleanup();
    client?.close();
    await etcd?.stop();
  });

  it('serves create, get and watch through kubectl, with each object under /registry/<resource>/<namespace>/<name>', async () => {
    const watch = kubectl!.spawn(['get', 'configmaps', '-n', 'default', '--watch', '-o', 'name']);
    try {
      assert.equal(await kubectl!.ok(['create', 'configmap', 'greeting', '--from-literal', 'hello=world']), 'configmap/greeting created\n');
      const got = JSON.parse(await kubectl!.ok(['get', 'configmap', 'greeting', '-o', 'json'])) as { data: Record<string, string>; metadata: { resourceVersion: string } };
      assert.deepEqual(got.data, { hello: 'world' });
      const kv = (await client!.kv.range({ key: Buffer.from('/registry/configmaps/default/greeting') })).kvs[0];
      assert.ok(kv, 'the ConfigMap is an etcd key');
      assert.equal(got.metadata.resourceVersion, kv.mod_revision, 'resourceVersion is the key\'s mod_revision');
      await watch.waitFor(/configmap\/greeting/);
    } finally {
      await watch.kill();
    }
  });

  it('keeps Secrets encrypted in etcd and serves them decrypted', async () => {
    await kubectl!.ok(['create', 'secret', 'generic', 'db', '--from-literal', 'password=s3cret']);
    const stored = (await client!.get('/registry/secrets/default/db').buffer())!;
    assert.match(stored.toString('latin1'), /^k8s:enc:aesgcm:v1:key1:/);
    assert.doesNotMatch(stored.toString('latin1'), /s3cret|czNjcmV0/);
    assert.equal(await kubectl!.ok(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']), Buffer.from('s3cret').toString('base64'));
  });

  it('answers a stale update with 409 Conflict', async () => {
    const cm = JSON.parse(await kubectl!.ok(['get', 'configmap', 'greeting', '-o', 'json'])) as { metadata: { resourceVersion: string } };
    await kubectl!.ok(['label', 'configmap', 'greeting', 'v=2']);
    const stale = JSON.stringify({ ...cm, data: { hello: 'stale' } });
    const result = await kubectl!.run(['replace', '-f', '-'], { input: stale });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Error from server \(Conflict\): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "greeting": the object has been modified; please apply your changes to the latest version and try again/);
  });

  it('refuses to start, naming the endpoint, when etcd does not answer', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [daemonEntry, 'server', '--data-dir', daemon!.dataDir + '-none', '--store', 'etcd', '--etcd-endpoints', `http://127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.notEqual(code, 0);
    assert.match(output, new RegExp(`etcd at http://127.0.0.1:${port} does not answer \\(.*\\): start etcd, or fix --etcd-endpoints`));
  });
});
