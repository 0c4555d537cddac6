// The storage protection controllers: kube-controller-manager's "pvc-protection" and
// "pv-protection" (pkg/controller/volume/pvcprotection, pvprotection), in one small controller.
//
// Every claim is born with the kubernetes.io/pvc-protection finalizer, every volume with
// kubernetes.io/pv-protection (daemon/api/strategies/storage-strategy.ts). A DELETE therefore
// only marks them Terminating; this controller removes the finalizer when removing the object
// cannot hurt anyone:
// - a claim, once no pod that has not finished uses it (a pod being deleted still uses it: its
//   containers may still be writing). `kubectl delete pvc data` while a pod mounts it returns,
//   and the claim stays Terminating until the pod is gone;
// - a volume, once it is not Bound to a claim.
// Pod events only matter for claims being deleted, so the handler looks only at those.

import type { Pod } from '../../../lib/api/types.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../lib/api/storage-types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { objectKey, splitKey } from '../../../lib/client/object-key.js';
import { isConflict, isNotFound } from '../../../lib/errors.js';
import { podUsesClaim } from '../../../lib/storage/plan-binding.js';
import { PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER } from '../../../lib/storage/storage-names.js';
import { Controller, type ControllerOptions } from '../controller.js';

export const PROTECTION_COMPONENT = 'pvc-protection-controller';

/** Whether the claim's finalizer may go: it is being deleted and no unfinished pod uses it. */
export function claimMayGo(claim: PersistentVolumeClaim, pods: Pod[]): boolean {
  return Boolean(claim.metadata.deletionTimestamp) && (claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER) && !pods.some((pod) => podUsesClaim(pod, claim));
}

/** Whether the volume's finalizer may go: it is being deleted and not Bound. */
export function volumeMayGo(volume: PersistentVolume): boolean {
  return Boolean(volume.metadata.deletionTimestamp) && (volume.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER) && volume.status?.phase !== 'Bound';
}

export class StorageProtectionController extends Controller {
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  private readonly pods: Informer<Pod>;

  constructor(options: ControllerOptions) {
    super(options, { component: PROTECTION_COMPONENT });
    this.claims = this.informers.informerFor<PersistentVolumeClaim>('persistentvolumeclaims');
    this.volumes = this.informers.informerFor<PersistentVolume>('persistentvolumes');
    this.pods = this.informers.informerFor<Pod>('pods');
    const onObject = (obj: PersistentVolumeClaim | PersistentVolume) => {
      if (obj.metadata.deletionTimestamp) this.queue.add(objectKey(obj));
    };
    this.claims.addEventHandler({ onAdd: onObject, onUpdate: (_o, c) => onObject(c) });
    this.volumes.addEventHandler({ onAdd: onObject, onUpdate: (_o, v) => onObject(v) });
    const onPod = (pod: Pod) => {
      for (const volume of pod.spec?.volumes ?? []) {
        const claimName = volume.persistentVolumeClaim?.claimName;
        const claim = claimName && this.claims.get(`${pod.metadata.namespace}/${claimName}`);
        if (claim && claim.metadata.deletionTimestamp) this.queue.add(objectKey(claim));
      }
    };
    this.pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: onPod });
  }

  protected watched(): Informer[] {
    return [this.claims, this.volumes, this.pods];
  }

  protected override resync(): void {
    for (const obj of [...this.claims.list(), ...this.volumes.list()]) if (obj.metadata.deletionTimestamp) this.queue.add(objectKey(obj));
  }

  async reconcile(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const resource = namespace ? 'persistentvolumeclaims' : 'persistentvolumes';
    let obj: PersistentVolumeClaim | PersistentVolume;
    try {
      obj = await this.client.get(resource, namespace, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (namespace) {
      // Kubernetes asks the API, not only its cache, before letting a claim go: a pod created a
      // moment ago must not lose its data.
      const pods = (await this.client.list<Pod>('pods', { namespace })).items;
      if (!claimMayGo(obj as PersistentVolumeClaim, pods)) return;
    } else if (!volumeMayGo(obj as PersistentVolume)) return;
    const finalizer = namespace ? PVC_PROTECTION_FINALIZER : PV_PROTECTION_FINALIZER;
    try {
      await this.client.update(resource, { ...obj, metadata: { ...obj.metadata, finalizers: (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer) } });
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) this.queue.add(key);
      else throw err;
    }
  }
}
