/**
 * Named points between the steps of a state change (read, write, send) where a test can hold a
 * handler to force one interleaving of two runs, deterministically, instead of hoping a sleep
 * lands in the gap. Nothing happens unless a hook is installed, which only the in-process tests do
 * (the hook lives on globalThis so the handlers the local host imports and the test share it).
 */
export type CheckpointName =
  | 'requestApproval:before-rearm'
  | 'decideApproval:before-write'
  | 'decideApproval:before-send'
  | 'completeTask:before-resume'
  | 'trackTasks:before-rearm'
  | 'start:before-start-execution'
  | 'trackReview:before-rearm'
  | 'answerReview:before-apply'
  | 'answerReview:before-resume'
  | 'handOver:before-move';

export type CheckpointHook = (name: CheckpointName, detail: Record<string, string | number>) => Promise<void> | void;

const slot = globalThis as { __governanceCheckpoint?: CheckpointHook };

export function installCheckpointHook(hook: CheckpointHook | undefined): void {
  slot.__governanceCheckpoint = hook;
}

export async function checkpoint(name: CheckpointName, detail: Record<string, string | number> = {}): Promise<void> {
  const hook = slot.__governanceCheckpoint;
  if (hook) await hook(name, detail);
}
