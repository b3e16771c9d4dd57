import { createServer } from 'node:net';

/**
 * A local TCP port nobody listens on right now (bound to port 0, then released), for a process whose address others
 * must know before it starts, e.g. the instances of a site in an AGV's endpoint list.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
