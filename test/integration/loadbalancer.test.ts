// LoadBalancer Services out of the box on the real engine: a daemon started without --lb-pool
// gives `kubectl expose deploy web --type=LoadBalancer --port 80` an address from its default
// pool (the top of its service CIDR), `kubectl get svc` shows it as EXTERNAL-IP, and it answers
// from this machine and from a pod. When the pool is used up, the next Service stays <pending>
// with an AllocationFailed event that says why, and gets the address a deleted Service frees.
//
// covers: Service spec.type

import assert from 'node:assert/strict';
import http from 'node:http';
import type { Deployment, Event, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { defaultLoadBalancerPool, expandPool } from '../../lib/net/address-pool.js';
import { numberToIpv4 } from '../../lib/net/ipv4.js';
import { eventually, TestDaemon } from '../../harness/test-daemon.js';
import { Kubectl, requireKubectl } from '../helpers/kubectl.js';

/** One HTTP GET without keep-alive; the body, or a rejection on any failure or non-200. */
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

describe('LoadBalancer out of the box on the real engine', function () {
  this.timeout(300_000);
  let daemon: TestDaemon;
  let client: RestClient;
  let kubectl: Kubectl;
  let pool: string[];

  before(async function () {
    const binary = requireKubectl(this);
    daemon = await TestDaemon.start(); // no --lb-pool
    client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
    kubectl = await Kubectl.forDaemon(binary, daemon);
    pool = expandPool(defaultLoadBalancerPool(daemon.serviceCidr)).map(numberToIpv4);
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
  });

  after(async () => {
    await kubectl?.killAll();
    client?.close();
    await daemon?.cleanup();
  });

  let address = '';

  it('kubectl expose --type=LoadBalancer gets an address of the default pool, shown as EXTERNAL-IP', async () => {
    await kubectl.ok(['expose', 'deploy', 'web', '--type=LoadBalancer', '--port', '80', '--target-port', '3000']);
    address = await eventually(async () => (await client.get<Service>('services', 'default', 'web')).status?.loadBalancer?.ingress?.[0]?.ip, 30_000);
    assert.ok(pool.includes(address), `${address} is in the default pool ${defaultLoadBalancerPool(daemon.serviceCidr)}`);
    const table = await kubectl.ok(['get', 'svc', 'web']);
    assert.match(table, new RegExp(`web\\s+LoadBalancer\\s+\\S+\\s+${address.replaceAll('.', '\\.')}\\s+80:\\d+/TCP`), table);
  });

  it('the address answers from this machine and from a pod', async () => {
    const body = await eventually(() => httpGet(address, 80).catch(() => undefined), 90_000);
    assert.match(body, /^web-/);
    await eventually(async () => (await client.get<Pod>('pods', 'default', 'client')).status?.phase === 'Running', 60_000);
    const fromPod = await eventually(async () => {
      const r = await daemon.kubelab(['exec', 'client', '--', 'wget', '-q', '-O', '-', `http://${address}/`]);
      return r.code === 0 ? r.stdout : undefined;
    }, 30_000);
    assert.match(fromPod, /^web-/);
  });

  it('an exhausted pool leaves the next Service <pending> with an event saying why; deleting a Service frees its address for it', async () => {
    const lb = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: { 'io.kubelab.test': 'lb-fill' } }, spec: { type: 'LoadBalancer', ports: [{ port: 8080 }] } }) as Service;
    // `web` holds one address; fill the rest.
    for (let i = 1; i < pool.length; i++) await client.create('services', lb(`fill-${i}`));
    await client.create('services', lb('late'));
    assert.deepEqual((await client.get<Service>('services', 'default', 'late')).status?.loadBalancer, {});
    assert.match(await kubectl.ok(['get', 'svc', 'late']), /late\s+LoadBalancer\s+\S+\s+<pending>/);
    await eventually(async () => {
      const events = (await client.list<Event>('events', { namespace: 'default' })).items.filter((e) => e.involvedObject.name === 'late');
      return events.some((e) => e.type === 'Warning' && e.reason === 'AllocationFailed' && /no address is free in the LoadBalancer pool/.test(e.message ?? ''));
    }, 30_000);
    const describe = await kubectl.ok(['describe', 'svc', 'late']);
    assert.match(describe, /AllocationFailed/);
    const freed = (await client.get<Service>('services', 'default', 'fill-3')).status!.loadBalancer!.ingress![0].ip!;
    await kubectl.ok(['delete', 'svc', 'fill-3']);
    await eventually(async () => (await client.get<Service>('services', 'default', 'late')).status?.loadBalancer?.ingress?.[0]?.ip === freed, 30_000);
  });
});
