// The pod and what it is made of (k8s.io/api/core/v1): PodSpec, Container, Volume, Probe, ...
// PodTemplateSpec is here too: every workload kind embeds one.
//
// Sub-objects kubelab does not read field by field (the cloud volume sources) are `free` objects:
// their type is checked (an object), their fields are not. affinity and topologySpreadConstraints
// are typed in affinity.ts, securityContext here.

import { Affinity, TopologySpreadConstraint } from './affinity.js';
import { LocalObjectReference, ObjectMeta } from './meta.js';
import {
  boolean, definition, enumOf, free, int32, int64, intOrString, listOf, listOfObjects, mapOf, object, QUANTITY, quantity, string, stringList, stringMap, type Extra,
} from './schema.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const KeyToPath = definition('io.k8s.api.core.v1.KeyToPath', 'Maps a string key to a path within a volume.', {
  key: string('key is the key to project.', { required: true, proto: 1 }),
  path: string('path is the relative path of the file to map the key to. May not be an absolute path. May not contain the path element \'..\'.', { required: true, proto: 2 }),
  mode: int32('mode is Optional: mode bits used to set permissions on this file. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.', { proto: 3, pointer: true }),
});

const keySelector = (name: string, what: string) =>
  definition(`io.k8s.api.core.v1.${name}`, `Selects a key from a ${what}.`, {
    // name is LocalObjectReference's, embedded inline (message 1 on the wire); numbers as in generated.proto.
    name: string(`Name of the referent ${what}.`, { proto: 1, protoIn: 1 }),
    key: string(`The key to select.`, { required: true, proto: 2 }),
    optional: boolean(`Specify whether the ${what} or its key must be defined.`, { proto: 3, pointer: true }),
  });

export const ObjectFieldSelector = definition('io.k8s.api.core.v1.ObjectFieldSelector', 'ObjectFieldSelector selects an APIVersioned field of an object.', {
  apiVersion: string('Version of the schema the FieldPath is written in terms of, defaults to "v1".', { proto: 1 }),
  fieldPath: string('Path of the field to select in the specified API version.', { required: true, proto: 2 }),
});

export const ResourceFieldSelector = definition('io.k8s.api.core.v1.ResourceFieldSelector', 'ResourceFieldSelector represents container resources (cpu, memory) and their output format.', {
  containerName: string('Container name: required for volumes, optional for env vars.', { proto: 1 }),
  resource: string('Required: resource to select.', { required: true, proto: 2 }),
  divisor: quantity('Specifies the output format of the exposed resources, defaults to "1".', { proto: 3 }),
});

export const EnvVarSource = definition('io.k8s.api.core.v1.EnvVarSource', 'EnvVarSource represents a source for the value of an EnvVar.', {
  fieldRef: object(ObjectFieldSelector, 'Selects a field of the pod: supports metadata.name, metadata.namespace, metadata.labels[\'<KEY>\'], metadata.annotations[\'<KEY>\'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.', { proto: 1, pointer: true }),
  resourceFieldRef: object(ResourceFieldSelector, 'Selects a resource of the container: only resources limits and requests are currently supported.', { proto: 2, pointer: true }),
  configMapKeyRef: object(keySelector('ConfigMapKeySelector', 'ConfigMap'), 'Selects a key of a ConfigMap.', { proto: 3, pointer: true }),
  secretKeyRef: object(keySelector('SecretKeySelector', 'Secret'), "Selects a key of a secret in the pod's namespace.", { proto: 4, pointer: true }),
});

export const EnvVar = definition('io.k8s.api.core.v1.EnvVar', 'EnvVar represents an environment variable present in a Container.', {
  name: string('Name of the environment variable. Must be a C_IDENTIFIER.', { required: true, proto: 1 }),
  value: string('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. Defaults to "".', { proto: 2 }),
  valueFrom: object(EnvVarSource, "Source for the environment variable's value. Cannot be used if value is not empty.", { proto: 3, pointer: true }),
});

const envFromRef = (name: string, what: string) =>
  definition(`io.k8s.api.core.v1.${name}`, `${what}EnvSource selects a ${what} to populate the environment variables with.`, {
    name: string(`Name of the referent ${what}.`, { proto: 1, protoIn: 1 }),
    optional: boolean(`Specify whether the ${what} must be defined.`, { proto: 2, pointer: true }),
  });

export const EnvFromSource = definition('io.k8s.api.core.v1.EnvFromSource', 'EnvFromSource represents the source of a set of ConfigMaps or Secrets.', {
  prefix: string('Optional text to prepend to the name of each environment variable.', { proto: 1 }),
  configMapRef: object(envFromRef('ConfigMapEnvSource', 'ConfigMap'), 'The ConfigMap to select from.', { proto: 2, pointer: true }),
  secretRef: object(envFromRef('SecretEnvSource', 'Secret'), 'The Secret to select from.', { proto: 3, pointer: true }),
});

export const ContainerPort = definition('io.k8s.api.core.v1.ContainerPort', 'ContainerPort represents a network port in a single container.', {
  name: string('If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services.', { proto: 1 }),
  hostPort: int32('Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536. Most containers do not need this.', { proto: 2 }),
  containerPort: int32("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536.", { required: true, proto: 3 }),
  protocol: enumOf(PROTOCOLS, 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".', { proto: 4 }),
  hostIP: string('What host IP to bind the external port to.', { proto: 5 }),
});

export const ResourceRequirements = definition('io.k8s.api.core.v1.ResourceRequirements', 'ResourceRequirements describes the compute resource requirements.', {
  limits: mapOf(QUANTITY, 'Limits describes the maximum amount of compute resources allowed.', { proto: 1 }),
  requests: mapOf(QUANTITY, 'Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified.', { proto: 2 }),
  claims: listOfObjects(
    definition('io.k8s.api.core.v1.ResourceClaim', 'ResourceClaim references one entry in PodSpec.ResourceClaims.', {
      name: string('Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used.', { required: true, proto: 1 }),
      request: string('Request is the name chosen for a request in the referenced claim.', { proto: 2 }),
    }),
    'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.',
    { proto: 3 },
  ),
});

export const VolumeMount = definition('io.k8s.api.core.v1.VolumeMount', 'VolumeMount describes a mounting of a Volume within a container.', {
  name: string('This must match the Name of a Volume.', { required: true, proto: 1 }),
  readOnly: boolean('Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.', { proto: 2 }),
  recursiveReadOnly: string('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.', { proto: 7, pointer: true }),
  mountPath: string("Path within the container at which the volume should be mounted. Must not contain ':'.", { required: true, proto: 3 }),
  subPath: string("Path within the volume from which the container's volume should be mounted. Defaults to \"\" (volume's root).", { proto: 4 }),
  mountPropagation: enumOf(['Bidirectional', 'HostToContainer', 'None'], 'mountPropagation determines how mounts are propagated from the host to container and the other way around.', { proto: 5, pointer: true }),
  subPathExpr: string("Expanded path within the volume from which the container's volume should be mounted. Behaves similarly to SubPath but environment variable references $(VAR_NAME) are expanded.", { proto: 6 }),
});

const ExecAction = definition('io.k8s.api.core.v1.ExecAction', 'ExecAction describes a "run in container" action.', {
  command: stringList("Command is the command line to execute inside the container, the working directory for the command is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell.", { proto: 1 }),
});

const HTTPGetAction = definition('io.k8s.api.core.v1.HTTPGetAction', 'HTTPGetAction describes an action based on HTTP Get requests.', {
  path: string('Path to access on the HTTP server.', { proto: 1 }),
  port: intOrString('Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.', { required: true, proto: 2 }),
  host: string('Host name to connect to, defaults to the pod IP.', { proto: 3 }),
  scheme: enumOf(['HTTP', 'HTTPS'], 'Scheme to use for connecting to the host. Defaults to HTTP.', { proto: 4 }),
  httpHeaders: listOfObjects(
    definition('io.k8s.api.core.v1.HTTPHeader', 'HTTPHeader describes a custom header to be used in HTTP probes', {
      name: string('The header field name.', { required: true, proto: 1 }),
      value: string('The header field value', { required: true, proto: 2 }),
    }),
    'Custom headers to set in the request. HTTP allows repeated headers.',
    { proto: 5 },
  ),
});

const TCPSocketAction = definition('io.k8s.api.core.v1.TCPSocketAction', 'TCPSocketAction describes an action based on opening a socket', {
  port: intOrString('Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.', { required: true, proto: 1 }),
  host: string('Optional: Host name to connect to, defaults to the pod IP.', { proto: 2 }),
});

export const Probe = definition('io.k8s.api.core.v1.Probe', 'Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.', {
  exec: object(ExecAction, 'Exec specifies a command to execute in the container.', { proto: 1, protoIn: 1, pointer: true }),
  httpGet: object(HTTPGetAction, 'HTTPGet specifies an HTTP GET request to perform.', { proto: 2, protoIn: 1, pointer: true }),
  tcpSocket: object(TCPSocketAction, 'TCPSocket specifies a connection to a TCP port.', { proto: 3, protoIn: 1, pointer: true }),
  grpc: object(
    definition('io.k8s.api.core.v1.GRPCAction', 'GRPCAction specifies an action involving a GRPC service.', {
      port: int32('Port number of the gRPC service. Number must be in the range 1 to 65535.', { required: true, proto: 1 }),
      service: string('Service is the name of the service to place in the gRPC HealthCheckRequest.', { proto: 2, pointer: true }),
    }),
    'GRPC specifies a GRPC HealthCheckRequest.',
    { proto: 4, protoIn: 1, pointer: true },
  ),
  initialDelaySeconds: int32('Number of seconds after the container has started before liveness probes are initiated.', { proto: 2 }),
  timeoutSeconds: int32('Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1.', { proto: 3 }),
  periodSeconds: int32('How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.', { proto: 4 }),
  successThreshold: int32('Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness and startup.', { proto: 5 }),
  failureThreshold: int32('Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.', { proto: 6 }),
  terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.', { proto: 7, pointer: true }),
});

const LifecycleHandler = definition('io.k8s.api.core.v1.LifecycleHandler', 'LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one of the fields, except TCPSocket must be specified.', {
  exec: object(ExecAction, 'Exec specifies a command to execute in the container.', { proto: 1, pointer: true }),
  httpGet: object(HTTPGetAction, 'HTTPGet specifies an HTTP GET request to perform.', { proto: 2, pointer: true }),
  tcpSocket: object(TCPSocketAction, 'Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility.', { proto: 3, pointer: true }),
  sleep: object(
    definition('io.k8s.api.core.v1.SleepAction', 'SleepAction describes a "sleep" action.', { seconds: int64('Seconds is the number of seconds to sleep.', { required: true, proto: 1 }) }),
    'Sleep represents a duration that the container should sleep.',
    { proto: 4, pointer: true },
  ),
});

export const Lifecycle = definition('io.k8s.api.core.v1.Lifecycle', 'Lifecycle describes actions that the management system should take in response to container lifecycle events.', {
  postStart: object(LifecycleHandler, 'PostStart is called immediately after a container is created. If the handler fails, the container is terminated and restarted according to its restart policy.', { proto: 1, pointer: true }),
  preStop: object(LifecycleHandler, 'PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc.', { proto: 2, pointer: true }),
  stopSignal: string('StopSignal defines which signal will be sent to a container when it is being stopped.', { proto: 3, pointer: true }),
});

const SELinuxOptions = definition('io.k8s.api.core.v1.SELinuxOptions', 'SELinuxOptions are the labels to be applied to the container. kubelab refuses them: its hosts run without SELinux.', {
  user: string('User is a SELinux user label that applies to the container.', { proto: 1 }),
  role: string('Role is a SELinux role label that applies to the container.', { proto: 2 }),
  type: string('Type is a SELinux type label that applies to the container.', { proto: 3 }),
  level: string('Level is SELinux level label that applies to the container.', { proto: 4 }),
});

const WindowsSecurityContextOptions = definition('io.k8s.api.core.v1.WindowsSecurityContextOptions', 'WindowsSecurityContextOptions contain Windows-specific options and credentials. kubelab refuses them: it runs Linux containers only.', {
  gmsaCredentialSpecName: string('GMSACredentialSpecName is the name of the GMSA credential spec to use.', { proto: 1, pointer: true }),
  gmsaCredentialSpec: string('GMSACredentialSpec is where the GMSA admission webhook inlines the contents of the GMSA credential spec.', { proto: 2, pointer: true }),
  runAsUserName: string('The UserName in Windows to run the entrypoint of the container process.', { proto: 3, pointer: true }),
  hostProcess: boolean('HostProcess determines if a container should be run as a \'Host Process\' container.', { proto: 4, pointer: true }),
});

const SeccompProfile = definition('io.k8s.api.core.v1.SeccompProfile', 'SeccompProfile defines a pod/container\'s seccomp profile settings. kubelab supports RuntimeDefault and Unconfined.', {
  type: enumOf(['Localhost', 'RuntimeDefault', 'Unconfined'], 'type indicates which kind of seccomp profile will be applied.', { required: true, proto: 1 }),
  localhostProfile: string('localhostProfile indicates a profile defined in a file on the node should be used. kubelab refuses Localhost.', { proto: 2, pointer: true }),
});

const AppArmorProfile = definition('io.k8s.api.core.v1.AppArmorProfile', 'AppArmorProfile defines a pod or container\'s AppArmor settings. kubelab supports RuntimeDefault and Unconfined.', {
  type: enumOf(['Localhost', 'RuntimeDefault', 'Unconfined'], 'type indicates which kind of AppArmor profile will be applied.', { required: true, proto: 1 }),
  localhostProfile: string('localhostProfile indicates a profile loaded on the node that should be used. kubelab refuses Localhost.', { proto: 2, pointer: true }),
});

export const SecurityContext = definition('io.k8s.api.core.v1.SecurityContext', 'SecurityContext holds security configuration that will be applied to a container.', {
  capabilities: object(
    definition('io.k8s.api.core.v1.Capabilities', 'Adds and removes POSIX capabilities from running containers.', {
      add: stringList('Added capabilities', { proto: 1 }),
      drop: stringList('Removed capabilities', { proto: 2 }),
    }),
    'The capabilities to add/drop when running containers. Defaults to the default set of capabilities granted by the container runtime.',
    { proto: 1, pointer: true },
  ),
  privileged: boolean('Run container in privileged mode. Processes in privileged containers are essentially equivalent to root on the host. Defaults to false.', { proto: 2, pointer: true }),
  seLinuxOptions: object(SELinuxOptions, 'The SELinux context to be applied to the container. kubelab refuses it.', { proto: 3, pointer: true }),
  windowsOptions: object(WindowsSecurityContextOptions, 'The Windows specific settings applied to all containers. kubelab refuses it.', { proto: 10, pointer: true }),
  runAsUser: int64('The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.', { proto: 4, pointer: true }),
  runAsGroup: int64('The GID to run the entrypoint of the container process. Uses runtime default if unset.', { proto: 8, pointer: true }),
  runAsNonRoot: boolean('Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does.', { proto: 5, pointer: true }),
  readOnlyRootFilesystem: boolean('Whether this container has a read-only root filesystem. Default is false.', { proto: 6, pointer: true }),
  allowPrivilegeEscalation: boolean('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process. This bool directly controls if the no_new_privs flag will be set on the container process.', { proto: 7, pointer: true }),
  procMount: enumOf(['Default', 'Unmasked'], 'procMount denotes the type of proc mount to use for the containers. kubelab supports Default only.', { proto: 9, pointer: true }),
  seccompProfile: object(SeccompProfile, 'The seccomp options to use by this container.', { proto: 11, pointer: true }),
  appArmorProfile: object(AppArmorProfile, 'appArmorProfile is the AppArmor options to use by this container.', { proto: 12, pointer: true }),
});

export const PodSecurityContext = definition('io.k8s.api.core.v1.PodSecurityContext', 'PodSecurityContext holds pod-level security attributes and common container settings.', {
  seLinuxOptions: object(SELinuxOptions, 'The SELinux context to be applied to all containers. kubelab refuses it.', { proto: 1, pointer: true }),
  windowsOptions: object(WindowsSecurityContextOptions, 'The Windows specific settings applied to all containers. kubelab refuses it.', { proto: 8, pointer: true }),
  runAsUser: int64('The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.', { proto: 2, pointer: true }),
  runAsGroup: int64('The GID to run the entrypoint of the container process. Uses runtime default if unset.', { proto: 6, pointer: true }),
  runAsNonRoot: boolean('Indicates that the container must run as a non-root user.', { proto: 3, pointer: true }),
  supplementalGroups: listOf({ type: 'integer', format: 'int64' }, 'A list of groups applied to the first process run in each container, in addition to the container\'s primary GID and fsGroup.', { proto: 4 }),
  supplementalGroupsPolicy: enumOf(['Merge', 'Strict'], 'Defines how supplemental groups of the first container processes are calculated. kubelab supports Merge only.', { proto: 12, pointer: true }),
  fsGroup: int64('A special supplemental group that applies to all containers in a pod. The owning GID of volumes will be the FSGroup, the setgid bit is set, and files are group readable and writable.', { proto: 5, pointer: true }),
  sysctls: listOfObjects(
    definition('io.k8s.api.core.v1.Sysctl', 'Sysctl defines a kernel parameter to be set', {
      name: string('Name of a property to set', { required: true, proto: 1 }),
      value: string('Value of a property to set', { required: true, proto: 2 }),
    }),
    'Sysctls hold a list of namespaced sysctls used for the pod.',
    { proto: 7 },
  ),
  fsGroupChangePolicy: enumOf(['Always', 'OnRootMismatch'], 'fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod.', { proto: 9, pointer: true }),
  seccompProfile: object(SeccompProfile, 'The seccomp options to use by the containers in this pod.', { proto: 10, pointer: true }),
  appArmorProfile: object(AppArmorProfile, 'appArmorProfile is the AppArmor options to use by the containers in this pod.', { proto: 11, pointer: true }),
  seLinuxChangePolicy: string('seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod. kubelab refuses it.', { proto: 13, pointer: true }),
});

const containerFields = {
  name: string('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.', { required: true, proto: 1 }),
  image: string('Container image name. This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.', { proto: 2 }),
  command: stringList("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided. Cannot be updated.", { proto: 3 }),
  args: stringList("Arguments to the entrypoint. The container image's CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container's environment. Cannot be updated.", { proto: 4 }),
  workingDir: string("Container's working directory. If not specified, the container runtime's default will be used. Cannot be updated.", { proto: 5 }),
  ports: listOfObjects(ContainerPort, 'List of ports to expose from the container. Not specifying a port here DOES NOT prevent that port from being exposed. Cannot be updated.', { proto: 6 }),
  envFrom: listOfObjects(EnvFromSource, 'List of sources to populate environment variables in the container. Cannot be updated.', { proto: 19 }),
  env: listOfObjects(EnvVar, 'List of environment variables to set in the container. Cannot be updated.', { proto: 7 }),
  resources: object(ResourceRequirements, 'Compute Resources required by this container. Cannot be updated.', { proto: 8 }),
  resizePolicy: listOfObjects(
    definition('io.k8s.api.core.v1.ContainerResizePolicy', 'ContainerResizePolicy represents resource resize policy for the container.', {
      resourceName: string('Name of the resource to which this resource resize policy applies. Supported values: cpu, memory.', { required: true, proto: 1 }),
      restartPolicy: string('Restart policy to apply when specified resource is resized. If not specified, it defaults to NotRequired.', { required: true, proto: 2 }),
    }),
    'Resources resize policy for the container.',
    { proto: 23 },
  ),
  restartPolicy: string('RestartPolicy defines the restart behavior of individual containers in a pod. This field may only be set for init containers, and the only allowed value is "Always".', { proto: 24, pointer: true }),
  volumeMounts: listOfObjects(VolumeMount, "Pod volumes to mount into the container's filesystem. Cannot be updated.", { proto: 9 }),
  volumeDevices: listOfObjects(
    definition('io.k8s.api.core.v1.VolumeDevice', 'volumeDevice describes a mapping of a raw block device within a container.', {
      name: string('name must match the name of a persistentVolumeClaim in the pod', { required: true, proto: 1 }),
      devicePath: string('devicePath is the path inside of the container that the device will be mapped to.', { required: true, proto: 2 }),
    }),
    'volumeDevices is the list of block devices to be used by the container.',
    { proto: 21 },
  ),
  livenessProbe: object(Probe, 'Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated.', { proto: 10, pointer: true }),
  readinessProbe: object(Probe, 'Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated.', { proto: 11, pointer: true }),
  startupProbe: object(Probe, 'StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully.', { proto: 22, pointer: true }),
  lifecycle: object(Lifecycle, 'Actions that the management system should take in response to container lifecycle events. Cannot be updated.', { proto: 12, pointer: true }),
  terminationMessagePath: string("Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Defaults to /dev/termination-log.", { proto: 13 }),
  terminationMessagePolicy: enumOf(['FallbackToLogsOnError', 'File'], 'Indicate how the termination message should be populated. File will use the contents of terminationMessagePath. Defaults to File.', { proto: 20 }),
  imagePullPolicy: enumOf(['Always', 'IfNotPresent', 'Never'], 'Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated.', { proto: 14 }),
  securityContext: object(SecurityContext, 'SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext.', { proto: 15, pointer: true }),
  stdin: boolean('Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.', { proto: 16 }),
  stdinOnce: boolean('Whether the container runtime should close the stdin channel after it has been opened by a single attach. Default is false.', { proto: 17 }),
  tty: boolean("Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false.", { proto: 18 }),
};

export const Container = definition('io.k8s.api.core.v1.Container', 'A single application container that you want to run within a pod.', containerFields);

export const EphemeralContainer = definition('io.k8s.api.core.v1.EphemeralContainer', 'An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.', {
  // Go embeds EphemeralContainerCommon (Container's fields, same numbers) inline: message 1 on the wire.
  ...Object.fromEntries(Object.entries(containerFields).map(([name, field]) => [name, { ...field, protoIn: 1 }])),
  targetContainerName: string('If set, the name of the container from PodSpec that this ephemeral container targets.', { proto: 2 }),
});

const DownwardAPIVolumeFile = definition('io.k8s.api.core.v1.DownwardAPIVolumeFile', 'DownwardAPIVolumeFile represents information to create the file containing the pod field', {
  path: string("Required: Path is the relative path name of the file to be created. Must not be absolute or contain the '..' path.", { required: true, proto: 1 }),
  fieldRef: object(ObjectFieldSelector, 'Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.', { proto: 2, pointer: true }),
  resourceFieldRef: object(ResourceFieldSelector, 'Selects a resource of the container: only resources limits and requests are currently supported.', { proto: 3, pointer: true }),
  mode: int32('Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.', { proto: 4, pointer: true }),
});

const volumeSource = (name: string, doc: string, fields: Parameters<typeof definition>[2]) => definition(`io.k8s.api.core.v1.${name}`, doc, fields);
const passThrough = (what: string, extra: Extra = {}) => free(`${what} kubelab refuses this volume source at create (422): it cannot mount it.`, extra);

export const Volume = definition('io.k8s.api.core.v1.Volume', 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
  name: string("name of the volume. Must be a DNS_LABEL and unique within the pod.", { required: true, proto: 1 }),
  hostPath: object(
    volumeSource('HostPathVolumeSource', 'Represents a host path mapped into a pod.', {
      path: string('path of the directory on the host. If the path is a symlink, it will follow the link to the real path.', { required: true, proto: 1 }),
      type: enumOf(['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'], 'type for HostPath Volume. Defaults to "".', { proto: 2, pointer: true }),
    }),
    'hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container.',
    { proto: 1, protoIn: 2, pointer: true },
  ),
  emptyDir: object(
    volumeSource('EmptyDirVolumeSource', 'Represents an empty directory for a pod.', {
      medium: string('medium represents what type of storage medium should back this directory. The default is "" which means to use the node\'s default medium. Memory makes it a tmpfs.', { proto: 1 }),
      sizeLimit: quantity('sizeLimit is the total amount of local storage required for this EmptyDir volume.', { proto: 2, pointer: true }),
    }),
    'emptyDir represents a temporary directory that shares a pod\'s lifetime.',
    { proto: 2, protoIn: 2, pointer: true },
  ),
  secret: object(
    volumeSource('SecretVolumeSource', 'Adapts a Secret into a volume.', {
      secretName: string("secretName is the name of the secret in the pod's namespace to use.", { proto: 1 }),
      items: listOfObjects(KeyToPath, 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', { proto: 2 }),
      defaultMode: int32('defaultMode is Optional: mode bits used to set permissions on created files by default. Defaults to 0644.', { proto: 3, pointer: true }),
      optional: boolean('optional field specify whether the Secret or its keys must be defined', { proto: 4, pointer: true }),
    }),
    'secret represents a secret that should populate this volume.',
    { proto: 6, protoIn: 2, pointer: true },
  ),
  configMap: object(
    volumeSource('ConfigMapVolumeSource', 'Adapts a ConfigMap into a volume.', {
      name: string('Name of the referent ConfigMap.', { proto: 1, protoIn: 1 }),
      items: listOfObjects(KeyToPath, 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.', { proto: 2 }),
      defaultMode: int32('defaultMode is optional: mode bits used to set permissions on created files by default. Defaults to 0644.', { proto: 3, pointer: true }),
      optional: boolean('optional specify whether the ConfigMap or its keys must be defined', { proto: 4, pointer: true }),
    }),
    'configMap represents a configMap that should populate this volume',
    { proto: 19, protoIn: 2, pointer: true },
  ),
  persistentVolumeClaim: object(
    volumeSource('PersistentVolumeClaimVolumeSource', "PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace.", {
      claimName: string('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.', { required: true, proto: 1 }),
      readOnly: boolean('readOnly Will force the ReadOnly setting in VolumeMounts. Default false.', { proto: 2 }),
    }),
    'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.',
    { proto: 10, protoIn: 2, pointer: true },
  ),
  downwardAPI: object(
    volumeSource('DownwardAPIVolumeSource', 'DownwardAPIVolumeSource represents a volume containing downward API info.', {
      items: listOfObjects(DownwardAPIVolumeFile, 'Items is a list of downward API volume file', { proto: 1 }),
      defaultMode: int32('Optional: mode bits to use on created files by default. Defaults to 0644.', { proto: 2, pointer: true }),
    }),
    'downwardAPI represents downward API about the pod that should populate this volume',
    { proto: 16, protoIn: 2, pointer: true },
  ),
  projected: object(
    volumeSource('ProjectedVolumeSource', 'Represents a projected volume source', {
      sources: listOfObjects(
        definition('io.k8s.api.core.v1.VolumeProjection', 'Projection that may be projected along with other supported volume types. Exactly one of these fields must be set.', {
          configMap: object(
            definition('io.k8s.api.core.v1.ConfigMapProjection', 'Adapts a ConfigMap into a projected volume.', {
              name: string('Name of the referent ConfigMap.', { proto: 1, protoIn: 1 }),
              items: listOfObjects(KeyToPath, 'items: which keys to project, and where.', { proto: 2 }),
              optional: boolean('optional specify whether the ConfigMap or its keys must be defined', { proto: 4, pointer: true }),
            }),
            'configMap information about the configMap data to project',
            { proto: 3, pointer: true },
          ),
          secret: object(
            definition('io.k8s.api.core.v1.SecretProjection', 'Adapts a secret into a projected volume.', {
              name: string('Name of the referent Secret.', { proto: 1, protoIn: 1 }),
              items: listOfObjects(KeyToPath, 'items: which keys to project, and where.', { proto: 2 }),
              optional: boolean('optional field specify whether the Secret or its key must be defined', { proto: 4, pointer: true }),
            }),
            'secret information about the secret data to project',
            { proto: 1, pointer: true },
          ),
          downwardAPI: object(
            definition('io.k8s.api.core.v1.DownwardAPIProjection', 'Represents downward API info for projecting into a projected volume.', {
              items: listOfObjects(DownwardAPIVolumeFile, 'Items is a list of DownwardAPIVolume file', { proto: 1 }),
            }),
            'downwardAPI information about the downwardAPI data to project',
            { proto: 2, pointer: true },
          ),
          serviceAccountToken: object(
            definition('io.k8s.api.core.v1.ServiceAccountTokenProjection', "ServiceAccountTokenProjection represents a projected service account token volume. The kubelet asks the API for a token of the pod's service account, bound to the pod.", {
              audience: string('audience is the intended audience of the token.', { proto: 1 }),
              expirationSeconds: int64('expirationSeconds is the requested duration of validity of the service account token.', { proto: 2, pointer: true }),
              path: string('path is the path relative to the mount point of the file to project the token into.', { required: true, proto: 3 }),
            }),
            'serviceAccountToken is information about the serviceAccountToken data to project.',
            { proto: 4, pointer: true },
          ),
          clusterTrustBundle: free('ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects. kubelab refuses it.', { proto: 5, pointer: true }),
        }),
        'sources is the list of volume projections. Each entry in this list handles one source.',
        { proto: 1 },
      ),
      defaultMode: int32('defaultMode are the mode bits used to set permissions on created files by default.', { proto: 2, pointer: true }),
    }),
    'projected items for all in one resources secrets, configmaps, and downward API',
    { proto: 26, protoIn: 2, pointer: true },
  ),
  nfs: object(
    volumeSource('NFSVolumeSource', 'Represents an NFS mount that lasts the lifetime of a pod.', {
      server: string('server is the hostname or IP address of the NFS server.', { required: true, proto: 1 }),
      path: string('path that is exported by the NFS server.', { required: true, proto: 2 }),
      readOnly: boolean('readOnly here will force the NFS export to be mounted with read-only permissions. Defaults to false.', { proto: 3 }),
    }),
    "nfs represents an NFS mount on the host that shares a pod's lifetime",
    { proto: 7, protoIn: 2, pointer: true },
  ),
  image: object(
    volumeSource('ImageVolumeSource', 'ImageVolumeSource represents a image volume resource.', {
      reference: string('Required: Image or artifact reference to be used.', { proto: 1 }),
      pullPolicy: enumOf(['Always', 'IfNotPresent', 'Never'], 'Policy for pulling OCI objects.', { proto: 2 }),
    }),
    'image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.',
    { proto: 30, protoIn: 2, pointer: true },
  ),
  gcePersistentDisk: passThrough('gcePersistentDisk represents a GCE Disk resource.', { proto: 3, protoIn: 2, pointer: true }),
  awsElasticBlockStore: passThrough('awsElasticBlockStore represents an AWS Disk resource.', { proto: 4, protoIn: 2, pointer: true }),
  gitRepo: passThrough('gitRepo represents a git repository at a particular revision. Deprecated.', { proto: 5, protoIn: 2, pointer: true }),
  iscsi: passThrough('iscsi represents an ISCSI Disk resource.', { proto: 8, protoIn: 2, pointer: true }),
  glusterfs: passThrough('glusterfs represents a Glusterfs mount on the host.', { proto: 9, protoIn: 2, pointer: true }),
  rbd: passThrough('rbd represents a Rados Block Device mount on the host.', { proto: 11, protoIn: 2, pointer: true }),
  flexVolume: passThrough('flexVolume represents a generic volume resource provisioned/attached using an exec based plugin.', { proto: 12, protoIn: 2, pointer: true }),
  cinder: passThrough('cinder represents a cinder volume attached and mounted on kubelets host machine.', { proto: 13, protoIn: 2, pointer: true }),
  cephfs: passThrough('cephFS represents a Ceph FS mount on the host.', { proto: 14, protoIn: 2, pointer: true }),
  flocker: passThrough('flocker represents a Flocker volume.', { proto: 15, protoIn: 2, pointer: true }),
  fc: passThrough('fc represents a Fibre Channel resource.', { proto: 17, protoIn: 2, pointer: true }),
  azureFile: passThrough('azureFile represents an Azure File Service mount on the host.', { proto: 18, protoIn: 2, pointer: true }),
  vsphereVolume: passThrough('vsphereVolume represents a vSphere volume.', { proto: 20, protoIn: 2, pointer: true }),
  quobyte: passThrough('quobyte represents a Quobyte mount on the host.', { proto: 21, protoIn: 2, pointer: true }),
  azureDisk: passThrough('azureDisk represents an Azure Data Disk mount on the host.', { proto: 22, protoIn: 2, pointer: true }),
  photonPersistentDisk: passThrough('photonPersistentDisk represents a PhotonController persistent disk.', { proto: 23, protoIn: 2, pointer: true }),
  portworxVolume: passThrough('portworxVolume represents a portworx volume.', { proto: 24, protoIn: 2, pointer: true }),
  scaleIO: passThrough('scaleIO represents a ScaleIO persistent volume.', { proto: 25, protoIn: 2, pointer: true }),
  storageos: passThrough('storageOS represents a StorageOS volume.', { proto: 27, protoIn: 2, pointer: true }),
  csi: passThrough('csi represents ephemeral storage that is handled by certain external CSI drivers.', { proto: 28, protoIn: 2, pointer: true }),
  ephemeral: passThrough('ephemeral represents a volume that is handled by a cluster storage driver.', { proto: 29, protoIn: 2, pointer: true }),
});

export const Toleration = definition('io.k8s.api.core.v1.Toleration', 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.', {
  key: string('Key is the taint key that the toleration applies to. Empty means match all taint keys.', { proto: 1 }),
  operator: enumOf(['Equal', 'Exists'], "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal.", { proto: 2 }),
  value: string('Value is the taint value the toleration matches to.', { proto: 3 }),
  effect: enumOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Effect indicates the taint effect to match. Empty means match all taint effects.', { proto: 4 }),
  tolerationSeconds: int64('TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute) tolerates the taint.', { proto: 5, pointer: true }),
});

export const PodSpec = definition('io.k8s.api.core.v1.PodSpec', 'PodSpec is a description of a pod.', {
  volumes: listOfObjects(Volume, 'List of volumes that can be mounted by containers belonging to the pod.', { proto: 1 }),
  initContainers: listOfObjects(Container, 'List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started.', { proto: 20 }),
  containers: listOfObjects(Container, 'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.', { required: true, proto: 2 }),
  ephemeralContainers: listOfObjects(EphemeralContainer, 'List of ephemeral containers run in this pod. Ephemeral containers may be run in an existing pod to perform user-initiated actions such as debugging.', { proto: 34 }),
  restartPolicy: enumOf(['Always', 'Never', 'OnFailure'], 'Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.', { proto: 3 }),
  terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.', { proto: 4, pointer: true }),
  activeDeadlineSeconds: int64('Optional duration in seconds the pod may be active on the node relative to StartTime before the system will actively try to mark it failed and kill associated containers.', { proto: 5, pointer: true }),
  dnsPolicy: enumOf(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'], 'Set DNS policy for the pod. Defaults to "ClusterFirst".', { proto: 6 }),
  nodeSelector: stringMap("NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node.", { proto: 7 }),
  serviceAccountName: string('ServiceAccountName is the name of the ServiceAccount to use to run this pod.', { proto: 8 }),
  serviceAccount: string('DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead.', { proto: 9 }),
  automountServiceAccountToken: boolean('AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.', { proto: 21, pointer: true }),
  nodeName: string('NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.', { proto: 10 }),
  hostNetwork: boolean("Host networking requested for this pod. Use the host's network namespace. Default to false.", { proto: 11 }),
  hostPID: boolean("Use the host's pid namespace. Optional: Default to false.", { proto: 12 }),
  hostIPC: boolean("Use the host's ipc namespace. Optional: Default to false.", { proto: 13 }),
  shareProcessNamespace: boolean('Share a single process namespace between all of the containers in a pod. Optional: Default to false.', { proto: 27, pointer: true }),
  securityContext: object(PodSecurityContext, 'SecurityContext holds pod-level security attributes and common container settings.', { proto: 14, pointer: true }),
  imagePullSecrets: listOfObjects(LocalObjectReference, 'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.', { proto: 15 }),
  hostname: string("Specifies the hostname of the Pod. If not specified, the pod's hostname will be set to a system-defined value.", { proto: 16 }),
  subdomain: string('If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".', { proto: 17 }),
  affinity: object(Affinity, "If specified, the pod's scheduling constraints: node affinity, pod affinity and anti-affinity (lib/scheduling/).", { proto: 18, pointer: true }),
  schedulerName: string('If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.', { proto: 19 }),
  tolerations: listOfObjects(Toleration, "If specified, the pod's tolerations.", { proto: 22 }),
  hostAliases: listOfObjects(
    definition('io.k8s.api.core.v1.HostAlias', "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.", {
      ip: string('IP address of the host file entry.', { required: true, proto: 1 }),
      hostnames: stringList('Hostnames for the above IP address.', { proto: 2 }),
    }),
    "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file if specified.",
    { proto: 23 },
  ),
  priorityClassName: string('If specified, indicates the pod\'s priority.', { proto: 24 }),
  priority: int32('The priority value. Various system components use this field to find the priority of the pod.', { proto: 25, pointer: true }),
  dnsConfig: object(
    definition('io.k8s.api.core.v1.PodDNSConfig', 'PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.', {
      nameservers: stringList('A list of DNS name server IP addresses.', { proto: 1 }),
      searches: stringList('A list of DNS search domains for host-name lookup.', { proto: 2 }),
      options: listOfObjects(
        definition('io.k8s.api.core.v1.PodDNSConfigOption', 'PodDNSConfigOption defines DNS resolver options of a pod.', {
          name: string('Name is this DNS resolver option\'s name.', { proto: 1 }),
          value: string('Value is this DNS resolver option\'s value.', { proto: 2, pointer: true }),
        }),
        'A list of DNS resolver options.',
        { proto: 3 },
      ),
    }),
    'Specifies the DNS parameters of a pod.',
    { proto: 26, pointer: true },
  ),
  readinessGates: listOfObjects(
    definition('io.k8s.api.core.v1.PodReadinessGate', 'PodReadinessGate contains the reference to a pod condition', {
      conditionType: string("ConditionType refers to a condition in the pod's condition list with matching type.", { required: true, proto: 1 }),
    }),
    'If specified, all readiness gates will be evaluated for pod readiness.',
    { proto: 28 },
  ),
  runtimeClassName: string('RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group, which should be used to run this pod.', { proto: 29, pointer: true }),
  enableServiceLinks: boolean("EnableServiceLinks indicates whether information about services should be injected into pod's environment variables, matching the syntax of Docker links. Optional: Defaults to true.", { proto: 30, pointer: true }),
  preemptionPolicy: enumOf(['Never', 'PreemptLowerPriority'], 'PreemptionPolicy is the Policy for preempting pods with lower priority.', { proto: 31, pointer: true }),
  overhead: mapOf(QUANTITY, 'Overhead represents the resource overhead associated with running a pod for a given RuntimeClass.', { proto: 32 }),
  topologySpreadConstraints: listOfObjects(TopologySpreadConstraint, 'TopologySpreadConstraints describes how a group of pods ought to spread across topology domains. Scheduler will schedule pods in a way which abides by the constraints. All topologySpreadConstraints are ANDed.', { proto: 33 }),
  setHostnameAsFQDN: boolean("If true the pod's hostname will be configured as the pod's FQDN, rather than the leaf name (the default).", { proto: 35, pointer: true }),
  os: object(
    definition('io.k8s.api.core.v1.PodOS', 'PodOS defines the OS parameters of a pod.', { name: string('Name is the name of the operating system. The currently supported values are linux and windows.', { required: true, proto: 1 }) }),
    'Specifies the OS of the containers in the pod.',
    { proto: 36, pointer: true },
  ),
  hostUsers: boolean("Use the host's user namespace. Optional: Default to true.", { proto: 37, pointer: true }),
  schedulingGates: listOfObjects(
    definition('io.k8s.api.core.v1.PodSchedulingGate', 'PodSchedulingGate is associated to a Pod to guard its scheduling.', { name: string('Name of the scheduling gate.', { required: true, proto: 1 }) }),
    'SchedulingGates is an opaque list of values that if specified will block scheduling the pod.',
    { proto: 38 },
  ),
  resourceClaims: listOfObjects(
    definition('io.k8s.api.core.v1.PodResourceClaim', 'PodResourceClaim references exactly one ResourceClaim.', {
      name: string('Name uniquely identifies this resource claim inside the pod.', { required: true, proto: 1 }),
      resourceClaimName: string('ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.', { proto: 3, pointer: true }),
      resourceClaimTemplateName: string('ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod.', { proto: 4, pointer: true }),
      source: free('Deprecated source of the claim.'),
    }),
    'ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.',
    { proto: 39 },
  ),
  resources: object(ResourceRequirements, 'Resources is the total amount of CPU and Memory resources required by all containers in the pod.', { proto: 40, pointer: true }),
});

export const PodTemplateSpec = definition('io.k8s.api.core.v1.PodTemplateSpec', 'PodTemplateSpec describes the data a pod should have when created from a template', {
  metadata: object(ObjectMeta, "Standard object's metadata.", { proto: 1 }),
  spec: object(PodSpec, 'Specification of the desired behavior of the pod.', { proto: 2 }),
});
