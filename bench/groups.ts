/** Names of the figure groups of `npm run bench`, as `--only` takes them. Each runs in its own process (child.ts). */
export type GroupName = 'steps' | 'replay' | 'latency' | 'throughput' | 'sleeping' | 'check' | 'dsl' | 'kb' | 'stdlib';

export const groupOrder: readonly GroupName[] = ['steps', 'replay', 'latency', 'throughput', 'sleeping', 'check', 'dsl', 'kb', 'stdlib'];

export function isGroupName(x: string): x is GroupName {
  return (groupOrder as readonly string[]).includes(x);
}
