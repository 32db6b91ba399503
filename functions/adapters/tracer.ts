import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_SERVICE } from '#core/metrics';

/**
 * The one Tracer (AWS X-Ray). Every AWS SDK client the adapters create is passed through
 * `tracer.captureAWSv3Client`, and the handler wrappers open each invocation's segment
 * (adapters/handler.ts). Powertools turns it off outside Lambda (no `AWS_EXECUTION_ENV`: the local
 * host and the tests), and `POWERTOOLS_TRACE_ENABLED=false` turns it off anywhere: then every call
 * is a no-op, nothing looks for an X-Ray daemon, and a client passes through unchanged.
 */
export const tracer = new Tracer({ serviceName: METRICS_SERVICE });
