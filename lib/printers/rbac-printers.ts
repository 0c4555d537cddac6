// Rows of the RBAC kinds, with kubectl's columns (pkg/printers/internalversion/printers.go:
// printRole, printClusterRole, printRoleBinding, printClusterRoleBinding):
//
//   kubectl get roles              NAME   CREATED AT
//   kubectl get rolebindings       NAME   ROLE   AGE   (-o wide: USERS   GROUPS   SERVICEACCOUNTS)

import type { RoleBinding, Subject } from '../api/rbac-types.js';
import { ageOf } from '../time.js';
import { ageColumn, column, nameColumn, type Printer } from './printer.js';

export const rolePrinter: Printer = {
  columns: [nameColumn, column('Created At', 'CreationTimestamp is a timestamp representing the server time when this object was created.', { type: 'date' })],
  cells: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? ''],
};

/** Kubernetes' SubjectsStrings: users, groups and `namespace/name` of service accounts. */
export function subjectsStrings(subjects: Subject[] | undefined): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const result = { users: [] as string[], groups: [] as string[], serviceAccounts: [] as string[] };
  for (const subject of subjects ?? []) {
    if (subject.kind === 'User') result.users.push(subject.name);
    else if (subject.kind === 'Group') result.groups.push(subject.name);
    else if (subject.kind === 'ServiceAccount') result.serviceAccounts.push(`${subject.namespace ?? ''}/${subject.name}`);
  }
  return result;
}

export const roleBindingPrinter: Printer = {
  columns: [
    nameColumn,
    column('Role', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
    ageColumn,
    column('Users', 'Users in the roleBinding', { wide: true }),
    column('Groups', 'Groups in the roleBinding', { wide: true }),
    column('ServiceAccounts', 'ServiceAccounts in the roleBinding', { wide: true }),
  ],
  cells(obj, now) {
    const binding = obj as RoleBinding;
    const { users, groups, serviceAccounts } = subjectsStrings(binding.subjects);
    return [
      binding.metadata.name ?? '',
      `${binding.roleRef?.kind ?? ''}/${binding.roleRef?.name ?? ''}`,
      ageOf(binding.metadata.creationTimestamp, now),
      users.join(', '),
      groups.join(', '),
      serviceAccounts.join(', '),
    ];
  },
};
