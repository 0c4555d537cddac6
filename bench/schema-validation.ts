// `npx tsx bench/schema-validation.ts`: what the schema check costs per request. Compiles the
// kind schemas (once per daemon start), then validates a typical Deployment 10,000 times, with
// the unknown-field walk (fieldValidation=Strict) and with a wrongly typed one (the 422 path).
// Pure CPU, no daemon; medians of 5 rounds, since these machines are shared and noisy.

import { performance } from 'node:perf_hooks';
import { findUnknownFields } from '../lib/api/schemas/known-fields.js';
import { compileSchemas, validateAgainstSchema } from '../lib/api/schemas/validate.js';

const ITERATIONS = 10_000;
const ROUNDS = 5;

const deployment = (replicas: unknown) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' }, creationTimestamp: null },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'kubelab/hello:v1',
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'MODE', value: 'prod' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            volumeMounts: [{ name: 'conf', mountPath: '/etc/nginx/conf.d' }],
          },
        ],
        volumes: [{ name: 'conf', configMap: { name: 'web-conf' } }],
        restartPolicy: 'Always',
      },
    },
  },
});

function microsecondsPerCall(fn: () => void): number {
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i += 1) fn();
    rounds.push(((performance.now() - start) * 1000) / ITERATIONS);
  }
  return rounds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)];
}

const compileStart = performance.now();
compileSchemas();
const compileMs = performance.now() - compileStart;

const good = deployment(3);
const bad = deployment('three');
if (validateAgainstSchema('deployments.apps', good).length !== 0) throw new Error('the typical Deployment should pass');
if (validateAgainstSchema('deployments.apps', bad).length !== 1) throw new Error('the wrong Deployment should fail once');

const results = {
  compileAllKindsMs: Number(compileMs.toFixed(0)),
  validDeploymentUs: Number(microsecondsPerCall(() => validateAgainstSchema('deployments.apps', good)).toFixed(2)),
  unknownFieldWalkUs: Number(microsecondsPerCall(() => findUnknownFields('deployments.apps', good)).toFixed(2)),
  invalidDeploymentUs: Number(microsecondsPerCall(() => validateAgainstSchema('deployments.apps', bad)).toFixed(2)),
};
console.log(JSON.stringify(results, null, 2));
