// Model construction (shape inference, one allocation walk that both sizes and carves the arenas),
// initialisation and parameter transfer.
// The per-layer op calls live in layers.cpp.
#include "nn/model/model.hpp"

#include <cmath>

#include "nn/model/layers.hpp"
#include "nn/ops/data.hpp"
#include "nn/ops/loss.hpp"
#include "nn/rng.hpp"

namespace vkae::nn {
namespace {

bool has_activation_buffer(const LayerSpec& l) {
  return (l.kind == LayerKind::Conv2d || l.kind == LayerKind::ConvTranspose2d ||
          l.kind == LayerKind::Dense) &&
         l.activation != Activation::Identity;
}

}  // namespace

Model::Model(rt::Context& ctx, ModelSpec spec, uint32_t max_batch)
    : spec_(std::move(spec)), max_batch_(max_batch) {
  if (max_batch == 0) throw InputError("model " + spec_.name + ": batch must be >= 1");
  // The last layer that computes something: the only one whose pre-activation gets a buffer of its own.
  for (const auto* list : {&spec_.encoder, &spec_.decoder})
    for (const LayerSpec& l : *list)
      if (l.kind != LayerKind::Flatten && l.kind != LayerKind::Reshape) tail_spec_ = &l;

  // The memory plan is the allocation walk itself, run first against sizing arenas (which only add up the
  // aligned views) and then against real arenas of exactly that size: the two cannot drift apart.
  const rt::Device& device = ctx.device();
  rt::Arena plan_params = rt::Arena::sizing(device, "params"),
            plan_grads = rt::Arena::sizing(device, "grads");
  rt::Arena plan_activations = rt::Arena::sizing(device, "activations");
  allocate_buffers({plan_params, plan_grads, plan_activations});
  // Vulkan has no empty buffers: a model without parameters still gets one aligned block.
  param_arena_ =
      std::make_unique<rt::Arena>(device, std::max(plan_params.used(), plan_params.alignment()), "params");
  grad_arena_ =
      std::make_unique<rt::Arena>(device, std::max(plan_grads.used(), plan_grads.alignment()), "grads");
  act_arena_ = std::make_unique<rt::Arena>(device, plan_activations.used(), "activations");
  allocate_buffers({*param_arena_, *grad_arena_, *act_arena_});
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (!layers_[i].alias) tail_ = i;
    if (layers_[i].spec->kind == LayerKind::Sampling) sampling_ = static_cast<int>(i);
  }
}

void Model::allocate_buffers(const Arenas& arenas) {
  params_.clear();
  layers_.clear();
  input_ = arenas.activations.allocate_array<float>(uint64_t{max_batch_} * spec_.input.size());
  Shape3 shape = spec_.input;
  bool first = true;
  allocate_layers(arenas, spec_.encoder, "encoder", shape, first);
  code_layer_ = layers_.size() - 1;
  allocate_layers(arenas, spec_.decoder, "decoder", shape, first);
}

void Model::allocate_layers(const Arenas& arenas, const std::vector<LayerSpec>& list, const char* part,
                            Shape3& shape, bool& first) {
  for (size_t i = 0; i < list.size(); ++i) {
    const LayerSpec& l = list[i];
    LayerBuffers b;
    b.spec = &l;
    b.where = std::string(part) + "[" + std::to_string(i) + "] (" + layer_kind_name(l.kind) + ")";
    b.in = shape;
    b.out = layer_output_shape(l, shape, b.where);
    b.x = layers_.empty() ? input_ : layers_.back().y;
    b.dx = first ? rt::BufferView{} : layers_.back().dy;
    if (l.kind == LayerKind::Flatten || l.kind == LayerKind::Reshape) {
      b.alias = true;
      b.z = b.y = b.x;
      b.dz = b.dy = b.dx;
    } else {
      allocate_activations(arenas.activations, b);
    }
    const LayerParams p = layer_params(l, shape);
    if (p.weight_count) allocate_params(arenas, b, p, std::string(part) + "." + std::to_string(i) + ".");
    // Layers before the first one with parameters need no input gradient at all.
    if (!b.alias && p.weight_count) first = false;
    if (!b.alias && !p.weight_count && first) b.dx = {};
    layers_.push_back(b);
    shape = b.out;
  }
}

// The one place that says how many [max_batch, out] buffers each kind of layer has.
void Model::allocate_activations(rt::Arena& activations, LayerBuffers& b) const {
  const LayerSpec& l = *b.spec;
  const uint64_t out_floats = uint64_t{max_batch_} * b.out.size();
  b.activated = has_activation_buffer(l);
  b.y = activations.allocate_array<float>(out_floats);
  b.dy = activations.allocate_array<float>(out_floats);
  b.z = b.activated && &l == tail_spec_ ? activations.allocate_array<float>(out_floats) : b.y;
  b.dz = b.activated ? activations.allocate_array<float>(out_floats) : b.dy;
  if (l.kind == LayerKind::Sampling) {
    b.mu = activations.allocate_array<float>(out_floats);
    b.logvar = activations.allocate_array<float>(out_floats);
    b.dmu = activations.allocate_array<float>(out_floats);
    b.dlogvar = activations.allocate_array<float>(out_floats);
    b.eps = activations.allocate_array<float>(out_floats);
  }
  if (const uint64_t scratch = layer_scratch_floats(b))
    b.scratch = activations.allocate_array<float>(scratch);
}

void Model::allocate_params(const Arenas& arenas, LayerBuffers& b, const LayerParams& p,
                            const std::string& prefix) {
  auto add_param = [&](const std::string& name, std::vector<int64_t> dims, uint64_t count, float limit) {
    params_.push_back({name, std::move(dims), count, limit, arenas.params.allocate_array<float>(count),
                       arenas.grads.allocate_array<float>(count)});
    return static_cast<int>(params_.size() - 1);
  };
  const std::vector<int64_t> bias_shape{static_cast<int64_t>(p.bias_count)};
  if (p.heads == 2) {  // sampling: PyTorch-style heads "encoder.2.mu.weight", "encoder.2.logvar.weight"
    b.weight = add_param(prefix + "mu.weight", p.weight_shape, p.weight_count, p.limit);
    b.bias = add_param(prefix + "mu.bias", bias_shape, p.bias_count, 0.0f);
    b.logvar_weight = add_param(prefix + "logvar.weight", p.weight_shape, p.weight_count, p.limit);
    b.logvar_bias = add_param(prefix + "logvar.bias", bias_shape, p.bias_count, 0.0f);
  } else {
    b.weight = add_param(prefix + "weight", p.weight_shape, p.weight_count, p.limit);
    b.bias = add_param(prefix + "bias", bias_shape, p.bias_count, 0.0f);
  }
}

uint64_t Model::param_count() const noexcept {
  uint64_t n = 0;
  for (const Param& p : params_) n += p.count;
  return n;
}

float Model::loss_scale(uint32_t n) const noexcept {
  // Computed as the loss ops' default (1 / count in float), so mean-reduced models keep their exact bits.
  const uint64_t count = spec_.reduction == Reduction::Sum ? n : uint64_t{n} * spec_.output().size();
  return 1.0f / static_cast<float>(count);
}

bool Model::fused_sigmoid_bce() const noexcept {
  return spec_.loss == LossKind::Bce && tail().spec->activation == Activation::Sigmoid;
}

void Model::initialize(rt::Context& ctx, uint64_t seed) const {
  HostRng rng(seed);
  // Zero the whole arenas first: alignment padding between tensors must stay 0 for the optimizer.
  std::vector<float> zeros(arena_floats(), 0.0f);
  ctx.write(param_arena(), zeros.data(), zeros.size() * sizeof(float));
  ctx.write(grad_arena(), zeros.data(), zeros.size() * sizeof(float));
  for (const Param& p : params_) {
    std::vector<float> v(p.count, 0.0f);
    if (p.glorot_limit > 0)
      for (float& x : v) x = rng.uniform(-p.glorot_limit, p.glorot_limit);
    ctx.write(p.value, v.data(), v.size() * sizeof(float));
  }
}

std::vector<NamedTensor> Model::read_params(rt::Context& ctx) const {
  std::vector<NamedTensor> out;
  for (const Param& p : params_) {
    NamedTensor t{p.name, p.shape, std::vector<float>(p.count)};
    ctx.read(p.value, t.data.data(), p.count * sizeof(float));
    out.push_back(std::move(t));
  }
  return out;
}

void Model::write_params(rt::Context& ctx, const Safetensors& file, std::string_view prefix) const {
  for (const Param& p : params_) {
    const std::string name = std::string(prefix) + p.name;
    expect_tensor(file, name, p.shape);
    const NamedTensor& t = file.at(name);
    ctx.write(p.value, t.data.data(), t.data.size() * sizeof(float));
  }
}

void Model::check_batch(uint32_t n) const {
  if (n == 0 || n > max_batch_)
    throw InputError("model " + spec_.name + ": batch of " + std::to_string(n) + " images, expected 1.." +
                     std::to_string(max_batch_));
}

void Model::record_forward(rt::Recorder& rec, uint32_t n, bool predict, rt::BufferView rng_state) const {
  check_batch(n);
  if (sampling_ >= 0 && !predict && rng_state.size == 0)
    throw Error("model " + spec_.name +
                ": a training forward pass through a sampling layer needs an RNG state");
  // BCE on logits: the final sigmoid is part of the loss, and the logits stay in z (a predict pass computes
  // the sigmoid separately so the loss can still read them).
  for (size_t i = 0; i < layers_.size(); ++i)
    record_layer_forward(rec, layers_[i], params_,
                         LayerPass{n, i == tail_ && fused_sigmoid_bce(), predict, rng_state});
}

void Model::record_decode(rt::Recorder& rec, uint32_t n) const {
  check_batch(n);
  for (size_t i = code_layer_ + 1; i < layers_.size(); ++i)
    record_layer_forward(rec, layers_[i], params_, LayerPass{n, i == tail_ && fused_sigmoid_bce(), true, {}});
}

void Model::record_kl_rows(rt::Recorder& rec, rt::BufferView loss, uint32_t n) const {
  if (const LayerBuffers* s = sampling())
    nn::record_kl_rows(rec, loss, s->mu, s->logvar, n, s->out.size(), loss_scale(n));
}

void Model::record_clean_input(rt::Recorder& rec, rt::BufferView target, uint32_t n) const {
  const Shape3 out = spec_.output();
  if (spec_.super_resolution)
    record_downscale2x(rec, input_, target, Downscale2xShape{n, out.c, out.h, out.w});
  else
    rec.copy(input_.sub(0, uint64_t{n} * out.size() * sizeof(float)), target);
}

bool Model::continues_through_producer(size_t i) const noexcept {
  if (i == 0) return false;
  const LayerBuffers& l = layers_[i];
  const LayerBuffers& p = layers_[i - 1];
  const bool pools = l.spec->kind == LayerKind::MaxPool2d || l.spec->kind == LayerKind::UpSample2d;
  // The producer's own activation backward is then skipped: not possible when an L1 term must join its dy
  // first, nor when it has no activation (dz is dy) or needs no gradient at all.
  return pools && l.dx.size != 0 && p.activated && p.spec->l1 == 0;
}

void Model::record_backward(rt::Recorder& rec, uint32_t n) const {
  for (size_t i = layers_.size(); i-- > 0;) {
    const bool last = i == tail_;
    const LayerBuffers& l = layers_[i];
    if (l.spec->l1 > 0 && !last)
      // Keras activity_regularizer=l1(λ): λ·Σ|a| divided by the batch size, so its gradient λ·sign(a)/N
      // joins the gradient arriving from the layer above.
      record_l1_backward(rec, l.dy, l.y, uint64_t{n} * l.out.size(), l.spec->l1, 1.0f / float(n),
                         Grad::Accumulate);
    BackwardPass pass;
    pass.n = n;
    const bool done_by_next = i + 1 < layers_.size() && continues_through_producer(i + 1);
    pass.through_activation = !(last && fused_sigmoid_bce()) && !done_by_next;
    pass.kl_scale = loss_scale(n);
    pass.producer = continues_through_producer(i) ? &layers_[i - 1] : nullptr;
    record_layer_backward(rec, l, params_, pass);
  }
}

}  // namespace vkae::nn
