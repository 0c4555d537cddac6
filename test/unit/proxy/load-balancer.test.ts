// covers: Service spec.sessionAffinityConfig.clientIP.timeoutSeconds

import assert from 'node:assert/strict';
import type { Endpoints } from '../../../lib/api/types.js';
import { ManualClock } from '../../../lib/clock.js';
import { endpointsByServicePort, RoundRobinLoadBalancer, servicePortName } from '../../../network/proxy/load-balancer.js';

function newEndpoints(name: string, ips: string[], port = 3000, portName = '', notReady: string[] = []): Endpoints {
  return {
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: [{ name: portName || undefined, port }] }],
  };
}

const WEB = servicePortName('default', 'web');

describe('RoundRobinLoadBalancer', () => {
  it('takes the ready endpoints in turn, never the not-ready ones', () => {
    const lb = new RoundRobinLoadBalancer(new ManualClock());
    lb.onServiceUpdate(WEB, { type: 'None', timeoutSeconds: 10800 });
    lb.onEndpointsUpdate([newEndpoints('web', ['10.0.0.1', '10.0.0.2', '10.0.0.3'], 3000, '', ['10.0.0.9'])]);
    const picks = Array.from({ length: 6 }, () => lb.nextEndpoint(WEB, '192.0.2.1'));
    assert.deepEqual(picks, ['10.0.0.1:3000', '10.0.0.2:3000', '10.0.0.3:3000', '10.0.0.1:3000', '10.0.0.2:3000', '10.0.0.3:3000']);
  });

  it('no endpoints, unknown service: undefined', () => {
    const lb = new RoundRobinLoadBalancer(new ManualClock());
    lb.onServiceUpdate(WEB, { type: 'None', timeoutSeconds: 10800 });
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.1'), undefined);
    assert.equal(lb.nextEndpoint('default/nope:', '192.0.2.1'), undefined);
  });

  it('ClientIP affinity sticks until the timeout, a reset, or the endpoint going away', async () => {
    const clock = new ManualClock();
    const lb = new RoundRobinLoadBalancer(clock);
    lb.onServiceUpdate(WEB, { type: 'ClientIP', timeoutSeconds: 60 });
    lb.onEndpointsUpdate([newEndpoints('web', ['10.0.0.1', '10.0.0.2'])]);
    const first = lb.nextEndpoint(WEB, '192.0.2.1');
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.2'), '10.0.0.2:3000'); // another client moves the index
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.1'), first);
    await clock.advance(59_000);
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.1'), first); // used again: the timer starts over
    await clock.advance(59_000);
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.1'), first);
    // A failed dial asks for another endpoint, and sticks to that one.
    const other = lb.nextEndpoint(WEB, '192.0.2.1', true);
    assert.notEqual(other, first);
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.1'), other);
    // Idle past the timeout: cleaned up, round robin again.
    await clock.advance(60_000);
    lb.cleanupStaleStickySessions(WEB);
    lb.onEndpointsUpdate([newEndpoints('web', ['10.0.0.3'])]);
    assert.equal(lb.nextEndpoint(WEB, '192.0.2.1'), '10.0.0.3:3000');
  });

  it('a removed service forgets its endpoints; endpoints arriving first wait for their service', () => {
    const lb = new RoundRobinLoadBalancer(new ManualClock());
    lb.onEndpointsUpdate([newEndpoints('web', ['10.0.0.1'])]);
    lb.onServiceUpdate(WEB, { type: 'None', timeoutSeconds: 10800 });
    assert.equal(lb.nextEndpoint(WEB, 'c'), '10.0.0.1:3000');
    lb.onServiceUpdate(WEB, undefined);
    assert.equal(lb.nextEndpoint(WEB, 'c'), undefined);
  });

  it('endpointsByServicePort pairs service port names with endpoint ports', () => {
    const endpoints: Endpoints = {
      metadata: { name: 'web', namespace: 'prod' },
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'http', port: 3000 }, { name: 'metrics', port: 9100 }] },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 8080 }] },
      ],
    };
    assert.deepEqual(Object.fromEntries(endpointsByServicePort(endpoints)), {
      'prod/web:http': ['10.0.0.1:3000', '10.0.0.2:8080'],
      'prod/web:metrics': ['10.0.0.1:9100'],
    });
  });
});
