// `-o json`: the object as the server sent it, indented with four spaces like kubectl.

export function printJson(value: unknown): string {
  return JSON.stringify(value, null, 4) + '\n';
}
