import assert from 'node:assert/strict';
import { DEFAULT_LISTEN, KUBELET_DEFAULTS, NETWORK_DEFAULTS, NODE_LIFECYCLE_DEFAULTS, PORTS } from '../../daemon/config.js';
import { parsePortRange } from '../../lib/net/ip-allocator.js';
import { cidrsOverlap, mustParseIpv4Cidr } from '../../lib/net/ipv4.js';

// The defaults depend on each other; these are the relations their comments promise.
describe('daemon defaults (daemon/config.ts)', () => {
  it('the cluster CIDR and the service CIDR are valid and do not overlap', () => {
    assert.equal(cidrsOverlap(mustParseIpv4Cidr(NETWORK_DEFAULTS.clusterCidr), mustParseIpv4Cidr(NETWORK_DEFAULTS.serviceCidr)), false);
  });

  it('the node port range is valid and above every port a node listens on itself', () => {
    const { base } = parsePortRange(NETWORK_DEFAULTS.nodePortRange);
    for (const port of Object.values(PORTS)) assert.ok(port < base, `${port} < ${base}`);
  });

  it('a node may miss several heartbeats before it is declared unreachable', () => {
    assert.ok(NODE_LIFECYCLE_DEFAULTS.nodeMonitorGracePeriodMs >= 3 * KUBELET_DEFAULTS.heartbeatIntervalMs);
    assert.ok(NODE_LIFECYCLE_DEFAULTS.podEvictionTimeoutMs > NODE_LIFECYCLE_DEFAULTS.nodeMonitorGracePeriodMs);
  });

  it('the restart back-off grows to its cap, and is forgotten only after a run longer than the cap', () => {
    const { initialMs, maxMs, resetAfterMs } = KUBELET_DEFAULTS.backoff;
    assert.ok(initialMs < maxMs && maxMs < resetAfterMs);
  });

  it('the server listens on loopback at the API port by default', () => {
    assert.equal(DEFAULT_LISTEN, `127.0.0.1:${PORTS.api}`);
  });
});
