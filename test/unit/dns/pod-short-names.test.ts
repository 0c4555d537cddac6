import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../../lib/api/types.js';
import { newQuery, RCODE } from '../../../network/dns/dns-packet.js';
import { answerQuery } from '../../../network/dns/dns-server.js';
import { buildRecords, podShortNames, type RecordLookup } from '../../../network/dns/record-index.js';

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

  it('answers the short form; other names outside the cluster domain stay REFUSED', () => {
    const lookup: RecordLookup = { domain: 'cluster.local', lookup: (name) => records.get(name), lookupPodShortName: (name) => short.get(name.toLowerCase()) };
    const answer = answerQuery(newQuery(1, 'web-1.web'), lookup);
    assert.equal(answer.rcode, RCODE.NOERROR);
    assert.deepEqual(answer.answers.map((a) => [a.name, a.address]), [['web-1.web', '10.244.1.6']]);
    assert.equal(answerQuery(newQuery(2, 'db-0.db'), lookup).rcode, RCODE.REFUSED);
    assert.equal(answerQuery(newQuery(3, 'example.org'), lookup).rcode, RCODE.REFUSED);
  });
});
