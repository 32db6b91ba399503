import { type ChildProcess, spawn } from 'node:child_process';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';

/*
 * What every crash-tier file shares: the local stack booted as a child in its own process group
 * (test/crash/stack-child.ts), killed with the whole group, the mailbox read from the SES emulator
 * that outlives it, consistent scans, and polling until the background work has caught up.
 */

/** mulberry32: small, seedable, good enough to pick a kill point. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Ready {
  baseUrl: string;
  dynamoEndpoint: string;
  tableName: string;
  reconciled: { started: number };
}

export async function boot(dataDir: string, port: number, sesEndpoint: string): Promise<{ child: ChildProcess; ready: Ready }> {
  // Its own process group, so one kill takes the stack and DynamoDB Local's java together.
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/crash/stack-child.ts', '--data', dataDir, '--ses', sesEndpoint, '--port', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /READY (.*)\n/.exec(out);
      if (line?.[1]) resolve(JSON.parse(line[1]) as Ready);
    });
    child.once('exit', (code) => reject(new Error(`the stack exited (${code}) before it was up: ${stderr.slice(0, 800)}`)));
  });
  return { child, ready };
}

export function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-(child.pid as number), 'SIGKILL');
  });
}

/** The mailbox (the SES emulator outlives the kill), one line per email. */
export const mail = async (sesEndpoint: string) =>
  (
    (await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string; body: { text?: string } }[] }
  ).emails.map((e) => ({ to: e.destination.to[0] ?? '', subject: e.subject, text: e.body.text ?? '' }));

export const linkOf = (text: string) => /\/approvals\/([A-Za-z0-9_-]+)\?s=([A-Za-z0-9_-]+)/.exec(text);

export type Row = Record<string, unknown> & { PK: string; SK: string };

export async function scan(db: DynamoDBDocumentClient, table: string): Promise<Row[]> {
  const rows: Row[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }));
    rows.push(...((out.Items ?? []) as Row[]));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return rows;
}

/** Polls `check` until it passes (the workflows run in the background), or fails with its last error. */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
