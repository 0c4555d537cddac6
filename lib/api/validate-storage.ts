// Validation and defaults of the storage kinds (k8s.io/kubernetes/pkg/apis/core/validation
// ValidatePersistentVolume / ValidatePersistentVolumeClaim, pkg/apis/storage/validation), cut to
// what kubelab can honour. Everything a volume, claim or class may say is either done (hostPath
// and local volumes, Filesystem mode, Retain and Delete) or refused with a 422 that names the
// field: an NFS volume that kubelab would accept and never mount is worse than a clear "no".
// The fields refused whatever their value (the other volume sources, mount options, volume
// attributes classes, a local volume's fsType, a claim's dataSource, dataSourceRef and
// resources.limits, a class's allowedTopologies and allowVolumeExpansion) are in UNSUPPORTED_FIELDS
// (lib/api/schemas/unsupported-fields.ts); the refusals that depend on a value stay here.

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { LOCAL_PATH_PROVISIONER } from '../storage/storage-names.js';
import { parseQuantity, QUANTITY_FORMAT_MESSAGE } from './quantity.js';
import { UNSUPPORTED_PERSISTENT_VOLUME_SOURCES } from './schemas/unsupported-fields.js';
import { isObj, objectsIn, requiredWith, type Obj } from './validate-object-meta.js';
import { semanticEqual } from './validate-pod-spec.js';

export const ACCESS_MODE_VALUES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const SUPPORTED_SOURCES = ['hostPath', 'local'];
const NODE_SELECTOR_OPERATORS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'];
const NOT_SUPPORTED = (what: string) => `kubelab does not support ${what}`;

const setDefault = (obj: Obj, key: string, value: unknown): void => {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
};
const child = (obj: Obj, key: string): Obj => {
  if (!isObj(obj[key])) obj[key] = {};
  return obj[key] as Obj;
};

// ---------------------------------------------------------------------------------------------
// Defaults (pkg/apis/core/v1/defaults.go, pkg/apis/storage/v1/defaults.go)

/** A volume made by hand is kept when its claim goes (Retain); Filesystem mode. */
export function defaultPersistentVolume(pv: Obj): void {
  const spec = child(pv, 'spec');
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
}

export function defaultPersistentVolumeClaim(pvc: Obj): void {
  setDefault(child(pvc, 'spec'), 'volumeMode', 'Filesystem');
}

/** A class's volumes are deleted with their claims unless it says Retain; binding is Immediate unless it says otherwise. */
export function defaultStorageClass(sc: Obj): void {
  setDefault(sc, 'reclaimPolicy', 'Delete');
  setDefault(sc, 'volumeBindingMode', 'Immediate');
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function checkAccessModes(value: unknown, field: string): FieldError[] {
  const modes = Array.isArray(value) ? value : [];
  if (modes.length === 0) return [fieldRequired(field)];
  const errors: FieldError[] = [];
  modes.forEach((mode, i) => {
    if (!ACCESS_MODE_VALUES.includes(mode as string)) errors.push(fieldNotSupported(`${field}[${i}]`, mode, ACCESS_MODE_VALUES));
  });
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) errors.push(fieldForbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errors;
}

function checkStorageQuantity(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null) return [fieldRequired(field)];
  try {
    if (parseQuantity(value as string) <= 0) return [fieldInvalid(field, value, 'must be greater than zero')];
  } catch {
    return [fieldInvalid(field, value, QUANTITY_FORMAT_MESSAGE)];
  }
  return [];
}

function checkVolumeMode(value: unknown, field: string): FieldError[] {
  if (value === undefined || value === null || value === 'Filesystem') return [];
  if (value === 'Block') return [fieldForbidden(field, `${NOT_SUPPORTED('raw block volumes')}: use Filesystem`)];
  return [fieldNotSupported(field, value, ['Block', 'Filesystem'])];
}

/** A required node selector: at least one term, each with known operators and the right number of values. */
export function validateNodeSelector(selector: unknown, field: string): FieldError[] {
  if (!isObj(selector)) return [fieldRequired(field)];
  const terms = objectsIn(selector.nodeSelectorTerms);
  if (terms.length === 0) return [fieldRequired(`${field}.nodeSelectorTerms`)];
  const errors: FieldError[] = [];
  terms.forEach((term, i) => {
    for (const list of ['matchExpressions', 'matchFields'] as const) {
      objectsIn(term[list]).forEach((req, j) => {
        const at = `${field}.nodeSelectorTerms[${i}].${list}[${j}]`;
        if (typeof req.key !== 'string' || req.key === '') errors.push(fieldRequired(`${at}.key`));
        if (list === 'matchFields' && req.key !== 'metadata.name') errors.push(fieldNotSupported(`${at}.key`, req.key, ['metadata.name']));
        if (!NODE_SELECTOR_OPERATORS.includes(req.operator as string)) errors.push(fieldNotSupported(`${at}.operator`, req.operator, NODE_SELECTOR_OPERATORS));
        const values = Array.isArray(req.values) ? req.values : [];
        if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) errors.push(fieldRequired(`${at}.values`));
        if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) errors.push(fieldForbidden(`${at}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\''));
        if ((req.operator === 'Gt' || req.operator === 'Lt') && (values.length !== 1 || !/^-?\d+$/.test(String(values[0])))) errors.push(fieldRequired(`${at}.values`));
      });
    }
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// PersistentVolume

export function validatePersistentVolume(pv: Obj, old?: Obj): FieldError[] {
  const spec = isObj(pv.spec) ? pv.spec : undefined;
  if (!spec) return [fieldRequired('spec')];
  const errors: FieldError[] = [];
  errors.push(...checkAccessModes(spec.accessModes, 'spec.accessModes'));
  errors.push(...checkStorageQuantity(isObj(spec.capacity) ? spec.capacity.storage : undefined, 'spec.capacity[storage]'));
  for (const key of Object.keys(isObj(spec.capacity) ? spec.capacity : {})) {
    if (key !== 'storage') errors.push(fieldNotSupported(`spec.capacity[${key}]`, key, ['storage']));
  }
  // The other sources are refused by UNSUPPORTED_FIELDS (lib/api/schemas/unsupported-fields.ts); they still count here.
  const sources = [...SUPPORTED_SOURCES, ...UNSUPPORTED_PERSISTENT_VOLUME_SOURCES].filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errors.push(requiredWith('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errors.push(fieldForbidden(`spec.${extra}`, 'may not specify more than 1 volume type'));
  if (isObj(spec.hostPath)) {
    const path = spec.hostPath.path;
    if (typeof path !== 'string' || path === '') errors.push(fieldRequired('spec.hostPath.path'));
    else if (!path.startsWith('/') || path.split('/').includes('..')) errors.push(fieldInvalid('spec.hostPath.path', path, "must be an absolute path without '..'"));
  }
  if (isObj(spec.local)) {
    const path = spec.local.path;
    if (typeof path !== 'string' || path === '') errors.push(fieldRequired('spec.local.path'));
    else if (!path.startsWith('/') || path.split('/').includes('..')) errors.push(fieldInvalid('spec.local.path', path, "must be an absolute path without '..'"));
    if (!isObj(spec.nodeAffinity)) errors.push(requiredWith('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
  if (isObj(spec.nodeAffinity)) errors.push(...validateNodeSelector(spec.nodeAffinity.required, 'spec.nodeAffinity.required'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy === 'Recycle') errors.push(fieldForbidden('spec.persistentVolumeReclaimPolicy', `${NOT_SUPPORTED('the Recycle policy (deprecated in Kubernetes)')}: use Retain or Delete`));
  else if (policy !== undefined && policy !== 'Retain' && policy !== 'Delete') errors.push(fieldNotSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  errors.push(...checkVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (isObj(spec.claimRef)) {
    if (typeof spec.claimRef.name !== 'string' || spec.claimRef.name === '') errors.push(fieldRequired('spec.claimRef.name'));
    if (typeof spec.claimRef.namespace !== 'string' || spec.claimRef.namespace === '') errors.push(fieldRequired('spec.claimRef.namespace'));
  }
  if (old && isObj(old.spec)) {
    for (const source of sources) {
      if (!semanticEqual(spec[source], old.spec[source])) errors.push(fieldForbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
    }
    if (old.spec.nodeAffinity && !semanticEqual(spec.nodeAffinity, old.spec.nodeAffinity)) errors.push(fieldForbidden('spec.nodeAffinity', 'field is immutable once set'));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// PersistentVolumeClaim

export function validatePersistentVolumeClaim(pvc: Obj, old?: Obj): FieldError[] {
  const spec = isObj(pvc.spec) ? pvc.spec : undefined;
  if (!spec) return [fieldRequired('spec')];
  const errors: FieldError[] = [];
  errors.push(...checkAccessModes(spec.accessModes, 'spec.accessModes'));
  const resources = isObj(spec.resources) ? spec.resources : {};
  errors.push(...checkStorageQuantity(isObj(resources.requests) ? resources.requests.storage : undefined, 'spec.resources[storage]'));
  // resources.limits is refused by UNSUPPORTED_FIELDS.
  for (const key of Object.keys(isObj(resources.requests) ? resources.requests : {})) {
    if (key !== 'storage') errors.push(fieldNotSupported(`spec.resources.requests[${key}]`, key, ['storage']));
  }
  errors.push(...checkVolumeMode(spec.volumeMode, 'spec.volumeMode'));
  if (old && isObj(old.spec)) {
    // The binder may fill in volumeName once, and a default class once (retroactive default class); nothing else changes.
    const oldSpec = old.spec;
    const munged: Obj = { ...spec };
    if (!oldSpec.volumeName) munged.volumeName = oldSpec.volumeName;
    if (oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) munged.storageClassName = oldSpec.storageClassName;
    const keys = new Set([...Object.keys(munged), ...Object.keys(oldSpec)]);
    if ([...keys].some((k) => !semanticEqual(munged[k], oldSpec[k]))) {
      errors.push(fieldForbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims; kubelab cannot expand volumes, so resources.requests is fixed too'));
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// StorageClass

export function validateStorageClass(sc: Obj, old?: Obj): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof sc.provisioner !== 'string' || sc.provisioner === '') errors.push(fieldRequired('provisioner'));
  if (sc.reclaimPolicy === 'Recycle') errors.push(fieldForbidden('reclaimPolicy', `${NOT_SUPPORTED('the Recycle policy (deprecated in Kubernetes)')}: use Retain or Delete`));
  if (sc.provisioner === LOCAL_PATH_PROVISIONER) {
    for (const key of Object.keys(isObj(sc.parameters) ? sc.parameters : {})) {
      errors.push(fieldForbidden(`parameters[${key}]`, `${LOCAL_PATH_PROVISIONER} takes no parameters: its volumes are directories under each node's data dir`));
    }
  }
  if (old) {
    for (const field of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode']) {
      if (!semanticEqual(sc[field] ?? null, old[field] ?? null)) errors.push(fieldForbidden(field, `updates to ${field} are forbidden.`));
    }
  }
  return errors;
}
