// The per-step values a recorded training step reads instead of baking them into the command buffer: the
// host (or the step's own last dispatch) updates this buffer, so the command buffer is never re-recorded.
// Mirror of nn::StepState (nn/step_state.hpp); std430, 64 bytes. Declare it in a shader as
//   layout(std430, binding = N) readonly buffer StateBuffer { StepState state; };
struct StepState {
  uint step;          // optimizer steps completed before this one (Adam's t is step + 1)
  uint batch;         // index of this batch in the epoch's permutation (batch * N is the first entry)
  uint seed_lo;       // the run's seed, low and high words (RNG key)
  uint seed_hi;
  float lr;           // learning rate for this step
  float noise;        // denoising noise factor f in clip(x + f*N(0,1), 0, 1)
  uint epoch;
  uint halted;        // non-zero once a step's gradients or loss went non-finite: optimizers skip
  uint image_offset;  // data parallel: this rank's first image in the step's global batch (0: one rank)
  uint batch_stride;  // data parallel: the global batch (0: the rank's own n, one rank)
  uint reserved[6];
};
