// The apps/v1 kinds kubelab serves: Deployment, ReplicaSet, DaemonSet, StatefulSet and ControllerRevision.

import { LabelSelector, ObjectMeta, passThroughStatus } from './meta.js';
import { PodTemplateSpec } from './pod.js';
import { boolean, definition, enumOf, free, int32, int64, intOrString, kindSchema, listOfObjects, object, string, type Extra, type KindSchema } from './schema.js';
import { PersistentVolumeClaim } from './storage.js';

const selector = (extra: Extra = {}) =>
  object(LabelSelector, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", { required: true, ...extra });

export const Deployment: KindSchema = kindSchema('apps', 'v1', 'Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.', {
  spec: object(
    definition('io.k8s.api.apps.v1.DeploymentSpec', 'DeploymentSpec is the specification of the desired behavior of the Deployment.', {
      replicas: int32('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.', { proto: 1, pointer: true }),
      selector: selector({ proto: 2, pointer: true }),
      template: object(PodTemplateSpec, 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".', { required: true, proto: 3 }),
      strategy: object(
        definition('io.k8s.api.apps.v1.DeploymentStrategy', 'DeploymentStrategy describes how to replace existing pods with new ones.', {
          type: enumOf(['Recreate', 'RollingUpdate'], 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.', { proto: 1 }),
          rollingUpdate: object(
            definition('io.k8s.api.apps.v1.RollingUpdateDeployment', 'Spec to control the desired behavior of rolling update.', {
              maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.', { proto: 1, pointer: true }),
              maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.', { proto: 2, pointer: true }),
            }),
            'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.',
            { proto: 2, pointer: true },
          ),
        }),
        'The deployment strategy to use to replace existing pods with new ones.',
        { proto: 4 },
      ),
      minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.', { proto: 5 }),
      revisionHistoryLimit: int32('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.', { proto: 6, pointer: true }),
      paused: boolean('Indicates that the deployment is paused.', { proto: 7 }),
      progressDeadlineSeconds: int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.', { proto: 9, pointer: true }),
    }),
    'Specification of the desired behavior of the Deployment.',
    { proto: 2 },
  ),
  status: passThroughStatus('Most recently observed status of the Deployment.', { proto: 3 }),
}, ObjectMeta);

export const ReplicaSet: KindSchema = kindSchema('apps', 'v1', 'ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
  spec: object(
    definition('io.k8s.api.apps.v1.ReplicaSetSpec', 'ReplicaSetSpec is the specification of a ReplicaSet.', {
      replicas: int32('Replicas is the number of desired pods. Defaults to 1.', { proto: 1, pointer: true }),
      minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.', { proto: 4 }),
      selector: object(LabelSelector, "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels.", { required: true, proto: 2, pointer: true }),
      template: object(PodTemplateSpec, 'Template is the object that describes the pod that will be created if insufficient replicas are detected.', { proto: 3 }),
    }),
    'Spec defines the specification of the desired behavior of the ReplicaSet.',
    { proto: 2 },
  ),
  status: passThroughStatus('Status is the most recently observed status of the ReplicaSet.', { proto: 3 }),
}, ObjectMeta);

export const DaemonSet: KindSchema = kindSchema('apps', 'v1', 'DaemonSet', 'DaemonSet represents the configuration of a daemon set.', {
  spec: object(
    definition('io.k8s.api.apps.v1.DaemonSetSpec', 'DaemonSetSpec is the specification of a daemon set.', {
      selector: object(LabelSelector, "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels.", { required: true, proto: 1, pointer: true }),
      template: object(PodTemplateSpec, 'An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template\'s node selector (or on every node if no node selector is specified). The only allowed template.spec.restartPolicy value is "Always".', { required: true, proto: 2 }),
      updateStrategy: object(
        definition('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', 'DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.', {
          type: enumOf(['OnDelete', 'RollingUpdate'], 'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.', { proto: 1 }),
          rollingUpdate: object(
            definition('io.k8s.api.apps.v1.RollingUpdateDaemonSet', 'Spec to control the desired behavior of daemon set rolling update.', {
              maxUnavailable: intOrString('The maximum number of DaemonSet pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of total number of DaemonSet pods at the start of the update (ex: 10%). Default value is 1.', { proto: 1, pointer: true }),
              maxSurge: intOrString('The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during an update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 0.', { proto: 2, pointer: true }),
            }),
            'Rolling update config params. Present only if type = "RollingUpdate".',
            { proto: 2, pointer: true },
          ),
        }),
        'An update strategy to replace existing DaemonSet pods with new pods.',
        { proto: 3 },
      ),
      minReadySeconds: int32('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.', { proto: 4 }),
      revisionHistoryLimit: int32('The number of old history to retain to allow rollback. Defaults to 10.', { proto: 6, pointer: true }),
    }),
    'The desired behavior of this daemon set.',
    { proto: 2 },
  ),
  status: passThroughStatus('The current status of this daemon set.', { proto: 3 }),
}, ObjectMeta);

export const StatefulSet: KindSchema = kindSchema('apps', 'v1', 'StatefulSet', 'StatefulSet represents a set of pods with consistent identities: a stable network name (HOSTNAME.SERVICE) and stable storage (one PersistentVolumeClaim per ordinal).', {
  spec: object(
    definition('io.k8s.api.apps.v1.StatefulSetSpec', 'A StatefulSetSpec is the specification of a StatefulSet.', {
      replicas: int32('replicas is the desired number of replicas of the given Template. These are replicas in the sense that they are instantiations of the same Template, but individual replicas also have a consistent identity. Defaults to 1.', { proto: 1, pointer: true }),
      selector: object(LabelSelector, "selector is a label query over pods that should match the replica count. It must match the pod template's labels.", { required: true, proto: 2, pointer: true }),
      template: object(PodTemplateSpec, 'template is the object that describes the pod that will be created if insufficient replicas are detected. Each pod stamped out by the StatefulSet will fulfill this Template, but have a unique identity from the rest of the StatefulSet. The only allowed template.spec.restartPolicy value is "Always".', { required: true, proto: 3 }),
      volumeClaimTemplates: listOfObjects(PersistentVolumeClaim.definition, 'volumeClaimTemplates is a list of claims that pods are allowed to reference. The StatefulSet controller is responsible for mapping network identities to claims in a way that maintains the identity of a pod. Every claim in this list must have at least one matching (by name) volumeMount in one container in the template.', { proto: 4 }),
      serviceName: string('serviceName is the name of the service that governs this StatefulSet. This service must exist before the StatefulSet, and is responsible for the network identity of the set. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local where "pod-specific-string" is managed by the StatefulSet controller.', { proto: 5 }),
      podManagementPolicy: enumOf(['OrderedReady', 'Parallel'], 'podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down. The default policy is `OrderedReady`, where pods are created in increasing order (pod-0, then pod-1, etc) and the controller will wait until each pod is ready before continuing. When scaling down, the pods are removed in the opposite order. The alternative policy is `Parallel` which will create pods in parallel to match the desired scale without waiting, and on scale down will delete all pods at once.', { proto: 6 }),
      updateStrategy: object(
        definition('io.k8s.api.apps.v1.StatefulSetUpdateStrategy', 'StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates.', {
          type: enumOf(['OnDelete', 'RollingUpdate'], 'Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.', { proto: 1 }),
          rollingUpdate: object(
            definition('io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy', 'RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.', {
              partition: int32('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. During a rolling update, all pods from ordinal Replicas-1 to Partition are updated. All pods from ordinal Partition-1 to 0 remain untouched. Default value is 0.', { proto: 1, pointer: true }),
              maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update (alpha in Kubernetes, behind the MaxUnavailableStatefulSet feature gate; kubelab refuses it).', { proto: 2, pointer: true }),
            }),
            'RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.',
            { proto: 2, pointer: true },
          ),
        }),
        'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.',
        { proto: 7 },
      ),
      revisionHistoryLimit: int32("revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history. The revision history consists of all revisions not represented by a currently applied StatefulSetSpec version. The default value is 10.", { proto: 8, pointer: true }),
      minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)', { proto: 9 }),
      persistentVolumeClaimRetentionPolicy: object(
        definition('io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy', 'StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.', {
          whenDeleted: enumOf(['Retain', 'Delete'], 'WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted. The default policy of `Retain` causes PVCs to not be affected by StatefulSet deletion. The `Delete` policy causes those PVCs to be deleted.', { proto: 1 }),
          whenScaled: enumOf(['Retain', 'Delete'], 'WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down. The default policy of `Retain` causes PVCs to not be affected by a scaledown. The `Delete` policy causes the associated PVCs for any excess pods above the replica count to be deleted.', { proto: 2 }),
        }),
        'persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates. By default, all persistent volume claims are created as needed and retained until manually deleted.',
        { proto: 10, pointer: true },
      ),
      ordinals: object(
        definition('io.k8s.api.apps.v1.StatefulSetOrdinals', 'StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.', {
          start: int32("start is the number representing the first replica's index. It may be used to number replicas from an alternate index (eg: 1-indexed) over the default 0-indexed names. Default 0.", { proto: 1 }),
        }),
        'ordinals controls the numbering of replica indices in a StatefulSet. The default ordinals behavior assigns a "0" index to the first replica and increments the index by one for each additional replica requested.',
        { proto: 11, pointer: true },
      ),
    }),
    'Spec defines the desired identities of pods in this set.',
    { proto: 2 },
  ),
  status: passThroughStatus('Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time.', { proto: 3 }),
}, ObjectMeta);

export const ControllerRevision: KindSchema = kindSchema('apps', 'v1', 'ControllerRevision', 'ControllerRevision implements an immutable snapshot of state data. kubelab\'s DaemonSet and StatefulSet controllers keep one per template, for rollout history and undo.', {
  data: free('Data is the serialized representation of the state.', { required: true, proto: 2 }),
  revision: int64('Revision indicates the revision of the state represented by Data.', { required: true, proto: 3 }),
}, ObjectMeta);
