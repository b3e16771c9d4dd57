// Public entry of the protocol package: frames, messages, codec and secure-channel hook. Pure, no I/O.
export * from './catalogue.ts';
export * from './codec.ts';
export * from './enums.ts';
export * from './errors.ts';
export * from './error-enum.ts';
export * from './frame-decoder.ts';
export * from './header.ts';
export * from './messages/common.ts';
export { OPTIONAL_TYPE_BIT, type Direction, type MessageDef } from './messages/define.ts';
export { ENCRYPTION_IV_SIZE, type FrameProtector, type ProtectedFrameView, type ProtectedOutput } from './protector.ts';
export { crc32 } from './crc32.ts';
export type { EnumDef, FieldType, StructType } from './schema/types.ts';
export { createSecureProtector, PLAIN_IN_SECURE_SESSION, toProtocolError, type SecureProtectorOptions } from './secure-protector.ts';
export * from './json.ts';
export * from './version.ts';
export * from './secure/index.ts';
export * from './access-proof.ts';
