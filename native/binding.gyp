# The optional BLAS addon of the 'blas' compute backend (docs/performance.md).
# Built by `npm install` through native/build.mjs; a failed build leaves the engine on wasm.
# No FMA contraction (-std=c99 on gcc, -ffp-contract=off on clang): the fused Adam then rounds
# exactly as tfjs's unfused ops do.
{
  "targets": [
    {
      "target_name": "gmvae_blas",
      "sources": ["src/blas.c"],
      "cflags": ["-O3", "-std=c99", "-fno-math-errno", "-Wall", "-Wextra"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["USE_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"],
          "xcode_settings": {"OTHER_CFLAGS": ["-O3", "-ffp-contract=off"]}
        }],
        ["OS=='linux'", {
          "defines": ["USE_OPENBLAS"],
          "cflags": ["-pthread"],
          "libraries": ["-lopenblas", "-lpthread"]
        }]
      ]
    }
  ]
}
