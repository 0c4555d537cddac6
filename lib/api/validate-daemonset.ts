// Validation of DaemonSets and their ControllerRevisions (pkg/apis/apps/validation:
// ValidateDaemonSetSpec, ValidateRollingUpdateDaemonSet, ValidateControllerRevision).
//
// A DaemonSet shares the ReplicaSet's rules for its selector and template (the selector must
// select the pods the template makes, restartPolicy Always), and adds its own update strategy:
// RollingUpdate replaces pods node by node, either taking up to maxUnavailable nodes' pods down
// at once or starting up to maxSurge new pods beside the old ones; exactly one of the two is
// non-zero. OnDelete replaces a pod only when the user deletes it.
//
// One refusal is kubelab's own: spec.template.spec.affinity. Kubernetes' DaemonSet controller
// places pods by required node affinity and lets the scheduler check the rest; kubelab's
// DaemonSet controller binds its pods itself (the scheduler, which honours affinity, never sees
// them), so a DaemonSet asking for affinity would silently run on nodes it excluded. It is refused with a 422
// naming the field, and nodeSelector (which kubelab honours) is offered instead.

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { semanticEqual } from './validate-pod-spec.js';
import { checkNonNegative, isObj, type Obj } from './validate-object-meta.js';
import { checkIntOrPercent, PERCENT, validateLabelSelector, validateTemplate } from './validate-workload.js';

export const DAEMON_SET_UPDATE_STRATEGIES = ['OnDelete', 'RollingUpdate'];

export function validateDaemonSet(obj: Obj, old?: Obj): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errors: FieldError[] = [];
  errors.push(...checkNonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errors.push(...checkNonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const selects = validateLabelSelector(spec.selector, 'DaemonSet');
  errors.push(...selects.errors);
  errors.push(...validateTemplate(spec.template, selects.matches).map(forDaemonSet));
  const templateSpec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
  if (templateSpec.affinity !== undefined && templateSpec.affinity !== null) {
    errors.push(
      fieldForbidden(
        'spec.template.spec.affinity',
        'kubelab does not support affinity for DaemonSet pods (its DaemonSet controller places them itself and would ignore it); choose the nodes with spec.template.spec.nodeSelector and node labels instead',
      ),
    );
  }
  errors.push(...validateUpdateStrategy(spec.updateStrategy));
  if (old) {
    const oldSpec = isObj(old.spec) ? old.spec : {};
    // Changing the selector would orphan the pods the old one selected.
    if (!semanticEqual(spec.selector, oldSpec.selector)) errors.push(fieldInvalid('spec.selector', spec.selector, 'field is immutable'));
  }
  return errors;
}

/** validateTemplate speaks of ReplicaSets in one message. */
function forDaemonSet(error: FieldError): FieldError {
  return { ...error, message: error.message.replace('in ReplicaSet', 'in DaemonSet') };
}

const percentValue = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && PERCENT.test(v) ? parseInt(v, 10) : 0);

function validateUpdateStrategy(strategy: unknown): FieldError[] {
  if (strategy === undefined || strategy === null) return [];
  if (!isObj(strategy)) return [fieldInvalid('spec.updateStrategy', strategy, 'must be an object')];
  const errors: FieldError[] = [];
  const { type, rollingUpdate } = strategy;
  if (!DAEMON_SET_UPDATE_STRATEGIES.includes(type as string)) {
    errors.push(type === undefined ? fieldRequired('spec.updateStrategy.type') : fieldNotSupported('spec.updateStrategy.type', type, DAEMON_SET_UPDATE_STRATEGIES));
  }
  if (type === 'OnDelete' && rollingUpdate !== undefined && rollingUpdate !== null) {
    errors.push(fieldForbidden('spec.updateStrategy.rollingUpdate', "may not be specified when strategy `type` is 'OnDelete'"));
  }
  if (type !== 'RollingUpdate') return errors;
  if (!isObj(rollingUpdate)) return [...errors, fieldRequired('spec.updateStrategy.rollingUpdate')];
  const at = 'spec.updateStrategy.rollingUpdate';
  const { maxSurge, maxUnavailable } = rollingUpdate;
  errors.push(...checkIntOrPercent(`${at}.maxUnavailable`, maxUnavailable));
  errors.push(...checkIntOrPercent(`${at}.maxSurge`, maxSurge));
  for (const [field, value] of [['maxUnavailable', maxUnavailable], ['maxSurge', maxSurge]] as const) {
    if (typeof value === 'string' && PERCENT.test(value) && parseInt(value, 10) > 100) {
      errors.push(fieldInvalid(`${at}.${field}`, value, 'must not be greater than 100%'));
    }
  }
  // A step either takes old pods down (maxUnavailable) or starts new ones beside them (maxSurge).
  const hasUnavailable = percentValue(maxUnavailable) !== 0;
  const hasSurge = percentValue(maxSurge) !== 0;
  if (hasUnavailable && hasSurge) errors.push(fieldInvalid(`${at}.maxSurge`, maxSurge, 'may not be set when maxUnavailable is non-zero'));
  if (!hasUnavailable && !hasSurge) errors.push({ field: `${at}.maxUnavailable`, type: 'FieldValueRequired', message: 'Required value: cannot be 0 when maxSurge is 0' });
  return errors;
}

/** A ControllerRevision is a snapshot: its data is required and never changes; only its revision number may. */
export function validateControllerRevision(obj: Obj, old?: Obj): FieldError[] {
  const errors: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errors.push({ field: 'data', type: 'FieldValueRequired', message: 'Required value: data is mandatory' });
  errors.push(...checkNonNegative('revision', obj.revision));
  if (old && !semanticEqual(obj.data, old.data)) errors.push(fieldInvalid('data', '', 'field is immutable'));
  return errors;
}
