import { type CheckpointName, installCheckpointHook } from '../../functions/adapters/checkpoints.ts';

interface Hold {
  name: CheckpointName;
  match: (detail: Record<string, string | number>) => boolean;
  taken: boolean;
  arrive: () => void;
  gate: Promise<void>;
}

/**
 * Holds handlers at named checkpoints (functions/adapters/checkpoints.ts) so a test can run the
 * other side of a race in between, then let them go: a deterministic interleaving, no sleeps.
 */
export function checkpoints() {
  const holds: Hold[] = [];
  installCheckpointHook(async (name, detail) => {
    const hold = holds.find((h) => !h.taken && h.name === name && h.match(detail));
    if (!hold) return;
    hold.taken = true;
    hold.arrive();
    await hold.gate;
  });
  return {
    /** The next handler to pass `name` (with a matching detail) stops there until released. */
    holdAt(name: CheckpointName, match: (detail: Record<string, string | number>) => boolean = () => true) {
      let arrive!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => {
        arrive = resolve;
      });
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.push({ name, match, taken: false, arrive, gate });
      return { reached, release };
    },
    uninstall() {
      for (const h of holds) h.taken = true;
      installCheckpointHook(undefined);
    },
  };
}
