// The CLI loads only the command a command line names (cli/commands/index.ts): the table's words
// must be the ones each command module answers to, and the command word must be found past the
// global flags, or a command would be missing from its own parse.

import assert from 'node:assert/strict';
import { commandTable, commandWord, commandsFor } from '../../cli/commands/index.js';

/** The words a yargs command module answers to: each `command` string's first word, and its aliases. */
function wordsOf(module: { command?: string | readonly string[]; aliases?: string | readonly string[] }): string[] {
  const commands = typeof module.command === 'string' ? [module.command] : [...(module.command ?? [])];
  const aliases = typeof module.aliases === 'string' ? [module.aliases] : [...(module.aliases ?? [])];
  return [...commands.map((c) => c.split(' ')[0]!), ...aliases].sort();
}

describe('the CLI command table', () => {
  it('names each command by the words its module answers to', async () => {
    for (const row of commandTable) {
      const module = await row.load();
      assert.deepEqual([...row.words].sort(), wordsOf(module), `row ${row.words.join(', ')}`);
    }
  });

  it('names no word twice', () => {
    const words = commandTable.flatMap((row) => row.words);
    assert.equal(new Set(words).size, words.length);
  });

  const cases: Array<[string[], string | undefined]> = [
    [['get', 'pods'], 'get'],
    [['--kubeconfig', '/tmp/k', 'get', 'pods'], 'get'],
    [['-n', 'kube-system', 'describe', 'pod', 'x'], 'describe'],
    [['--namespace=default', 'logs', 'p'], 'logs'],
    [['-s', 'https://127.0.0.1:6443', '--token', 't', '--insecure-skip-tls-verify', 'version'], 'version'],
    [['--v', '6', 'top', 'nodes'], 'top'],
    [['--help'], undefined],
    [[], undefined],
  ];
  for (const [args, word] of cases) {
    it(`finds ${word ?? 'no command'} in: kubelab ${args.join(' ')}`, () => {
      assert.equal(commandWord(args), word);
    });
  }

  it('loads one module for a known command and all of them otherwise', async () => {
    assert.equal((await commandsFor(['version', '--client'])).length, 1);
    assert.equal((await commandsFor(['--help'])).length, commandTable.length);
    assert.equal((await commandsFor(['bogus'])).length, commandTable.length);
  });
});
