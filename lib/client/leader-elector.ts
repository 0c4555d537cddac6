// Leader election on a Lease: client-go's tools/leaderelection, for the scheduler and the
// controller manager when several servers run them.
//
// Every server runs a scheduler and a controller manager, but only one of each may act: two
// schedulers would bind the same pod twice, two ReplicaSet controllers would each create the
// missing pod. So each candidate races for one Lease (`kube-system/kube-scheduler`,
// `kube-system/kube-controller-manager`): whoever writes its name into spec.holderIdentity
// first, through an update guarded by the Lease's resourceVersion, leads; the store's
// compare-and-swap makes sure only one write wins.
//
// The holder renews the Lease every retry period (2 s). The others keep reading it and wait: a
// Lease is free once its holder has not renewed it for leaseDurationSeconds (15 s), counted on
// the waiting candidate's own clock from when it last SAW the record change, never from the
// renewTime inside it, so two machines with skewed clocks still agree. A leader that cannot
// renew for renewDeadline (10 s) stops acting: it gives up before anyone may take over (15 s),
// which is why the renew deadline must be shorter than the lease. One that finds another holder
// in the Lease stops at once. A leader that shuts down cleanly releases the Lease (empty holder,
// 1 s duration), so its successor need not wait.

import { microTime, type Lease, type LeaseSpec } from '../api/coordination-types.js';
import type { Clock } from '../clock.js';
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ApiClient } from './api-client.js';

export interface LeaderElectionTimings {
  /** How long a candidate waits after the last change it saw before it takes the Lease over. */
  leaseDurationMs: number;
  /** How long a leader keeps acting while its renewals fail. Shorter than the lease duration. */
  renewDeadlineMs: number;
  /** How often a candidate tries to acquire, and a leader renews. */
  retryPeriodMs: number;
}

/** kube-scheduler's and kube-controller-manager's defaults (--leader-elect-lease-duration etc.). */
export const LEADER_ELECTION_DEFAULTS: LeaderElectionTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export const LEASES_RESOURCE = 'leases.coordination.k8s.io';

/** What a candidate does about a Lease it has just read (or found missing). */
export type LeaseClaim =
  | { action: 'create' | 'update'; spec: LeaseSpec }
  | { action: 'wait'; holder: string };

/**
 * client-go's tryAcquireOrRenew as a pure decision. `observedAtMs` is when this candidate last
 * saw the record change (its own clock); `now` is its clock now.
 */
export function planLeaseClaim(current: LeaseSpec | undefined, identity: string, now: Date, observedAtMs: number, leaseDurationMs: number): LeaseClaim {
  const stamp = microTime(now);
  const leaseDurationSeconds = Math.ceil(leaseDurationMs / 1000);
  if (current === undefined) {
    return { action: 'create', spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 } };
  }
  const holder = current.holderIdentity ?? '';
  const heldMs = (current.leaseDurationSeconds ?? 0) * 1000;
  // Someone else holds it and has renewed within its duration, as far as we have seen: wait.
  if (holder !== '' && holder !== identity && observedAtMs + heldMs > now.getTime()) return { action: 'wait', holder };
  if (holder === identity) {
    return { action: 'update', spec: { ...current, leaseDurationSeconds, renewTime: stamp } };
  }
  // Free (released, or its holder stopped renewing): take it over, counting the transition.
  return {
    action: 'update',
    spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: (current.leaseTransitions ?? 0) + 1 },
  };
}

export interface LeaderElectorOptions {
  client: ApiClient;
  clock: Clock;
  namespace: string;
  name: string;
  /** Who this candidate is: `<node name>_<id>`, so `kubectl get lease -n kube-system` shows the leading host. */
  identity: string;
  timings?: LeaderElectionTimings;
  log?: Logger;
}

/** What the last attempt found: acquired/renewed, or someone else holds it, or the API failed. */
type Attempt = { ok: true } | { ok: false; holder?: string };

export class LeaderElector {
  private readonly timings: LeaderElectionTimings;
  /** The record as last read and when (this clock) it last changed: the basis of "has it expired?". */
  private observed: { spec: LeaseSpec | undefined; atMs: number } = { spec: undefined, atMs: 0 };
  private leading = false;

  constructor(private readonly options: LeaderElectorOptions) {
    this.timings = options.timings ?? LEADER_ELECTION_DEFAULTS;
    if (this.timings.renewDeadlineMs >= this.timings.leaseDurationMs) {
      throw new Error(`leader election: the renew deadline (${this.timings.renewDeadlineMs} ms) must be shorter than the lease duration (${this.timings.leaseDurationMs} ms)`);
    }
  }

  get identity(): string {
    return this.options.identity;
  }

  /** Whether this candidate holds the Lease now. */
  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Until `signal` aborts: acquires the Lease, runs `lead` with a signal that aborts the moment
   * leadership is lost, and starts over. On abort it stops `lead` and releases the Lease.
   */
  async run(signal: AbortSignal, lead: (signal: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      if (!(await this.acquire(signal))) break;
      const term = new AbortController();
      this.leading = true;
      this.options.log?.info(`became leader of ${this.leaseName()}`, { identity: this.identity });
      const work = lead(term.signal).catch((err: unknown) => this.options.log?.error(`the leader of ${this.leaseName()} stopped with an error`, { err }));
      await this.renewUntilLost(signal);
      this.leading = false;
      term.abort();
      await work;
      if (signal.aborted) {
        await this.release();
        break;
      }
      this.options.log?.warn(`lost the lease ${this.leaseName()}: stopped acting`, { identity: this.identity });
    }
  }

  /** Tries every retry period until the Lease is ours; false when `signal` aborted first. */
  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if ((await this.tryAcquireOrRenew()).ok) return true;
      await this.options.clock.sleep(jittered(this.timings.retryPeriodMs), signal);
    }
    return false;
  }

  /** Renews every retry period; returns when another holder shows up, renewals failed for the renew deadline, or `signal` aborted. */
  private async renewUntilLost(signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    let renewedAtMs = clock.now().getTime();
    while (!signal.aborted) {
      await clock.sleep(this.timings.retryPeriodMs, signal);
      if (signal.aborted) return;
      const attempt = await this.tryAcquireOrRenew();
      if (attempt.ok) {
        renewedAtMs = clock.now().getTime();
        continue;
      }
      if (attempt.holder !== undefined) return; // someone else holds it: stop at once
      if (clock.now().getTime() - renewedAtMs >= this.timings.renewDeadlineMs) return;
    }
  }

  private async tryAcquireOrRenew(): Promise<Attempt> {
    const { client, clock, namespace, name } = this.options;
    let current: Lease | undefined;
    try {
      current = await client.get<Lease>(LEASES_RESOURCE, namespace, name);
    } catch (err) {
      if (!isNotFound(err)) return this.failed(err);
    }
    const spec = current?.spec ?? (current ? {} : undefined);
    const now = clock.now();
    if (JSON.stringify(spec) !== JSON.stringify(this.observed.spec)) this.observed = { spec, atMs: now.getTime() };
    const claim = planLeaseClaim(spec, this.identity, now, this.observed.atMs, this.timings.leaseDurationMs);
    if (claim.action === 'wait') return { ok: false, holder: claim.holder };
    try {
      const written =
        claim.action === 'create'
          ? await client.create<Lease>(LEASES_RESOURCE, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: claim.spec })
          : await client.update<Lease>(LEASES_RESOURCE, { ...current!, spec: claim.spec });
      this.observed = { spec: written.spec, atMs: clock.now().getTime() };
      return { ok: true };
    } catch (err) {
      // Another candidate wrote first: it holds the Lease now (we will read its record next time).
      if (isConflict(err) || isAlreadyExists(err)) return { ok: false, holder: '' };
      return this.failed(err);
    }
  }

  private failed(err: unknown): Attempt {
    this.options.log?.warn(`leader election on ${this.leaseName()}: ${errorMessage(err)}`);
    return { ok: false };
  }

  /** Gives the Lease up on a clean stop, so a successor takes over without waiting it out. */
  private async release(): Promise<void> {
    const { client, clock, namespace, name } = this.options;
    try {
      const current = await client.get<Lease>(LEASES_RESOURCE, namespace, name);
      if (current.spec?.holderIdentity !== this.identity) return;
      const stamp = microTime(clock.now());
      await client.update<Lease>(LEASES_RESOURCE, { ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: stamp, acquireTime: stamp } });
    } catch (err) {
      this.options.log?.warn(`could not release ${this.leaseName()}: ${errorMessage(err)}`);
    }
  }

  private leaseName(): string {
    return `${this.options.namespace}/${this.options.name}`;
  }
}

/** client-go waits retryPeriod × (1 + up to 1.2) between acquire attempts, so candidates do not retry in lockstep. */
function jittered(ms: number): number {
  return ms * (1 + Math.random() * 1.2);
}
