import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger for every function. Events are never logged (they carry link secrets and form
 * contents); handlers log ids and outcomes only.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'social-media-governance' });
