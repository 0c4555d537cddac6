// Validation of a Lease (pkg/apis/coordination/validation ValidateLeaseSpec): a duration must be
// positive and the transition count not negative. Everything else in a Lease is its holder's word.

import { fieldInvalid, type FieldError } from '../errors.js';
import { isObj, type Obj } from './validate-object-meta.js';

export function validateLease(lease: Obj): FieldError[] {
  const spec = isObj(lease.spec) ? lease.spec : {};
  const errors: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    errors.push(fieldInvalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    errors.push(fieldInvalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errors;
}
