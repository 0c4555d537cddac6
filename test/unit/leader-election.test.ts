// covers: Lease spec.holderIdentity, spec.leaseDurationSeconds, spec.acquireTime, spec.renewTime, spec.leaseTransitions
// Leader election on a Lease: the pure claim decision as a table, then candidates racing on the
// real API in memory (LocalClient → registry → store) with a manual clock.

import assert from 'node:assert/strict';
import type { Lease, LeaseSpec } from '../../lib/api/coordination-types.js';
import { LEASES_RESOURCE, LeaderElector, planLeaseClaim, type LeaderElectionTimings } from '../../lib/client/leader-elector.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import { ManualClock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { validateObject } from '../../lib/api/validation.js';
import { newTestCluster, type TestCluster } from '../helpers/test-cluster.js';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const STAMP = '2026-12-02T12:00:00.000000Z';

describe('planLeaseClaim (client-go tryAcquireOrRenew)', () => {
  const held = (holder: string, extra: Partial<LeaseSpec> = {}): LeaseSpec => ({ holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: 'a', renewTime: 'r', leaseTransitions: 2, ...extra });
  const cases: { name: string; current: LeaseSpec | undefined; observedAgoMs: number; want: ReturnType<typeof planLeaseClaim> }[] = [
    {
      name: 'no Lease yet: create it, holding it',
      current: undefined,
      observedAgoMs: 0,
      want: { action: 'create', spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: STAMP, renewTime: STAMP, leaseTransitions: 0 } },
    },
    { name: 'held by another, seen changing 14 s ago: wait', current: held('other'), observedAgoMs: 14_000, want: { action: 'wait', holder: 'other' } },
    {
      name: 'held by another, unchanged for 15 s: take it over, one more transition',
      current: held('other'),
      observedAgoMs: 15_000,
      want: { action: 'update', spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: STAMP, renewTime: STAMP, leaseTransitions: 3 } },
    },
    {
      name: 'held by me: renew, keeping the acquire time and the count',
      current: held('me'),
      observedAgoMs: 2_000,
      want: { action: 'update', spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: 'a', renewTime: STAMP, leaseTransitions: 2 } },
    },
    {
      name: 'released (empty holder): take it at once',
      current: held('', { leaseDurationSeconds: 1 }),
      observedAgoMs: 0,
      want: { action: 'update', spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: STAMP, renewTime: STAMP, leaseTransitions: 3 } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(planLeaseClaim(c.current, 'me', NOW, NOW.getTime() - c.observedAgoMs, 15_000), c.want);
    });
  }
});

describe('Lease validation', () => {
  const lease = (spec: LeaseSpec) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'default' }, spec });
  it('refuses a duration that is not positive and a negative transition count', () => {
    const errors = validateObject(LEASES_RESOURCE, lease({ leaseDurationSeconds: 0, leaseTransitions: -1 }));
    assert.deepEqual(errors.map((e) => `${e.field}: ${e.message}`), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0', 'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0']);
  });
  it('accepts a holder with a MicroTime renewTime', () => {
    assert.deepEqual(validateObject(LEASES_RESOURCE, lease({ holderIdentity: 'node1_x', leaseDurationSeconds: 15, renewTime: STAMP })), []);
  });
});

describe('LeaderElector', () => {
  const TIMINGS: LeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
  let cluster: TestCluster;
  let clock: ManualClock;
  const stops: AbortController[] = [];
  const runs: Promise<void>[] = [];

  beforeEach(async () => {
    clock = new ManualClock('2026-12-02T12:00:00Z');
    cluster = await newTestCluster(() => clock.now());
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) stop.abort();
    await Promise.all(runs.splice(0));
    await cluster.close();
  });

  /** A candidate whose `lead` records when it starts and stops acting. */
  function candidate(identity: string, client: ApiClient = cluster.client) {
    const elector = new LeaderElector({ client, clock, namespace: 'kube-system', name: 'kube-scheduler', identity, timings: TIMINGS });
    const state = { acting: false, terms: 0 };
    const stop = new AbortController();
    stops.push(stop);
    runs.push(
      elector.run(stop.signal, async (signal) => {
        state.acting = true;
        state.terms += 1;
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        state.acting = false;
      }),
    );
    return { elector, state, stop };
  }
  const holder = async () => (await cluster.client.get<Lease>(LEASES_RESOURCE, 'kube-system', 'kube-scheduler')).spec?.holderIdentity;
  /** Advances the clock in retry-period steps (letting each attempt's API calls finish) until `check` holds. */
  async function advanceUntil(check: () => boolean | Promise<boolean>, maxMs: number): Promise<number> {
    for (let elapsed = 0; elapsed <= maxMs; elapsed += 500) {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
      if (await check()) return elapsed;
      await clock.advance(500);
    }
    throw new Error(`not within ${maxMs} ms of clock time`);
  }

  it('one of two candidates leads; the other waits and never acts at the same time', async () => {
    const a = candidate('node1_a');
    await advanceUntil(() => a.state.acting, 1_000);
    const b = candidate('node2_b');
    for (let i = 0; i < 20; i++) {
      await clock.advance(1_000);
      assert.equal(b.state.acting, false, 'b acted while a renews its lease');
    }
    assert.equal(await holder(), 'node1_a');
    assert.equal(a.elector.isLeader(), true);
  });

  it('a leader that stops renewing is replaced once the lease duration has passed, not before', async () => {
    // a's API calls start failing (its host is cut off): it cannot renew.
    let cutOff = false;
    const failing: ApiClient = new Proxy(cluster.client, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => (cutOff ? Promise.reject(new ApiError(503, 'ServiceUnavailable', 'cut off')) : (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
    const a = candidate('node1_a', failing);
    await advanceUntil(() => a.state.acting, 1_000);
    const b = candidate('node2_b');
    await clock.advance(4_000);
    cutOff = true;
    const stoppedAfter = await advanceUntil(() => !a.state.acting, 12_000);
    assert.ok(stoppedAfter >= 8_000 && stoppedAfter <= 12_000, `a stopped acting ${stoppedAfter} ms after it was cut off (renew deadline 10 s)`);
    await advanceUntil(() => b.state.acting, 10_000);
    const lease = await cluster.client.get<Lease>(LEASES_RESOURCE, 'kube-system', 'kube-scheduler');
    assert.equal(lease.spec?.holderIdentity, 'node2_b');
    assert.equal(lease.spec?.leaseTransitions, 1);
  });

  it('a leader that finds another holder in the Lease stops acting at once', async () => {
    const a = candidate('node1_a');
    await advanceUntil(() => a.state.acting, 1_000);
    const lease = await cluster.client.get<Lease>(LEASES_RESOURCE, 'kube-system', 'kube-scheduler');
    await cluster.client.update(LEASES_RESOURCE, { ...lease, spec: { ...lease.spec, holderIdentity: 'node3_c' } });
    const stoppedAfter = await advanceUntil(() => !a.state.acting, 3_000);
    assert.ok(stoppedAfter <= 2_500, `stopped ${stoppedAfter} ms later`);
  });

  it('a leader that stops cleanly releases the Lease, and the next candidate takes it within a retry period', async () => {
    const a = candidate('node1_a');
    await advanceUntil(() => a.state.acting, 1_000);
    const b = candidate('node2_b');
    await clock.advance(2_000);
    a.stop.abort();
    await runs[0];
    assert.equal(await holder(), '');
    const tookOver = await advanceUntil(() => b.state.acting, 6_000);
    assert.ok(tookOver <= 4_500, `b took over ${tookOver} ms after the release (retry period 2 s, jittered up to 2.2x)`);
  });

  it('the same identity after a crash renews its own Lease at once', async () => {
    const first = candidate('node1_a');
    await advanceUntil(() => first.state.acting, 1_000);
    // A crash: the run stops without releasing (the process is gone); simulate by a second elector with the same identity.
    const again = candidate('node1_a');
    await advanceUntil(() => again.state.acting, 2_500);
  });
});
