import { parseArgs } from 'node:util';

/**
 * `npm run review -- start [--year 2027] [--department PRD]`: starts an annual review now on the
 * running local stack, as its schedule would on its date (AWS: `aws lambda invoke` of startReview
 * with `{"trigger":"cli","year":2027}`). A review of that year (or that department) already on
 * record is shown, never started twice. Moving the local clock past the review date
 * (`POST /dev/clock/advance?days=N`) starts it by its schedule instead.
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { year: { type: 'string' }, department: { type: 'string' }, port: { type: 'string', default: '3000' } },
});

if (positionals[0] !== 'start' || (values.year && !/^\d{4}$/.test(values.year)) || (values.department && !/^[A-Z]{2,8}$/.test(values.department))) {
  console.error('Usage: npm run review -- start [--year 2027] [--department PRD]');
  process.exit(2);
}
const query = new URLSearchParams({ ...(values.year ? { year: values.year } : {}), ...(values.department ? { department: values.department } : {}) });
let res: Response;
try {
  res = await fetch(`http://127.0.0.1:${values.port}/dev/reviews?${query}`, { method: 'POST' });
} catch {
  console.error(`Could not reach the local stack on port ${values.port}. Start it with \`npm start\` first.`);
  process.exit(1);
}
const body = (await res.json().catch(() => ({}))) as { reviewId?: string; outcome?: string; message?: string; error?: string };
if (!res.ok || !body.reviewId) {
  console.error(`Refused: ${body.message ?? JSON.stringify(body)} (HTTP ${res.status})`);
  process.exit(1);
}
const url = `http://127.0.0.1:${values.port}/reviews/${body.reviewId}`;
console.log(
  body.outcome === 'started'
    ? `Started the ${body.reviewId} annual review: ${url}`
    : `The ${body.reviewId} annual review was already started; nothing new was started: ${url}`,
);
