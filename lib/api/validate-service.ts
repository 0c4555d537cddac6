// Validation of a Service (pkg/apis/core/validation, ValidateService).
//
// A Service is a stable address (ClusterIP, NodePort, LoadBalancer) in front of the pods its
// selector picks; the proxy on every node reads its ports. So each port needs a distinct
// (port, protocol) pair and, when there are several, a name that Endpoints use to pair them up.

import { fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from '../errors.js';
import { checkDns1123Label, checkDns1123Subdomain } from './name-rules.js';
import { checkPortOrName } from './validate-pod-spec.js';
import { checkName, checkOptionalPort, checkUnique, isObj, isValidPortNumber, objectsIn, PORT_RANGE_MESSAGE, validateLabels, type Obj } from './validate-object-meta.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export const isIPv4 = (value: unknown): boolean => typeof value === 'string' && IPV4.test(value);

export function validateService(obj: Obj, old?: Obj): FieldError[] {
  const spec = isObj(obj.spec) ? obj.spec : {};
  const errors: FieldError[] = [];
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type as string)) errors.push(fieldNotSupported('spec.type', type, SERVICE_TYPES));
  const headless = spec.clusterIP === 'None';

  if (type === 'ExternalName') {
    if (typeof spec.externalName !== 'string' || spec.externalName === '') errors.push(fieldRequired('spec.externalName'));
    else errors.push(...checkName('spec.externalName', spec.externalName.replace(/\.$/, ''), checkDns1123Subdomain));
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') {
      errors.push(fieldForbidden('spec.clusterIP', 'may not be set for ExternalName services'));
    }
  } else {
    const ports = objectsIn(spec.ports);
    if (ports.length === 0 && !headless) errors.push(fieldRequired('spec.ports'));
    errors.push(...validateServicePorts(ports, type as string));
  }

  if (spec.clusterIP !== undefined && spec.clusterIP !== null && spec.clusterIP !== '' && !headless && !isIPv4(spec.clusterIP)) {
    errors.push(fieldInvalid('spec.clusterIP', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7)'));
  }
  (Array.isArray(spec.externalIPs) ? spec.externalIPs : []).forEach((ip, i) => {
    if (!isIPv4(ip)) errors.push(fieldInvalid(`spec.externalIPs[${i}]`, ip, 'must be a valid IP address, (e.g. 10.9.8.7)'));
  });
  errors.push(...validateLabels(spec.selector, 'spec.selector'));

  const affinity = spec.sessionAffinity;
  if (affinity !== undefined && affinity !== 'None' && affinity !== 'ClientIP') {
    errors.push(fieldNotSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  }
  const timeout = isObj(spec.sessionAffinityConfig) && isObj(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP.timeoutSeconds : undefined;
  if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) <= 0 || (timeout as number) > 86400)) {
    errors.push(fieldInvalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  }

  if (old && isObj(old.spec)) {
    const before = old.spec.clusterIP;
    // The address clients already resolved must stay valid for the Service's whole life.
    if (typeof before === 'string' && before !== '' && typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && spec.clusterIP !== before && type !== 'ExternalName') {
      errors.push(fieldInvalid('spec.clusterIP', spec.clusterIP, 'field is immutable'));
    }
  }
  return errors;
}

function validateServicePorts(ports: Obj[], type: string): FieldError[] {
  const errors: FieldError[] = [];
  const nodePortAllowed = type === 'NodePort' || type === 'LoadBalancer';
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (typeof p.name === 'string' && p.name !== '') errors.push(...checkName(`${at}.name`, p.name, checkDns1123Label));
    else if (ports.length > 1) errors.push(fieldRequired(`${at}.name`));
    if (!isValidPortNumber(p.port)) errors.push(fieldInvalid(`${at}.port`, p.port ?? 0, PORT_RANGE_MESSAGE));
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol as string)) errors.push(fieldNotSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    if (p.targetPort !== undefined && p.targetPort !== null && p.targetPort !== 0 && p.targetPort !== '') {
      errors.push(...checkPortOrName(`${at}.targetPort`, p.targetPort));
    }
    if (p.nodePort !== undefined && p.nodePort !== null && p.nodePort !== 0) {
      if (!nodePortAllowed) errors.push(fieldForbidden(`${at}.nodePort`, `may not be used when \`type\` is '${type}'`));
      else errors.push(...checkOptionalPort(`${at}.nodePort`, p.nodePort));
    }
  });
  errors.push(...checkUnique(ports.map((p, i) => ({ field: `spec.ports[${i}].name`, value: p.name }))));
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = { port: p.port, protocol: p.protocol ?? 'TCP' };
    if (seen.has(JSON.stringify(key))) errors.push(fieldDuplicate(`spec.ports[${i}]`, key));
    seen.add(JSON.stringify(key));
  });
  // One node port may serve TCP and UDP at once, like one port number on a host.
  const seenNodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.nodePort}/${p.protocol ?? 'TCP'}`;
    if (seenNodePorts.has(key)) errors.push(fieldDuplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    seenNodePorts.add(key);
  });
  return errors;
}
