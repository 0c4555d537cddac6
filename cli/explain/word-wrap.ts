// The word wrapping of `kubectl explain` (go-wordwrap's WrapString, which kubectl's
// term.NewWordWrapWriter uses): lines break at whitespace once they would pass `limit`
// characters; newlines already in the text stay; a word longer than the limit is never split.

const isSpace = (char: string): boolean => char !== '\n' && char !== '\u00a0' && /\s/u.test(char);

export function wrapWords(text: string, limit: number): string {
  let out = '';
  let current = 0; // characters on the output line so far
  let word = '';
  let space = '';
  const length = (s: string): number => [...s].length;
  for (const char of text) {
    if (char === '\n') {
      if (word === '') {
        if (current + length(space) <= limit) out += space;
      } else {
        out += space + word;
      }
      space = '';
      word = '';
      out += char;
      current = 0;
    } else if (isSpace(char)) {
      if (space === '' || word !== '') {
        current += length(space) + length(word);
        out += space + word;
        space = '';
        word = '';
      }
      space += char;
    } else {
      word += char;
      const wordLength = length(word);
      if (current + length(space) + wordLength > limit && wordLength < limit) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (word === '') {
    if (current + length(space) <= limit) out += space;
  } else {
    out += space + word;
  }
  return out;
}

/** sprig's indent: `pad` before the text and after every newline in it. */
export function indentLines(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return pad + text.replaceAll('\n', '\n' + pad);
}
