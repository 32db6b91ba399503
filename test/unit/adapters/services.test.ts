import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { ephemeralPort, freePort, portIsFree, reservePort, startDynamo } from '../../../infra/local/services.ts';

const held: Server[] = [];
const connections = new Set<Socket>();

/** Holds `port` (0: any) on one address only, as a leftover process would: it accepts connections and never answers. */
function hold(host: string, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      connections.add(socket);
      socket.once('close', () => connections.delete(socket));
    });
    server.once('error', reject);
    server.listen({ port, host, ipv6Only: host.includes(':') }, () => {
      held.push(server);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Whether `port` can be bound on 127.0.0.1: all the old probe looked at. */
function bindsOnLoopback(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const ownIpv4 = Object.values(networkInterfaces())
  .flat()
  .find((i) => i?.family === 'IPv4' && !i.internal)?.address;

afterEach(async () => {
  for (const socket of connections) socket.destroy();
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('portIsFree', () => {
  it('counts a port taken on 0.0.0.0 as taken', async () => {
    expect(await portIsFree(await hold('0.0.0.0'))).toBe(false);
  });

  it.each([
    ['::1', '::1'],
    ["the machine's own address", ownIpv4 ?? '127.0.0.1'],
  ])('counts a port held only on %s as taken, though 127.0.0.1 can still bind it', async (_what, host) => {
    // Other processes on the machine use ports too: take one that 127.0.0.1 can bind, the old probe's blind spot.
    let port = await hold(host);
    for (let i = 0; i < 5 && !(await bindsOnLoopback(port)); i++) port = await hold(host);
    if (host !== '127.0.0.1') expect(await bindsOnLoopback(port)).toBe(true);
    expect(await portIsFree(port)).toBe(false);
  });

  it('counts a port nobody holds as free, and leaves it unbound', async () => {
    const port = await ephemeralPort();
    expect(await portIsFree(port)).toBe(true);
    expect(await hold('0.0.0.0', port)).toBe(port);
  });
});

describe('freePort', () => {
  it('passes over a candidate taken on another interface and returns one free on all of them', async () => {
    const taken = await hold('::1');
    const candidates = [taken];
    let asked = 0;
    const port = await freePort({
      candidate: async () => {
        asked += 1;
        return candidates.shift() ?? ephemeralPort();
      },
    });
    expect(asked).toBe(2);
    expect(port).not.toBe(taken);
    expect(await hold('0.0.0.0', port)).toBe(port);
  });

  it('gives up after its attempts, naming the ports it found taken', async () => {
    const taken = await hold('0.0.0.0');
    await expect(freePort({ candidate: async () => taken, attempts: 3 })).rejects.toThrow(`${taken}, ${taken}, ${taken} were taken`);
  });
});

describe('reservePort', () => {
  it('holds the port until released, so nothing else can listen on it meanwhile, then lets it go', async () => {
    const reserved = await reservePort();
    expect(await portIsFree(reserved.port)).toBe(false);
    await reserved.release();
    expect(await portIsFree(reserved.port)).toBe(true);
  });
});

describe('startDynamo', () => {
  it('refuses a fixed port that is taken on any interface, naming it, rather than probe whatever holds it', async () => {
    const taken = await hold('::1');
    await expect(startDynamo({ port: taken })).rejects.toThrow(`port ${taken} is already in use`);
  });

  it('starts again on another free port when DynamoDB Local cannot bind the one it was given', { timeout: 45_000 }, async () => {
    const taken = await hold('0.0.0.0');
    const ports = [taken];
    const dynamo = await startDynamo({ choosePort: async () => ports.shift() ?? freePort() });
    try {
      expect(ports).toEqual([]);
      expect(new URL(dynamo.endpoint).port).not.toBe(String(taken));
      const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      client.destroy();
    } finally {
      await dynamo.stop();
    }
  });
});
