import assert from 'node:assert/strict';
import type { Pod } from '../../lib/api/types.js';
import { podDnsConfig } from '../../daemon/kubelet/pod-dns.js';

const pod = (dnsPolicy?: string): Pod =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [], ...(dnsPolicy ? { dnsPolicy } : {}) } }) as Pod;
const cluster = { servers: ['10.244.0.1'], domain: 'cluster.local' };

describe('podDnsConfig', () => {
  it('ClusterFirst (the default) gets the cluster DNS and the namespace search list', () => {
    assert.deepEqual(podDnsConfig(pod(), cluster), {
      dnsServers: ['10.244.0.1'],
      dnsSearch: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      dnsOptions: ['ndots:5'],
    });
  });
  it('Default keeps the engine resolver', () => {
    assert.deepEqual(podDnsConfig(pod('Default'), cluster), {});
  });
  it('without a running cluster DNS, ClusterFirst falls back to the engine resolver', () => {
    assert.deepEqual(podDnsConfig(pod('ClusterFirst'), undefined), {});
  });
});
