import assert from 'node:assert/strict';
import { errorMessage } from '../../lib/errors.js';
import { configureLogging, createLogger, logger, silentLogger, type LoggerOptions } from '../../lib/logger.js';

const NOW = new Date('2026-01-02T10:00:00.000Z');

function collecting(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const log = createLogger({ component: 'kubelet', now: () => NOW, write: (line) => lines.push(line), ...options });
  return { log, lines };
}

describe('logger', () => {
  it('text: time, level, component, message and fields', () => {
    const { log, lines } = collecting();
    log.info('pod started', { pod: 'default/web', restarts: 2 });
    log.warn('slow engine', { took: '3 s' });
    assert.deepEqual(lines, [
      '2026-01-02T10:00:00.000Z INFO  kubelet: pod started pod=default/web restarts=2',
      '2026-01-02T10:00:00.000Z WARN  kubelet: slow engine took="3 s"',
    ]);
  });

  it('drops lines below the level (info by default, so no debug)', () => {
    const quiet = collecting();
    quiet.log.debug('details');
    quiet.log.info('shown');
    assert.equal(quiet.lines.length, 1);

    const errorsOnly = collecting({ level: 'error' });
    errorsOnly.log.info('hidden');
    errorsOnly.log.warn('hidden');
    errorsOnly.log.error('shown');
    assert.deepEqual(errorsOnly.lines.map((l) => l.split(' ').slice(1, 3).join(' ')), ['ERROR kubelet:']);

    const all = collecting({ level: 'debug' });
    all.log.debug('details');
    assert.match(all.lines[0], /DEBUG kubelet: details$/);
  });

  it('json: one object per line, fields as keys', () => {
    const { log, lines } = collecting({ format: 'json' });
    log.info('node joined', { node: 'node2', members: 3 });
    assert.deepEqual(JSON.parse(lines[0]), { time: '2026-01-02T10:00:00.000Z', level: 'info', component: 'kubelet', msg: 'node joined', node: 'node2', members: 3 });
  });

  it('child: same settings, another component name', () => {
    const { log, lines } = collecting({ format: 'json' });
    log.child('proxy').error('cannot listen');
    assert.equal(JSON.parse(lines[0]).component, 'proxy');
    assert.equal(log.component, 'kubelet');
  });

  it('an error with a cause: text prints the chain once, json nests it', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:2375'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('cannot reach the Docker Engine', { cause: root });
    const text = collecting();
    text.log.error('pod default/web', { err: wrapped });
    assert.equal(text.lines[0], '2026-01-02T10:00:00.000Z ERROR kubelet: pod default/web: cannot reach the Docker Engine: connect ECONNREFUSED 10.0.0.1:2375');

    const repeating = new Error(`registering node: ${root.message}`, { cause: root });
    text.log.error('retrying', { err: repeating });
    assert.equal(text.lines[1], '2026-01-02T10:00:00.000Z ERROR kubelet: retrying: registering node: connect ECONNREFUSED 10.0.0.1:2375', 'a cause the message already says is not repeated');

    const json = collecting({ format: 'json' });
    json.log.error('pod default/web', { err: wrapped });
    const record = JSON.parse(json.lines[0]);
    assert.equal(record.msg, 'pod default/web');
    assert.equal(record.err.name, 'Error');
    assert.equal(record.err.message, 'cannot reach the Docker Engine');
    assert.equal(record.err.cause.message, 'connect ECONNREFUSED 10.0.0.1:2375');
    assert.equal(record.err.cause.code, 'ECONNREFUSED');
    assert.match(record.err.stack, /cannot reach the Docker Engine/);
  });

  it('withStack: text shows the stack below the line; json has it anyway', () => {
    const err = new Error('undefined is not a function');
    const text = collecting();
    text.log.error('a node component stopped', { err, withStack: true });
    const [first, ...stack] = text.lines[0].split('\n');
    assert.equal(first, '2026-01-02T10:00:00.000Z ERROR kubelet: a node component stopped: undefined is not a function');
    assert.match(stack[0], /^ {4}Error: undefined is not a function$/);
    assert.ok(stack.length > 1);
    const json = collecting({ format: 'json' });
    json.log.error('a node component stopped', { err, withStack: true });
    const record = JSON.parse(json.lines[0]);
    assert.equal(record.withStack, undefined);
    assert.match(record.err.stack, /^Error: undefined is not a function/);
  });

  it('a thrown value that is not an Error is logged as text', () => {
    const { log, lines } = collecting({ format: 'json' });
    log.error('watch failed', { err: 'socket hang up' });
    assert.deepEqual(JSON.parse(lines[0]).err, { message: 'socket hang up' });
  });

  it('process-wide loggers follow configureLogging, also when made before it', () => {
    const lines: string[] = [];
    const early = logger('scheduler');
    try {
      configureLogging({ format: 'json', write: (line) => lines.push(line), now: () => NOW });
      early.warn('no node fits');
      logger('proxy').info('listening');
    } finally {
      configureLogging({ format: 'text', write: undefined, now: undefined });
    }
    assert.deepEqual(lines.map((l) => [JSON.parse(l).component, JSON.parse(l).level]), [['scheduler', 'warn'], ['proxy', 'info']]);
  });

  it('silentLogger writes nothing', () => {
    silentLogger.error('x');
    assert.equal(silentLogger.child('y'), silentLogger);
  });
});

describe('errorMessage', () => {
  const cases: { name: string; thrown: unknown; want: string }[] = [
    { name: 'an Error: its message', thrown: new Error('boom'), want: 'boom' },
    { name: 'a subclass: its message', thrown: new TypeError('not a function'), want: 'not a function' },
    { name: 'a string', thrown: 'socket hang up', want: 'socket hang up' },
    { name: 'a number', thrown: 42, want: '42' },
    { name: 'undefined', thrown: undefined, want: 'undefined' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(errorMessage(c.thrown), c.want));
});
