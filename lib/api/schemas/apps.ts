// The apps/v1 kinds kubelab serves: Deployment, ReplicaSet, DaemonSet and ControllerRevision.

import { LabelSelector, ObjectMeta, passThroughStatus } from './meta.js';
import { PodTemplateSpec } from './pod.js';
import { boolean, definition, enumOf, free, int32, int64, intOrString, kindSchema, object, type KindSchema } from './schema.js';

const selector = () =>
  object(LabelSelector, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", { required: true });

export const Deployment: KindSchema = kindSchema('apps', 'v1', 'Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.', {
  spec: object(
    definition('io.k8s.api.apps.v1.DeploymentSpec', 'DeploymentSpec is the specification of the desired behavior of the Deployment.', {
      replicas: int32('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.'),
      selector: selector(),
      template: object(PodTemplateSpec, 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".', { required: true }),
      strategy: object(
        definition('io.k8s.api.apps.v1.DeploymentStrategy', 'DeploymentStrategy describes how to replace existing pods with new ones.', {
          type: enumOf(['Recreate', 'RollingUpdate'], 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
          rollingUpdate: object(
            definition('io.k8s.api.apps.v1.RollingUpdateDeployment', 'Spec to control the desired behavior of rolling update.', {
              maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.'),
              maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.'),
            }),
            'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.',
          ),
        }),
        'The deployment strategy to use to replace existing pods with new ones.',
      ),
      minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.'),
      revisionHistoryLimit: int32('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
      paused: boolean('Indicates that the deployment is paused.'),
      progressDeadlineSeconds: int32('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
    }),
    'Specification of the desired behavior of the Deployment.',
  ),
  status: passThroughStatus('Most recently observed status of the Deployment.'),
}, ObjectMeta);

export const ReplicaSet: KindSchema = kindSchema('apps', 'v1', 'ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
  spec: object(
    definition('io.k8s.api.apps.v1.ReplicaSetSpec', 'ReplicaSetSpec is the specification of a ReplicaSet.', {
      replicas: int32('Replicas is the number of desired pods. Defaults to 1.'),
      minReadySeconds: int32('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.'),
      selector: object(LabelSelector, "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels.", { required: true }),
      template: object(PodTemplateSpec, 'Template is the object that describes the pod that will be created if insufficient replicas are detected.'),
    }),
    'Spec defines the specification of the desired behavior of the ReplicaSet.',
  ),
  status: passThroughStatus('Status is the most recently observed status of the ReplicaSet.'),
}, ObjectMeta);

export const DaemonSet: KindSchema = kindSchema('apps', 'v1', 'DaemonSet', 'DaemonSet represents the configuration of a daemon set.', {
  spec: object(
    definition('io.k8s.api.apps.v1.DaemonSetSpec', 'DaemonSetSpec is the specification of a daemon set.', {
      selector: object(LabelSelector, "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels.", { required: true }),
      template: object(PodTemplateSpec, 'An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template\'s node selector (or on every node if no node selector is specified). The only allowed template.spec.restartPolicy value is "Always".', { required: true }),
      updateStrategy: object(
        definition('io.k8s.api.apps.v1.DaemonSetUpdateStrategy', 'DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.', {
          type: enumOf(['OnDelete', 'RollingUpdate'], 'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.'),
          rollingUpdate: object(
            definition('io.k8s.api.apps.v1.RollingUpdateDaemonSet', 'Spec to control the desired behavior of daemon set rolling update.', {
              maxUnavailable: intOrString('The maximum number of DaemonSet pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of total number of DaemonSet pods at the start of the update (ex: 10%). Default value is 1.'),
              maxSurge: intOrString('The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during an update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 0.'),
            }),
            'Rolling update config params. Present only if type = "RollingUpdate".',
          ),
        }),
        'An update strategy to replace existing DaemonSet pods with new pods.',
      ),
      minReadySeconds: int32('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0.'),
      revisionHistoryLimit: int32('The number of old history to retain to allow rollback. Defaults to 10.'),
    }),
    'The desired behavior of this daemon set.',
  ),
  status: passThroughStatus('The current status of this daemon set.'),
}, ObjectMeta);

export const ControllerRevision: KindSchema = kindSchema('apps', 'v1', 'ControllerRevision', 'ControllerRevision implements an immutable snapshot of state data. kubelab\'s DaemonSet controller keeps one per template, for rollout history and undo.', {
  data: free('Data is the serialized representation of the state.', { required: true }),
  revision: int64('Revision indicates the revision of the state represented by Data.', { required: true }),
}, ObjectMeta);
