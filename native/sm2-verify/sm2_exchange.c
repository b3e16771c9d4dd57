// The curve work of the SM2 key exchange (GB/T 32918.3 §6.1) on the OpenSSL that Node carries: ephemeral keys
// R = [r]G and the shared point V = [h·t](P_peer + [x̄_peer]R_peer) with t = (d + x̄_own·r) mod n. Everything else
// (Z values, KDF, the confirmation hashes S_B / S_A, the state machine) stays in key-exchange.ts, which also keeps
// the @noble/curves reference for the same two steps.
//
// Secrets (d, r, t) only meet OpenSSL's constant-time Montgomery ladder: EC_POINT_mul with a lone generator term or
// a lone point term takes it (ec_mult.c). x̄_peer, P_peer and R_peer are public, so P_peer + [x̄_peer]R_peer may use
// the faster variable-time wNAF path. The ephemeral r lives only here: JavaScript gets an opaque handle and R.
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <stdlib.h>
#include <string.h>

#include "sm2_addon.h"

typedef struct {
  BIGNUM* d;  // the static private key, checked against its public key once
} StaticKey;

typedef struct {
  BIGNUM* r;      // the ephemeral private key; cleared after its one agreement
  BIGNUM* xbar;   // x̄ of R = [r]G
} EphemeralKey;

static void free_static(napi_env env, void* data, void* hint) {
  StaticKey* key = data;
  BN_clear_free(key->d);
  free(key);
}

static void free_ephemeral(napi_env env, void* data, void* hint) {
  EphemeralKey* key = data;
  BN_clear_free(key->r);
  BN_free(key->xbar);
  free(key);
}

static napi_value throw_code(napi_env env, const char* code, const char* message) {
  napi_throw_error(env, code, message);
  return NULL;
}

// x̄ = 2^w + (x mod 2^w), w = ceil(ceil(log2 n) / 2) - 1 = 127 for the 256-bit SM2 order.
static int x_bar(BIGNUM* out, const BIGNUM* x) {
  return BN_copy(out, x) != NULL && BN_mask_bits(out, 127) == 1 && BN_set_bit(out, 127) == 1;
}

// The 32-byte scalar of a Uint8Array argument, in [1, max]; the BIGNUM is marked constant-time.
static BIGNUM* scalar_arg(napi_env env, napi_value value, const BIGNUM* max) {
  const unsigned char* bytes;
  size_t length;
  if (!get_bytes(env, value, &bytes, &length) || length != 32) return NULL;
  BIGNUM* k = BN_secure_new();
  if (!k) return NULL;
  BN_set_flags(k, BN_FLG_CONSTTIME);
  if (!BN_bin2bn(bytes, 32, k) || BN_is_zero(k) || BN_cmp(k, max) > 0) {
    BN_clear_free(k);
    return NULL;
  }
  return k;
}

// A 65-byte uncompressed point of the curve (oct2point rejects points off the curve; 65 bytes cannot encode
// infinity), or 0.
static int point_arg(napi_env env, Instance* inst, napi_value value, EC_POINT* out) {
  const unsigned char* bytes;
  size_t length;
  return get_bytes(env, value, &bytes, &length) && length == 65 && bytes[0] == 4 &&
         EC_POINT_oct2point(inst->group, out, bytes, length, inst->ctx) == 1;
}

static napi_value bytes_value(napi_env env, const unsigned char* data, size_t length) {
  napi_value buffer, array;
  void* raw;
  CHECK(env, napi_create_arraybuffer(env, length, &raw, &buffer));
  memcpy(raw, data, length);
  CHECK(env, napi_create_typedarray(env, napi_uint8_array, length, buffer, 0, &array));
  return array;
}

// exchangeStaticKey(privateKey: Uint8Array(32), publicKey: Uint8Array(65)) -> external; throws INVALID_KEY unless
// d is in [1, n-2] (signing needs 1 + d invertible, GB/T 32918.1 §6.1) and [d]G is the public key.
static napi_value exchange_static_key(napi_env env, napi_callback_info info) {
  Instance* inst;
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_instance_data(env, (void**)&inst));
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return throw_code(env, "INVALID_ARGUMENT", "exchangeStaticKey(privateKey, publicKey)");
  const BIGNUM* n = EC_GROUP_get0_order(inst->group);
  BIGNUM* max = BN_dup(n);
  BIGNUM* d = max && BN_sub_word(max, 2) ? scalar_arg(env, argv[0], max) : NULL;
  BN_free(max);
  EC_POINT* expected = EC_POINT_new(inst->group);
  EC_POINT* derived = EC_POINT_new(inst->group);
  int ok = d && expected && derived && point_arg(env, inst, argv[1], expected) &&
           EC_POINT_mul(inst->group, derived, d, NULL, NULL, inst->ctx) == 1 &&
           EC_POINT_cmp(inst->group, derived, expected, inst->ctx) == 0;
  EC_POINT_free(expected);
  EC_POINT_clear_free(derived);
  StaticKey* key = ok ? calloc(1, sizeof(StaticKey)) : NULL;
  if (!key) {
    BN_clear_free(d);
    return throw_code(env, "INVALID_KEY", ok ? "out of memory" : "private key out of range or not matching its public key");
  }
  key->d = d;
  napi_value external;
  CHECK(env, napi_create_external(env, key, free_static, NULL, &external));
  return external;
}

// exchangeEphemeral(fixed?: Uint8Array(32)) -> { key: external, publicKey: Uint8Array(65) }. r is drawn from
// OpenSSL's DRBG in [1, n-1]; `fixed` only reproduces published vectors.
static napi_value exchange_ephemeral(napi_env env, napi_callback_info info) {
  Instance* inst;
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype kind = napi_undefined;
  CHECK(env, napi_get_instance_data(env, (void**)&inst));
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) CHECK(env, napi_typeof(env, argv[0], &kind));
  const BIGNUM* n = EC_GROUP_get0_order(inst->group);
  BIGNUM* r = NULL;
  BIGNUM* max = BN_dup(n);
  if (max && BN_sub_word(max, 1)) {
    if (kind != napi_undefined) {
      r = scalar_arg(env, argv[0], max);
    } else if ((r = BN_secure_new()) != NULL) {
      BN_set_flags(r, BN_FLG_CONSTTIME);
      // [0, n-2] + 1 = [1, n-1]
      if (!BN_priv_rand_range(r, max) || !BN_add_word(r, 1)) {
        BN_clear_free(r);
        r = NULL;
      }
    }
  }
  BN_free(max);
  if (!r) return throw_code(env, "INVALID_KEY", "ephemeral private key out of range [1, n-1]");
  EphemeralKey* key = calloc(1, sizeof(EphemeralKey));
  EC_POINT* point = EC_POINT_new(inst->group);
  unsigned char encoded[65];
  int ok = key && point && (key->xbar = BN_new()) != NULL && EC_POINT_mul(inst->group, point, r, NULL, NULL, inst->ctx) == 1 &&
           EC_POINT_get_affine_coordinates(inst->group, point, key->xbar, NULL, inst->ctx) == 1 && x_bar(key->xbar, key->xbar) &&
           EC_POINT_point2oct(inst->group, point, POINT_CONVERSION_UNCOMPRESSED, encoded, sizeof encoded, inst->ctx) == 65;
  EC_POINT_free(point);
  if (!ok) {
    BN_clear_free(r);
    if (key) BN_free(key->xbar);
    free(key);
    return throw_code(env, "INTERNAL", "ephemeral key generation failed");
  }
  key->r = r;
  napi_value out, external, publicKey;
  CHECK(env, napi_create_external(env, key, free_ephemeral, NULL, &external));
  if (!(publicKey = bytes_value(env, encoded, 65))) return NULL;
  CHECK(env, napi_create_object(env, &out));
  CHECK(env, napi_set_named_property(env, out, "key", external));
  CHECK(env, napi_set_named_property(env, out, "publicKey", publicKey));
  return out;
}

// exchangeSharedPoint(own: static external, ephemeral: external, peerStatic: Uint8Array(65),
//                     peerEphemeral: Uint8Array(65)) -> Uint8Array(64) x ‖ y of V. The ephemeral is used up.
// Throws INVALID_PEER_STATIC / INVALID_PEER_EPHEMERAL for a point off the curve, AT_INFINITY for V = O,
// HANDSHAKE_STATE for an ephemeral already used.
static napi_value exchange_shared_point(napi_env env, napi_callback_info info) {
  Instance* inst;
  size_t argc = 4;
  napi_value argv[4];
  StaticKey* own;
  EphemeralKey* eph;
  napi_valuetype kinds[2];
  CHECK(env, napi_get_instance_data(env, (void**)&inst));
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || napi_typeof(env, argv[0], &kinds[0]) != napi_ok || napi_typeof(env, argv[1], &kinds[1]) != napi_ok ||
      kinds[0] != napi_external || kinds[1] != napi_external || napi_get_value_external(env, argv[0], (void**)&own) != napi_ok ||
      napi_get_value_external(env, argv[1], (void**)&eph) != napi_ok) {
    return throw_code(env, "INVALID_ARGUMENT", "exchangeSharedPoint(staticKey, ephemeralKey, peerStatic, peerEphemeral)");
  }
  if (!eph->r) return throw_code(env, "HANDSHAKE_STATE", "this ephemeral key was already used");
  BN_CTX* ctx = inst->ctx;
  const EC_GROUP* group = inst->group;
  const BIGNUM* n = EC_GROUP_get0_order(group);
  const char* code = "INTERNAL";
  const char* message = "key agreement failed";
  unsigned char out[64];
  const EC_POINT* points[2];
  const BIGNUM* scalars[2];
  int ok = 0;
  BN_CTX_start(ctx);
  BIGNUM* t = BN_CTX_get(ctx);
  BIGNUM* xbar = BN_CTX_get(ctx);
  BIGNUM* x = BN_CTX_get(ctx);
  BIGNUM* y = BN_CTX_get(ctx);
  EC_POINT* peer_static = EC_POINT_new(group);
  EC_POINT* peer_ephemeral = EC_POINT_new(group);
  EC_POINT* sum = EC_POINT_new(group);
  EC_POINT* shared = EC_POINT_new(group);
  if (!y || !peer_static || !peer_ephemeral || !sum || !shared) goto done;
  BN_set_flags(t, BN_FLG_CONSTTIME);
  // t = (d + x̄_own · r) mod n (A5 / B4)
  if (!BN_mod_mul(t, eph->xbar, eph->r, n, ctx) || !BN_mod_add(t, t, own->d, n, ctx)) goto done;
  if (!point_arg(env, inst, argv[2], peer_static)) {
    code = "INVALID_PEER_STATIC";
    message = "the peer's static key is not a point on the curve";
    goto done;
  }
  if (!point_arg(env, inst, argv[3], peer_ephemeral)) {
    code = "INVALID_PEER_EPHEMERAL";
    message = "the peer's ephemeral key is not a point on the curve";
    goto done;
  }
  // P_peer + [x̄_peer]R_peer: public values, variable-time wNAF (two terms, no generator term).
  if (!EC_POINT_get_affine_coordinates(group, peer_ephemeral, x, NULL, ctx) || !x_bar(xbar, x)) goto done;
  points[0] = peer_ephemeral;
  points[1] = peer_static;
  scalars[0] = xbar;
  scalars[1] = inst->one;
  if (!EC_POINTs_mul(group, sum, NULL, 2, points, scalars, ctx)) goto done;
  // V = [h·t] sum, h = 1 on the SM2 curve: one secret scalar on one point, OpenSSL's constant-time ladder.
  if (EC_POINT_is_at_infinity(group, sum) || !EC_POINT_mul(group, shared, NULL, sum, t, ctx) || EC_POINT_is_at_infinity(group, shared)) {
    code = "AT_INFINITY";
    message = "key agreement produced the point at infinity";
    goto done;
  }
  if (!EC_POINT_get_affine_coordinates(group, shared, x, y, ctx) || BN_bn2binpad(x, out, 32) != 32 || BN_bn2binpad(y, out + 32, 32) != 32) goto done;
  ok = 1;
done:
  // One agreement per ephemeral key, whatever the outcome: a failed handshake is never retried on the same r.
  BN_clear_free(eph->r);
  eph->r = NULL;
  BN_clear(t);
  EC_POINT_free(peer_static);
  EC_POINT_free(peer_ephemeral);
  EC_POINT_free(sum);
  EC_POINT_clear_free(shared);
  BN_CTX_end(ctx);
  if (!ok) return throw_code(env, code, message);
  napi_value result = bytes_value(env, out, 64);
  OPENSSL_cleanse(out, sizeof out);
  return result;
}

int define_exchange(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
      {"exchangeStaticKey", NULL, exchange_static_key, NULL, NULL, NULL, napi_default, NULL},
      {"exchangeEphemeral", NULL, exchange_ephemeral, NULL, NULL, NULL, napi_default, NULL},
      {"exchangeSharedPoint", NULL, exchange_shared_point, NULL, NULL, NULL, napi_default, NULL},
  };
  return napi_define_properties(env, exports, 3, methods) == napi_ok;
}
