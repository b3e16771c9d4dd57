import type { FastifyInstance } from 'fastify';
import type { Guard } from '../auth-hooks.ts';
import { numberedSite, siteExport } from '../../session/site-export.ts';
import type { SiteNumbering } from '../../session/site-numbering.ts';

export function siteRoutes(numbering: SiteNumbering, readGuard: Guard[]) {
  // Serialised once: the map does not change while the process runs, and it can be large.
  const documents = [
    ['/site', 'The site map (metres, radians) with the wire numbers of its map, nodes, edges and stations; format in docs/site-map.md', numberedSite(numbering)],
    ['/site/export', 'The site map as an AGV loads it: protocol numbers and units, and the map hash it registers with (docs/protocol.md §6)', siteExport(numbering)],
  ] as const;
  return async (app: FastifyInstance) => {
    for (const [url, summary, document] of documents) {
      const body = JSON.stringify(document);
      app.get(
        url,
        { preHandler: readGuard, schema: { tags: ['site'], summary, response: { 200: { type: 'object', additionalProperties: true } } } },
        async (_request, reply) => reply.type('application/json').send(body),
      );
    }
  };
}
