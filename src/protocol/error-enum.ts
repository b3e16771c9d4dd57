// The protocol error codes as a schema enumeration, so nack.errorCode is declared and documented like any field.
import { ERROR_CODES } from './errors.ts';
import { defineEnum } from './schema/types.ts';

export const ErrorCode = defineEnum('ErrorCode', 'Protocol error codes carried in nack.errorCode (see Error codes).', ERROR_CODES);
