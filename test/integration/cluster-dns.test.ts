// The cluster DNS on the real engine, asked the way a user's pod asks it (busybox nslookup in a
// pod, through the nameserver the kubelet put in its resolv.conf): a name outside the cluster is
// forwarded to the node's resolvers, here a test resolver on a loopback address named by the
// daemon's --upstream-resolv-conf (nothing is ever sent to a real resolver); an ExternalName
// Service answers as a CNAME plus its target's address; SRV for a named port; PTR of a Service
// address; the A record of a pod. Then a second daemon whose port 53 is taken by another program:
// its node goes NotReady with the reason, and Ready again once the port is free.
//
// covers: Service spec.type, spec.externalName, spec.ports.name, spec.ports.protocol
// covers: Pod spec.dnsPolicy

import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Node, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { FakeResolver } from '../../harness/fake-resolver.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';

/** A loopback address of its own for the test resolver (resolv.conf names no port: it must be 53). */
const RESOLVER_IP = '127.0.0.153';
const OUTSIDE_NAME = 'outside.kubelab.test';
const OUTSIDE_IP = '192.0.2.77';

describe('cluster DNS on the real engine: forwarding, ExternalName, SRV, PTR, pod records', function () {
  this.timeout(300_000);
  let resolver: FakeResolver;
  let daemon: TestDaemon;
  let client: RestClient;
  let tmp: string;

  before(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-dns-test-'));
    resolver = await new FakeResolver({ host: RESOLVER_IP, port: 53, records: { [OUTSIDE_NAME]: [OUTSIDE_IP] } }).start();
    const resolvConf = path.join(tmp, 'resolv.conf');
    await fs.writeFile(resolvConf, `# the test's own resolver\nnameserver ${RESOLVER_IP}\n`);
    daemon = await TestDaemon.start({ args: ['--upstream-resolv-conf', resolvConf] });
    client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
    await client.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } } as Service);
    await client.create('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: OUTSIDE_NAME } } as Service);
    await client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'client', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait $!"] }] },
    } as Pod);
    await eventually(async () => (await client.get<Pod>('pods', 'default', 'client')).status?.phase === 'Running', 60_000);
  });

  after(async () => {
    client?.close();
    await daemon?.cleanup();
    await resolver?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /** What busybox nslookup prints in the client pod (it asks the nameserver of the pod's resolv.conf). */
  async function nslookup(...args: string[]): Promise<string> {
    const r = await daemon.kubelab(['exec', 'client', '--', 'nslookup', ...args]);
    return `${r.stdout}${r.stderr}`;
  }

  it('the pod\'s resolv.conf names the node\'s cluster DNS, and a name outside the cluster is forwarded to the host\'s resolver', async () => {
    const resolvConf = (await daemon.kubelab(['exec', 'client', '--', 'cat', '/etc/resolv.conf'])).stdout;
    const gateway = daemon.subnet.replace(/\.0\/24$/, '.1');
    assert.match(resolvConf, new RegExp(`nameserver ${gateway.replaceAll('.', '\\.')}`));
    const out = await nslookup(OUTSIDE_NAME);
    assert.match(out, new RegExp(`Address: ${OUTSIDE_IP.replaceAll('.', '\\.')}`), out);
    assert.ok(resolver.count(OUTSIDE_NAME) >= 1, `the test resolver was asked: ${resolver.asked.join(', ')}`);
  });

  it('an ExternalName Service resolves as a CNAME of its target, with the target\'s address', async () => {
    const out = await nslookup('ext.default.svc.cluster.local');
    assert.match(out, new RegExp(`ext\\.default\\.svc\\.cluster\\.local\\s+canonical name = ${OUTSIDE_NAME.replaceAll('.', '\\.')}`), out);
    assert.match(out, new RegExp(`Address: ${OUTSIDE_IP.replaceAll('.', '\\.')}`), out);
  });

  it('SRV for a named port, and PTR of the Service address', async () => {
    const srv = await nslookup('-type=srv', '_http._tcp.web.default.svc.cluster.local');
    assert.match(srv, /_http\._tcp\.web\.default\.svc\.cluster\.local\s+service = 0 100 80 web\.default\.svc\.cluster\.local/, srv);
    const clusterIP = (await client.get<Service>('services', 'default', 'web')).spec.clusterIP!;
    const reverse = `${clusterIP.split('.').reverse().join('.')}.in-addr.arpa`;
    const ptr = await nslookup('-type=ptr', reverse);
    assert.match(ptr, new RegExp(`${reverse.replaceAll('.', '\\.')}\\s+name = web\\.default\\.svc\\.cluster\\.local`), ptr);
  });

  it('a pod\'s dashed-address name resolves to it, and its address back to that name', async () => {
    const podIP = (await client.get<Pod>('pods', 'default', 'client')).status!.podIP!;
    const name = `${podIP.replaceAll('.', '-')}.default.pod.cluster.local`;
    const a = await nslookup(name);
    assert.match(a, new RegExp(`Address: ${podIP.replaceAll('.', '\\.')}`), a);
    const ptr = await nslookup('-type=ptr', `${podIP.split('.').reverse().join('.')}.in-addr.arpa`);
    assert.match(ptr, new RegExp(`name = ${name.replaceAll('.', '\\.')}`), ptr);
  });

  it('unknown cluster names are NXDOMAIN', async () => {
    assert.match(await nslookup('nope.default.svc.cluster.local'), /NXDOMAIN/);
  });

  describe('a daemon whose port 53 is taken by another program', () => {
    const docker = new Docker();
    const network = `kubelab-dnstest-${process.pid}`;
    const subnet = `10.244.${248 + (process.pid % 6)}.0/24`;
    const gateway = subnet.replace(/\.0\/24$/, '.1');
    let holder: dgram.Socket | undefined;
    let second: TestDaemon | undefined;
    let secondClient: RestClient | undefined;

    after(async () => {
      secondClient?.close();
      await second?.cleanup();
      holder?.close();
      await docker.getNetwork(network).remove().catch(() => undefined);
    });

    it('reports its node NotReady with the reason, and Ready again once the port is free', async () => {
      // The pod network exists already and another program holds UDP port 53 on its gateway.
      await docker.createNetwork({ Name: network, Driver: 'bridge', IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] }, Labels: { 'io.kubelab.test': 'cluster-dns' } });
      holder = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        holder!.once('error', reject);
        holder!.bind({ address: gateway, port: 53 }, () => resolve());
      });
      second = await TestDaemon.start({ args: ['--pod-network', network, '--pod-subnet', subnet] });
      secondClient = new RestClient(loadClientConfig({ kubeconfig: second.kubeconfigPath }));
      const notReady = await eventually(async () => {
        const ready = (await secondClient!.get<Node>('nodes', undefined, second!.nodeName)).status?.conditions?.find((c) => c.type === 'Ready');
        return ready?.status === 'False' ? ready : undefined;
      }, 60_000);
      assert.match(notReady.message ?? '', new RegExp(`ClusterDNSUnavailable: cluster DNS cannot listen on ${gateway.replaceAll('.', '\\.')}:53 .*EADDRINUSE`));
      const nodes = await second.kubelab(['get', 'nodes']);
      assert.match(nodes.stdout, new RegExp(`${second.nodeName}\\s+NotReady`));
      assert.match(second.log, /node not ready: cluster DNS cannot listen on/);
      // The other program goes away: the next try binds, the next heartbeat says Ready.
      await new Promise<void>((resolve) => holder!.close(() => resolve()));
      holder = undefined;
      await eventually(async () => (await secondClient!.get<Node>('nodes', undefined, second!.nodeName)).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True', 60_000);
    });
  });
});
