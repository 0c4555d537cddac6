// LoadBalancer Services on a simulated two-host lab with no flag at all: `kubelab lab up` gives the
// server .240-.254 of the lab bridge's subnet as its pool, so `kubectl expose --type=LoadBalancer`
// gets an address on the bridge that answers from this machine (through the bridge, as a user's
// curl would) and from a pod.
//
// covers: Service spec.type

import assert from 'node:assert/strict';
import http from 'node:http';
import type { Deployment, Node, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { eventually } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';

function httpGet(host: string, port: number, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}: ${body}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} in ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

describe('LoadBalancer out of the box on a two-host lab', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let client: RestClient;
  let kubectl: Kubectl;

  before(async function () {
    this.timeout(300_000);
    const binary = requireKubectl(this);
    lab = await TestLab.up(2);
    client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
    kubectl = await Kubectl.forKubeconfig(binary, lab.kubeconfigPath);
  });

  after(async function () {
    this.timeout(300_000);
    await kubectl?.killAll();
    client?.close();
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down();
  });

  it('kubectl expose --type=LoadBalancer gets an address of the lab bridge that answers from the machine and from a pod', async () => {
    await client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [{
              name: 'web',
              image: 'kubelab/busybox:1',
              command: ['sh', '-c', "trap 'exit 0' TERM; mkdir -p /www; hostname > /www/index.html; httpd -f -p 3000 -h /www & wait $!"],
              ports: [{ containerPort: 3000 }],
              readinessProbe: { httpGet: { path: '/', port: 3000 }, periodSeconds: 1 },
            }],
          },
        },
      },
    } as Deployment);
    await client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'client', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait $!"] }] },
    } as Pod);
    await kubectl.ok(['expose', 'deploy', 'web', '--type=LoadBalancer', '--port', '80', '--target-port', '3000']);

    const address = await eventually(async () => (await client.get<Service>('services', 'default', 'web')).status?.loadBalancer?.ingress?.[0]?.ip, 30_000);
    // The lab's hosts are .11 and .12 of its /24; the pool is .240-.254 of the same /24.
    const node1 = await client.get<Node>('nodes', undefined, 'node1');
    const labPrefix = node1.status!.addresses!.find((a) => a.type === 'InternalIP')!.address.replace(/\.\d+$/, '.');
    assert.ok(address.startsWith(labPrefix) && Number(address.split('.')[3]) >= 240, `${address} is in ${labPrefix}240-254`);
    const table = await kubectl.ok(['get', 'svc', 'web']);
    assert.match(table, new RegExp(`web\\s+LoadBalancer\\s+\\S+\\s+${address.replaceAll('.', '\\.')}\\s+80:\\d+/TCP`), table);

    const fromMachine = await eventually(() => httpGet(address, 80).catch(() => undefined), 180_000);
    assert.match(fromMachine, /^web-/);
    await eventually(async () => (await client.get<Pod>('pods', 'default', 'client')).status?.phase === 'Running', 180_000);
    const fromPod = await eventually(async () => {
      const r = await lab.kubelab(['exec', 'client', '--', 'wget', '-q', '-O', '-', `http://${address}/`]);
      return r.code === 0 ? r.stdout : undefined;
    }, 60_000);
    assert.match(fromPod, /^web-/);
  });
});
