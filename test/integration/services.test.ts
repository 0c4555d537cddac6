// Services end to end on the real engine: a real kubelabd (API, endpoints controller, node proxy,
// cluster DNS, kubelet) and real pods, checked the way a user checks a Service: a pod fetches a
// ClusterIP or a service name, the host fetches a NodePort or a LoadBalancer address, the CLI's
// get, describe and expose say what a user reads.
//
// The daemon puts ClusterIPs and LoadBalancer IPs on the host's `lo`; the suite ends by checking
// that none of them is left there once the daemon has stopped.
//
// covers: Service spec.selector, spec.type, spec.clusterIP, spec.sessionAffinity, spec.ports.name, spec.ports.port, spec.ports.targetPort, spec.ports.nodePort, spec.ports.protocol

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import ipaddr from 'ipaddr.js';
import type { Deployment, Endpoints, Pod, Service } from '../../lib/api/types.js';
import { loadClientConfig } from '../../lib/client/kubeconfig.js';
import { RestClient } from '../../lib/client/rest-client.js';
import { errorMessage } from '../../lib/errors.js';
import { eventually, TestDaemon, type CliResult } from '../../harness/test-daemon.js';

const run = promisify(execFile);
const examples = path.resolve(import.meta.dirname, '../../examples/services');

/** busybox httpd on port 3000 (named `web`) answering with the pod's hostname, ready when it answers. */
function whoamiTemplate(app: string) {
  return {
    metadata: { labels: { app } },
    spec: {
      terminationGracePeriodSeconds: 5,
      containers: [
        {
          name: 'whoami',
          image: 'kubelab/busybox:1',
          command: ['sh', '-c', "trap 'exit 0' TERM; mkdir -p /www; hostname > /www/index.html; httpd -f -p 3000 -h /www & wait $!"],
          ports: [{ name: 'web', containerPort: 3000 }],
          readinessProbe: { httpGet: { path: '/', port: 'web' }, periodSeconds: 1 },
        },
      ],
    },
  };
}

const service = (name: string, spec: Partial<Service['spec']>): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 3000, targetPort: 'web' }], ...spec } }) as Service;

/** One HTTP GET without keep-alive; resolves with the body, rejects on any failure or non-200. */
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

async function loAddresses(): Promise<string[]> {
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'lo']);
  return [...stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]);
}

describe('services on the real engine: ClusterIP, NodePort, LoadBalancer, DNS, environment, proxy', function () {
  this.timeout(300_000);
  // 10.99.<n>.10-12: LoadBalancer addresses of this run only.
  const lbOctet = Math.floor(Math.random() * 250);
  const lbPool = `10.99.${lbOctet}.10-10.99.${lbOctet}.12`;
  let daemon: TestDaemon;
  let client: RestClient;

  before(async () => {
    daemon = await TestDaemon.start({ args: ['--lb-pool', lbPool] });
    client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
    await client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'hello', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'hello' } }, template: whoamiTemplate('hello') },
    } as Deployment);
    await client.create('services', service('hello', { selector: { app: 'hello' } }));
    // The client pod starts after the Service: it must see HELLO_SERVICE_HOST.
    await client.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: 'default' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'client', image: 'kubelab/busybox:1', command: ['sh', '-c', "trap 'exit 0' TERM; sleep 3600 & wait $!"] }] },
    } as Pod);
    await eventually(async () => (await client.get<Pod>('pods', 'default', 'client')).status?.phase === 'Running', 60_000);
    await readyEndpoints('hello', 3);
  });

  after(async () => {
    client?.close();
    if (!daemon) return;
    const serviceCidr = ipaddr.parseCIDR(daemon.serviceCidr);
    await daemon.cleanup();
    const left = (await loAddresses()).filter((ip) => ipaddr.parse(ip).match(serviceCidr) || ip.startsWith(`10.99.${lbOctet}.`));
    assert.deepEqual(left, [], `the daemon left Service addresses on lo: ${left.join(', ')}`);
  });

  async function kubelab(args: string[], input?: string): Promise<CliResult> {
    const r = await daemon.kubelab(args, { input });
    assert.equal(r.code, 0, `kubelab ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r;
  }

  /** What `wget -q -O - URL` prints in the client pod; throws if wget fails. */
  async function fetchFromClient(url: string): Promise<string> {
    const r = await daemon.kubelab(['exec', 'client', '--', 'wget', '-q', '-O', '-', url]);
    if (r.code !== 0) throw new Error(`wget ${url} in pod client exited ${r.code}: ${r.stderr}`);
    return r.stdout.trim();
  }

  function readyEndpoints(name: string, count: number, timeoutMs = 90_000): Promise<string[]> {
    return eventually(async () => {
      const ep = await client.get<Endpoints>('endpoints', 'default', name);
      const ips = (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip));
      return ips.length === count ? ips : undefined;
    }, timeoutMs);
  }

  const getService = (name: string) => client.get<Service>('services', 'default', name);

  it('answers on its ClusterIP from another pod, with a named targetPort, round robin over the pods', async () => {
    const { clusterIP } = (await getService('hello')).spec;
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await eventually(() => fetchFromClient(`http://${clusterIP}:3000/`), 20_000));
    assert.ok([...seen].every((h) => h.startsWith('hello-')), `answers from the hello pods: ${[...seen].join(', ')}`);
    assert.ok(seen.size >= 2, `round robin reaches more than one pod: ${[...seen].join(', ')}`);
  });

  it('resolves the service name through cluster DNS inside a pod', async () => {
    const answer = await eventually(() => fetchFromClient('http://hello:3000/'), 20_000);
    assert.match(answer, /^hello-/);
    const full = await fetchFromClient('http://hello.default.svc.cluster.local:3000/');
    assert.match(full, /^hello-/);
  });

  it('gives a pod started after the service its HELLO_SERVICE_HOST and _PORT variables', async () => {
    const { clusterIP } = (await getService('hello')).spec;
    const env = await kubelab(['exec', 'client', '--', 'env']);
    assert.match(env.stdout, new RegExp(`^HELLO_SERVICE_HOST=${clusterIP!.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(env.stdout, /^HELLO_SERVICE_PORT=3000$/m);
    assert.match(env.stdout, /^KUBERNETES_SERVICE_HOST=/m);
  });

  it('answers on a NodePort from the host, and get/describe show it', async () => {
    await client.create('services', service('hello-np', { type: 'NodePort', selector: { app: 'hello' } }));
    const nodePort = (await getService('hello-np')).spec.ports![0].nodePort!;
    assert.ok(nodePort >= daemon.nodePortRange.first && nodePort <= daemon.nodePortRange.last, `node port ${nodePort} from the daemon's range`);
    assert.match(await eventually(() => httpGet('127.0.0.1', nodePort), 20_000), /^hello-/);

    const get = await kubelab(['get', 'svc,ep']);
    assert.match(get.stdout, new RegExp(`^service/hello-np\\s+NodePort\\s+\\S+\\s+<none>\\s+3000:${nodePort}/TCP`, 'm'));
    assert.match(get.stdout, /^endpoints\/hello-np\s+(\d+\.\d+\.\d+\.\d+:3000,?){3}\s/m);
    const describe = await kubelab(['describe', 'service', 'hello-np']);
    assert.match(describe.stdout, new RegExp(`^Listeners:\\s+ClusterIP \\S+:3000/TCP \\(\\d+ active\\)$`, 'm'));
    assert.match(describe.stdout, new RegExp(`^\\s+NodePort 127\\.0\\.0\\.1:${nodePort}/TCP`, 'm'));
    assert.match(describe.stdout, /^Proxy endpoints:\s+(\d+\.\d+\.\d+\.\d+:3000,?){3}$/m);
  });

  it('answers on a LoadBalancer address from the pool, put on the host by the proxy', async () => {
    await client.create('services', service('hello-lb', { type: 'LoadBalancer', selector: { app: 'hello' }, ports: [{ port: 80, targetPort: 'web' }] }));
    const ip = await eventually(async () => (await getService('hello-lb')).status?.loadBalancer?.ingress?.[0]?.ip, 10_000);
    assert.match(ip, new RegExp(`^10\\.99\\.${lbOctet}\\.1[0-2]$`));
    assert.match(await eventually(() => httpGet(ip, 80), 20_000), /^hello-/);
    assert.ok((await loAddresses()).includes(ip), `${ip} is on lo`);
  });

  it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
    await client.create('services', service('hello-sticky', { selector: { app: 'hello' }, sessionAffinity: 'ClientIP' }));
    const { clusterIP } = (await getService('hello-sticky')).spec;
    const first = await eventually(() => fetchFromClient(`http://${clusterIP}:3000/`), 20_000);
    for (let i = 0; i < 5; i++) assert.equal(await fetchFromClient(`http://${clusterIP}:3000/`), first);
  });

  it('relays UDP: a kube-dns-like Service in front of the cluster DNS answers nslookup from a pod', async () => {
    const gateway = daemon.subnet.replace(/\.0\/24$/, '.1');
    await client.create('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cluster-dns', namespace: 'default' },
      spec: { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    } as Service);
    // No selector: the Endpoints are ours to write (the endpoints controller leaves them alone).
    await client.create('endpoints', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'cluster-dns', namespace: 'default' },
      subsets: [{ addresses: [{ ip: gateway }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }],
    } as Endpoints);
    const dnsIP = (await getService('cluster-dns')).spec.clusterIP!;
    const helloIP = (await getService('hello')).spec.clusterIP!;
    const answer = await eventually(async () => {
      const r = await daemon.kubelab(['exec', 'client', '--', 'nslookup', 'hello.default.svc.cluster.local', dnsIP]);
      return r.code === 0 && r.stdout.includes(`Server:\t\t${dnsIP}`) ? r.stdout : undefined;
    }, 20_000);
    assert.match(answer, new RegExp(`Address: ${helloIP.replace(/\./g, '\\.')}`));
  });

  it('follows a replication controller as it scales, through kubelab expose', async () => {
    await kubelab(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'scaled' },
      spec: { replicas: 1, selector: { app: 'scaled' }, template: whoamiTemplate('scaled') },
    }));
    const exposed = await kubelab(['expose', 'rc', 'scaled', '--port', '8080', '--target-port', 'web']);
    assert.equal(exposed.stdout, 'service/scaled exposed\n');
    const svc = await getService('scaled');
    assert.deepEqual(svc.spec.selector, { app: 'scaled' });
    assert.equal(svc.spec.ports![0].targetPort, 'web');
    await readyEndpoints('scaled', 1);
    await kubelab(['scale', 'rc/scaled', '--replicas=3']);
    await readyEndpoints('scaled', 3);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await fetchFromClient(`http://${svc.spec.clusterIP}:8080/`));
    assert.equal(seen.size, 3, `round robin over the 3 pods: ${[...seen].join(', ')}`);
    await kubelab(['scale', 'rc/scaled', '--replicas=1']);
    await readyEndpoints('scaled', 1);
  });

  it('gives a recreated service a new ClusterIP unless it asks for the old one', async () => {
    const create = async () => (await client.create<Service>('services', service('again', { selector: { app: 'hello' } }))).spec.clusterIP!;
    const remove = async () => {
      await client.delete('services', 'default', 'again');
      await eventually(async () => !(await client.list<Service>('services', { namespace: 'default' })).items.some((s) => s.metadata.name === 'again'), 10_000);
    };
    const first = await create();
    await remove();
    const second = await create();
    assert.notEqual(second, first);
    await remove();
    const fixed = (await client.create<Service>('services', service('again', { selector: { app: 'hello' }, clusterIP: first }))).spec.clusterIP;
    assert.equal(fixed, first);
  });

  it('runs the two-tier WordPress stand-in: the frontend reaches the database by name, with the Secret', async () => {
    // The examples' fixed node port may be outside this daemon's range: let the daemon pick one.
    const dir = path.join(examples, 'wordpress-standin');
    const files = ['wordpress-secrets.yml', 'database.yml', 'frontend.yml'];
    const text = (await Promise.all(files.map((f) => fs.readFile(path.join(dir, f), 'utf8')))).join('\n---\n').replace(/^\s*nodePort: \d+\n/m, '');
    await kubelab(['create', '-f', '-'], text);
    const nodePort = (await getService('frontend')).spec.ports![0].nodePort!;
    const page = await eventually(async () => {
      const body = await httpGet('127.0.0.1', nodePort);
      return body.includes('db-ok') ? body : undefined;
    }, 120_000);
    assert.equal(page.trim(), 'frontend ok; database says: db-ok user=wordpress');
  });

  it('keeps answering through a rolling update v1 → v2 behind a NodePort: no failed request', async () => {
    const template = (image: string) => ({
      metadata: { labels: { app: 'web' } },
      spec: {
        terminationGracePeriodSeconds: 5,
        containers: [{ name: 'web', image, ports: [{ name: 'web', containerPort: 3000 }], readinessProbe: { httpGet: { path: '/', port: 'web' }, periodSeconds: 1 } }],
      },
    });
    await client.create('deployments.apps', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      // minReadySeconds stretches the rollout, so the load sees several endpoint changes.
      spec: { replicas: 3, minReadySeconds: 2, selector: { matchLabels: { app: 'web' } }, template: template('kubelab/hello:v1') },
    } as Deployment);
    await client.create('services', service('web', { type: 'NodePort', selector: { app: 'web' } }));
    const nodePort = (await getService('web')).spec.ports![0].nodePort!;
    await readyEndpoints('web', 3);
    await eventually(() => httpGet('127.0.0.1', nodePort), 20_000);

    // ~20 requests per second, each on a new connection, until the rollout is over.
    const answers = new Map<string, number>();
    const failures: string[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const started = Date.now();
        try {
          const body = (await httpGet('127.0.0.1', nodePort)).trim();
          answers.set(body, (answers.get(body) ?? 0) + 1);
        } catch (err) {
          failures.push(errorMessage(err));
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - started))));
      }
    })();
    try {
      await kubelab(['set', 'image', 'deployment/web', 'web=kubelab/hello:v2']);
      await kubelab(['rollout', 'status', 'deployment/web', '--timeout=180s']);
      // The old pods are out of the Endpoints; let the proxy serve v2 alone for a moment.
      await eventually(async () => {
        const pods = (await client.list<Pod>('pods', { namespace: 'default', labelSelector: 'app=web' })).items;
        return pods.length === 3 && pods.every((p) => p.spec.containers[0].image === 'kubelab/hello:v2');
      }, 60_000);
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      stop = true;
      await load;
    }
    const total = [...answers.values()].reduce((a, b) => a + b, 0) + failures.length;
    assert.deepEqual(failures, [], `${failures.length} of ${total} requests failed`);
    assert.ok(answers.get('Hello World!'), `v1 answered: ${JSON.stringify([...answers])}`);
    assert.ok(answers.get('Hello World V2!'), `v2 answered: ${JSON.stringify([...answers])}`);
    assert.ok(total > 60, `the load ran for the whole rollout (${total} requests)`);
  });

  it('survives a SIGKILL: the addresses stay on lo, and the restarted daemon takes them over and serves again', async () => {
    const { clusterIP } = (await getService('hello')).spec;
    const nodePort = (await getService('hello-np')).spec.ports![0].nodePort!;
    await daemon.kill('SIGKILL');
    assert.ok((await loAddresses()).includes(clusterIP!), 'a killed daemon cannot clean up');
    await daemon.launch();
    client.close();
    client = new RestClient(loadClientConfig({ kubeconfig: daemon.kubeconfigPath }));
    assert.match(await eventually(() => httpGet('127.0.0.1', nodePort), 30_000), /^hello-/);
    assert.match(await eventually(() => fetchFromClient(`http://${clusterIP}:3000/`), 30_000), /^hello-/);
  });

  it('lists the addresses it added on lo, and only in its own ranges', async () => {
    const cidr = ipaddr.parseCIDR(daemon.serviceCidr);
    const services = (await client.list<Service>('services', { namespace: 'default' })).items;
    const expected = services.flatMap((s) => [s.spec.clusterIP, s.status?.loadBalancer?.ingress?.[0]?.ip]).filter((ip): ip is string => Boolean(ip) && ip !== 'None');
    const onLo = await loAddresses();
    for (const ip of expected) assert.ok(onLo.includes(ip), `${ip} is on lo`);
    const record = JSON.parse(await fs.readFile(path.join(daemon.dataDir, 'proxy-addresses.json'), 'utf8')) as { addresses: string[] };
    assert.deepEqual(record.addresses, [...expected].sort());
    for (const ip of record.addresses) assert.ok(ipaddr.parse(ip).match(cidr) || ip.startsWith(`10.99.${lbOctet}.`), `${ip} is one of this daemon's`);
  });
});

