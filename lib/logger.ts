// The daemon's log: one line per event, with a level and the name of the component that wrote it
// (kubelet, scheduler, proxy ...), as klog prefixes every line with its file and level.
//
// Two formats, picked once at start-up with `kubelabd --log-format`:
//   text (default)  2026-01-02T10:00:00.000Z ERROR kubelet: pod default/web failed: image not found node=node1
//   json            {"time":"2026-01-02T10:00:00.000Z","level":"error","component":"kubelet","msg":"pod default/web failed","node":"node1","err":{...}}
// Text is for a person reading a terminal; json for a program collecting logs (one object per
// line, fields as keys, so nobody has to parse the sentence).
//
// Levels say who must act: error (something failed and was given up or will be retried: look),
// warn (something unusual the daemon works around), info (what the daemon did: started, joined,
// shut down), debug (details; hidden unless the level is debug). An error goes in the `err`
// field, never pasted into the message by the caller: text prints its message and its causes
// (`err.cause`, as lib/errors.ts wraps them), json keeps them as nested objects. Log an error once,
// where it stops (STYLE.md), not at every layer it passes through.
//
// Why not pino: its text output needs pino-pretty, a second dependency with a transport thread,
// for what fits in this page; kubelab wants four levels, a component name and two formats.
// Lines go to stderr (stdout carries the command's own output, e.g. `kubelabd server`'s join
// token); tests give createLogger a `write` that collects lines, or use silentLogger.

import { errorMessage } from './errors.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/**
 * Extra facts of one line (`{ node: 'node1', err }`). `err` is the error the line is about;
 * `withStack` prints its stack in text too (json always has it): for failures nobody expected,
 * a bug to report rather than a condition to fix.
 */
export type LogFields = Record<string, unknown> & { err?: unknown; withStack?: boolean };

export interface Logger {
  readonly component: string;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same destination and settings under another component name. */
  child(component: string): Logger;
}

export interface LoggerOptions {
  component: string;
  /** Lines below this level are dropped. Default info. */
  level?: LogLevel;
  format?: LogFormat;
  /** Receives each finished line, without the newline. Default: stderr. */
  write?: (line: string) => void;
  now?: () => Date;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(options: LoggerOptions): Logger {
  return new LineLogger(options.component, () => options);
}

// Process-wide settings, set once by kubelabd's main from its flags; loggers made before that
// (module constants) read them at each line, so they follow.
const processSettings: Omit<LoggerOptions, 'component'> = {};

export function configureLogging(settings: Omit<LoggerOptions, 'component'>): void {
  Object.assign(processSettings, settings);
}

/** A logger of the process-wide settings (configureLogging) for one component. */
export function logger(component: string): Logger {
  return new LineLogger(component, () => processSettings);
}

/** Drops everything: for tests that do not look at logs. */
export const silentLogger: Logger = {
  component: 'silent',
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

class LineLogger implements Logger {
  constructor(
    readonly component: string,
    private readonly settings: () => Omit<LoggerOptions, 'component'>,
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.line('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.line('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.line('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.line('error', message, fields);
  }

  child(component: string): Logger {
    return new LineLogger(component, this.settings);
  }

  private line(level: LogLevel, message: string, fields: LogFields = {}): void {
    const { level: threshold = 'info', format = 'text', write = writeStderr, now = () => new Date() } = this.settings();
    if (SEVERITY[level] < SEVERITY[threshold]) return;
    const time = now().toISOString();
    write(format === 'json' ? jsonLine(time, level, this.component, message, fields) : textLine(time, level, this.component, message, fields));
  }
}

function writeStderr(line: string): void {
  process.stderr.write(`${line}\n`);
}

function textLine(time: string, level: LogLevel, component: string, message: string, fields: LogFields): string {
  const { err, withStack, ...rest } = fields;
  let text = `${time} ${level.toUpperCase().padEnd(5)} ${component}: ${message}`;
  if (err !== undefined) text += `: ${causeChain(err).join(': ')}`;
  for (const [key, value] of Object.entries(rest)) {
    if (value === undefined) continue;
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    text += ` ${key}=${/[\s"=]/.test(shown) || shown === '' ? JSON.stringify(shown) : shown}`;
  }
  if (withStack && err instanceof Error && err.stack) text += `\n${err.stack.replace(/^/gm, '    ')}`;
  return text;
}

function jsonLine(time: string, level: LogLevel, component: string, message: string, fields: LogFields): string {
  const { err, withStack: _withStack, ...rest } = fields;
  const record: Record<string, unknown> = { time, level, component, msg: message, ...rest };
  if (err !== undefined) record.err = serializeError(err);
  return JSON.stringify(record);
}

/** The messages of an error and of its causes, outermost first, each said once. */
function causeChain(err: unknown): string[] {
  const messages: string[] = [];
  for (let current: unknown = err, depth = 0; current !== undefined && depth < 5; depth++) {
    const message = errorMessage(current);
    // A wrapper often repeats its cause's message ("x: cause"): do not print it twice.
    if (!messages.some((m) => m.includes(message))) messages.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return messages;
}

function serializeError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: err.message,
    ...(code !== undefined ? { code } : {}),
    ...(err.stack ? { stack: err.stack } : {}),
    ...(err.cause !== undefined && depth < 5 ? { cause: serializeError(err.cause, depth + 1) } : {}),
  };
}
