// IpRouteTable against the real kernel, only ever inside a network namespace this test creates
// (and deletes in `after`, also when a test fails): the host's routing table is never touched.
// Needs root (CAP_NET_ADMIN) and iproute2. This kernel has no dummy links, so the next hop lives
// on a veth pair inside the namespace.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { IpRouteTable } from '../../network/subnet/route-table.js';
import { planRoutes } from '../../network/subnet/plan-routes.js';

const run = promisify(execFile);
const clusterCidr = '10.244.0.0/16';

describe('IpRouteTable in a network namespace', function () {
  const netns = `kl-test-${randomBytes(4).toString('hex')}`;
  let created = false;
  let table: IpRouteTable;
  const inNetns = (...args: string[]) => run('ip', ['-n', netns, ...args]);

  before(async () => {
    await run('ip', ['netns', 'add', netns]);
    created = true;
    await inNetns('link', 'add', 'name', 'kl0', 'type', 'veth', 'peer', 'name', 'kl1');
    await inNetns('addr', 'add', '192.168.77.1/24', 'dev', 'kl0');
    for (const link of ['lo', 'kl0', 'kl1']) await inNetns('link', 'set', link, 'up');
    // A default route the plan did not make: it must survive every reconcile.
    await inNetns('route', 'add', 'default', 'via', '192.168.77.254');
    table = new IpRouteTable({ netns, clusterCidr });
  });

  after(async () => {
    if (created) await run('ip', ['netns', 'del', netns]);
  });

  it('lists only routes with a next hop: the default route, not the link route', async () => {
    assert.deepEqual(await table.list(), [{ destination: 'default', via: '192.168.77.254' }]);
  });

  it('adds routes idempotently and reads them back', async () => {
    await table.add({ destination: '10.244.1.0/24', via: '192.168.77.2' });
    await table.add({ destination: '10.244.1.0/24', via: '192.168.77.2' });
    await table.add({ destination: '10.244.2.0/24', via: '192.168.77.3' });
    const routes = await table.list();
    assert.deepEqual(
      routes.filter((r) => r.destination !== 'default'),
      [
        { destination: '10.244.1.0/24', via: '192.168.77.2' },
        { destination: '10.244.2.0/24', via: '192.168.77.3' },
      ],
    );
  });

  it('add replaces the route to the same destination when the next hop changes', async () => {
    await table.add({ destination: '10.244.2.0/24', via: '192.168.77.4' });
    assert.deepEqual((await table.list()).filter((r) => r.destination === '10.244.2.0/24'), [{ destination: '10.244.2.0/24', via: '192.168.77.4' }]);
  });

  it('a plan applied to the kernel removes stale routes and keeps the default route', async () => {
    const plan = planRoutes(
      { nodeName: 'self', podSubnet: '10.244.0.0/24' },
      [{ nodeName: 'n3', nodeIP: '192.168.77.5', podSubnet: '10.244.3.0/24', alive: true }],
      await table.list(),
      clusterCidr,
    );
    for (const route of plan.remove) await table.remove(route);
    for (const route of plan.add) await table.add(route);
    assert.deepEqual(await table.list(), [
      { destination: 'default', via: '192.168.77.254' },
      { destination: '10.244.3.0/24', via: '192.168.77.5' },
    ]);
  });

  it('removing a route that is not there is success', async () => {
    await table.remove({ destination: '10.244.9.0/24', via: '192.168.77.9' });
  });

  it('refuses to touch a route outside the cluster CIDR', async () => {
    await assert.rejects(table.remove({ destination: 'default', via: '192.168.77.254' }), /refusing to change the route to default/);
    await assert.rejects(table.add({ destination: '172.30.0.0/16', via: '192.168.77.2' }), /only routes inside the cluster CIDR 10\.244\.0\.0\/16/);
    assert.ok((await table.list()).some((r) => r.destination === 'default'));
  });
});
