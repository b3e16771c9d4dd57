import type { FastifyReply } from 'fastify';

/** Answers in the platform API's one error shape: { error: { code, message } } (see docs/api.md). */
export function fail(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}
