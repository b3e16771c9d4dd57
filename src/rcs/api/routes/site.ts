import type { FastifyInstance } from 'fastify';
import type { Guard } from '../auth-hooks.ts';
import type { SiteMap } from '../../site/types.ts';

export function siteRoutes(site: SiteMap, readGuard: Guard[]) {
  // Serialised once: the map does not change while the process runs, and it can be large.
  const body = JSON.stringify(site);
  return async (app: FastifyInstance) => {
    app.get(
      '/site',
      {
        preHandler: readGuard,
        schema: {
          tags: ['site'],
          summary: 'The site map (metres, radians); format in docs/site-map.md',
          response: { 200: { type: 'object', additionalProperties: true } },
        },
      },
      async (_request, reply) => reply.type('application/json').send(body),
    );
  };
}
