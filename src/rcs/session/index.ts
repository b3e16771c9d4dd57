export { SessionServer, DEFAULT_SESSION_SETTINGS, type SessionServerOptions } from './server.ts';
export { AgvSession, type SessionPhase, type SessionSettings } from './agv-session.ts';
export { SiteNumbering } from './site-numbering.ts';
export { LatencyRecorder } from './latency.ts';
export type { SecureHandshake, HandshakeStep } from './secure-handshake.ts';
export { statusFromReport, motionCommandFor } from './convert.ts';
export { Sm2Handshake, PLATFORM_USER_ID } from './sm2-handshake.ts';
export { loadOrCreatePlatformKeys } from './platform-keys.ts';
