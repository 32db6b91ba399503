import { randomUUID } from 'node:crypto';
import { type FunctionKey, functions } from '#catalogue';
import { GovernanceError } from '#core/errors';
import { hrDetailTypes } from '#offboarding/hr-events';
import { accountId, region } from '#local/step-functions';

/** An entry as `aws events put-events` takes it (either spelling of the keys). */
export interface HrEntry {
  source?: string;
  Source?: string;
  'detail-type'?: string;
  DetailType?: string;
  detail?: unknown;
  Detail?: unknown;
}

export interface HrDelivery {
  status: number;
  body: Record<string, unknown>;
}

/** What the consumer answers for one event it was handed directly (see receive-hr-event's `handler`). */
interface ConsumerOutcome {
  kind?: string;
  offboardingId?: string;
  refused?: string;
  message?: string;
  /** A directory event's outcome: applied, stale, duplicate or parked (what AWS only logs). */
  outcome?: { result: string; version: string; waitingFor?: unknown[] };
}

/**
 * The local HR bus: the AWS rule (source + the catalogue's detail types) in front of the consumer,
 * in-process. A matching event is handed to the same handler Lambda runs — as the one event, not
 * wrapped in a queue message, so the handler's answer comes back: locally the sender hears at once
 * what AWS would only log. A malformed event is refused with what is wrong (400; in AWS it goes
 * round the queue to the dead-letter queue), a refused separation with why (422; in AWS the message
 * is handled and DTI alerted), and an accepted separation names its offboarding record.
 */
export function localHrBus(invoke: (key: FunctionKey, event: unknown) => Promise<unknown>, source: () => string) {
  const consumers = (Object.entries(functions) as [FunctionKey, { hrEvents?: readonly string[] }][]).filter(([, f]) => f.hrEvents);
  return {
    async put(entry: HrEntry): Promise<HrDelivery> {
      const detailType = entry['detail-type'] ?? entry.DetailType;
      const rawDetail = entry.detail ?? entry.Detail;
      let detail: unknown = rawDetail;
      if (typeof rawDetail === 'string') {
        try {
          detail = JSON.parse(rawDetail);
        } catch {
          return { status: 400, body: { error: 'InvalidInputError', message: 'Detail is not JSON.' } };
        }
      }
      const envelope = {
        version: '0',
        id: randomUUID(),
        'detail-type': detailType,
        source: entry.source ?? entry.Source,
        account: accountId,
        time: new Date().toISOString(),
        region,
        resources: [],
        detail,
      };
      const targets = consumers.filter(([, f]) => envelope.source === source() && f.hrEvents?.includes(String(detailType)));
      if (targets.length === 0) {
        return {
          status: 400,
          body: {
            error: 'NoMatchingRule',
            message: `No rule matches source "${envelope.source}" and detail-type "${detailType}". HR events come from "${source()}" as one of: ${Object.values(hrDetailTypes).join(', ')}.`,
          },
        };
      }
      let offboardingId: string | undefined;
      let directory: ConsumerOutcome['outcome'];
      for (const [key] of targets) {
        let out: ConsumerOutcome;
        try {
          out = ((await invoke(key, envelope)) ?? {}) as ConsumerOutcome;
        } catch (error) {
          if (error instanceof GovernanceError) return { status: error.status, body: { error: error.name, message: error.message } };
          return {
            status: 500,
            body: {
              error: 'HrEventFailed',
              message: `${key} could not process the event (${(error as Error).message}). In AWS it would be retried, then kept in the dead-letter queue.`,
            },
          };
        }
        if (out.refused) return { status: 422, body: { error: out.refused, message: out.message ?? `${key} refused the event.`, detailType } };
        offboardingId ??= out.offboardingId;
        directory ??= out.outcome;
      }
      return {
        status: 202,
        body: {
          accepted: true,
          detailType,
          ...(offboardingId ? { offboardingId, record: `/offboardings/${offboardingId}` } : {}),
          ...(directory ? { result: directory.result, version: directory.version, ...(directory.waitingFor ? { waitingFor: directory.waitingFor } : {}) } : {}),
        },
      };
    },
  };
}
