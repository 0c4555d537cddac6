// A CronJob's schedule: which strings are schedules, and when they fire (pure).
//
// Kubernetes parses spec.schedule with robfig/cron's standard parser: five fields (minute, hour,
// day of month, month, day of week) or a macro (@yearly, @monthly, @weekly, @daily, @hourly).
// The arithmetic of "when next, in which time zone" is cron-parser's, a maintained library that
// computes next and previous times in IANA zones (DST gaps and repeats included); this module only
// restricts what it accepts to what Kubernetes accepts (cron-parser also takes a seconds field and
// Quartz extensions such as L, W and #, which robfig/cron rejects) and names the errors after the
// field. node-cron, the original design card's pick, runs callbacks on in-process timers: the
// wrong tool for a controller that must compute "which times did I miss while I was down?".

import { CronExpressionParser } from 'cron-parser';

/** The macros robfig/cron's standard parser knows, and what they mean. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** One element of a field: `*`, `?`, `5`, `MON`, `1-5`, `*\/15`, `10-40/5`. */
const ELEMENT = /^(\*|\?|[0-9]+|[A-Za-z]{3})(-([0-9]+|[A-Za-z]{3}))?(\/[0-9]+)?$/;

/**
 * The five-field expression `schedule` stands for, or an error message saying what is wrong.
 * A `TZ=` or `CRON_TZ=` prefix is refused, as Kubernetes does: the zone belongs in spec.timeZone.
 */
export function parseSchedule(schedule: string): { expression: string } | { error: string } {
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) return { error: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead' };
  if (trimmed.startsWith('@')) {
    const expression = MACROS[trimmed];
    return expression ? { expression } : { error: `unrecognized descriptor: ${trimmed} (known: ${Object.keys(MACROS).join(', ')})` };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) return { error: `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}: ${trimmed}` };
  for (const field of fields) {
    if (!field.split(',').every((element) => ELEMENT.test(element))) return { error: `failed to parse field "${field}" of ${trimmed}` };
  }
  try {
    CronExpressionParser.parse(trimmed, { tz: 'UTC' });
  } catch (error) {
    return { error: `${trimmed}: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { expression: trimmed };
}

/** True when `zone` is an IANA time zone name this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  if (zone === '' || zone === 'Local' || !/^[A-Za-z0-9_+\-/]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  // Intl is case-insensitive (`europe/berlin`); Go's time.LoadLocation, and so Kubernetes, is not.
  return zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone) || new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone === zone;
}

/** A parsed schedule in a time zone (UTC when none is named, as kube-controller-manager in a container). */
export class CronSchedule {
  readonly expression: string;
  readonly timeZone: string;

  constructor(schedule: string, timeZone?: string) {
    const parsed = parseSchedule(schedule);
    if ('error' in parsed) throw new Error(`spec.schedule: ${parsed.error}`);
    this.expression = parsed.expression;
    this.timeZone = timeZone || 'UTC';
  }

  /** The first time the schedule fires strictly after `after`. */
  next(after: Date): Date {
    // cron-parser's next() is strictly after currentDate at second precision; times are whole minutes.
    const iterator = CronExpressionParser.parse(this.expression, { currentDate: after, tz: this.timeZone });
    return iterator.next().toDate();
  }

  /** The last time the schedule fired at or before `atOrBefore`. */
  previous(atOrBefore: Date): Date {
    const iterator = CronExpressionParser.parse(this.expression, { currentDate: new Date(atOrBefore.getTime() + 1000), tz: this.timeZone });
    return iterator.prev().toDate();
  }
}
