export { GatewayChannel, GatewayPool, type GatewayPoolOptions, type GatewayPoolStatus } from './gateway-pool.ts';
