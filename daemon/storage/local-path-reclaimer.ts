// The node half of the local-path provisioner: Delete reclaim (k3s runs a helper pod on the
// volume's node for the same job). Only this node's agent can reach the directories under its
// data dir, so each node watches the volumes and, for a local-path volume of its own that is
// Released with reclaimPolicy Delete, removes the directory and then deletes the volume object
// (its pv-protection finalizer goes at once: a Released volume is not Bound).
// The decision is planLocalPathReclaim's (lib/storage/plan-provisioning.ts), which also refuses
// any directory that is not right under this node's <dataDir>/storage/.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { PersistentVolume } from '../../lib/api/storage-types.js';
import type { ApiClient } from '../../lib/client/api-client.js';
import type { Informer } from '../../lib/client/informer.js';
import type { SharedInformerFactory } from '../../lib/client/shared-informer-factory.js';
import type { Clock } from '../../lib/clock.js';
import { runController } from '../../lib/controller-runtime.js';
import { isNotFound } from '../../lib/errors.js';
import { logger } from '../../lib/logger.js';
import { planLocalPathReclaim } from '../../lib/storage/plan-provisioning.js';
import { WorkQueue } from '../../lib/work-queue.js';
import { CONTROLLER_DEFAULTS } from '../config.js';
import type { EventRecorder } from '../events/event-recorder.js';

export interface LocalPathReclaimerOptions {
  client: ApiClient;
  informers: SharedInformerFactory;
  clock: Clock;
  recorder: EventRecorder;
  /** This node's kubernetes.io/hostname (its node name). */
  hostname: string;
  dataDir: string;
}

export class LocalPathReclaimer {
  readonly queue: WorkQueue;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly refused = new Set<string>();
  private readonly dataDir: string;

  constructor(private readonly options: LocalPathReclaimerOptions) {
    this.dataDir = path.resolve(options.dataDir);
    const log = logger('local-path-reclaimer');
    this.queue = new WorkQueue({ clock: options.clock, onError: (key, err) => log.error(`reclaiming volume ${key}`, { err }) });
    this.volumes = options.informers.informerFor<PersistentVolume>('persistentvolumes');
    const enqueue = (volume: PersistentVolume) => this.queue.add(volume.metadata.name!);
    this.volumes.addEventHandler({ onAdd: enqueue, onUpdate: (_old, volume) => enqueue(volume) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({ informers: [this.volumes], queue: this.queue, reconcile: (name) => this.reconcile(name), resyncMs: CONTROLLER_DEFAULTS.resyncPeriodMs, clock: this.options.clock, signal });
  }

  async reconcile(name: string): Promise<void> {
    let volume: PersistentVolume;
    try {
      volume = await this.options.client.get<PersistentVolume>('persistentvolumes', undefined, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const plan = planLocalPathReclaim(volume, { hostname: this.options.hostname, dataDir: this.dataDir });
    if (plan.action === 'refuse') {
      if (!this.refused.has(volume.metadata.uid ?? name)) this.options.recorder.record(volume, 'Warning', 'VolumeFailedDelete', plan.message);
      this.refused.add(volume.metadata.uid ?? name);
      return;
    }
    if (plan.action !== 'delete') return;
    await fs.rm(plan.directory, { recursive: true, force: true });
    this.options.recorder.record(volume, 'Normal', 'VolumeDeleted', `removed ${plan.directory} on node ${this.options.hostname}`);
    try {
      await this.options.client.delete('persistentvolumes', undefined, name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
