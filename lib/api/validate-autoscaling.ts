// HorizontalPodAutoscaler defaults and validation (pkg/apis/autoscaling/v2/defaults.go and
// pkg/apis/autoscaling/validation), on the stored autoscaling/v2 shape.
//
// Defaults: minReplicas 1; no metrics means 80 % average CPU utilization; a behavior that is set
// gets Kubernetes' rules for the directions and fields it leaves out (scale up: the higher of
// +4 pods and +100 % per 15 s, no stabilization; scale down: -100 % per 15 s; selectPolicy Max).
// scaleDown.stabilizationWindowSeconds stays unset: the controller fills it from its
// --horizontal-pod-autoscaler-downscale-stabilization flag (300 s), as Kubernetes does.
//
// Refused, naming the field: the metric sources kubelab cannot measure (Object, Pods, External
// need a custom or external metrics API, which kubelab does not serve), and Value targets of
// resource metrics (Kubernetes refuses those too). The fields themselves (spec.metrics[].object,
// .pods, .external, and a target's value) are in UNSUPPORTED_FIELDS
// (lib/api/schemas/unsupported-fields.ts); here only a type whose source is left out.

import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { parseQuantity } from './quantity.js';
import { DEFAULT_CPU_UTILIZATION_PERCENT, type HPAScalingRules } from './autoscaling-types.js';
import { isObj, objectsIn, type Obj } from './validate-object-meta.js';

const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

export const DEFAULT_SCALE_UP_RULES: Required<HPAScalingRules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

export const DEFAULT_SCALE_DOWN_RULES: Omit<HPAScalingRules, 'stabilizationWindowSeconds'> = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** Kubernetes' copyHPAScalingRules: the user's fields over the defaults, field by field. */
function rulesWithDefaults(given: unknown, defaults: HPAScalingRules): Obj {
  const rules: Obj = structuredClone(defaults) as Obj;
  if (!isObj(given)) return rules;
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) {
    if (given[key] !== undefined && given[key] !== null) rules[key] = given[key];
  }
  return rules;
}

export function defaultHorizontalPodAutoscaler(hpa: Obj): void {
  if (!isObj(hpa.spec)) return;
  const spec = hpa.spec;
  if (spec.minReplicas === undefined || spec.minReplicas === null) spec.minReplicas = 1;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION_PERCENT } } }];
  }
  if (isObj(spec.behavior)) {
    spec.behavior.scaleUp = rulesWithDefaults(spec.behavior.scaleUp, DEFAULT_SCALE_UP_RULES);
    spec.behavior.scaleDown = rulesWithDefaults(spec.behavior.scaleDown, DEFAULT_SCALE_DOWN_RULES);
  }
}

const SCALABLE_KINDS = ['Deployment', 'ReplicaSet', 'ReplicationController'];
const UNSUPPORTED_SOURCES: Record<string, string> = {
  Object: 'object',
  Pods: 'pods',
  External: 'external',
};

export function validateHorizontalPodAutoscaler(hpa: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const spec = isObj(hpa.spec) ? hpa.spec : undefined;
  if (!spec) return [fieldRequired('spec')];
  const ref = isObj(spec.scaleTargetRef) ? spec.scaleTargetRef : undefined;
  if (!ref) errors.push(fieldRequired('spec.scaleTargetRef'));
  else {
    if (!ref.kind) errors.push(fieldRequired('spec.scaleTargetRef.kind'));
    else if (!SCALABLE_KINDS.includes(String(ref.kind))) {
      errors.push(fieldInvalid('spec.scaleTargetRef.kind', ref.kind, `kubelab scales only ${SCALABLE_KINDS.join(', ')} (the kinds it serves /scale for)`));
    }
    if (!ref.name) errors.push(fieldRequired('spec.scaleTargetRef.name'));
    else if (String(ref.name).includes('/') || String(ref.name).includes('%') || ref.name === '.' || ref.name === '..') {
      errors.push(fieldInvalid('spec.scaleTargetRef.name', ref.name, 'may not contain "/" or "%" and may not be "." or ".."'));
    }
  }
  const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
  if (min < 1) errors.push(fieldInvalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (typeof spec.maxReplicas !== 'number') errors.push(fieldRequired('spec.maxReplicas'));
  else {
    if (spec.maxReplicas < 1) errors.push(fieldInvalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
    if (spec.maxReplicas < min) errors.push(fieldInvalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  objectsIn(spec.metrics).forEach((metric, i) => errors.push(...validateMetricSpec(metric, `spec.metrics[${i}]`)));
  if (isObj(spec.behavior)) {
    for (const direction of ['scaleUp', 'scaleDown']) {
      const rules = spec.behavior[direction];
      if (isObj(rules)) errors.push(...validateScalingRules(rules, `spec.behavior.${direction}`));
    }
  }
  return errors;
}

function validateMetricSpec(metric: Obj, path: string): FieldError[] {
  const type = metric.type;
  if (!type) return [fieldRequired(`${path}.type`)];
  if (typeof type === 'string' && UNSUPPORTED_SOURCES[type]) {
    // The source itself, when given, is refused by UNSUPPORTED_FIELDS with the reason.
    const source = metric[UNSUPPORTED_SOURCES[type]];
    return source !== undefined && source !== null ? [] : [fieldNotSupported(`${path}.type`, type, ['ContainerResource', 'Resource'])];
  }
  const errors: FieldError[] = [];
  const sourceKey = type === 'Resource' ? 'resource' : 'containerResource';
  for (const key of ['resource', 'containerResource', 'object', 'pods', 'external']) {
    if (key !== sourceKey && metric[key] !== undefined && metric[key] !== null) errors.push(fieldForbidden(`${path}.${key}`, `must populate information for the given metric source (only ${sourceKey} for type ${type})`));
  }
  const source = isObj(metric[sourceKey]) ? (metric[sourceKey] as Obj) : undefined;
  if (!source) return [...errors, fieldRequired(`${path}.${sourceKey}`)];
  const at = `${path}.${sourceKey}`;
  if (!source.name) errors.push(fieldRequired(`${at}.name`));
  else if (source.name !== 'cpu' && source.name !== 'memory') {
    errors.push(fieldNotSupported(`${at}.name`, source.name, ['cpu', 'memory']));
  }
  if (sourceKey === 'containerResource' && !source.container) errors.push(fieldRequired(`${at}.container`));
  const target = isObj(source.target) ? source.target : undefined;
  if (!target) return [...errors, fieldRequired(`${at}.target`)];
  errors.push(...validateResourceTarget(target, `${at}.target`));
  return errors;
}

function validateResourceTarget(target: Obj, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (target.type === 'Utilization') {
    if (target.averageUtilization === undefined) errors.push(fieldRequired(`${path}.averageUtilization`));
    else if (Number(target.averageUtilization) <= 0) errors.push(fieldInvalid(`${path}.averageUtilization`, target.averageUtilization, 'must be greater than 0'));
    if (target.averageValue !== undefined) errors.push(fieldForbidden(`${path}.averageValue`, 'may not set both a target raw value and a target utilization'));
  } else if (target.type === 'AverageValue') {
    if (target.averageValue === undefined) errors.push(fieldRequired(`${path}.averageValue`));
    else if (parseQuantity(String(target.averageValue)) <= 0) errors.push(fieldInvalid(`${path}.averageValue`, target.averageValue, 'must be positive'));
    if (target.averageUtilization !== undefined) errors.push(fieldForbidden(`${path}.averageUtilization`, 'may not set both a target raw value and a target utilization'));
  } else {
    errors.push(fieldNotSupported(`${path}.type`, target.type, ['Utilization', 'AverageValue']));
  }
  return errors;
}

function validateScalingRules(rules: Obj, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const window = rules.stabilizationWindowSeconds;
  if (typeof window === 'number' && (window < 0 || window > MAX_STABILIZATION_WINDOW_SECONDS)) {
    errors.push(fieldInvalid(`${path}.stabilizationWindowSeconds`, window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS} and greater than or equal to 0`));
  }
  const policies = Array.isArray(rules.policies) ? rules.policies : [];
  if (policies.length === 0) errors.push(fieldRequired(`${path}.policies`));
  objectsIn(rules.policies).forEach((policy, i) => {
    const at = `${path}.policies[${i}]`;
    if (policy.type !== 'Pods' && policy.type !== 'Percent') errors.push(fieldNotSupported(`${at}.type`, policy.type, ['Pods', 'Percent']));
    if (typeof policy.value !== 'number' || policy.value <= 0) errors.push(fieldInvalid(`${at}.value`, policy.value, 'must be greater than zero'));
    if (typeof policy.periodSeconds !== 'number' || policy.periodSeconds <= 0) errors.push(fieldInvalid(`${at}.periodSeconds`, policy.periodSeconds, 'must be greater than zero'));
    else if (policy.periodSeconds > MAX_PERIOD_SECONDS) errors.push(fieldInvalid(`${at}.periodSeconds`, policy.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errors;
}
