import { randomUUID } from 'node:crypto';
import { type FunctionKey, functions } from '#catalogue';
import { InvalidInputError } from '#domain/errors';
import { hrDetailTypes, offboardingIdFor, parseHrEvent } from '#domain/hr-events';
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

/**
 * The local HR bus: the AWS rule (source + the catalogue's detail types) and the queue in front of
 * the consumer, in-process. A matching event is wrapped as the SQS message the consumer gets in AWS
 * and handed to the same handler. Locally a malformed event is refused at once with what is wrong
 * (and nothing starts) instead of going round the queue to the dead-letter queue.
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
      try {
        const parsed = parseHrEvent(envelope, source());
        if (parsed.kind === 'separated') offboardingId = offboardingIdFor(parsed.detail.employeeId, parsed.detail.separationDate);
      } catch (error) {
        if (error instanceof InvalidInputError) return { status: 400, body: { error: error.name, message: error.message } };
        throw error;
      }
      for (const [key] of targets) {
        const message = {
          messageId: randomUUID(),
          receiptHandle: 'local',
          body: JSON.stringify(envelope),
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(Date.now()),
            SenderId: 'events.amazonaws.com',
            ApproximateFirstReceiveTimestamp: String(Date.now()),
          },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:${region}:${accountId}:hr-events`,
          awsRegion: region,
        };
        const out = (await invoke(key, { Records: [message] })) as { batchItemFailures?: unknown[] };
        if (out?.batchItemFailures?.length) {
          return {
            status: 500,
            body: {
              error: 'HrEventFailed',
              message: `${key} could not process the event; its log says why. In AWS it would be retried, then kept in the dead-letter queue.`,
            },
          };
        }
      }
      return { status: 202, body: { accepted: true, detailType, ...(offboardingId ? { offboardingId, record: `/offboardings/${offboardingId}` } : {}) } };
    },
  };
}
