// What the addon's source files share: the per-environment instance (SM2 group with its generator table, a BN_CTX)
// and small N-API helpers.
#ifndef SM2_ADDON_H
#define SM2_ADDON_H

#include <node_api.h>
#include <openssl/bn.h>
#include <openssl/ec.h>

typedef struct {
  EC_GROUP* group;  // SM2 with a precomputed generator table
  BN_CTX* ctx;      // one per Node environment (main thread or worker): never shared across threads
  BIGNUM* zero;
  BIGNUM* one;
} Instance;

#define CHECK(env, call)                                  \
  do {                                                    \
    if ((call) != napi_ok) {                              \
      napi_throw_error((env), NULL, "N-API call failed"); \
      return NULL;                                        \
    }                                                     \
  } while (0)

// The bytes of a Uint8Array argument; 0 when the value is not one.
int get_bytes(napi_env env, napi_value value, const unsigned char** data, size_t* length);

// Adds the key-exchange functions (sm2_exchange.c) to the exports.
int define_exchange(napi_env env, napi_value exports);

#endif
