import { expect } from 'vitest';
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';

// `npm ci --ignore-scripts` leaves no pinned Node; fail loudly rather than run on the machine's old one.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  throw new Error(
    `Tests need Node 24 (the Lambda runtime); this is ${process.versions.node}. Run them through npm (npm test), which uses the pinned node package.`,
  );
}

expect.extend(allCustomMatcher);
