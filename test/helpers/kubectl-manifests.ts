// The objects the kubectl compatibility tests create: one of each workload kind kubectl knows,
// on the offline images (never `:latest`, nothing that would need a pull). Each test file
// prefixes names so two files never share objects, even on one daemon.

/** busybox's sh ignores TERM as PID 1 unless it traps it: these stop at once on delete. */
const trapTerm = "trap 'exit 0' TERM;";

export function deploymentYaml(name: string, options: { replicas?: number; image?: string; envA?: string; withSide?: boolean } = {}): string {
  const side = options.withSide === false ? '' : `
      - name: side
        image: kubelab/busybox:1
        command: ["sh", "-c", "${trapTerm} i=0; while true; do i=$((i+1)); echo side-line-$i; sleep 1; done"]`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${options.replicas ?? 2}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: hello
        image: ${options.image ?? 'kubelab/hello:v1'}
        ports: [{containerPort: 3000}]
        env: [{name: A, value: "${options.envA ?? '1'}"}]${side}
`;
}

export function serviceYaml(name: string, ports: number[] = [80, 443]): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  selector: {app: ${name}}
  ports:
${ports.map((port) => `  - {name: p${port}, port: ${port}, targetPort: 3000}`).join('\n')}
`;
}

export function replicationControllerYaml(name: string, replicas = 1): string {
  return `apiVersion: v1
kind: ReplicationController
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  replicas: ${replicas}
  selector: {app: ${name}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - {name: c, image: kubelab/busybox:1, command: ["sh", "-c", "${trapTerm} echo hello-from-${name}; sleep 3600 & wait"]}
`;
}

/** A ReplicaSet whose pods echo every TCP connection on port 5000 back (busybox nc, -ll = keep listening). */
export function echoReplicaSetYaml(name: string, replicas = 1): string {
  return `apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: echo
        image: kubelab/busybox:1
        command: ["sh", "-c", "${trapTerm} nc -ll -p 5000 -e cat & wait"]
        ports: [{containerPort: 5000}]
`;
}

export const documents = (...yamls: string[]): string => yamls.join('---\n');
