// Validation of StatefulSets (pkg/apis/apps/validation: ValidateStatefulSetSpec,
// ValidateStatefulSetUpdate).
//
// A StatefulSet shares the ReplicaSet's rules for its selector and template, with one twist: its
// containers may mount volumes that are not in the template's volumes, because each
// volumeClaimTemplate becomes a volume of the same name in every pod (backed by that pod's own
// claim). The template is therefore checked with those volumes added.
//
// Its spec is mostly fixed after creation: only replicas, ordinals, template, updateStrategy,
// revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds may change,
// because a different selector, serviceName or set of claims would give existing pods another
// identity or other storage.
//
// One refusal is kubelab's own: updateStrategy.rollingUpdate.maxUnavailable. Kubernetes has it
// only behind the alpha MaxUnavailableStatefulSet feature gate (off by default, so the field is
// dropped); kubelab replaces one pod at a time and says so with a 422 instead of ignoring it.

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { checkDns1123Label, checkDns1123Subdomain } from './name-rules.js';
import { semanticEqual } from './validate-pod-spec.js';
import { checkName, checkNonNegative, checkUnique, isObj, objectsIn, type Obj } from './validate-object-meta.js';
import { validatePersistentVolumeClaim } from './validate-storage.js';
import { validateLabelSelector, validateTemplate } from './validate-workload.js';

export const STATEFUL_SET_UPDATE_STRATEGIES = ['OnDelete', 'RollingUpdate'];
export const POD_MANAGEMENT_POLICIES = ['OrderedReady', 'Parallel'];
const RETENTION_POLICIES = ['Retain', 'Delete'];
/** The spec fields an update may change (everything else is identity). */
const MUTABLE_SPEC_FIELDS = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSet(obj: Obj, old?: Obj): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errors: FieldError[] = [];
  errors.push(...checkNonNegative('spec.replicas', spec.replicas));
  errors.push(...checkNonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errors.push(...checkNonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  if (isObj(spec.ordinals)) errors.push(...checkNonNegative('spec.ordinals.start', spec.ordinals.start));
  if (typeof spec.serviceName === 'string' && spec.serviceName !== '') errors.push(...checkName('spec.serviceName', spec.serviceName, checkDns1123Label));
  if (spec.podManagementPolicy !== undefined && !POD_MANAGEMENT_POLICIES.includes(spec.podManagementPolicy as string)) {
    errors.push(fieldNotSupported('spec.podManagementPolicy', spec.podManagementPolicy, POD_MANAGEMENT_POLICIES));
  }
  const selects = validateLabelSelector(spec.selector, 'DaemonSet');
  errors.push(...selects.errors.map(forStatefulSet));
  const claims = objectsIn(spec.volumeClaimTemplates);
  errors.push(...validateClaimTemplates(claims));
  errors.push(...validateTemplate(withClaimVolumes(spec.template, claims), selects.matches).map(forStatefulSet));
  errors.push(...validateUpdateStrategy(spec.updateStrategy));
  errors.push(...validateRetentionPolicy(spec.persistentVolumeClaimRetentionPolicy));
  if (old) {
    const oldSpec = isObj(old.spec) ? old.spec : {};
    const fixed = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([key]) => !MUTABLE_SPEC_FIELDS.includes(key)));
    if (!semanticEqual(fixed(spec), fixed(oldSpec))) {
      errors.push(
        fieldForbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return errors;
}

/** validateTemplate and validateLabelSelector speak of ReplicaSets and DaemonSets. */
function forStatefulSet(error: FieldError): FieldError {
  return { ...error, message: error.message.replace('in ReplicaSet', 'in StatefulSet').replace('invalid for daemonset', 'invalid for statefulset') };
}

/** Each claim template becomes a volume of its name in every pod; the template is checked with them. */
function withClaimVolumes(template: unknown, claims: Obj[]): unknown {
  if (!isObj(template) || !isObj(template.spec) || claims.length === 0) return template;
  const names = claims.map((claim) => (isObj(claim.metadata) ? claim.metadata.name : undefined)).filter((name): name is string => typeof name === 'string');
  const own = Array.isArray(template.spec.volumes) ? template.spec.volumes : [];
  const ownNames = new Set(objectsIn(own).map((volume) => volume.name));
  const added = names.filter((name) => !ownNames.has(name)).map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  return { ...template, spec: { ...template.spec, volumes: [...own, ...added] } };
}

function validateClaimTemplates(claims: Obj[]): FieldError[] {
  const errors: FieldError[] = [];
  claims.forEach((claim, i) => {
    const at = `spec.volumeClaimTemplates[${i}]`;
    const name = isObj(claim.metadata) ? claim.metadata.name : undefined;
    if (typeof name !== 'string' || name === '') errors.push(fieldRequired(`${at}.metadata.name`));
    else errors.push(...checkName(`${at}.metadata.name`, name, checkDns1123Subdomain));
    if (isObj(claim.metadata) && claim.metadata.namespace !== undefined && claim.metadata.namespace !== null && claim.metadata.namespace !== '') {
      errors.push(fieldForbidden(`${at}.metadata.namespace`, 'a claim template takes the StatefulSet\'s namespace'));
    }
    // Each template becomes a claim: what a claim may not say, its template may not say either.
    errors.push(...validatePersistentVolumeClaim(claim).map((error) => ({ ...error, field: `${at}.${error.field}` })));
  });
  errors.push(...checkUnique(claims.map((claim, i) => ({ field: `spec.volumeClaimTemplates[${i}].metadata.name`, value: isObj(claim.metadata) ? claim.metadata.name : undefined }))));
  return errors;
}

function validateUpdateStrategy(strategy: unknown): FieldError[] {
  if (strategy === undefined || strategy === null) return [];
  if (!isObj(strategy)) return [fieldInvalid('spec.updateStrategy', strategy, 'must be an object')];
  const errors: FieldError[] = [];
  const { type, rollingUpdate } = strategy;
  if (!STATEFUL_SET_UPDATE_STRATEGIES.includes(type as string)) {
    errors.push(type === undefined ? fieldRequired('spec.updateStrategy.type') : fieldNotSupported('spec.updateStrategy.type', type, STATEFUL_SET_UPDATE_STRATEGIES));
  }
  const hasRolling = rollingUpdate !== undefined && rollingUpdate !== null;
  if (type === 'OnDelete' && hasRolling) errors.push(fieldForbidden('spec.updateStrategy.rollingUpdate', 'only allowed for updateStrategy \'RollingUpdate\''));
  if (!isObj(rollingUpdate)) return errors;
  errors.push(...checkNonNegative('spec.updateStrategy.rollingUpdate.partition', rollingUpdate.partition));
  // maxUnavailable (alpha in Kubernetes) is refused by UNSUPPORTED_FIELDS (lib/api/schemas/unsupported-fields.ts).
  return errors;
}

function validateRetentionPolicy(policy: unknown): FieldError[] {
  if (!isObj(policy)) return [];
  const errors: FieldError[] = [];
  for (const field of ['whenDeleted', 'whenScaled'] as const) {
    const value = policy[field];
    if (value !== undefined && !RETENTION_POLICIES.includes(value as string)) {
      errors.push(fieldNotSupported(`spec.persistentVolumeClaimRetentionPolicy.${field}`, value, RETENTION_POLICIES));
    }
  }
  return errors;
}
