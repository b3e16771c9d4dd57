import type { FastifyInstance } from 'fastify';
import { ROLES, type Role } from '../../auth/roles.ts';
import type { UserStore } from '../../auth/users.ts';
import { requireRole } from '../auth-hooks.ts';
import { credentialsSchema } from '../schemas.ts';

/** Dashboard users (admin). */
export function userRoutes(users: UserStore) {
  return async (app: FastifyInstance) => {
    const admin = requireRole('admin');

    app.get('/users', { preHandler: admin, schema: { tags: ['auth'], summary: 'List dashboard users (admin)' } }, async () => ({
      users: await users.list(),
    }));

    app.post<{ Body: { username: string; password: string; role: Role } }>(
      '/users',
      {
        preHandler: admin,
        schema: {
          tags: ['auth'],
          summary: 'Create a dashboard user (admin)',
          body: {
            type: 'object',
            required: ['username', 'password', 'role'],
            additionalProperties: false,
            properties: { ...credentialsSchema.properties, role: { type: 'string', enum: [...ROLES] } },
          },
        },
      },
      async (request, reply) => {
        const user = await users.create(request.body.username, request.body.password, request.body.role);
        return reply.code(201).send({ user });
      },
    );

    app.delete<{ Params: { username: string } }>(
      '/users/:username',
      { preHandler: admin, schema: { tags: ['auth'], summary: 'Delete a dashboard user (admin)' } },
      async (request) => {
        await users.remove(request.params.username);
        return { ok: true };
      },
    );
  };
}
