// The scripted fault scenarios (`kubelab lab scenario run NAME`) on one simulated three-host lab,
// one after another, as a user would run them: each must finish with exit 0, narrate its steps
// and hold its invariants. Times are printed, never asserted: the gossip and node lifecycle
// defaults are tuned elsewhere, and the scenarios exist to show them. Each scenario restores the
// lab (restarts the host it killed, heals the cable it cut), so the next one starts from three
// Ready hosts; the order puts the host failures last. server-loss needs three servers: on this one-server lab
// it must refuse and say how to make a lab it can run on (control-plane-ha.test.ts runs it).

import assert from 'node:assert/strict';
import type { Namespace, Node } from '../../lib/api/types.js';
import { runCli, type CliResult } from '../../harness/test-daemon.js';
import { TestLab } from '../../harness/test-lab.js';
import { untilPasses } from '../helpers/until-passes.js';

const EVICTION_SECONDS = 10;

interface List<T> {
  items: T[];
}

describe('fault scenarios on a three-host lab (kubelab lab scenario run)', function () {
  this.timeout(900_000);
  let lab: TestLab;
  let startedAt = Date.now();

  before(async function () {
    this.timeout(300_000);
    startedAt = Date.now();
    lab = await TestLab.up(3, ['--pod-eviction-timeout', String(EVICTION_SECONDS)]);
  });

  after(async function () {
    this.timeout(300_000);
    if (!lab) return;
    if (this.currentTest?.state === 'failed') console.log(await lab.logs(60));
    await lab.down();
    console.log(`      scenario lab tests took ${((Date.now() - startedAt) / 1000).toFixed(0)} s in all (lab up and down included)`);
  });

  /** Runs a scenario, prints its narration (the numbers are the point), and checks it passed and cleaned up. */
  async function runScenario(name: string): Promise<string> {
    const result: CliResult = await lab.lab(['scenario', 'run', name], 360_000);
    console.log(result.stdout.replace(/^/gm, '      | '));
    assert.equal(result.code, 0, `scenario ${name} exited ${result.code}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`^scenario ${name} passed$`, 'm'));
    assert.doesNotMatch(result.stdout, /^\s+FAIL\s/m);
    await untilPasses(async () => {
      const namespaces = (await lab.json<List<Namespace>>(['get', 'namespaces'])).items.map((n) => n.metadata.name!);
      assert.deepEqual(namespaces.filter((n) => n.startsWith(`scenario-${name}-`)), [], 'the run\'s namespace is deleted');
    }, 60_000, 1_000);
    // The next scenario starts from three Ready hosts, each alive in gossip.
    await untilPasses(async () => {
      const nodes = (await lab.json<List<Node>>(['get', 'nodes'])).items;
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      assert.equal(ready.length, 3, `Ready nodes: ${ready.map((n) => n.metadata.name).join(', ')}`);
    }, 60_000, 1_000);
    return result.stdout;
  }

  it('lists every scenario, server-loss with the servers it needs', async () => {
    const result = await runCli(['lab', 'scenario', 'list']);
    assert.equal(result.code, 0, result.stderr);
    for (const name of ['node-loss', 'partition-then-heal', 'crash-looping-pod', 'daemon-restart', 'rolling-update-under-load', 'server-loss']) {
      assert.match(result.stdout, new RegExp(`^${name}\\s`, 'm'), name);
    }
    assert.match(result.stdout, /needs a lab with 3 servers: kubelab lab up --servers 3/);
  });

  it('server-loss exits non-zero on a lab with one server, saying how to make one it can run on', async () => {
    const result = await lab.lab(['scenario', 'run', 'server-loss']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /scenario server-loss needs a lab with at least 3 servers; this one has 1, so there is no other server to take over \("kubelab lab up --nodes 3 --servers 3"\)/);
  });

  it('crash-looping-pod: restarts with growing CrashLoopBackOff waits, then cleans up', async () => {
    const out = await runScenario('crash-looping-pod');
    assert.match(out, /restart 1 \(restartCount 1\)/);
    assert.match(out, /CrashLoopBackOff: back-off 10s restarting failed container/);
    assert.match(out, /restart 4 \(restartCount 4\)/);
    assert.match(out, /ok\s+back-off grows as Kubernetes' does/);
    assert.match(out, /pod crasher is gone/);
  });

  it('daemon-restart: the restarted kubelabd adopts its containers, pods stay Ready, the Service keeps answering', async () => {
    const out = await runScenario('daemon-restart');
    assert.match(out, /kubelabd on node\d killed \(SIGKILL/);
    assert.match(out, /new kubelet posted node status/);
    assert.match(out, /ok\s+no container restarted/);
    assert.match(out, /ok\s+the restarted kubelet keeps its pods Ready/);
    assert.match(out, /ok\s+0 failed requests: \d+ requests, 0 failed/);
  });

  it('rolling-update-under-load: v1 to v2 with 0 failed requests', async () => {
    const out = await runScenario('rolling-update-under-load');
    assert.match(out, /set image web hello=kubelab\/hello:v2/);
    assert.match(out, /rollout: new ReplicaSet web-\S+ 3\/3 Ready/);
    assert.match(out, /Hello World V2!/);
    assert.match(out, /ok\s+0 failed requests/);
  });

  it('node-loss: a killed host is detected, its pods replaced, and it rejoins after restart', async () => {
    const out = await runScenario('node-loss');
    assert.match(out, /killing node\d/);
    assert.match(out, /node\d is dead in the server's gossip view/);
    assert.match(out, /node\d NotReady \(Ready=Unknown/);
    assert.match(out, /pod\(s\) evicted/);
    assert.match(out, /replacements Ready: 3\/3/);
    assert.match(out, /node\d rejoined: Ready, alive in gossip/);
    // The summary's timeline, measured from the kill (in the order things happened).
    const timeline = out.split('\n').find((line) => /^ {2}node\d .*replacements Ready at/.test(line)) ?? '';
    for (const step of ['suspect', 'dead', 'NotReady', 'pods evicted', 'replacements Ready']) {
      assert.match(timeline, new RegExp(`${step} (at \\+\\d+\\.\\d s|not seen)`), `${step} in the timeline: ${timeline}`);
    }
    for (const invariant of ['every replica Ready', 'no duplicate pods', 'no object lost']) assert.match(out, new RegExp(`ok\\s+${invariant}`));
  });

  it('partition-then-heal: a cut-off host is evicted, heals, rejoins and removes its old containers', async () => {
    const out = await runScenario('partition-then-heal');
    assert.match(out, /cutting node\d's cable/);
    assert.match(out, /node\d NotReady/);
    assert.match(out, /still runs \d+ container\(s\) of its evicted pods/);
    assert.match(out, /node\d is alive again in the server's gossip view/);
    assert.match(out, /removed the containers of its evicted pods/);
    for (const invariant of ['every replica Ready', 'no duplicate pods', 'no object lost']) assert.match(out, new RegExp(`ok\\s+${invariant}`));
  });
});
