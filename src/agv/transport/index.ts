export type { FrameChannel, ChannelCloseReason } from './channel.ts';
export { BaseChannel } from './channel.ts';
export { memoryChannelPair } from './memory.ts';
export { TcpChannel, connectTcp, type TcpChannelOptions } from './tcp.ts';
export { FramePeer, type FramePeerOptions, type RequestOutcome } from './frame-peer.ts';
export { MqttLinkChannel, connectMqtt, agvKeyOf, linkTopic, parseUpTopic, upWildcard, DEFAULT_MQTT_TOPIC_ROOT, type MqttLinkOptions, type MqttTopicLayout } from './mqtt.ts';
