// Shell completion for `kubelab`, as `kubectl completion bash|zsh` provides it: a small shell
// function that the user sources once, which on every TAB runs `kubelab __complete WORDS...`
// and offers the lines it prints. The shell only knows how to ask; what to offer is decided
// here, in one pure function over the words typed so far:
//   - the command word (`kubelab ge<TAB>` → `get`), from the command table, no module loaded;
//   - for `get`, `describe` and `delete`, the resource type (`kubelab get dep<TAB>` →
//     `deployments`), from the same resource list the CLI resolves types with (no request);
//   - the subcommands of `completion` and `config`.
// Anything else offers nothing, and the shell falls back to file names (useful after `-f`).

import { RESOURCES } from '../../lib/api/resources.js';

export type CompletionShell = 'bash' | 'zsh';
export const COMPLETION_SHELLS: readonly CompletionShell[] = ['bash', 'zsh'];

/** Global flags that take a value: the word after them is that value, not a command. */
const FLAGS_WITH_VALUE = new Set(['--kubeconfig', '--context', '--server', '-s', '--token', '--namespace', '-n', '--v', '-v']);

/** The words after a command that completion knows. */
const SUBCOMMANDS: Record<string, string[]> = {
  completion: [...COMPLETION_SHELLS],
  config: ['current-context', 'get-contexts', 'set-context', 'use-context', 'view'],
};
const TAKES_RESOURCE_TYPE = new Set(['get', 'describe', 'delete']);

/**
 * The candidates for the last of `words` (the words after `kubelab`, the last one being the word
 * under the cursor, possibly empty), given the CLI's command words.
 */
export function completeWords(words: readonly string[], commandWords: readonly string[]): string[] {
  const current = words.at(-1) ?? '';
  const positionals: string[] = [];
  for (let i = 0; i < words.length - 1; i++) {
    const word = words[i]!;
    if (FLAGS_WITH_VALUE.has(word)) i++;
    else if (!word.startsWith('-')) positionals.push(word);
  }
  if (current.startsWith('-')) return [];
  let candidates: string[] = [];
  if (positionals.length === 0) candidates = [...commandWords].sort();
  else if (positionals.length === 1 && TAKES_RESOURCE_TYPE.has(positionals[0]!)) candidates = RESOURCES.map((r) => r.plural).sort();
  else if (positionals.length === 1) candidates = SUBCOMMANDS[positionals[0]!] ?? [];
  return candidates.filter((c) => c.startsWith(current));
}

const BASH_SCRIPT = `# bash completion for kubelab                              -*- shell-script -*-
# Load it in this shell:  source <(kubelab completion bash)
# In every new shell:     echo 'source <(kubelab completion bash)' >> ~/.bashrc

_kubelab_completions()
{
    local IFS=$'\\n'
    # The words typed after "kubelab", up to and including the one under the cursor.
    COMPREPLY=( $(kubelab __complete "\${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null) )
}

complete -o default -F _kubelab_completions kubelab
`;

const ZSH_SCRIPT = `#compdef kubelab
# zsh completion for kubelab
# Load it in this shell:  source <(kubelab completion zsh)   (after compinit)
# In every new shell:     echo 'source <(kubelab completion zsh)' >> ~/.zshrc

_kubelab() {
  local -a completions
  # The words typed after "kubelab", up to and including the one under the cursor.
  completions=("\${(@f)$(kubelab __complete "\${(@)words[2,$CURRENT]}" 2>/dev/null)}")
  if [[ -n "\${completions[1]}" ]]; then
    compadd -a completions
  else
    _files
  fi
}

if [[ "\${funcstack[1]}" == "_kubelab" ]]; then
  _kubelab "$@"
else
  compdef _kubelab kubelab
fi
`;

/** The script `kubelab completion SHELL` prints. */
export function completionScript(shell: CompletionShell): string {
  return shell === 'bash' ? BASH_SCRIPT : ZSH_SCRIPT;
}
