// The pod fields of issue 20 end to end: a real kubelabd on the real Docker Engine, driven
// through the kubelab CLI. Each test reads back, from inside the containers or from what kubectl
// would show, that the field did what Kubernetes does with it. (The busybox image is FROM scratch:
// it has no /tmp, so the scripts write elsewhere.)

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import type { Pod } from '../../lib/api/types.js';
import { TestDaemon, eventually } from '../../harness/test-daemon.js';

const BUSYBOX = 'kubelab/busybox:1';

describe('pod features (issue 20) on the real Docker Engine', function () {
  this.timeout(180_000);
  let daemon: TestDaemon;
  let scratch: string;
  const children: ChildProcess[] = [];
  const servers: http.Server[] = [];

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'kubelab-podfeatures-'));
    await fs.chmod(scratch, 0o777);
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const server of servers) server.close();
    await daemon?.cleanup();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  // On a failure, show what kubectl would: the pods and their events (the test's own output).
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    console.log((await daemon.kubelab(['get', 'pods', '-o', 'json'])).stdout.slice(0, 20000));
    console.log((await daemon.kubelab(['get', 'events'])).stdout.slice(-5000));
    console.log(daemon.log.slice(-3000));
  });

  async function create(object: object): Promise<void> {
    const file = path.join(scratch, `${(object as Pod).metadata.name}-${Math.random().toString(36).slice(2, 6)}.json`);
    await fs.writeFile(file, JSON.stringify(object));
    const r = await daemon.kubelab(['create', '-f', file]);
    assert.equal(r.code, 0, r.stderr);
  }
  const pod = (name: string, spec: object, metadata: object = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, ...metadata }, spec: { terminationGracePeriodSeconds: 1, ...spec } });
  const sh = (name: string, script: string, extra: object = {}) => ({ name, image: BUSYBOX, command: ['sh', '-c', script], ...extra });
  async function getPod(name: string): Promise<Pod> {
    const r = await daemon.kubelab(['get', 'pod', name, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Pod;
  }
  const row = async (name: string) => (await daemon.kubelab(['get', 'pod', name])).stdout;
  async function logs(name: string, container?: string): Promise<string> {
    const r = await daemon.kubelab(['logs', name, ...(container ? ['-c', container] : [])]);
    return r.code === 0 ? r.stdout : '';
  }
  /** Waits until the container's log has `marker` (the script printed everything before it). */
  const logsWith = (name: string, marker: string, container?: string) => eventually(async () => ((await logs(name, container)).includes(marker) ? logs(name, container) : undefined), 60_000, 500);
  async function events(name: string): Promise<string> {
    return (await daemon.kubelab(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'json'])).stdout;
  }
  const phaseOf = async (name: string) => (await getPod(name)).status?.phase;

  // covers: Pod spec.initContainers, spec.initContainers.name, spec.initContainers.image, spec.initContainers.command
  it('init containers run one at a time, in order, before the app; the pod is Initialized', async () => {
    await create(pod('init-order', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        sh('first', 'sleep 1; echo first >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
        sh('second', 'test -f /work/order && echo second >> /work/order', { volumeMounts: [{ name: 'work', mountPath: '/work' }] }),
      ],
      containers: [sh('app', 'cat /work/order; echo app-done; while :; do sleep 1; done', { volumeMounts: [{ name: 'work', mountPath: '/work' }] })],
    }));
    const text = await logsWith('init-order', 'app-done', 'app');
    assert.equal(text.trim(), 'first\nsecond\napp-done');
    const p = await getPod('init-order');
    assert.equal(p.status!.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
    assert.deepEqual(p.status!.initContainerStatuses!.map((s) => [s.name, s.state.terminated?.reason, s.ready]), [['first', 'Completed', true], ['second', 'Completed', true]]);
  });

  // covers: Pod spec.initContainers, spec.restartPolicy
  it('a failing init container blocks the app: Init:Error, then restarted with back-off (Init:CrashLoopBackOff); under Never the pod Fails', async () => {
    await create(pod('init-fails', {
      initContainers: [sh('setup', 'echo trying; exit 1')],
      containers: [sh('app', 'echo app-ran; sleep 3600')],
    }));
    const p = await eventually(async () => {
      const current = await getPod('init-fails');
      return (current.status?.initContainerStatuses?.[0]?.restartCount ?? 0) >= 1 ? current : undefined;
    }, 60_000, 500);
    assert.equal(p.status!.phase, 'Pending');
    assert.equal(p.status!.conditions!.find((c) => c.type === 'Initialized')!.status, 'False');
    assert.equal(p.status!.containerStatuses![0].state.waiting?.reason, 'PodInitializing');
    await eventually(async () => /init-fails\s+0\/1\s+Init:(Error|CrashLoopBackOff)\s/.test(await row('init-fails')), 60_000, 300);
    assert.equal(await logs('init-fails', 'app'), '');

    await create(pod('init-fails-never', { restartPolicy: 'Never', initContainers: [sh('setup', 'exit 2')], containers: [sh('app', 'echo app-ran')] }));
    await eventually(async () => (await phaseOf('init-fails-never')) === 'Failed', 60_000, 500);
    const failed = await getPod('init-fails-never');
    assert.equal(failed.status!.initContainerStatuses![0].state.terminated!.exitCode, 2);
    assert.equal(failed.status!.initContainerStatuses![0].restartCount, 0);
    assert.match(await row('init-fails-never'), /Init:Error/);
  });

  // covers: Pod spec.initContainers.restartPolicy, spec.initContainers.startupProbe
  it('a native sidecar starts before the app, keeps running, and stops after it', async () => {
    const out = path.join(scratch, 'sidecar');
    await fs.mkdir(out, { mode: 0o777 });
    await create(pod('sidecar', {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 5,
      volumes: [{ name: 'out', hostPath: { path: out } }],
      initContainers: [sh('logger', "trap 'echo sidecar-stopped >> /out/log; exit 0' TERM; echo sidecar-started >> /out/log; touch /out/up; while :; do sleep 1; done", {
        restartPolicy: 'Always',
        volumeMounts: [{ name: 'out', mountPath: '/out' }],
        startupProbe: { exec: { command: ['cat', '/out/up'] }, periodSeconds: 1 },
      })],
      containers: [sh('app', 'echo app-started >> /out/log; sleep 2; echo app-done >> /out/log', { volumeMounts: [{ name: 'out', mountPath: '/out' }] })],
    }));
    await eventually(async () => (await phaseOf('sidecar')) === 'Succeeded', 90_000, 500);
    const log = await eventually(async () => {
      const text = await fs.readFile(path.join(out, 'log'), 'utf8').catch(() => '');
      return text.includes('sidecar-stopped') ? text : undefined;
    }, 30_000, 300);
    assert.deepEqual(log.trim().split('\n'), ['sidecar-started', 'app-started', 'app-done', 'sidecar-stopped']);
  });

  // covers: Pod spec.containers.lifecycle.postStart, spec.containers.lifecycle.postStart.exec, spec.containers.lifecycle.preStop, spec.containers.lifecycle.preStop.httpGet, spec.containers.lifecycle.preStop.sleep, spec.containers.lifecycle.preStop.sleep.seconds
  it('postStart runs after the start, preStop before the stop signal; a failed postStart is FailedPostStartHook', async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end('ok');
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await create(pod('hooks', {
      containers: [
        sh('web', 'while :; do sleep 1; done', {
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', 'echo started > /poststart'] } },
            preStop: { httpGet: { host: '127.0.0.1', port, path: '/prestop' } },
          },
        }),
        sh('sleeper', 'while :; do sleep 1; done', { lifecycle: { preStop: { sleep: { seconds: 1 } } } }),
      ],
    }));
    await eventually(async () => /hooks\s+2\/2\s+Running/.test(await row('hooks')), 60_000, 300);
    const r = await daemon.kubelab(['exec', 'hooks', '-c', 'web', '--', 'cat', '/poststart']);
    assert.equal(r.stdout.trim(), 'started');
    const del = await daemon.kubelab(['delete', 'pod', 'hooks']);
    assert.equal(del.code, 0, del.stderr);
    await eventually(() => requests.includes('/prestop'), 30_000, 200);

    await create(pod('hook-fails', { containers: [sh('app', 'while :; do sleep 1; done', { lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo nope; exit 3'] } } } })] }));
    const text = await eventually(async () => {
      const e = await events('hook-fails');
      return e.includes('FailedPostStartHook') ? e : undefined;
    }, 60_000, 500);
    assert.match(text, /Exec lifecycle hook \(\[sh -c echo nope; exit 3\]\) for Container \\"app\\" in Pod \\"hook-fails_default\([0-9a-f-]+\)\\" failed - error: command 'sh -c echo nope; exit 3' exited with 3: nope/);
    await eventually(async () => ((await getPod('hook-fails')).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, 500);
  });

  // covers: Pod spec.containers.readinessProbe.grpc, spec.containers.readinessProbe.grpc.port, spec.containers.readinessProbe.grpc.service
  it('a gRPC readiness probe speaks grpc.health.v1: the pod is Ready once the health server answers SERVING', async () => {
    await create(pod('grpc-ready', {
      containers: [sh('app', 'while :; do sleep 1; done', { readinessProbe: { grpc: { port: 50051, service: 'app' }, periodSeconds: 1 } })],
    }));
    await eventually(async () => /grpc-ready\s+0\/1\s+Running/.test(await row('grpc-ready')), 60_000, 300);
    const docker = new Docker();
    const [sandbox] = await docker.listContainers({ filters: { label: [`io.kubelab.node=${daemon.nodeName}`, 'io.kubelab.pod.name=grpc-ready', 'io.kubelab.container.role=sandbox'] } });
    const pid = (await docker.getContainer(sandbox.Id).inspect()).State.Pid;
    const server = spawn('nsenter', ['-t', String(pid), '-n', '--', path.resolve('node_modules/.bin/tsx'), 'test/helpers/grpc-health-server.ts', '50051'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(server);
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually(() => output.includes('listening'), 30_000, 200).catch(() => assert.fail(`the gRPC health server did not start: ${output}`));
    await eventually(async () => /grpc-ready\s+1\/1\s+Running/.test(await row('grpc-ready')), 60_000, 300);
    server.kill('SIGKILL');
  });

  // covers: Pod spec.containers.envFrom, spec.containers.envFrom.configMapRef, spec.containers.envFrom.secretRef, spec.containers.envFrom.prefix, spec.containers.envFrom.configMapRef.optional, spec.containers.env.valueFrom.fieldRef, spec.containers.env.valueFrom.resourceFieldRef, spec.containers.env.valueFrom.configMapKeyRef, spec.containers.env.valueFrom.secretKeyRef, spec.containers.env.value
  // covers: Pod spec.containers.envFrom.configMapRef.name, spec.containers.envFrom.secretRef.name, spec.containers.env.valueFrom.fieldRef.fieldPath, spec.containers.env.valueFrom.resourceFieldRef.resource, spec.containers.env.valueFrom.resourceFieldRef.divisor, spec.containers.env.valueFrom.configMapKeyRef.name, spec.containers.env.valueFrom.configMapKeyRef.key
  // (the SA fieldRef below reads spec.serviceAccountName back: the namespace's default account.)
  it('envFrom, every fieldRef and resourceFieldRef read back inside the pod, with $(VAR) expansion', async () => {
    await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config' }, data: { MODE: 'fast', LEVEL: '3' } });
    await create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret' }, data: { TOKEN: Buffer.from('s3cret').toString('base64') } });
    const fields = {
      NAME: 'metadata.name', NS: 'metadata.namespace', UID: 'metadata.uid', LABEL: "metadata.labels['tier']", ANNOTATION: "metadata.annotations['note']",
      NODE: 'spec.nodeName', SA: 'spec.serviceAccountName', POD_IP: 'status.podIP', POD_IPS: 'status.podIPs', HOST_IP: 'status.hostIP', HOST_IPS: 'status.hostIPs',
    };
    await create(pod('env', {
      serviceAccountName: 'default',
      containers: [sh('app', 'env | sort; echo env-done; while :; do sleep 1; done', {
        resources: { limits: { memory: '64Mi', cpu: '250m' } },
        envFrom: [{ configMapRef: { name: 'app-config' } }, { prefix: 'S_', secretRef: { name: 'app-secret' } }, { configMapRef: { name: 'absent', optional: true } }],
        env: [
          ...Object.entries(fields).map(([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } })),
          { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
          { name: 'REQ_MEM', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
          { name: 'LEVEL_KEY', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LEVEL' } } },
          { name: 'TOKEN_KEY', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'TOKEN' } } },
          { name: 'GREETING', value: 'mode=$(MODE) in $(NS), $$(NOT)' },
        ],
      })],
    }, { labels: { tier: 'web' }, annotations: { note: 'hi' } }));
    const text = await logsWith('env', 'env-done');
    const env = Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const p = await getPod('env');
    assert.equal(env.MODE, 'fast');
    assert.equal(env.LEVEL, '3');
    assert.equal(env.S_TOKEN, 's3cret');
    assert.equal(env.NAME, 'env');
    assert.equal(env.NS, 'default');
    assert.equal(env.UID, p.metadata.uid);
    assert.equal(env.LABEL, 'web');
    assert.equal(env.ANNOTATION, 'hi');
    assert.equal(env.NODE, daemon.nodeName);
    assert.equal(env.SA, 'default');
    assert.equal(env.POD_IP, p.status!.podIP);
    assert.equal(env.POD_IPS, p.status!.podIP);
    assert.equal(env.HOST_IP, p.status!.hostIP);
    assert.equal(env.HOST_IPS, p.status!.hostIP);
    assert.equal(env.MEM_MI, '64');
    assert.equal(env.CPU_M, '250');
    assert.equal(env.REQ_MEM, String(64 * 2 ** 20));
    assert.equal(env.LEVEL_KEY, '3');
    assert.equal(env.TOKEN_KEY, 's3cret');
    assert.equal(env.GREETING, 'mode=fast in default, $(NOT)');

    await create(pod('env-missing', { containers: [sh('app', 'sleep 3600', { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'NOPE' } } }] })] }));
    const waiting = await eventually(async () => (await getPod('env-missing')).status?.containerStatuses?.[0]?.state.waiting, 60_000, 500);
    assert.deepEqual(waiting, { reason: 'CreateContainerConfigError', message: "couldn't find key NOPE in ConfigMap default/app-config" });
    assert.match(await events('env-missing'), /Error: couldn't find key NOPE in ConfigMap default\/app-config/);
  });

  // covers: Pod spec.volumes.downwardAPI, spec.volumes.downwardAPI.items, spec.volumes.downwardAPI.items.fieldRef, spec.volumes.downwardAPI.items.resourceFieldRef, spec.volumes.downwardAPI.items.mode, spec.volumes.downwardAPI.defaultMode, spec.volumes.projected, spec.volumes.projected.sources, spec.volumes.projected.sources.configMap, spec.volumes.projected.sources.secret, spec.volumes.projected.sources.downwardAPI, spec.volumes.projected.defaultMode
  // covers: Pod spec.volumes.downwardAPI.items.path, spec.volumes.downwardAPI.items.fieldRef.fieldPath, spec.volumes.downwardAPI.items.resourceFieldRef.containerName, spec.volumes.downwardAPI.items.resourceFieldRef.resource, spec.volumes.downwardAPI.items.resourceFieldRef.divisor, spec.volumes.projected.sources.configMap.name, spec.volumes.projected.sources.configMap.items, spec.volumes.projected.sources.secret.name, spec.volumes.projected.sources.downwardAPI.items
  it('downwardAPI and projected volumes hold the pod fields, ConfigMap and Secret keys, with their modes', async () => {
    await create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'proj-config' }, data: { 'app.conf': 'port=80' } });
    await create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'proj-secret' }, data: { key: Buffer.from('k3y').toString('base64') } });
    await create(pod('downward', {
      volumes: [
        { name: 'info', downwardAPI: { defaultMode: 0o600, items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o444 },
          { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
        ] } },
        { name: 'all', projected: { defaultMode: 0o640, sources: [
          { configMap: { name: 'proj-config', items: [{ key: 'app.conf', path: 'conf/app.conf' }] } },
          { secret: { name: 'proj-secret' } },
          { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        ] } },
      ],
      containers: [sh('app', 'cat /info/labels; echo; cat /info/name; echo; cat /info/mem; echo; stat -L -c %a /info/labels /info/name; cat /all/conf/app.conf; echo; cat /all/key; echo; cat /all/ns; echo; stat -L -c %a /all/key; echo vol-done; while :; do sleep 1; done', {
        resources: { limits: { memory: '32Mi' } },
        volumeMounts: [{ name: 'info', mountPath: '/info' }, { name: 'all', mountPath: '/all' }],
      })],
    }, { labels: { app: 'demo', tier: 'web' } }));
    const text = await logsWith('downward', 'vol-done');
    assert.equal(text.trim(), ['app="demo"', 'tier="web"', 'downward', '32', '600', '444', 'port=80', 'k3y', 'default', '640', 'vol-done'].join('\n'));
  });

  // covers: Pod spec.securityContext, spec.securityContext.runAsUser, spec.securityContext.runAsGroup, spec.securityContext.supplementalGroups, spec.securityContext.fsGroup, spec.containers.securityContext, spec.containers.securityContext.readOnlyRootFilesystem, spec.containers.securityContext.capabilities, spec.containers.securityContext.capabilities.add, spec.containers.securityContext.capabilities.drop, spec.containers.securityContext.allowPrivilegeEscalation, spec.containers.securityContext.runAsNonRoot, spec.containers.securityContext.runAsUser, spec.securityContext.sysctls, spec.securityContext.sysctls.name, spec.securityContext.sysctls.value
  it('securityContext: the user, groups, read-only root, capabilities, no_new_privs and sysctls are what the process has', async () => {
    await create(pod('secure', {
      securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000, sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: '40000 41000' }] },
      volumes: [{ name: 'data', emptyDir: {} }],
      containers: [sh('app', [
        'id -u; id -g; id -G',
        'touch /rootfs-write 2>/dev/null && echo rootfs-writable || echo rootfs-readonly',
        'touch /data/f && stat -c %g /data/f',
        'grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status',
        'cat /proc/sys/net/ipv4/ip_local_port_range',
        'echo sec-done; while :; do sleep 1; done',
      ].join('; '), {
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, runAsNonRoot: true },
      })],
    }));
    const lines = (await logsWith('secure', 'sec-done')).trim().split('\n');
    assert.equal(lines[0], '1000');
    assert.equal(lines[1], '3000');
    assert.deepEqual(lines[2].split(' ').sort(), ['2000', '3000', '4000']);
    assert.equal(lines[3], 'rootfs-readonly');
    assert.equal(lines[4], '2000'); // a file made in the volume belongs to fsGroup (setgid directory)
    assert.match(lines[5], /^CapBnd:\s+0000000000000400$/); // only CAP_NET_BIND_SERVICE (bit 10)
    assert.match(lines[6], /^NoNewPrivs:\s+1$/);
    assert.match(lines[7], /^40000\s+41000$/);

    await create(pod('as-root', { containers: [sh('app', 'sleep 3600', { securityContext: { runAsNonRoot: true } })] }));
    const waiting = await eventually(async () => (await getPod('as-root')).status?.containerStatuses?.[0]?.state.waiting?.message?.includes('runAsNonRoot') && (await getPod('as-root')).status!.containerStatuses![0].state.waiting, 60_000, 500);
    assert.equal(waiting.reason, 'CreateContainerConfigError');
    assert.match(waiting.message!, /^container has runAsNonRoot and image will run as root \(pod: "as-root_default\([0-9a-f-]+\)", container: app\)$/);
  });

  // covers: Pod spec.hostNetwork, spec.hostPID, spec.shareProcessNamespace
  it('hostNetwork sees the node\'s interfaces; hostPID the node\'s processes; shareProcessNamespace the other container\'s', async () => {
    const nodeInterfaces = (await fs.readdir('/sys/class/net')).sort();
    await create(pod('host-ns', { hostNetwork: true, hostPID: true, containers: [sh('app', 'ls /sys/class/net; echo net-done; while :; do sleep 1; done')] }));
    const text = await logsWith('host-ns', 'net-done');
    assert.deepEqual(text.trim().split('\n').slice(0, -1).sort(), nodeInterfaces);
    const p = await getPod('host-ns');
    assert.equal(p.status!.podIP, p.status!.hostIP);
    const ps = await daemon.kubelab(['exec', 'host-ns', '--', 'test', '-d', `/proc/${process.pid}`]);
    assert.equal(ps.code, 0, 'the test process is visible in a hostPID pod');

    await create(pod('shared-pids', { shareProcessNamespace: true, containers: [sh('a', 'while :; do sleep 1; done'), sh('b', 'exec sleep 12345')] }));
    await eventually(async () => /shared-pids\s+2\/2\s+Running/.test(await row('shared-pids')), 60_000, 300);
    const seen = await eventually(async () => {
      const r = await daemon.kubelab(['exec', 'shared-pids', '-c', 'a', '--', 'ps']);
      return r.stdout.includes('sleep 12345') ? r.stdout : undefined;
    }, 30_000, 500);
    assert.match(seen, /sleep 12345/);
  });

  // covers: Pod spec.hostAliases, spec.hostAliases.ip, spec.hostAliases.hostnames, spec.hostname, spec.subdomain, spec.dnsPolicy, spec.dnsConfig, spec.dnsConfig.nameservers, spec.dnsConfig.searches, spec.dnsConfig.options
  it('hostname, subdomain and hostAliases are in /etc/hosts; dnsPolicy None with dnsConfig is the resolv.conf', async () => {
    await create(pod('names', {
      hostname: 'web-0',
      subdomain: 'web',
      hostAliases: [{ ip: '10.1.2.3', hostnames: ['db.local', 'db'] }],
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['10.0.0.53'], searches: ['lab.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
      containers: [sh('app', 'hostname; cat /etc/hosts /etc/resolv.conf; echo names-done; while :; do sleep 1; done')],
    }));
    const text = await logsWith('names', 'names-done');
    const p = await getPod('names');
    assert.equal(text.split('\n')[0], 'web-0');
    assert.match(text, new RegExp(`\\n${p.status!.podIP!.replaceAll('.', '\\.')}\\tweb-0\\.web\\.default\\.svc\\.cluster\\.local\\tweb-0\\n`));
    assert.match(text, /# Entries added by HostAliases\.\n10\.1\.2\.3\tdb\.local\tdb\n/);
    assert.match(text, /nameserver 10\.0\.0\.53\nsearch lab\.example\noptions ndots:2 edns0\n/);
  });

  // covers: Pod spec.activeDeadlineSeconds
  it('activeDeadlineSeconds: the pod is killed and Failed with reason DeadlineExceeded', async () => {
    await create(pod('deadline', { activeDeadlineSeconds: 4, containers: [sh('app', 'while :; do sleep 1; done')] }));
    const p = await eventually(async () => {
      const current = await getPod('deadline');
      return current.status?.phase === 'Failed' ? current : undefined;
    }, 60_000, 500);
    assert.equal(p.status!.reason, 'DeadlineExceeded');
    assert.equal(p.status!.message, 'Pod was active on the node longer than the specified deadline');
    await eventually(async () => (await getPod('deadline')).status?.containerStatuses?.[0]?.state.terminated, 30_000, 500);
    assert.match(await events('deadline'), /DeadlineExceeded/);
  });

  // covers: Pod spec.containers.terminationMessagePath, spec.containers.terminationMessagePolicy
  it('the terminated state\'s message is the termination log, or the log tail with FallbackToLogsOnError', async () => {
    await create(pod('goodbye', {
      restartPolicy: 'Never',
      containers: [
        sh('file', 'echo -n "wrote my last words" > /tmp/last; exit 3', { terminationMessagePath: '/tmp/last' }),
        sh('fallback', 'echo "crashed: disk full"; exit 1', { terminationMessagePolicy: 'FallbackToLogsOnError' }),
        sh('default', 'echo -n bye > /dev/termination-log'),
      ],
    }));
    const p = await eventually(async () => {
      const current = await getPod('goodbye');
      return current.status?.phase === 'Failed' ? current : undefined;
    }, 60_000, 500);
    const byName = Object.fromEntries(p.status!.containerStatuses!.map((s) => [s.name, s.state.terminated]));
    assert.equal(byName.file!.message, 'wrote my last words');
    assert.equal(byName.file!.exitCode, 3);
    assert.equal(byName.fallback!.message, 'crashed: disk full\n');
    assert.equal(byName.default!.message, 'bye');
  });

  // covers: Pod spec.initContainers, spec.initContainers.restartPolicy, spec.containers.lifecycle.postStart.exec, spec.volumes.downwardAPI
  it('the README example runs as written: init container, sidecar, hooks, a hardened web server', async () => {
    const r = await daemon.kubelab(['create', '-f', 'examples/pod-features/init-sidecar-hooks.yml']);
    assert.equal(r.code, 0, r.stderr);
    await eventually(async () => /web-init\s+2\/2\s+Running/.test(await row('web-init')), 90_000, 500);
    const page = await daemon.kubelab(['exec', 'web-init', '-c', 'web', '--', 'wget', '-qO-', 'http://localhost:8080/']);
    assert.equal(page.stdout.trim(), 'made by an init container in pod web-init');
    await logsWith('web-init', 'postStart ran', 'logger');
  });
});
