{
  "targets": [
    {
      "target_name": "sm2_verify",
      "sources": ["sm2_verify.c", "sm2_exchange.c"],
      "cflags": ["-O2", "-Wall", "-Wno-deprecated-declarations"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
