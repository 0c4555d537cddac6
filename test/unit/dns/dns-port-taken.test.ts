import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { startClusterDns } from '../../../daemon/cluster-dns.js';
import { LocalClient } from '../../../daemon/api/local-client.js';
import { ResourceRegistry } from '../../../daemon/api/resource-registry.js';
import { buildNodeStatus } from '../../../daemon/kubelet/node-status.js';
import { NedbObjectStore } from '../../../daemon/store/nedb-store.js';
import { ManualClock } from '../../../lib/clock.js';

const info = { cpus: 2, memoryBytes: 2 ** 30, architecture: 'x86_64', operatingSystem: 'linux', osImage: 'Debian', kernelVersion: '6.1', runtimeVersion: 'docker://24' };

describe('cluster DNS without its port: the node says so', () => {
  it('a readiness problem makes the Ready condition False with the reason in its message', () => {
    const status = buildNodeStatus(info as never, undefined, new Date('2026-01-01T00:00:00Z'), 'n1', '10.0.0.1', undefined, { reason: 'ClusterDNSUnavailable', message: 'port 53 is taken' });
    const ready = status.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'KubeletNotReady', 'ClusterDNSUnavailable: port 53 is taken']);
    const healthy = buildNodeStatus(info as never, status, new Date('2026-01-01T00:00:10Z'), 'n1', '10.0.0.1');
    const readyAgain = healthy.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([readyAgain.status, readyAgain.lastTransitionTime], ['True', '2026-01-01T00:00:10Z']);
  });

  it('reports the taken port as a problem, retries every 10 s, and clears it once the port is free', async () => {
    const store = new NedbObjectStore({});
    await store.open();
    const registry = new ResourceRegistry({ store });
    await registry.ensureSystemNamespaces();
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind({ address: '127.0.0.1', port: 0 }, () => resolve()));
    const port = holder.address().port;
    const clock = new ManualClock();
    const abort = new AbortController();
    const dns = await startClusterDns({ client: new LocalClient(registry), host: '127.0.0.1', port, upstreamResolvConf: '/nonexistent', clock });
    const running = dns.run(abort.signal);
    try {
      assert.equal(dns.problem()?.reason, 'ClusterDNSUnavailable');
      assert.match(dns.problem()!.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} .*EADDRINUSE.*tries again every 10 s`));
      assert.deepEqual(dns.config.servers, ['127.0.0.1']);
      await new Promise<void>((resolve) => holder.close(() => resolve()));
      // Each retry binds real sockets: give it real time too (a loaded machine was slower than 50 fake ticks).
      for (let i = 0; i < 100 && dns.problem(); i++) {
        await clock.advance(10_000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(dns.problem(), undefined);
    } finally {
      abort.abort();
      await running;
      await store.close();
    }
  });
});
