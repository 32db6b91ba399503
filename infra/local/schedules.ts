import { type FunctionKey, type ScheduleKey, type ScheduleSpec, scheduledTimeAttribute, schedules } from '#catalogue';
import { now } from '#adapters/clock';
import { occurrencesBetween } from '#core/yearly-schedule';

export interface ScheduleRun {
  key: ScheduleKey;
  /** The instant the run was due (what EventBridge Scheduler puts in `<aws.scheduler.scheduled-time>`). */
  at: string;
  result?: unknown;
  error?: string;
}

/** The catalogue's input for one run, with the scheduled time filled in as EventBridge Scheduler does. */
export function scheduleInput(spec: ScheduleSpec, at: Date): Record<string, unknown> {
  const stamp = `${at.toISOString().slice(0, 19)}Z`;
  return JSON.parse(JSON.stringify(spec.input).replaceAll(scheduledTimeAttribute, stamp)) as Record<string, unknown>;
}

/**
 * The catalogue's schedules in the local host: rate schedules on a timer, yearly ones on the local
 * clock (adapters/clock, which POST /dev/clock/advance moves). The clock is checked every minute
 * and whenever it is moved; every moment passed since the last check is run once, in order. Checks
 * are serialized, so a check asked for while one runs waits for it and then finds nothing new.
 */
export function localSchedules(invoke: (key: FunctionKey, event: unknown) => Promise<unknown>) {
  const entries = Object.entries(schedules) as [ScheduleKey, ScheduleSpec][];
  let checkedUntil = now();
  let chain: Promise<ScheduleRun[]> = Promise.resolve([]);

  const runOnce = async (key: ScheduleKey, spec: ScheduleSpec, at: Date): Promise<ScheduleRun> => {
    const run: ScheduleRun = { key, at: at.toISOString() };
    try {
      run.result = await invoke(spec.target, scheduleInput(spec, at));
    } catch (error) {
      // As in AWS, a failed run is reported (there: retries, then the dead-letter queue and its alarm).
      run.error = (error as Error).message;
      console.error(`Scheduled ${spec.target} (${key}) failed: ${run.error}`);
    }
    return run;
  };

  const check = async (): Promise<ScheduleRun[]> => {
    const until = now();
    const after = checkedUntil;
    checkedUntil = until;
    const due = entries
      .flatMap(([key, spec]) => (spec.yearly ? occurrencesBetween(spec.yearly, spec.timeZone, after, until).map((at) => ({ key, spec, at })) : []))
      .sort((a, b) => a.at.getTime() - b.at.getTime());
    const runs: ScheduleRun[] = [];
    for (const { key, spec, at } of due) runs.push(await runOnce(key, spec, at));
    return runs;
  };

  const runDue = (): Promise<ScheduleRun[]> => {
    chain = chain.then(check, check);
    return chain;
  };

  const timers = entries.flatMap(([key, spec]) =>
    spec.everyMinutes ? [setInterval(() => void runOnce(key, spec, now()), spec.everyMinutes * 60_000).unref()] : [],
  );
  timers.push(setInterval(() => void runDue(), 60_000).unref());

  return {
    /** Runs every yearly moment the local clock has passed since the last check. */
    runDue,
    /** Runs one schedule now, as its timer (or EventBridge Scheduler in AWS) would. */
    runNow: (key: ScheduleKey) => invoke(schedules[key].target, scheduleInput(schedules[key], now())),
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
