// Several API servers (issue 17): a real etcd and three real `kubelabd server` processes on
// loopback, each with a data dir of its own. The first starts the cluster; the second and third
// join it with `--server URL --token-file FILE`. All three run with --disable-agent (no node agent,
// so no Docker: several servers fit on one machine) and a 3 s identity Lease, so a killed
// server leaves the kubernetes Endpoints within seconds.
//
// What a user sees: the three serve the same CA and accept the first one's admin token; a Secret
// written through one reads back decrypted through another; `kubectl get lease -n kube-system`
// shows three kube-apiserver-* Leases; default/kubernetes Endpoints list the three; a SIGKILLed
// server drops out after its Lease expires; and nothing shared was generated twice.

import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { daemonEntry, eventually, TestDaemon } from '../../harness/test-daemon.js';
import { buildKubeconfig, writeKubeconfig } from '../../daemon/pki/pki.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd-process.js';
import type { Endpoints } from '../../lib/api/types.js';

const LEASE_SECONDS = 3;

/** Runs `kubelabd ARGS` to its end: its exit code and everything it printed. */
async function runKubelabd(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [daemonEntry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

describe('several API servers on one etcd (kubelabd server --server --token)', function () {
  this.timeout(180_000);
  let etcd: EtcdProcess | undefined;
  const servers: TestDaemon[] = [];
  /** kubectl through server i, with the FIRST server's kubeconfig (CA and admin token) and only the URL changed. */
  const kubectls: Kubectl[] = [];
  let binary = '';

  const common = () => ['--store', 'etcd', '--etcd-endpoints', etcd!.endpoint, '--disable-agent', '--apiserver-lease-duration', String(LEASE_SECONDS)];

  before(async function () {
    binary = requireKubectl(this);
    etcd = await startEtcd();
    const first = await TestDaemon.start({ args: common() });
    servers.push(first);
    // The joiners share the first server's service CIDR and node ports: one cluster, one allocation space.
    const shared = ['--service-cidr', first.serviceCidr, '--node-port-range', `${first.nodePortRange.first}-${first.nodePortRange.last}`];
    const joined = await Promise.all(
      [2, 3].map(() => TestDaemon.start({ args: [...common(), ...shared, '--server', first.url, '--token-file', path.join(first.dataDir, 'join-token')] })),
    );
    servers.push(...joined);
    const caCertPem = await fs.readFile(path.join(first.dataDir, 'pki', 'ca.crt'), 'utf8');
    const adminToken = (await fs.readFile(path.join(first.dataDir, 'admin-token'), 'utf8')).trim();
    for (const [i, server] of servers.entries()) {
      const file = path.join(first.dataDir, `through-server-${i + 1}.kubeconfig`);
      await writeKubeconfig(file, buildKubeconfig({ server: server.url, caCertPem, token: adminToken }));
      kubectls.push(await Kubectl.forKubeconfig(binary, file));
    }
  });

  after(async () => {
    for (const kubectl of kubectls) await kubectl.killAll();
    await Promise.all(servers.map((server) => server.cleanup()));
    await etcd?.stop();
  });

  it('generates nothing twice: the joiners hold the first server\'s CA, keys and tokens byte for byte, mode 0600', async () => {
    const shared = ['pki/ca.crt', 'pki/ca.key', 'pki/sa.key', 'pki/sa.pub', 'encryption-config.yaml', 'admin-token', 'gossip-keyring.json', 'join-token'];
    for (const file of shared) {
      const original = await fs.readFile(path.join(servers[0].dataDir, file));
      for (const joiner of servers.slice(1)) {
        assert.ok(original.equals(await fs.readFile(path.join(joiner.dataDir, file))), `${file} of ${joiner.nodeName}`);
        assert.equal((await fs.stat(path.join(joiner.dataDir, file))).mode & 0o777, 0o600, `${file} of ${joiner.nodeName}`);
      }
    }
    // Each server's own serving certificate, from the shared CA.
    const serving = await Promise.all(servers.map((s) => fs.readFile(path.join(s.dataDir, 'pki', 'apiserver.crt'), 'utf8')));
    assert.equal(new Set(serving).size, 3);
  });

  it('all three answer with the same CA and accept the first server\'s admin token', async () => {
    // kubectl verifies each server's certificate against the first server's CA, and presents its admin token.
    for (const kubectl of kubectls) {
      assert.equal(await kubectl.ok(['get', '--raw', '/cacerts']), await fs.readFile(path.join(servers[0].dataDir, 'pki', 'ca.crt'), 'utf8'));
      assert.equal(await kubectl.ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']), 'admin');
    }
  });

  it('a Secret written through server 2 reads back decrypted through server 3', async () => {
    assert.equal(await kubectls[1].ok(['create', 'secret', 'generic', 'shared', '--from-literal', 'password=s3cret']), 'secret/shared created\n');
    assert.equal(await kubectls[2].ok(['get', 'secret', 'shared', '-o', 'jsonpath={.data.password}']), Buffer.from('s3cret').toString('base64'));
  });

  it('a gossip key rotated through server 1 is what server 3 hands nodes (the ring lives in the store)', async () => {
    const ringThrough = async (i: number) => JSON.parse(await kubectls[i].ok(['get', '--raw', '/kubelab/v1/gossip-keyring'])) as { keys: { key: string }[] };
    const before = await ringThrough(2);
    const { code, output } = await runKubelabd(['rotate-gossip-key', '--kubeconfig', kubectls[0].kubeconfigPath]);
    assert.equal(code, 0, output);
    assert.match(output, /^kubelabd: new gossip key added; every node signs with it from /);
    const after = await eventually(async () => {
      const ring = await ringThrough(2);
      return ring.keys.length === before.keys.length + 1 ? ring : undefined;
    }, 10_000);
    assert.deepEqual(after, await ringThrough(0));
    assert.deepEqual(after.keys.slice(1), before.keys);
    // Each server's file follows too: a restarted server, or a server joining later, starts from the new ring.
    const file = async (server: TestDaemon) => (JSON.parse(await fs.readFile(path.join(server.dataDir, 'gossip-keyring.json'), 'utf8')) as { keys: unknown[] }).keys.length;
    await eventually(async () => (await file(servers[1])) === after.keys.length, 10_000);
  });

  it('kubectl get lease -n kube-system shows a kube-apiserver-<id> Lease per server, held by <node name>_<id>', async () => {
    const out = await kubectls[0].ok(['get', 'lease', '-n', 'kube-system', '-l', 'apiserver.kubernetes.io/identity=kube-apiserver']);
    const rows = out.trim().split('\n').slice(1);
    assert.equal(rows.length, 3, out);
    for (const server of servers) {
      const id = (await fs.readFile(path.join(server.dataDir, 'server-id'), 'utf8')).trim();
      assert.ok(rows.some((row) => new RegExp(`^kube-apiserver-${id}\\s+${server.nodeName}_${id}\\s+\\d+s$`).test(row)), `${server.nodeName}:\n${out}`);
    }
  });

  it('default/kubernetes Endpoints list the three servers; a SIGKILLed one drops out after its Lease expires', async () => {
    const listed = async () => {
      const endpoints = JSON.parse(await kubectls[0].ok(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'json'])) as Endpoints;
      return (endpoints.subsets ?? []).flatMap((subset) => (subset.addresses ?? []).flatMap((a) => (subset.ports ?? []).filter((p) => p.name === 'https').map((p) => `https://${a.ip}:${p.port}`))).sort();
    };
    const all = servers.map((s) => s.url).sort();
    assert.deepEqual(await eventually(async () => ((await listed()).length === 3 ? listed() : undefined), 15_000), all);

    const killedAt = Date.now();
    await servers[2].kill('SIGKILL');
    const rest = servers.slice(0, 2).map((s) => s.url).sort();
    await eventually(async () => JSON.stringify(await listed()) === JSON.stringify(rest), 20_000, 250);
    const goneAfterMs = Date.now() - killedAt;
    // Not before its Lease could expire (renewed every 2 s, lasting 3 s), and soon after.
    assert.ok(goneAfterMs >= 1000, `gone after ${goneAfterMs} ms`);
    assert.ok(goneAfterMs <= (LEASE_SECONDS + 2 * (LEASE_SECONDS * 2) / 3) * 1000 + 2000, `gone after ${goneAfterMs} ms`);
  });

  it('a joined server restarts from its data dir while the first server is down, and the Endpoints follow', async () => {
    await servers[0].kill('SIGKILL');
    await servers[2].launch(); // its --server is the dead first server: the material in its data dir is enough
    assert.match(servers[2].log, /the cluster's shared material is already in /);
    assert.equal(await kubectls[2].ok(['get', 'secret', 'shared', '-o', 'jsonpath={.data.password}']), Buffer.from('s3cret').toString('base64'));
    const listed = async () => {
      const endpoints = JSON.parse(await kubectls[1].ok(['get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'json'])) as Endpoints;
      return (endpoints.subsets ?? []).flatMap((subset) => (subset.addresses ?? []).flatMap((a) => (subset.ports ?? []).map((p) => `https://${a.ip}:${p.port}`))).sort();
    };
    const live = [servers[1].url, servers[2].url].sort();
    await eventually(async () => JSON.stringify(await listed()) === JSON.stringify(live), 20_000, 250);
    await servers[0].launch(); // back, for the refusals below
  });

  it('refuses a server on a node name another live server runs as', async () => {
    const { code, output } = await runKubelabd(
      ['server', '--data-dir', `${servers[0].dataDir}-same-name`, '--listen', '127.0.0.1:0', '--node-name', servers[0].nodeName, ...common(), '--server', servers[0].url, '--token-file', path.join(servers[0].dataDir, 'join-token')],
    );
    await fs.rm(`${servers[0].dataDir}-same-name`, { recursive: true, force: true });
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`exiting: another API server runs as node ${servers[0].nodeName} \\(Lease kube-system/kube-apiserver-[0-9a-f-]{36}, renewed \\S+, at ${new URL(servers[0].url).host}\\): give each server host its own --node-name`));
  });

  it('refuses --server without --store etcd, with a clear error and a non-zero exit', async () => {
    const { code, output } = await runKubelabd(['server', '--data-dir', `${servers[0].dataDir}-refused`, '--server', servers[0].url, '--token-file', path.join(servers[0].dataDir, 'join-token')]);
    assert.equal(code, 1);
    assert.match(output, /ERROR kubelabd: exiting: --server: a joining server shares the cluster's store, so it needs --store etcd --etcd-endpoints URL\[,URL\.\.\.\] \(the etcd the other servers use\); to add a worker node, run kubelabd agent$/m);
  });
});
