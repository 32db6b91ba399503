// Types for the aws-sdk-client-mock matchers that test/support/setup.ts registers with
// `allCustomMatcher` (the base matchers, without the toReceive… aliases).
import 'vitest';
import type { BaseMatcher } from 'aws-sdk-client-mock-vitest';

declare module 'vitest' {
  interface Matchers<R, T> extends BaseMatcher<R, T> {}
}
