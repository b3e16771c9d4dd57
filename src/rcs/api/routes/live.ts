import type { FastifyInstance } from 'fastify';
import { LIVE_PROTOCOL, type ClientMessage, type HelloMessage } from '../../ops/live/schema.ts';
import type { OpsService } from '../../ops/service.ts';
import { requireRole } from '../auth-hooks.ts';

/** The dashboard's live feed (WebSocket; docs/operations.md). Needs @fastify/websocket registered on the app. */
export function liveRoutes(ops: Pick<OpsService, 'fleet' | 'feed' | 'metrics'>) {
  return async (app: FastifyInstance) => {
    app.get('/live', { websocket: true, preHandler: requireRole('viewer') }, (socket, request) => {
      const principal = request.principal!;
      const hello: HelloMessage = {
        type: 'hello',
        protocol: LIVE_PROTOCOL,
        user: { name: principal.name, role: principal.role },
        map: ops.fleet.siteMap(),
        throttleMs: ops.feed.throttle,
      };
      socket.send(JSON.stringify(hello));
      const link = ops.feed.attach(socket);
      ops.metrics.wsClients.inc();
      socket.on('message', (data) => {
        try {
          const message = JSON.parse(String(data)) as ClientMessage;
          if (message && typeof message === 'object') link.receive(message);
        } catch {
          // A malformed client message is ignored; the feed keeps going.
        }
      });
      socket.on('close', () => {
        link.detach();
        ops.metrics.wsClients.dec();
      });
    });
  };
}
