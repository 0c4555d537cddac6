// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding
// (k8s.io/api/rbac/v1/types.go). What the fields mean for a request: lib/rbac/rule-matching.ts.

import { LabelSelector, ObjectMeta } from './meta.js';
import { definition, kindSchema, listOfObjects, object, string, stringList, type KindSchema } from './schema.js';

const PolicyRule = definition('io.k8s.api.rbac.v1.PolicyRule', 'PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.', {
  verbs: stringList("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.", { required: true, proto: 1 }),
  apiGroups: stringList('APIGroups is the name of the APIGroup that contains the resources. If multiple API groups are specified, any action requested against one of the enumerated resources in any API group will be allowed. "" represents the core API group and "*" represents all API groups.', { proto: 2 }),
  resources: stringList("Resources is a list of resources this rule applies to. '*' represents all resources.", { proto: 3 }),
  resourceNames: stringList('ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.', { proto: 4 }),
  nonResourceURLs: stringList('NonResourceURLs is a set of partial urls that a user should have access to.  *s are allowed, but only as the full, final step in the path. Since non-resource URLs are not namespaced, this field is only applicable for ClusterRoles referenced from a ClusterRoleBinding. Rules can either apply to API resources (such as "pods" or "secrets") or non-resource URL paths (such as "/api"),  but not both.', { proto: 5 }),
});


export const Role: KindSchema = kindSchema('rbac.authorization.k8s.io', 'v1', 'Role', 'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.', {
  rules: listOfObjects(PolicyRule, 'Rules holds all the PolicyRules for this Role', { proto: 2 }),
}, ObjectMeta);

const AggregationRule = definition('io.k8s.api.rbac.v1.AggregationRule', 'AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole', {
  clusterRoleSelectors: listOfObjects(LabelSelector, "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules. If any of the selectors match, then the ClusterRole's permissions will be added", { proto: 1 }),
});

export const ClusterRole: KindSchema = kindSchema('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.', {
  rules: listOfObjects(PolicyRule, 'Rules holds all the PolicyRules for this ClusterRole', { proto: 2 }),
  aggregationRule: object(AggregationRule, 'AggregationRule is an optional field that describes how to build the Rules for this ClusterRole. If AggregationRule is set, then the Rules are controller managed and direct changes to Rules will be stomped by the controller.', { proto: 3, pointer: true }),
}, ObjectMeta);

const Subject = definition('io.k8s.api.rbac.v1.Subject', 'Subject contains a reference to the object or user identities a role binding applies to.  This can either hold a direct API object reference, or a value for non-objects such as user and group names.', {
  kind: string('Kind of object being referenced. Values defined by this API group are "User", "Group", and "ServiceAccount". If the Authorizer does not recognized the kind value, the Authorizer should report an error.', { required: true, proto: 1 }),
  apiGroup: string('APIGroup holds the API group of the referenced subject. Defaults to "" for ServiceAccount subjects. Defaults to "rbac.authorization.k8s.io" for User and Group subjects.', { proto: 2 }),
  name: string('Name of the object being referenced.', { required: true, proto: 3 }),
  namespace: string('Namespace of the referenced object.  If the object kind is non-namespace, such as "User" or "Group", and this value is not empty the Authorizer should report an error.', { proto: 4 }),
});

const RoleRef = definition('io.k8s.api.rbac.v1.RoleRef', 'RoleRef contains information that points to the role being used', {
  apiGroup: string('APIGroup is the group for the resource being referenced', { required: true, proto: 1 }),
  kind: string('Kind is the type of resource being referenced', { required: true, proto: 2 }),
  name: string('Name is the name of resource being referenced', { required: true, proto: 3 }),
});

const bindingFields = (what: string) => ({
  subjects: listOfObjects(Subject, 'Subjects holds references to the objects the role applies to.', { proto: 2 }),
  roleRef: object(RoleRef, what, { required: true, proto: 3 }),
});

export const RoleBinding: KindSchema = kindSchema('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'RoleBinding references a role, but does not contain it.  It can reference a Role in the same namespace or a ClusterRole in the global namespace. It adds who information via Subjects and namespace information by which namespace it exists in.  RoleBindings in a given namespace only have effect in that namespace.', bindingFields(
  'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
), ObjectMeta);

export const ClusterRoleBinding: KindSchema = kindSchema('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'ClusterRoleBinding references a ClusterRole, but not contain it.  It can reference a ClusterRole in the global namespace, and adds who information via Subject.', bindingFields(
  'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error. This field is immutable.',
), ObjectMeta);
