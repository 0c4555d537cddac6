// Control-plane failover on the simulated lab (issue 17's benchmark): how long the cluster is
// without a controller manager, and without writes, when the host of the leader dies.
//
// A lab with three servers (`kubelab lab up --servers 3`: an etcd member and a kubelabd server
// on node1..node3, HAProxy on the machine in front of their APIs, the lab's kubeconfig pointing
// at it, fast lab leader-election timings). Each round finds the host whose server holds the
// `kube-system/kube-controller-manager` Lease (holderIdentity is `<node>_<id>`), pulls its plug
// (what `kubelab lab kill` does, called in this process so the clock starts as the SIGKILLs go
// out), and measures from then, through the lab's API address only:
//
// - new holder: the Lease names a server on another host (a survivor waited for the dead
//   leader's lease to run out, then took it over);
// - first write: a ConfigMap create answered 201. Attempts start once the host is dead (printed:
//   killing every process of a host and dropping its mounts takes a moment itself), each
//   with a 2 s silence limit, one after the other: until HAProxy's health checks take the dead
//   server out, an attempt it sends there fails; if the etcd leader died with the host, writes
//   also wait for etcd to elect another.
//
// Then the host is restarted (`kubelab lab restart`: its etcd member rejoins, its server and node
// come back Ready) before the next round. Medians of 3 rounds.

import { eventually } from '../harness/test-daemon.js';
import { TestLab } from '../harness/test-lab.js';
import { killHost } from '../cli/lab/lab-host-actions.js';
import { readLabState } from '../cli/lab/lab-state.js';
import type { Lease } from '../lib/api/coordination-types.js';
import type { Node } from '../lib/api/types.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { LEASES_RESOURCE } from '../lib/client/leader-elector.js';
import { RestClient } from '../lib/client/rest-client.js';
import { median } from './stats.js';

const SERVERS = 3;
const LEASE = 'kube-controller-manager';
const WRITE_SILENCE_LIMIT_MS = 2_000;
const POLL_MS = 50;

export interface LabFailoverRound {
  killed: string;
  newHolder: string;
  newHolderMs: number;
  firstWriteMs: number;
  /** When killHost had returned (processes SIGKILLed, mounts dropped): the first write attempt starts then. */
  killedMs: number;
  /** Write attempts that failed before the first 201. */
  failedWrites: number;
}

export interface LabFailoverBench {
  rounds: LabFailoverRound[];
}

/** The node whose server holds the Lease (holderIdentity `<node>_<id>`), or undefined while nobody does. */
function holderNode(lease: Lease): string | undefined {
  const holder = lease.spec?.holderIdentity;
  return holder ? holder.split('_')[0] : undefined;
}

async function readLease(client: RestClient): Promise<Lease> {
  return client.get<Lease>(LEASES_RESOURCE, 'kube-system', LEASE);
}

/** Creates ConfigMaps one after the other until one is answered 201; resolves with the ms since `start` and the failures before. */
async function firstWrite(client: RestClient, round: number, start: number): Promise<{ ms: number; failed: number }> {
  for (let attempt = 0; ; attempt += 1) {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `failover-${round}-${attempt}-${Date.now()}`, namespace: 'default' }, data: { round: String(round) } };
    const ok = await client.request('POST', '/api/v1/namespaces/default/configmaps', { body, idleTimeoutMs: WRITE_SILENCE_LIMIT_MS }).then(
      () => true,
      () => false,
    );
    if (ok) return { ms: Date.now() - start, failed: attempt };
    if (Date.now() - start > 120_000) throw new Error('lab failover bench: no write succeeded within 120 s of the kill');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Polls the Lease through the lab's API address until a server on another host than `victim` holds it. */
async function newHolder(client: RestClient, victim: string, start: number): Promise<{ ms: number; node: string }> {
  const node = await eventually(
    async () => {
      const holder = holderNode(await readLease(client));
      return holder !== undefined && holder !== victim ? holder : undefined;
    },
    120_000,
    POLL_MS,
  );
  return { ms: Date.now() - start, node };
}

export async function benchLabFailover(rounds = 3): Promise<LabFailoverBench> {
  const progress = (line: string) => process.stderr.write(`lab failover bench: ${new Date().toISOString()} ${line}\n`);
  const lab = await TestLab.up(SERVERS, ['--servers', String(SERVERS)]);
  progress(`lab with ${SERVERS} servers up in ${lab.dir}`);
  const client = new RestClient(loadClientConfig({ kubeconfig: lab.kubeconfigPath }));
  const result: LabFailoverBench = { rounds: [] };
  try {
    for (let round = 0; round < rounds; round += 1) {
      const victim = await eventually(async () => holderNode(await readLease(client)), 120_000, 200);
      const state = readLabState(lab.dir);
      const host = state?.plan.hosts.find((h) => h.name === victim);
      if (!state || !host) throw new Error(`lab failover bench: the Lease holder ${victim} is no host of the lab in ${lab.dir}`);
      progress(`round ${round + 1}: ${victim} holds ${LEASE}; pulling its plug`);
      const start = Date.now();
      const holding = newHolder(client, victim, start);
      await killHost(state, host);
      const killedMs = Date.now() - start;
      const [holder, write] = await Promise.all([holding, firstWrite(client, round, start)]);
      result.rounds.push({ killed: victim, newHolder: holder.node, newHolderMs: holder.ms, firstWriteMs: write.ms, killedMs, failedWrites: write.failed });
      progress(
        `round ${round + 1}: ${holder.node} holds ${LEASE} after ${holder.ms} ms; host dead after ${killedMs} ms, first write after ${write.ms} ms (${write.failed} failed before); restarting ${victim}`,
      );

      const restarted = await lab.lab(['restart', victim], 240_000);
      if (restarted.code !== 0) throw new Error(`kubelab lab restart ${victim}: ${restarted.stderr}`);
      await eventually(async () => {
        const node = await client.get<Node>('nodes', undefined, victim);
        return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      }, 180_000);
    }
  } finally {
    client.close();
    await lab.down();
  }
  return result;
}

export function formatLabFailover(r: LabFailoverBench): string {
  const s = (values: number[]) => `${(median(values) / 1000).toFixed(1)} s (${values.map((v) => (v / 1000).toFixed(1)).join(', ')})`;
  return [
    `control-plane failover on a lab with ${SERVERS} servers, ${r.rounds.length} kills of the ${LEASE} leader's host, medians (each round):`,
    `  new Lease holder after              ${s(r.rounds.map((x) => x.newHolderMs))}`,
    `  first write through the lab's API after ${s(r.rounds.map((x) => x.firstWriteMs))}, attempts from ${s(r.rounds.map((x) => x.killedMs))} (the kill done)`,
    `  killed ${r.rounds.map((x) => `${x.killed} -> ${x.newHolder}`).join(', ')}; failed writes before the first 201: ${r.rounds.map((x) => x.failedWrites).join(', ')}`,
  ].join('\n');
}
