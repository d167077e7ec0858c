// Whole-model gradient check: the recorded backward pass of a model (every layer, the fused sigmoid + BCE)
// against central finite differences of the GPU loss, on a tiny input, for dae- and conv-shaped models.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "nn/model/model.hpp"
#include "nn/ops/loss.hpp"
#include "nn/ops/reduce.hpp"
#include "nn/rng.hpp"
#include "nn/step_state.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class ModelGradGpu : public test::GpuTest {};

// The dae (relu, pooling, upsampling, a transposed conv) and the Keras-blog conv architecture (odd 'same'
// pooling 5 -> 3, a 'valid' conv; with relu as built and with tanh, which has no kinks) shrunk to tiny
// inputs.
constexpr const char* kDaeSmall = R"({"name":"dae-small","input":[1,8,8],"loss":"bce",
  "encoder":[{"type":"conv2d","filters":4,"activation":"relu"},{"type":"maxpool2d"},
             {"type":"conv2d","filters":4,"activation":"relu"},{"type":"maxpool2d"}],
  "decoder":[{"type":"conv2d","filters":4,"activation":"relu"},{"type":"upsample2d"},
             {"type":"conv_transpose2d","filters":3,"kernel":3,"stride":2,"activation":"tanh"},
             {"type":"conv2d","filters":1,"activation":"sigmoid"}]})";
constexpr const char* kConvSmall = R"({"name":"conv-small","input":[1,20,20],"loss":"bce",
  "encoder":[{"type":"conv2d","filters":3,"activation":"tanh"},{"type":"maxpool2d"},
             {"type":"conv2d","filters":2,"activation":"tanh"},{"type":"maxpool2d"},
             {"type":"conv2d","filters":2,"activation":"tanh"},{"type":"maxpool2d"}],
  "decoder":[{"type":"conv2d","filters":2,"activation":"tanh"},{"type":"upsample2d"},
             {"type":"conv2d","filters":2,"activation":"tanh"},{"type":"upsample2d"},
             {"type":"conv2d","filters":3,"padding":"valid","activation":"tanh"},{"type":"upsample2d"},
             {"type":"conv2d","filters":1,"activation":"sigmoid"}]})";
// The conv model as built (relu).
constexpr const char* kConvRelu = R"({"name":"conv-small-relu","input":[1,20,20],"loss":"bce",
  "encoder":[{"type":"conv2d","filters":3,"activation":"relu"},{"type":"maxpool2d"},
             {"type":"conv2d","filters":2,"activation":"relu"},{"type":"maxpool2d"},
             {"type":"conv2d","filters":2,"activation":"relu"},{"type":"maxpool2d"}],
  "decoder":[{"type":"conv2d","filters":2,"activation":"relu"},{"type":"upsample2d"},
             {"type":"conv2d","filters":2,"activation":"relu"},{"type":"upsample2d"},
             {"type":"conv2d","filters":3,"padding":"valid","activation":"relu"},{"type":"upsample2d"},
             {"type":"conv2d","filters":1,"activation":"sigmoid"}]})";
// The VAE: the sampling layer's two heads, the reparameterisation (eps fixed by the RNG state) and the KL
// term in both the loss and the gradient, with the per-image (sum) reduction.
constexpr const char* kVaeSmall = R"({"name":"vae-small","input":[1,6,6],"loss":"bce","reduction":"sum",
  "encoder":[{"type":"flatten"},{"type":"dense","units":8,"activation":"relu"},{"type":"sampling","units":2}],
  "decoder":[{"type":"dense","units":8,"activation":"relu"},{"type":"dense","units":36,"activation":"sigmoid"},
             {"type":"reshape","shape":[1,6,6]}]})";
constexpr const char* kDenseSmall = R"({"name":"dense-small","input":[1,8,8],"loss":"bce",
  "encoder":[{"type":"flatten"},{"type":"dense","units":6,"activation":"relu"}],
  "decoder":[{"type":"dense","units":64,"activation":"sigmoid"},{"type":"reshape","shape":[1,8,8]}]})";

void check_model_gradient(const char* spec_text) {
  rt::Context& ctx = test::ctx();
  const ModelSpec spec = parse_model_spec(parse_json(spec_text, "spec"), "spec");
  const uint32_t n = 2;
  Model model(ctx, spec, n);
  model.initialize(ctx, 3);
  // Biases start at zero (Keras), which puts a relu exactly on its kink wherever its inputs are all zero
  // (dead regions, zero padding): the derivative there is one-sided and central differences see half of
  // it. Random biases keep every pre-activation off the kink so the check compares like with like.
  for (const Param& p : model.params())
    if (p.glorot_limit == 0) {
      const auto b = test::random_floats(p.count, 17, -0.2f, 0.2f);
      ctx.write(p.value, b.data(), b.size() * 4);
    }
  const uint64_t count = uint64_t{n} * spec.input.size();
  const auto x = test::random_floats(count, 5, 0.0f, 1.0f);
  auto target_values = test::random_floats(count, 6, 0.0f, 1.0f);
  auto target = test::upload(target_values);
  auto loss = test::make_output(1);
  rt::Buffer scratch(ctx.device(), std::max<uint64_t>(reduce_scratch_floats(count), 1) * 4);
  const Loss kind = Loss::Bce;
  // Sum, not mean: larger gradients keep float32 finite differences above the rounding noise. A per-image
  // (sum-reduced) model keeps its own scale, which its KL term's gradient is recorded with.
  const float scale = spec.reduction == Reduction::Sum ? model.loss_scale(n) : 1.0f;
  // The sampling layer's noise is keyed by this state: the same eps in every pass below.
  StepState state;
  state.set_seed(23);
  state.step = 5;
  rt::Buffer state_buffer(ctx.device(), sizeof state, rt::MemoryKind::DeviceLocal, "state");
  ctx.write(state_buffer.view(), &state, sizeof state);

  auto gpu_loss = [&](bool backward) {
    ctx.write(model.input(), x.data(), count * 4);
    ctx.run_now([&](rt::Recorder& rec) {
      model.record_forward(rec, n, false, state_buffer.view());
      record_loss_forward(rec, kind, loss.view(), scratch.view(), model.loss_input(), target.view(), count,
                          scale);
      if (backward) {
        record_loss_backward(rec, kind, model.loss_grad(), model.loss_input(), target.view(), count, scale);
        model.record_backward(rec, n);
      }
    });
    if (backward) return double(test::download(loss)[0]);
    // The finite differences sum the loss in double on the host from the GPU's logits: a float32 sum of
    // hundreds of terms would quantise the tiny differences away.
    const auto z = test::download(model.loss_input());
    double sum = 0;
    for (uint64_t i = 0; i < count; ++i) {
      const double zi = z[i], ti = target_values[i];
      sum += std::max(zi, 0.0) - zi * ti + std::log1p(std::exp(-std::abs(zi)));
    }
    if (const LayerBuffers* s = model.sampling()) {  // + KL(N(mu, sigma^2) || N(0, I)) of every image
      const auto mu = test::download(s->mu), lv = test::download(s->logvar);
      for (uint64_t i = 0; i < uint64_t{n} * s->out.size(); ++i)
        sum += -0.5 * (1.0 + lv[i] - double(mu[i]) * mu[i] - std::exp(double(lv[i])));
    }
    return sum * scale;
  };
  ASSERT_TRUE(model.fused_sigmoid_bce());
  gpu_loss(true);
  HostRng rng(11);
  int checked = 0;
  for (const Param& p : model.params()) {
    const auto grad = test::download(p.grad);
    auto value = test::download(p.value);
    double largest = 0;
    for (float g : grad) largest = std::max(largest, double(std::abs(g)));
    for (int k = 0; k < 4; ++k) {
      const size_t i = rng.below(p.count);
      const float keep = value[i];
      // h = 5e-5: a relu pre-activation within h of its kink makes the difference quotient average the two
      // slopes. The relu conv model showed it: decoder.2.bias[0] analytic 0.971, differences 0.534 at
      // h = 1e-3, 0.588 at 2e-4, and agreement at 5e-5 and 3e-5 (a pre-activation ~1e-4 from zero), while
      // the double-summed loss of float32 logits still resolves steps this small.
      const float h = 5e-5f;
      value[i] = keep + h;
      ctx.write(p.value, value.data(), value.size() * 4);
      const double up = gpu_loss(false);
      value[i] = keep - h;
      ctx.write(p.value, value.data(), value.size() * 4);
      const double down = gpu_loss(false);
      value[i] = keep;
      ctx.write(p.value, value.data(), value.size() * 4);
      const double fd = (up - down) / (2.0 * h);
      // Central differences of the double-summed loss: agree to 5 % of the gradient plus 2 %
      // of the tensor's largest gradient (float32 logits and relu kinks inside +-h leave that much).
      EXPECT_NEAR(grad[i], fd, 0.05 * std::abs(fd) + 0.02 * largest + 1e-4) << p.name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4 * static_cast<int>(model.params().size()));
}

TEST_F(ModelGradGpu, DaeShapedModelBackwardMatchesFiniteDifferences) {
  check_model_gradient(kDaeSmall);
}
TEST_F(ModelGradGpu, ConvShapedModelBackwardMatchesFiniteDifferences) {
  check_model_gradient(kConvSmall);
}
TEST_F(ModelGradGpu, ConvModelWithReluBackwardMatchesFiniteDifferences) {
  check_model_gradient(kConvRelu);
}
TEST_F(ModelGradGpu, DenseModelBackwardMatchesFiniteDifferences) {
  check_model_gradient(kDenseSmall);
}
TEST_F(ModelGradGpu, VaeBackwardWithKlMatchesFiniteDifferences) {
  check_model_gradient(kVaeSmall);
}

}  // namespace
}  // namespace vkae::nn
