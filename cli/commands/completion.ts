// `kubelab completion bash|zsh`: print the shell code that makes TAB complete kubelab commands,
// as `kubectl completion` does (cli/completion/shell-completion.ts). The script calls back into
// `kubelab __complete WORDS...`, which main.ts answers before yargs sees the line.

import type { Argv } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import { COMPLETION_SHELLS, completionScript, completeWords, type CompletionShell } from '../completion/shell-completion.js';
import { commandTable, type KubelabCommand } from './index.js';

export const completionCommand: KubelabCommand<{ shell: CompletionShell }> = {
  command: 'completion <shell>',
  describe: 'Print the shell completion code for bash or zsh: source <(kubelab completion bash)',
  builder: (y: Argv<GlobalOptions>) =>
    y.positional('shell', { type: 'string', choices: COMPLETION_SHELLS, demandOption: true, describe: 'the shell' }) as unknown as Argv<
      GlobalOptions & { shell: CompletionShell }
    >,
  handler: (argv) => {
    process.stdout.write(completionScript(argv.shell));
  },
};

/** `kubelab __complete WORDS...`: one candidate a line for the last word. */
export function printCompletions(words: string[]): void {
  const commandWords = commandTable.flatMap((row) => row.words);
  for (const candidate of completeWords(words, commandWords)) process.stdout.write(candidate + '\n');
}
