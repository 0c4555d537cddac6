// The protobuf bodies kubectl 1.32 really sends (captured with `kubectl -v=9`) decode to the
// JSON objects the handlers expect.

import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from '../../lib/api/protobuf-objects.js';
import { ApiError } from '../../lib/errors.js';

// kubectl create secret generic s3 --from-literal=p=q --from-literal=user=admin --type=Opaque
const secretBody = '6b3873000a0c0a027631120653656372657412330a120a02733312001a0022002a0032003800420012060a0170120171120d0a0475736572120561646d696e1a064f70617175651a002200';
// kubectl create configmap cm2 --from-literal=a=b
const configMapBody = '6b3873000a0f0a0276311209436f6e6669674d6170121d0a130a03636d3212001a0022002a0032003800420012060a01611201621a002200';

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Secret from `kubectl create secret generic` (data base64, empty fields dropped)', () => {
    assert.deepEqual(decodeKubernetesProtobuf(Buffer.from(secretBody, 'hex')), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's3' },
      data: { p: Buffer.from('q').toString('base64'), user: Buffer.from('admin').toString('base64') },
      type: 'Opaque',
    });
  });

  it('decodes a ConfigMap from `kubectl create configmap`', () => {
    assert.deepEqual(decodeKubernetesProtobuf(Buffer.from(configMapBody, 'hex')), {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm2' },
      data: { a: 'b' },
    });
  });

  it('answers 415 with what to do for kinds it has no schema for', () => {
    // Same envelope, kind renamed to Lease (coordination.k8s.io/v1, not served).
    const typeMeta = Buffer.concat([Buffer.from([0x0a, 26]), Buffer.from('coordination.k8s.io/v1'.padEnd(26)), Buffer.from([0x12, 5]), Buffer.from('Lease')]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, typeMeta.length]), typeMeta, Buffer.from([0x12, 0])]);
    assert.throws(() => decodeKubernetesProtobuf(body), (err: ApiError) => err.code === 415 && /Lease/.test(err.message) && /--dry-run=client -o yaml/.test(err.message));
  });

  it('answers 400 for a body that is not Kubernetes protobuf', () => {
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Secret"}')), (err: ApiError) => err.code === 400);
    assert.throws(() => decodeKubernetesProtobuf(Buffer.from('6b38730012ff', 'hex')), (err: ApiError) => err.code === 400 && /malformed protobuf/.test(err.message));
  });
});
