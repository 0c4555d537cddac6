// This API server's identity Lease and the lease endpoint reconciler: the thin, acting half of
// plan-apiserver-endpoints.ts (which explains the idea).
//
// Every renew interval (2/3 of the lease duration: 10 s of 15 s, Kubernetes' own figures) one
// pass, reconcileOnce:
//   1. renew `kube-system/kube-apiserver-<id>` (create it at first), with this server's address;
//   2. list the identity Leases and make `default/kubernetes` Endpoints list the live ones;
//   3. delete Leases dead for longer than a lease duration past their expiry.
// Every step is a guarded write: a 409 from a race with another server is left for the next pass.
// A clean stop deletes this server's Lease and writes the Endpoints without it, so clients stop
// dialling it at once instead of after the lease expires (kube-apiserver's RemoveEndpoints).

import { LEASES_RESOURCE } from '../../lib/client/leader-elector.js';
import type { Lease } from '../../lib/api/coordination-types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Clock } from '../../lib/clock.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { ensureKubernetesEndpoints } from './kubernetes-service.js';
import {
  APISERVER_ADDRESS_ANNOTATION,
  findNodeNameClash,
  APISERVER_IDENTITY_LABEL,
  APISERVER_IDENTITY_VALUE,
  APISERVER_LEASE_NAMESPACE,
  apiserverLeaseName,
  planApiserverEndpoints,
  planExpiredApiserverLeases,
  planIdentityLease,
} from './plan-apiserver-endpoints.js';

/** Kubernetes' figures: the endpoint reconciler's master lease TTL 15 s, renewed every 10 s. */
export const APISERVER_LEASE_DEFAULTS = { leaseDurationMs: 15_000 };

export interface ApiserverIdentityOptions {
  client: ApiClient;
  clock: Clock;
  /** The server's instance id (server-instance-id.ts). */
  id: string;
  nodeName: string;
  /** `IP:PORT` where this server answers (what the kubernetes Endpoints list for it). */
  address: string;
  /** --apiserver-lease-duration: a server not renewed for this long leaves the Endpoints. */
  leaseDurationMs?: number;
  log: Logger;
}

const isRace = (err: unknown) => isConflict(err) || isAlreadyExists(err) || isNotFound(err);

export class ApiserverIdentity {
  private readonly leaseDurationMs: number;

  constructor(private readonly options: ApiserverIdentityOptions) {
    this.leaseDurationMs = options.leaseDurationMs ?? APISERVER_LEASE_DEFAULTS.leaseDurationMs;
  }

  get renewIntervalMs(): number {
    return Math.max(100, Math.round((this.leaseDurationMs * 2) / 3));
  }

  /** One pass: renew, reconcile the Endpoints, collect dead Leases. Races are left for the next pass. */
  async reconcileOnce(): Promise<void> {
    const { client, clock } = this.options;
    const name = apiserverLeaseName(this.options.id);
    const current = await client.get<Lease>(LEASES_RESOURCE, APISERVER_LEASE_NAMESPACE, name).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    const wanted = planIdentityLease(current, {
      id: this.options.id,
      nodeName: this.options.nodeName,
      address: this.options.address,
      leaseDurationSeconds: Math.max(1, Math.round(this.leaseDurationMs / 1000)),
      now: clock.now(),
    });
    await (current ? client.update<Lease>(LEASES_RESOURCE, wanted) : client.create<Lease>(LEASES_RESOURCE, wanted)).catch(ignoreRace);
    await this.reconcileEndpoints();
  }

  private async reconcileEndpoints(exceptOwn = false): Promise<void> {
    const { client, clock } = this.options;
    const own = apiserverLeaseName(this.options.id);
    const leases = (await client.list<Lease>(LEASES_RESOURCE, { namespace: APISERVER_LEASE_NAMESPACE, labelSelector: `${APISERVER_IDENTITY_LABEL}=${APISERVER_IDENTITY_VALUE}` })).items.filter(
      (lease) => !exceptOwn || lease.metadata.name !== own,
    );
    const nowMs = clock.now().getTime();
    await ensureKubernetesEndpoints(client, planApiserverEndpoints(leases, nowMs)).catch(ignoreRace);
    for (const dead of planExpiredApiserverLeases(leases, nowMs, this.leaseDurationMs)) {
      await client.delete(LEASES_RESOURCE, APISERVER_LEASE_NAMESPACE, dead).catch(ignoreRace);
      this.options.log.info(`the API server of Lease ${APISERVER_LEASE_NAMESPACE}/${dead} has not renewed it for two lease durations: deleted it`);
    }
  }

  /** Renews every renew interval until `signal` aborts; then takes this server out (lease and Endpoints). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.reconcileOnce().catch((err: unknown) => this.options.log.warn('renewing this API server\'s identity Lease', { err }));
      await this.options.clock.sleep(this.renewIntervalMs, signal);
    }
  }

  /** A clean stop: this server's Lease goes, and the Endpoints are written without it. */
  async withdraw(): Promise<void> {
    const { client } = this.options;
    await client.delete(LEASES_RESOURCE, APISERVER_LEASE_NAMESPACE, apiserverLeaseName(this.options.id)).catch(ignoreRace);
    await this.reconcileEndpoints(true);
  }
}

/** Throws when another live server already runs under this node name (findNodeNameClash), saying what to do. */
export async function refuseNodeNameClash(client: ApiClient, clock: Clock, nodeName: string, id: string): Promise<void> {
  const leases = (await client.list<Lease>(LEASES_RESOURCE, { namespace: APISERVER_LEASE_NAMESPACE, labelSelector: `${APISERVER_IDENTITY_LABEL}=${APISERVER_IDENTITY_VALUE}` })).items;
  const clash = findNodeNameClash(leases, nodeName, id, clock.now().getTime());
  if (clash) {
    throw new Error(
      `another API server runs as node ${nodeName} (Lease ${APISERVER_LEASE_NAMESPACE}/${clash.metadata.name}, renewed ${clash.spec?.renewTime}, ` +
        `at ${clash.metadata.annotations?.[APISERVER_ADDRESS_ANNOTATION] ?? 'an unknown address'}): give each server host its own --node-name`,
    );
  }
}

function ignoreRace(err: unknown): void {
  if (!isRace(err)) throw err;
}
