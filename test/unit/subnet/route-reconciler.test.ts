import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import type { Peer, Route } from '../../../network/subnet/plan-routes.js';
import { RouteReconciler } from '../../../network/subnet/route-reconciler.js';
import type { RouteTable } from '../../../network/subnet/route-table.js';

/** A routing table in memory that records every call and can fail on demand. */
class FakeRouteTable implements RouteTable {
  routes: Route[] = [];
  calls: string[] = [];
  failNextList?: Error;

  async list(): Promise<Route[]> {
    this.calls.push('list');
    if (this.failNextList) {
      const error = this.failNextList;
      this.failNextList = undefined;
      throw error;
    }
    return this.routes.map((r) => ({ ...r }));
  }
  async add(route: Route): Promise<void> {
    this.calls.push(`add ${route.destination} via ${route.via}`);
    this.routes = [...this.routes.filter((r) => r.destination !== route.destination), route];
  }
  async remove(route: Route): Promise<void> {
    this.calls.push(`remove ${route.destination} via ${route.via}`);
    this.routes = this.routes.filter((r) => !(r.destination === route.destination && r.via === route.via));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
async function untilParked(clock: ManualClock): Promise<void> {
  for (let i = 0; i < 100 && clock.waiting === 0; i++) await settle();
  assert.equal(clock.waiting, 1, 'the reconciler should be waiting for its next resync');
}

describe('RouteReconciler', () => {
  let table: FakeRouteTable;
  let peers: Peer[];
  let clock: ManualClock;
  let errors: unknown[];
  let reconciler: RouteReconciler;

  beforeEach(() => {
    table = new FakeRouteTable();
    table.routes = [{ destination: 'default', via: '192.168.0.254' }];
    peers = [{ nodeName: 'n2', nodeIP: '192.168.0.2', podSubnet: '10.244.1.0/24', alive: true }];
    clock = new ManualClock();
    errors = [];
    reconciler = new RouteReconciler({
      routeTable: table,
      peers: () => peers,
      self: { nodeName: 'n1', podSubnet: '10.244.0.0/24' },
      clusterCidr: '10.244.0.0/16',
      clock,
      onError: (e) => errors.push(e),
    });
  });

  it('reconcileOnce adds a route per live peer and keeps the default route', async () => {
    const plan = await reconciler.reconcileOnce();
    assert.deepEqual(plan.add, [{ destination: '10.244.1.0/24', via: '192.168.0.2' }]);
    assert.deepEqual(table.routes, [
      { destination: 'default', via: '192.168.0.254' },
      { destination: '10.244.1.0/24', via: '192.168.0.2' },
    ]);
  });

  it('a second pass with nothing changed touches nothing', async () => {
    await reconciler.reconcileOnce();
    table.calls = [];
    await reconciler.reconcileOnce();
    assert.deepEqual(table.calls, ['list']);
  });

  it('removes the old route before adding the new one when a peer moves', async () => {
    await reconciler.reconcileOnce();
    peers = [{ ...peers[0], nodeIP: '192.168.0.20' }];
    table.calls = [];
    await reconciler.reconcileOnce();
    assert.deepEqual(table.calls, ['list', 'remove 10.244.1.0/24 via 192.168.0.2', 'add 10.244.1.0/24 via 192.168.0.20']);
  });

  it('run: a pass at once, one on request, and one every 10 s; a failed pass is reported and retried', async () => {
    const abort = new AbortController();
    const done = reconciler.run(abort.signal);
    await untilParked(clock);
    assert.deepEqual(table.routes.map((r) => r.destination), ['default', '10.244.1.0/24']);

    // On demand: a new peer appears and someone asks for a pass; no time needs to pass.
    peers = [...peers, { nodeName: 'n3', nodeIP: '192.168.0.3', podSubnet: '10.244.2.0/24', alive: true }];
    reconciler.requestReconcile();
    await settle();
    await untilParked(clock);
    assert.ok(table.routes.some((r) => r.destination === '10.244.2.0/24'));

    // Resync: a route deleted behind our back comes back after 10 s, not before.
    table.routes = table.routes.filter((r) => r.destination !== '10.244.1.0/24');
    await clock.advance(9_999);
    assert.ok(!table.routes.some((r) => r.destination === '10.244.1.0/24'));
    await clock.advance(1);
    await untilParked(clock);
    assert.ok(table.routes.some((r) => r.destination === '10.244.1.0/24'));

    // A failing pass does not end the loop.
    table.failNextList = new Error('netlink: busy');
    await clock.advance(10_000);
    await untilParked(clock);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /netlink: busy/);

    abort.abort();
    await done;
    assert.equal(clock.waiting, 0);
  });
});
