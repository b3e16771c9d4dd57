export { buildApi, API_PREFIX, type ApiDeps, type OperationsDeps } from './server.ts';
export { ApiError } from './errors.ts';
export { requireRole, apiKeyAuthenticator, sessionAuthenticator, SESSION_COOKIE, type Authenticator } from './auth-hooks.ts';
export { emptyFleetView, type AgvView, type AgvPose, type FleetView, type FleetFilter, type AgvConnection, type AgvSecurityMode, type ClearReservations } from './fleet-view.ts';
