// SM2 signature verification (GB/T 32918.2 §7) with per-key precomputation, on the OpenSSL that Node carries.
//
// OpenSSL keeps a precomputed table only for a group's generator and uses it for [k]G. The AGV's public key Q is
// fixed for its whole session, so each key gets its own copy of the SM2 group whose generator is Q, precomputed
// once: [s]G and [t]Q then both run on tables (about 8 doublings and 64 mixed additions each) instead of one
// interleaved multiplication with ~256 doublings. The caller computes e = SM3(Z || M); this file only checks
// r, s and the equation R = (e + x1) mod n with (x1, y1) = [s]G + [t]Q, t = (r + s) mod n.
//
// Every BIGNUM here is public (signature, digest, public key), so the variable-time wNAF paths are fine.
//
// The same addon also does the key exchange's curve work (sm2_exchange.c), on the same per-environment instance.
#include <openssl/obj_mac.h>
#include <stdlib.h>
#include <string.h>

#include "sm2_addon.h"

typedef struct {
  EC_GROUP* group;  // SM2 with generator Q, precomputed
  EC_POINT* q;
} PeerKey;

static void free_instance(napi_env env, void* data, void* hint) {
  Instance* inst = data;
  EC_GROUP_free(inst->group);
  BN_CTX_free(inst->ctx);
  BN_free(inst->zero);
  BN_free(inst->one);
  free(inst);
}

static void free_peer(napi_env env, void* data, void* hint) {
  PeerKey* key = data;
  EC_POINT_free(key->q);
  EC_GROUP_free(key->group);
  free(key);
}

int get_bytes(napi_env env, napi_value value, const unsigned char** data, size_t* length) {
  napi_typedarray_type type;
  void* raw;
  size_t offset;
  napi_value buffer;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok || type != napi_uint8_array) return 0;
  *data = raw;
  return 1;
}

// precompute(publicKey: Uint8Array(65)) -> external, or throws for a point not on the curve
static napi_value precompute(napi_env env, napi_callback_info info) {
  Instance* inst;
  size_t argc = 1;
  napi_value argv[1];
  const unsigned char* bytes;
  size_t length;
  CHECK(env, napi_get_instance_data(env, (void**)&inst));
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !get_bytes(env, argv[0], &bytes, &length) || length != 65 || bytes[0] != 4) {
    napi_throw_type_error(env, NULL, "public key must be a 65-byte uncompressed point");
    return NULL;
  }
  PeerKey* key = calloc(1, sizeof(PeerKey));
  if (!key) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  key->group = EC_GROUP_dup(inst->group);
  key->q = key->group ? EC_POINT_new(key->group) : NULL;
  // oct2point rejects points that are not on the curve; infinity cannot be encoded in 65 bytes.
  int ok = key->q && EC_POINT_oct2point(key->group, key->q, bytes, length, inst->ctx) == 1 &&
           EC_GROUP_set_generator(key->group, key->q, EC_GROUP_get0_order(inst->group), EC_GROUP_get0_cofactor(inst->group)) == 1 &&
           EC_GROUP_precompute_mult(key->group, inst->ctx) == 1;
  if (!ok) {
    free_peer(env, key, NULL);
    napi_throw_error(env, "INVALID_KEY", "public key is not a point on the SM2 curve");
    return NULL;
  }
  napi_value external;
  CHECK(env, napi_create_external(env, key, free_peer, NULL, &external));
  return external;
}

// [k]P on a group whose generator P carries a table. A lone generator term would take OpenSSL's constant-time
// ladder (which ignores tables), so a zero term for P itself is added to keep the table path.
static int table_mul(EC_GROUP* group, EC_POINT* out, const BIGNUM* k, const BIGNUM* zero, BN_CTX* ctx) {
  const EC_POINT* points[1] = {EC_GROUP_get0_generator(group)};
  const BIGNUM* scalars[1] = {zero};
  return EC_POINTs_mul(group, out, k, 1, points, scalars, ctx);
}

static int verify_equation(Instance* inst, PeerKey* key, const unsigned char* e, const unsigned char* sig) {
  BN_CTX* ctx = inst->ctx;
  const BIGNUM* n = EC_GROUP_get0_order(inst->group);
  int result = 0;
  BN_CTX_start(ctx);
  BIGNUM* r = BN_CTX_get(ctx);
  BIGNUM* s = BN_CTX_get(ctx);
  BIGNUM* t = BN_CTX_get(ctx);
  BIGNUM* x = BN_CTX_get(ctx);
  BIGNUM* ev = BN_CTX_get(ctx);
  EC_POINT* sg = EC_POINT_new(inst->group);
  EC_POINT* tq = EC_POINT_new(key->group);
  if (!ev || !sg || !tq || !BN_bin2bn(sig, 32, r) || !BN_bin2bn(sig + 32, 32, s) || !BN_bin2bn(e, 32, ev)) goto done;
  // B1, B2: r, s in [1, n-1]
  if (BN_is_zero(r) || BN_cmp(r, n) >= 0 || BN_is_zero(s) || BN_cmp(s, n) >= 0) goto done;
  // B5: t = (r + s) mod n, t != 0
  if (!BN_mod_add(t, r, s, n, ctx) || BN_is_zero(t)) goto done;
  // B6: (x1, y1) = [s]G + [t]Q
  if (!table_mul(inst->group, sg, s, inst->zero, ctx) || !table_mul(key->group, tq, t, inst->zero, ctx)) goto done;
  if (!EC_POINT_add(inst->group, sg, sg, tq, ctx) || EC_POINT_is_at_infinity(inst->group, sg)) goto done;
  if (!EC_POINT_get_affine_coordinates(inst->group, sg, x, NULL, ctx)) goto done;
  // B7: R = (e + x1) mod n == r
  if (!BN_mod_add(x, ev, x, n, ctx)) goto done;
  result = BN_cmp(x, r) == 0;
done:
  EC_POINT_free(sg);
  EC_POINT_free(tq);
  BN_CTX_end(ctx);
  return result;
}

// verify(key: external, e: Uint8Array(32), signature: Uint8Array(64)) -> boolean; false for malformed input
static napi_value verify(napi_env env, napi_callback_info info) {
  Instance* inst;
  size_t argc = 3;
  napi_value argv[3];
  PeerKey* key;
  const unsigned char *e, *sig;
  size_t e_length, sig_length;
  napi_valuetype kind;
  CHECK(env, napi_get_instance_data(env, (void**)&inst));
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || napi_typeof(env, argv[0], &kind) != napi_ok || kind != napi_external ||
      napi_get_value_external(env, argv[0], (void**)&key) != napi_ok || !get_bytes(env, argv[1], &e, &e_length) ||
      e_length != 32) {
    napi_throw_type_error(env, NULL, "verify(key, e: 32 bytes, signature: 64 bytes)");
    return NULL;
  }
  int ok = get_bytes(env, argv[2], &sig, &sig_length) && sig_length == 64 && verify_equation(inst, key, e, sig);
  napi_value out;
  CHECK(env, napi_get_boolean(env, ok, &out));
  return out;
}

NAPI_MODULE_INIT() {
  Instance* inst = calloc(1, sizeof(Instance));
  if (!inst) return NULL;
  inst->ctx = BN_CTX_new();
  inst->zero = BN_new();
  inst->one = BN_new();
  inst->group = EC_GROUP_new_by_curve_name(NID_sm2);
  if (!inst->ctx || !inst->zero || !inst->one || !inst->group || EC_GROUP_precompute_mult(inst->group, inst->ctx) != 1) {
    free_instance(env, inst, NULL);
    napi_throw_error(env, NULL, "this OpenSSL has no SM2 curve");
    return NULL;
  }
  BN_zero(inst->zero);
  BN_one(inst->one);
  if (napi_set_instance_data(env, inst, free_instance, NULL) != napi_ok) return NULL;
  napi_property_descriptor methods[] = {
      {"precompute", NULL, precompute, NULL, NULL, NULL, napi_default, NULL},
      {"verify", NULL, verify, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 2, methods) != napi_ok || !define_exchange(env, exports)) return NULL;
  return exports;
}
