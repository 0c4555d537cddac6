// The fake runtime's "processes": a tiny subset of sh, so that a test can give FakeRuntime and
// a real busybox container the same command (`sh -c 'echo hi; sleep 0.2; exit 3'`) and observe
// the same output and exit code. This is what lets one contract suite run against both.
//
// Understood: `sh -c '<script>'` whose statements (separated by `;` or newlines) are
// `echo WORDS [>&2]`, `sleep SECONDS`, `sleep SECONDS & wait $!`, `cat` (copies stdin to
// stdout), `true`, `exit N` and `trap 'exit N' TERM [INT]`; or one of those statements given
// directly as the command (`['cat']`). Anything else is not a script: the fake treats such a
// container as a process that runs until it is stopped.
//
// Stopping: PID 1 in a container ignores SIGTERM unless it handles it, so a process without a
// trap is killed when the grace period ends (exit code 137); one that trapped TERM exits with
// the trap's code. A real sh runs the trap only once the foreground command ends, hence the
// `sleep N & wait $!` idiom; the fake runs it at once in both forms (it has no grace-period
// clock), so the contract suite only uses the idiom.

import type { Readable } from 'node:stream';

export type FakeStep =
  | { kind: 'echo'; text: string; stream: 'stdout' | 'stderr' }
  | { kind: 'sleep'; ms: number }
  | { kind: 'cat' }
  | { kind: 'exit'; code: number }
  | { kind: 'trap'; exitCode: number };

/** The steps of a command the fake understands, or undefined for any other command. */
export function parseFakeCommand(argv: string[]): FakeStep[] | undefined {
  if (argv.length === 0) return undefined;
  const program = argv[0].replace(/^\/bin\//, '');
  if (program === 'sh' && argv[1] === '-c' && argv.length >= 3) return parseScript(argv[2]);
  const step = parseStatement([program, ...argv.slice(1)]);
  return step === undefined ? undefined : step === null ? [] : [step];
}

function parseScript(script: string): FakeStep[] | undefined {
  const steps: FakeStep[] = [];
  for (const statement of script.split(/[;\n]/)) {
    const words = splitWords(statement);
    if (words.length === 0) continue;
    const step = parseStatement(words);
    if (step === undefined) return undefined; // a statement the fake cannot honestly run
    if (step !== null) steps.push(step);
  }
  return steps;
}

/** One statement as a step; null for a no-op (`true`); undefined when not understood. */
function parseStatement(words: string[]): FakeStep | null | undefined {
  // `sleep N & wait $!`: a sleep in the background that the shell waits for (interruptible).
  if (words.length === 5 && words[0] === 'sleep' && words[2] === '&' && words[3] === 'wait' && words[4] === '$!') {
    return parseStatement(words.slice(0, 2));
  }
  const [name, ...rest] = words;
  switch (name) {
    case 'echo': {
      const toStderr = rest.at(-1) === '>&2' || rest.at(-1) === '1>&2';
      const text = (toStderr ? rest.slice(0, -1) : rest).join(' ');
      return { kind: 'echo', text: `${text}\n`, stream: toStderr ? 'stderr' : 'stdout' };
    }
    case 'sleep': {
      const seconds = Number(rest[0]);
      return rest.length === 1 && Number.isFinite(seconds) ? { kind: 'sleep', ms: seconds * 1000 } : undefined;
    }
    case 'exit': {
      const code = rest.length === 0 ? 0 : Number(rest[0]);
      return Number.isInteger(code) ? { kind: 'exit', code: code & 0xff } : undefined;
    }
    case 'cat':
      return rest.length === 0 ? { kind: 'cat' } : undefined;
    case 'true':
      return null;
    case 'trap': {
      const action = /^exit (\d+)$/.exec(rest[0] ?? '');
      const signals = rest.slice(1);
      const known = signals.length > 0 && signals.every((sig) => ['TERM', 'INT', 'SIGTERM', 'SIGINT'].includes(sig));
      return action && known && signals.some((sig) => sig.endsWith('TERM')) ? { kind: 'trap', exitCode: Number(action[1]) & 0xff } : undefined;
    }
    default:
      return undefined;
  }
}

/** Splits on blanks, keeping '...' and "..." together (no escapes, no expansion). */
function splitWords(statement: string): string[] {
  return [...statement.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

export interface FakeProcessIo {
  write(stream: 'stdout' | 'stderr', text: string): void;
  /** The process's stdin; absent means /dev/null (cat reads nothing). */
  stdin?: Readable;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** The script installed a TERM handler that exits with this code. */
  onTrap?(exitCode: number): void;
  /** Aborted when the process is killed: the run stops at its next step. */
  signal: AbortSignal;
}

/** Runs the steps; resolves with the exit code (0 when the script ends without `exit`). */
export async function runFakeSteps(steps: FakeStep[], io: FakeProcessIo): Promise<number> {
  for (const step of steps) {
    if (io.signal.aborted) break;
    switch (step.kind) {
      case 'echo':
        io.write(step.stream, step.text);
        break;
      case 'sleep':
        await io.sleep(step.ms, io.signal).catch(() => undefined);
        break;
      case 'cat':
        if (io.stdin) for await (const chunk of io.stdin) io.write('stdout', String(chunk));
        break;
      case 'exit':
        return step.code;
      case 'trap':
        io.onTrap?.(step.exitCode);
        break;
    }
  }
  return 0;
}
