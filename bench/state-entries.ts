/**
 * State transitions as the benchmark counts them: the `StateEntered` events of one execution's
 * event log, at the top level and inside Map iterations, and the retries (sections C and F).
 */
interface StateEvent {
  type: string;
  /** Set on the events aws-local-stepfunctions forwards from a Map iteration (forwardNestedMapEvent). */
  index?: number;
  state?: { name: string };
}

export interface StateEntries {
  topLevel: number;
  inMapIterations: number;
  retries: number;
  byState: Record<string, number>;
}

/**
 * Counts, while an execution runs, the `StateEntered` events the local host counts at its end
 * (ExecutionRecord.transitions), by wrapping the event log the host reads; nothing else changes.
 * The host keeps its machines private, so this reaches in, and answers undefined if it cannot.
 */
export function tapStateEntries(sfn: unknown, key: string): ((execution: string) => StateEntries | undefined) | undefined {
  type Run = (input: unknown, options?: { context?: { Execution?: { Name?: string } } }) => { eventLogs: AsyncIterable<StateEvent> };
  const machine = (sfn as { machines?: Map<string, { machine?: { run?: Run } }> }).machines?.get(key)?.machine;
  if (!machine || typeof machine.run !== 'function') return undefined;
  const counts = new Map<string, StateEntries>();
  const run = machine.run.bind(machine);
  machine.run = (input, options) => {
    const execution = run(input, options);
    const count: StateEntries = { topLevel: 0, inMapIterations: 0, retries: 0, byState: {} };
    counts.set(options?.context?.Execution?.Name ?? '?', count);
    const events = execution.eventLogs;
    execution.eventLogs = (async function* () {
      for await (const event of events) {
        if (event.type === 'StateEntered') {
          if (event.index === undefined) count.topLevel += 1;
          else count.inMapIterations += 1;
          const name = event.state?.name ?? '?';
          count.byState[name] = (count.byState[name] ?? 0) + 1;
        } else if (event.type === 'StateRetried') count.retries += 1;
        yield event;
      }
    })();
    return execution;
  };
  return (execution) => {
    const c = counts.get(execution);
    return c && { ...c, byState: { ...c.byState } };
  };
}
