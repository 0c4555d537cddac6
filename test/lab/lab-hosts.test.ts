// The lab's host layer on its own (no kubelabd): two simulated hosts in a temporary directory,
// each a network namespace on the lab bridge with a Docker Engine of its own. What a user would
// check by hand: each engine answers and has the images, one host pings the other across the
// bridge, a partition stops that and heal restores it, kill leaves the engine dead and restart
// revives it, and `down` leaves no namespace, link, mount, process, cgroup or file behind.

import assert from 'node:assert/strict';
import Docker from 'dockerode';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineClient, LAB_IMAGES } from '../../cli/lab/host-engine.js';
import { netnsPath } from '../../cli/lab/host-network.js';
import { cgroupDirsWithPrefix, hostPids, isRunning } from '../../cli/lab/host-processes.js';
import { downLab } from '../../cli/lab/lab-down.js';
import { healHost, killHost, partitionHost, requireHost, restartHost } from '../../cli/lab/lab-host-actions.js';
import { planUnmounts } from '../../cli/lab/lab-mounts.js';
import { labPrefix, pickLabSubnet, planLab } from '../../cli/lab/lab-plan.js';
import { readLabState, type LabState } from '../../cli/lab/lab-state.js';
import { upHosts } from '../../cli/lab/lab-up.js';
import { untilPasses } from '../helpers/until-passes.js';

function ping(fromNetns: string, ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('nsenter', [`--net=${netnsPath(fromNetns)}`, '--', 'busybox', 'ping', '-c', '1', '-W', '1', ip], (err) => resolve(!err));
  });
}

function ipOutput(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile('ip', args, (err, stdout) => (err ? reject(err) : resolve(stdout))));
}

describe('lab plan (pure)', () => {
  it('derives names from the directory that fit in IFNAMSIZ and differ between labs', () => {
    const plan = planLab('/var/lib/kubelab/lab', 3, '10.250.0.0/24');
    assert.equal(plan.bridge, `${plan.prefix}br`);
    assert.deepEqual(plan.hosts.map((h) => [h.name, h.role, h.ip]), [['node1', 'server', '10.250.0.11'], ['node2', 'agent', '10.250.0.12'], ['node3', 'agent', '10.250.0.13']]);
    assert.equal(plan.gatewayIp, '10.250.0.1');
    assert.equal(plan.loadBalancerPool, '10.250.0.240-10.250.0.254');
    for (const host of plan.hosts) assert.ok(host.hostVeth.length <= 15 && host.peerVeth.length <= 15, host.hostVeth);
    assert.notEqual(labPrefix('/tmp/a'), labPrefix('/tmp/b'));
  });

  it('picks the first /24 that overlaps no route or address, ignoring the default route', () => {
    assert.equal(pickLabSubnet(['default', '192.0.2.0/24', '172.17.0.0/16']), '10.250.0.0/24');
    assert.equal(pickLabSubnet(['10.250.0.1/24', '10.250.1.0/24']), '10.250.2.0/24');
    assert.equal(pickLabSubnet(['10.0.0.0/8'], ['10.250.0.0/24', '172.31.240.0/24']), '172.31.240.0/24');
    assert.throws(() => pickLabSubnet(['10.0.0.0/8'], ['10.250.0.0/24']), /no free subnet/);
  });

  it('unmounts deepest first and only below the lab, decoding octal escapes', () => {
    const mountinfo = [
      '22 1 8:1 / / rw - ext4 /dev/vda rw',
      '80 22 8:1 /tmp/lab/node1/docker /tmp/lab/node1/docker rw - ext4 /dev/vda rw',
      '81 80 0:50 / /tmp/lab/node1/docker/overlay2/abc/merged rw - overlay overlay rw',
      '82 22 0:4 net:[4026532] /run/klabc/node1/netns/x rw - nsfs nsfs rw',
      '83 22 0:51 / /tmp/lab\\040other/m rw - tmpfs tmpfs rw',
      '84 22 0:52 / /tmp/labx rw - tmpfs tmpfs rw',
    ].join('\n');
    assert.deepEqual(planUnmounts(mountinfo, ['/tmp/lab', '/run/klabc']), [
      '/tmp/lab/node1/docker/overlay2/abc/merged',
      '/run/klabc/node1/netns/x',
      '/tmp/lab/node1/docker',
    ]);
    assert.deepEqual(planUnmounts(mountinfo, ['/tmp/lab other']), ['/tmp/lab other/m']);
  });
});

const EXTRA_IMAGE = 'kubelab/lab-extra:test'; // not-built: tagged from kubelab/busybox:1 by this test
const machineEngine = new Docker();

describe('lab hosts: two simulated hosts with their own Docker Engines', function () {
  this.timeout(300_000);
  let dir: string;
  let state: LabState;
  const progress: string[] = [];

  before(async () => {
    // An image the lab does not copy by itself, as `lab up --image` would name: a tag this test
    // makes of a built image, so it exists on every machine the suite runs on.
    await machineEngine.getImage('kubelab/busybox:1').tag({ repo: 'kubelab/lab-extra', tag: 'test' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubelab-lab-hosts-'));
    state = await upHosts({ dir, nodes: 2, extraImages: [EXTRA_IMAGE], progress: (line) => progress.push(line) });
  });

  after(async () => {
    // Also when a test failed; down is idempotent, so the last test's own down does no harm.
    if (dir) await downLab(dir, () => undefined);
    await machineEngine.getImage(EXTRA_IMAGE).remove().catch(() => undefined);
  });

  const host = (name: string) => state.plan.hosts.find((h) => h.name === name)!;

  it('wrote the plan to lab.json and reported progress', () => {
    assert.deepEqual(readLabState(dir)?.plan.hosts.map((h) => h.name), ['node1', 'node2']);
    assert.ok(progress.some((line) => line.includes('Docker Engine up')), progress.join('\n'));
  });

  it('refuses a second lab in the same directory, and names the nodes when one is unknown', async () => {
    await assert.rejects(upHosts({ dir, nodes: 2, extraImages: [], progress: () => undefined }), /a lab already exists in .* "kubelab lab down --dir/);
    assert.throws(() => requireHost(state, 'node9'), /no node "node9" .* its nodes are node1, node2/);
  });

  it('runs one engine per host, inside that host\'s namespace, with the lab images', async () => {
    for (const name of ['node1', 'node2']) {
      const pid = state.processes[name]!.dockerd!.pid;
      assert.ok((await hostPids(host(name))).includes(pid), `dockerd ${pid} is in netns ${host(name).netns}`);
      const tags = (await engineClient(host(name)).listImages()).flatMap((image) => image.RepoTags ?? []);
      for (const image of [...LAB_IMAGES, EXTRA_IMAGE]) assert.ok(tags.includes(image), `${name} has ${image}: ${tags.join(', ')}`);
    }
  });

  it('host1 reaches host2 across the bridge; a partition cuts it and heal restores it', async () => {
    assert.equal(await ping(host('node1').netns, host('node2').ip), true, 'node1 pings node2');
    await partitionHost(host('node2'));
    assert.equal(await ping(host('node1').netns, host('node2').ip), false, 'a partitioned node2 does not answer');
    await healHost(host('node2'));
    await untilPasses(async () => assert.equal(await ping(host('node1').netns, host('node2').ip), true, 'node2 answers after heal'), 10_000, 200);
  });

  it('kill leaves the engine and its containers dead; restart revives the engine with its images', async () => {
    const engine = engineClient(host('node2'));
    const container = await engine.createContainer({ Image: 'kubelab/busybox:1', Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' } });
    await container.start();
    const { State } = await container.inspect();
    assert.ok(isRunning(State.Pid));

    await killHost(state, host('node2'));
    assert.equal(isRunning(state.processes.node2!.dockerd!.pid), false, 'dockerd is dead');
    assert.equal(isRunning(State.Pid), false, 'the container died with its host');
    await assert.rejects(engine.ping());
    assert.deepEqual(await hostPids(host('node2')), []);

    await restartHost(state, host('node2'), 60_000, () => undefined);
    await engine.ping();
    const tags = (await engine.listImages()).flatMap((image) => image.RepoTags ?? []);
    assert.ok(tags.includes('kubelab/pause:1'), tags.join(', '));
    assert.equal(await ping(host('node1').netns, host('node2').ip), true, 'node2 answers again');
  });

  it('down leaves no namespace, link, mount, process, cgroup or directory behind', async () => {
    const prefix = state.plan.prefix;
    const pids = [...(await hostPids(host('node1'))), ...(await hostPids(host('node2')))];
    assert.ok(pids.length > 0);
    await downLab(dir, () => undefined);

    assert.equal(await ipOutput(['netns', 'list']).then((out) => out.includes(prefix)), false, 'no netns');
    assert.equal(await ipOutput(['link', 'show']).then((out) => out.includes(prefix)), false, 'no link');
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    assert.equal(mounts.includes(fs.realpathSync(os.tmpdir()) + '/' + path.basename(dir)) || mounts.includes(`/run/${prefix}`), false, 'no mount');
    assert.deepEqual(pids.filter(isRunning), [], 'no process');
    assert.deepEqual(cgroupDirsWithPrefix(`${prefix}-`), [], 'no cgroup');
    assert.equal(fs.existsSync(dir), false, 'no lab directory');
    assert.equal(fs.existsSync(`/run/${prefix}`), false, 'no exec root');

    await downLab(dir, () => undefined); // idempotent
  });
});
