// Register-blocked matrix product shared by the dense shaders: each invocation owns a kBM x kBN block of
// C[M, NC] = Σ_k A(m, k) B(k, n) and accumulates it in registers, in k order (fixed, so deterministic).
// The includer defines LOAD_A(m, k) and LOAD_B(k, n) (plain buffer reads with its own strides) first.
// Rows/columns past the edge are clamped to the last valid one for loading (no branch in the hot loop);
// their results are never stored.
// 8x8 measured best on lavapipe (batch 128, 784 -> 512: ~2.5x the GFLOP/s of 4x4; 16x8 no better);
// register blocking is what helps a CPU device, shared-memory tiling without it does not.
const uint kBM = VKAE_DENSE_ROW_BLOCK, kBN = VKAE_DENSE_COL_BLOCK;  // dense_blocks.h

// Block `index` of a grid of ceil(M / kBM) x ceil(NC / kBN) blocks, row-major: first row m0, first column n0.
void dense_block(uint index, uint nc, out uint m0, out uint n0) {
  const uint blocks_n = (nc + kBN - 1u) / kBN;
  m0 = index / blocks_n * kBM;
  n0 = index % blocks_n * kBN;
}

// Declares float acc[kBM][kBN] = the block's products (and a_sum[kBM] = Σ_k A(m, k), which the weight
// gradient uses for the bias) and uint rows[kBM], cols[kBN] = the clamped indices.
#define DENSE_BLOCK_PRODUCT(M, NC, K, m0, n0)                                          \
  float acc[kBM][kBN];                                                                 \
  float a_sum[kBM];                                                                    \
  uint rows[kBM], cols[kBN];                                                           \
  for (uint r = 0u; r < kBM; ++r) {                                                    \
    rows[r] = min(m0 + r, M - 1u);                                                     \
    a_sum[r] = 0.0;                                                                    \
    for (uint c = 0u; c < kBN; ++c) acc[r][c] = 0.0;                                   \
  }                                                                                    \
  for (uint c = 0u; c < kBN; ++c) cols[c] = min(n0 + c, NC - 1u);                      \
  for (uint k = 0u; k < K; ++k) {                                                      \
    float a[kBM], b[kBN];                                                              \
    for (uint r = 0u; r < kBM; ++r) a[r] = LOAD_A(rows[r], k);                         \
    for (uint c = 0u; c < kBN; ++c) b[c] = LOAD_B(k, cols[c]);                         \
    for (uint r = 0u; r < kBM; ++r) {                                                  \
      a_sum[r] += a[r];                                                                \
      for (uint c = 0u; c < kBN; ++c) acc[r][c] += a[r] * b[c];                        \
    }                                                                                  \
  }
