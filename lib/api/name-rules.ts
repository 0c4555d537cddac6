// The naming rules of Kubernetes (apimachinery/pkg/util/validation), with their exact messages.
//
// Each check returns the list of problems with a value (empty = valid), as Kubernetes does, so a
// caller can join them into one field error: `Invalid value: "Bad_Name": a lowercase RFC 1123 ...`.
// Users paste these messages into search engines; keeping the real wording keeps them useful.

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;
const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const configKeyFmt = '[-._a-zA-Z0-9]+';

const whole = (fmt: string): RegExp => new RegExp(`^${fmt}$`);
const dns1123LabelRe = whole(dns1123LabelFmt);
const dns1035LabelRe = whole(dns1035LabelFmt);
const dns1123SubdomainRe = whole(dns1123SubdomainFmt);
const qualifiedNameRe = whole(qualifiedNameFmt);
const labelValueRe = whole(labelValueFmt);
const envVarNameRe = whole(envVarNameFmt);
const configKeyRe = whole(configKeyFmt);

/** Kubernetes lists examples as `e.g. 'a',  or 'b'` (sic: two spaces), then the regex. */
function regexError(what: string, fmt: string, ...examples: string[]): string {
  const e = examples.map((x) => `'${x}'`).join(',  or ');
  return `${what} (e.g. ${e}, regex used for validation is '${fmt}')`;
}

const maxLength = (n: number): string => `must be no more than ${n} characters`;

/** Names of namespaces, services, containers, ports' owners: at most 63 characters. */
export function checkDns1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLength(63));
  if (!dns1123LabelRe.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errors;
}

/** Service names: a DNS-1123 label that also starts with a letter, so `<svc>.<ns>.svc` is a valid host name. */
export function checkDns1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLength(63));
  if (!dns1035LabelRe.test(value)) {
    errors.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", dns1035LabelFmt, 'my-name', 'abc-123'));
  }
  return errors;
}

/** Names of most objects (pods, secrets, deployments...): at most 253 characters, dots allowed. */
export function checkDns1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLength(253));
  if (!dns1123SubdomainRe.test(value)) {
    errors.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", dns1123SubdomainFmt, 'example.com'));
  }
  return errors;
}

/** Label and annotation keys: `[prefix/]name`, the prefix a DNS subdomain, the name 63 characters. */
export function checkQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errors: string[] = [];
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...checkDns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFmt, 'MyName', 'my.name', '123-abc') +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push(`name part ${maxLength(63)}`);
  if (name.length > 0 && !qualifiedNameRe.test(name)) {
    errors.push(regexError("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedNameFmt, 'MyName', 'my.name', '123-abc'));
  }
  return errors;
}

/** Label values: empty, or up to 63 alphanumerics with `-_.` inside. */
export function checkLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push(maxLength(63));
  if (!labelValueRe.test(value)) {
    errors.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

/** Environment variable names. */
export function checkEnvVarName(value: string): string[] {
  if (envVarNameRe.test(value)) return [];
  return [regexError("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit", envVarNameFmt, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')];
}

/** Keys of Secret and ConfigMap data: they become file names in a volume. */
export function checkConfigMapKey(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) errors.push(maxLength(253));
  if (!configKeyRe.test(value)) {
    errors.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (value === '.') errors.push("must not be '.'");
  else if (value === '..') errors.push("must not be '..'");
  else if (value.startsWith('..')) errors.push("must not start with '..'");
  return errors;
}

/** Named ports (IANA_SVC_NAME): `http`, `metrics-1`; a targetPort may name one. */
export function checkPortName(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 15) errors.push(maxLength(15));
  if (!/^[-a-z0-9]+$/.test(value)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (value.includes('--')) errors.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(value)) errors.push('must contain at least one letter (a-z)');
  if (value.startsWith('-') || value.endsWith('-')) errors.push('must not begin or end with a hyphen');
  return errors;
}

// ---------------------------------------------------------------------------------------------
// generateName (apiserver/pkg/storage/names: SimpleNameGenerator)

/** Generated names stay DNS labels: at most 63 characters, 5 of them random. */
export const GENERATED_NAME_RANDOM_LENGTH = 5;
export const MAX_GENERATED_NAME_BASE_LENGTH = 63 - GENERATED_NAME_RANDOM_LENGTH;

/**
 * The name made from `generateName` and a random suffix. The base is cut to 58 characters, as
 * Kubernetes cuts it: a ReplicationController may have a 253-character name, and its pods
 * (generateName `<rc name>-`) must still get valid names.
 */
export function generatedName(base: string, randomSuffix: string): string {
  return base.slice(0, MAX_GENERATED_NAME_BASE_LENGTH) + randomSuffix;
}

/**
 * A generateName is checked as the name it stands for, with a trailing '-' masked, exactly as
 * apimachinery's maskTrailingDash does (it drops the last two characters and appends 'a'; the
 * upstream quirk is kept because it decides which prefixes are valid at the 253-character edge).
 */
export function maskTrailingDash(prefix: string): string {
  return prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -2)}a` : prefix;
}
