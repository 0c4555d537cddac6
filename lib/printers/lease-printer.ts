// Rows of Leases with kubectl's columns (pkg/printers/internalversion printLease):
// `kubectl get lease -n kube-system` shows who leads the scheduler and the controller manager.

import type { Lease } from '../api/coordination-types.js';
import { ageOf } from '../time.js';
import { ageColumn, column, nameColumn, type Printer } from './printer.js';

export const leasePrinter: Printer = {
  columns: [nameColumn, column('Holder', 'holderIdentity contains the identity of the holder of a current lease.'), ageColumn],
  cells(obj, now) {
    const lease = obj as Lease;
    return [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', ageOf(lease.metadata.creationTimestamp, now)];
  },
};
