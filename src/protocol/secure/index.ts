// Public API of the protocol's secure mode (SM2/SM3/SM4). Pure computation: no sockets, no files.
export { SECURE_ERROR_CODES, SecureChannelError, isSecureChannelError, type SecureErrorCode } from './errors.ts';
export { sm3, sm3Kdf, SM3_DIGEST_LENGTH } from './sm3.ts';
export { sm4Ctr, sm4EcbEncrypt, sm4EcbDecrypt, sm4CbcEncrypt, sm4CbcDecrypt, SM4_KEY_LENGTH, SM4_BLOCK_LENGTH } from './sm4.ts';
export { SM2_RECOMMENDED_CURVE, SM2_EXAMPLE_CURVE, type Sm2CurveParams } from './sm2-curve.ts';
export {
  generateSm2KeyPair,
  keyPairFromPrivateKey,
  assertValidPublicKey,
  publicKeyToPem,
  publicKeyFromPem,
  privateKeyToPem,
  keyPairFromPem,
  samePublicKey,
  publicKeyFingerprint,
  type Sm2KeyPair,
} from './sm2-keys.ts';
export {
  SM2_DEFAULT_USER_ID,
  SM2_SIGNATURE_LENGTH,
  Sm2Signer,
  Sm2Verifier,
  sm2Sign,
  sm2Verify,
  sm2Z,
  nativeSm2Available,
  precomputedSm2Available,
  type Sm2Backend,
  type UserId,
  type Sm2Options,
  type Sm2VerifierOptions,
} from './sm2-sign.ts';
export {
  KeyExchangeInitiator,
  KeyExchangeResponder,
  directionalKeys,
  SESSION_KEY_MATERIAL_LENGTH,
  CONFIRMATION_LENGTH,
  type KeyExchangeInit,
  type KeyExchangeReply,
  type KeyExchangeConfirm,
  type KeyExchangeResult,
  type InitiatorOptions,
  type ResponderOptions,
} from './key-exchange.ts';
export { ReplayWindow, type ReplayVerdict } from './replay-window.ts';
export {
  SecureSession,
  protectedPayloadLength,
  sessionKeyId,
  SECURE_IV_LENGTH,
  KEY_ID_LENGTH,
  type SecureFrameHeader,
  type ProtectedPayload,
  type UnprotectResult,
  type SecureSessionOptions,
} from './session.ts';
