export { GatewayChannel, GatewayPool, type GatewayPoolOptions } from './gateway-pool.ts';
