// Where the engines run: Node (the CLI, the tests, the benchmark) or a browser tab, whose memory
// budgets differ.

export function runningInNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}
