import { generateSm2KeyPair, keyPairFromPrivateKey, type Sm2KeyPair } from '../../protocol/secure/index.ts';
import type { SettingsRepository } from '../store/types.ts';

// The platform's long-term SM2 key pair: created at first start and kept in the store, so AGVs can pin its public
// key once. (A deployment with an HSM or a key file passes its own pair to startPlatform instead.)

const SETTING = 'platform_sm2_private_key';

export async function loadOrCreatePlatformKeys(settings: SettingsRepository): Promise<Sm2KeyPair> {
  const stored = await settings.get(SETTING);
  if (stored) return keyPairFromPrivateKey(Buffer.from(stored, 'hex'));
  // Several instances of a site may start together on an empty database: whichever stores its key first wins, and
  // every instance uses that one.
  const kept = await settings.setIfAbsent(SETTING, Buffer.from(generateSm2KeyPair().privateKey).toString('hex'));
  return keyPairFromPrivateKey(Buffer.from(kept, 'hex'));
}
