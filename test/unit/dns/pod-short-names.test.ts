import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../../lib/api/types.js';
import { newQuery, RCODE, TYPE_A } from '../../../network/dns/dns-packet.js';
import { planAnswer } from '../../../network/dns/plan-answer.js';
import type { ClusterZone } from '../../../network/dns/cluster-zone.js';
import { buildRecords, podShortNames } from '../../../network/dns/record-index.js';

// Per-pod names of a headless Service (a StatefulSet's web-0.web) in their short form: busybox's
// nslookup sends `web-1.web` without applying the pod's search list.

const headless = (name: string, namespace: string): Service => ({ metadata: { name, namespace }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
const endpoints = (name: string, namespace: string, addresses: { ip: string; hostname?: string }[]): Endpoints => ({ metadata: { name, namespace }, subsets: [{ addresses, ports: [{ port: 80 }] }] });

describe('short per-pod names (web-1.web)', () => {
  const { records } = buildRecords(
    [headless('web', 'default'), headless('db', 'default'), headless('db', 'other')],
    [
      endpoints('web', 'default', [{ ip: '10.244.1.5', hostname: 'web-0' }, { ip: '10.244.1.6', hostname: 'web-1' }]),
      endpoints('db', 'default', [{ ip: '10.244.1.7', hostname: 'db-0' }]),
      endpoints('db', 'other', [{ ip: '10.244.1.8', hostname: 'db-0' }]),
    ],
  );
  const short = podShortNames(records);

  it('maps HOSTNAME.SUBDOMAIN to the pod when one namespace has it, and leaves out names two namespaces share', () => {
    assert.deepEqual(Object.fromEntries(short), { 'web-0.web': ['10.244.1.5'], 'web-1.web': ['10.244.1.6'] });
  });

  it('answers the short form; other names outside the cluster domain are forwarded', () => {
    const zone: ClusterZone = {
      domain: 'cluster.local',
      serial: 1,
      recordsOf: () => undefined,
      shortNameRecords: (name) => short.get(name.toLowerCase())?.map((address) => ({ type: TYPE_A, address })),
    };
    const plan = planAnswer(newQuery(1, 'web-1.web'), zone);
    assert.equal(plan.kind, 'answer');
    if (plan.kind !== 'answer') return;
    assert.equal(plan.message.rcode, RCODE.NOERROR);
    assert.deepEqual(plan.message.answers.map((a) => [a.name, a.address]), [['web-1.web', '10.244.1.6']]);
    assert.equal(planAnswer(newQuery(2, 'db-0.db'), zone).kind, 'forward');
    assert.equal(planAnswer(newQuery(3, 'example.org'), zone).kind, 'forward');
  });
});
