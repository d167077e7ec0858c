// `vkae bench` measurements: synthetic images on the device, the recorded training step timed per submit,
// the evaluation pass timed as `vkae eval` runs it, and a profiled copy of the step (a timestamp after every
// command) for the per-op table. Work per op is counted from the recorded shapes (push constants).
#include "nn/bench/measure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "nn/data/dataset.hpp"
#include "nn/model/model.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/dense.hpp"
#include "nn/rng.hpp"
#include "nn/train/program.hpp"
#include "runtime/queue.hpp"
#include "runtime/timestamps.hpp"

namespace vkae::nn {
namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

// Seeded random uint8 images: the step's work does not depend on pixel values.
Dataset synthetic_images(uint32_t count, const Shape3& shape, uint64_t seed) {
  Dataset d;
  d.name = "synthetic";
  d.count = count;
  d.channels = shape.c;
  d.rows = shape.h;
  d.cols = shape.w;
  d.images.resize(uint64_t{count} * shape.size());
  HostRng rng(seed ^ 0xB5AD4ECEDA1CE2A9ull);
  for (auto& p : d.images) p = static_cast<uint8_t>(rng.next_u64() & 0xFF);
  d.labels.assign(count, 0);
  return d;
}

bool is_conv_gemm(const rt::ProfiledOp& op) {
  // Every conv shader but the bias sum takes ConvPush (16 words) describing the conv2d it serves; its
  // forward, input gradient and weight gradient each do one multiply-add per (output pixel, input channel,
  // tap). The weight packing takes it too and multiplies nothing.
  return op.name.rfind("conv", 0) == 0 && op.push.size() == sizeof(ConvPush) / 4 &&
         op.name != "conv2d_pack_weights";
}

// Floating-point work (FLOPs, a multiply-add counted as 2) of one command; 0 for data movement.
double flops_of(const rt::ProfiledOp& op) {
  if (is_conv_gemm(op)) {
    ConvPush p;
    std::memcpy(&p, op.push.data(), sizeof p);
    return 2.0 * p.N * p.C_out * p.H_out * p.W_out * p.C_in * p.KH * p.KW;
  }
  if (op.name.rfind("dense_", 0) == 0 && op.push.size() >= 3) {
    DensePush p{};
    std::memcpy(&p, op.push.data(), std::min(sizeof p, op.push.size() * 4));
    return 2.0 * p.n * p.d_in * p.d_out;
  }
  return 0;
}

double bytes_of(const rt::ProfiledOp& op) {
  // The gather binds the whole image set; it reads one byte per float it writes.
  if (op.name == "gather_forward") return op.bytes_written * 1.25;
  return double(op.bytes_read + op.bytes_written);
}

// The permutation in order and the step state at step 0, for the training and the evaluation pass.
void write_start_state(rt::Context& ctx, Programs& programs, uint32_t train_count, uint64_t seed) {
  std::vector<uint32_t> perm(train_count);
  for (uint32_t i = 0; i < train_count; ++i) perm[i] = i;
  ctx.write(programs.permutation(), perm.data(), perm.size() * 4);
  StepState state;
  state.set_seed(seed);
  ctx.write(programs.state(), &state, sizeof state);
  ctx.write(programs.validation_state(), &state, sizeof state);
}

// The real step, one step per submit, the host waiting on each: the median is the step's own time.
void time_training_step(rt::Submitter& submitter, Programs& programs, const BenchConfig& config,
                        BenchResult& r) {
  const VkCommandBuffer step = programs.step();
  for (uint32_t i = 0; i < config.warmup; ++i) submitter.wait(submitter.submit({&step, 1}));
  std::vector<double> step_ms;
  for (uint32_t i = 0; i < config.steps; ++i) {
    const auto t = Clock::now();
    submitter.wait(submitter.submit({&step, 1}));
    step_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
  }
  r.train_ms_per_step = median(step_ms);
  r.train_ms_min = *std::min_element(step_ms.begin(), step_ms.end());
  r.train_ms_max = *std::max_element(step_ms.begin(), step_ms.end());
  r.train_images_per_s = config.batch / (r.train_ms_per_step / 1e3);
}

// The evaluation pass exactly as `vkae eval` records it (gather, noise, forward, BCE per batch); the
// pipelines are compiled by now, so one run is timed.
void time_evaluation(rt::Submitter& submitter, Programs& programs, BenchResult& r) {
  const VkCommandBuffer eval = programs.validation();
  const auto t = Clock::now();
  submitter.wait(submitter.submit({&eval, 1}));
  r.infer_seconds = std::chrono::duration<double>(Clock::now() - t).count();
  r.infer_images = uint64_t{programs.validation_batches()} * programs.validation_batch();
  r.infer_images_per_s = double(r.infer_images) / std::max(r.infer_seconds, 1e-9);
}

struct ProfiledStep {
  std::vector<rt::ProfiledOp> ops;      // in recording order
  std::vector<std::vector<double>> ns;  // per op: its time in each replay
};

// The same commands as the step with a timestamp after each one, replayed `replays` times.
ProfiledStep profile_step(rt::Context& ctx, rt::Submitter& submitter, Programs& programs, uint32_t replays) {
  rt::TimestampPool pool(ctx.device(), 4096);
  ProfiledStep p;
  rt::CommandList profiled(ctx);
  {
    rt::Recorder& rec = profiled.begin();
    rec.reset_queries(pool);
    rec.profile(pool, &p.ops);
    programs.record_step_commands(rec);
    profiled.end();
  }
  p.ns.resize(p.ops.size());
  const VkCommandBuffer prof = profiled.get();
  for (uint32_t k = 0; k < replays; ++k) {
    submitter.wait(submitter.submit({&prof, 1}));
    const auto ts = pool.read_ns();
    for (size_t i = 0; i < p.ops.size(); ++i) {
      if (!ts[i] || !ts[i + 1]) throw Error("bench: timestamp " + std::to_string(i) + " not available");
      p.ns[i].push_back(std::max(*ts[i + 1] - *ts[i], 0.0));
    }
  }
  return p;
}

// The per-op table: median time, work and traffic of each op, and its share of the profiled step.
void add_op_table(BenchResult& r, const ProfiledStep& p) {
  r.dispatches = static_cast<uint32_t>(p.ops.size());
  for (size_t i = 0; i < p.ops.size(); ++i) {
    OpTiming t;
    t.label = p.ops[i].label;
    t.shader = p.ops[i].name;
    t.ms = median(p.ns[i]) / 1e6;
    t.gflop = flops_of(p.ops[i]) / 1e9;
    t.mbytes = bytes_of(p.ops[i]) / 1e6;
    r.profiled_ms += t.ms;
    r.train_gflop_per_step += t.gflop;
    r.ops.push_back(std::move(t));
  }
  for (OpTiming& t : r.ops) {
    t.share = r.profiled_ms > 0 ? 100.0 * t.ms / r.profiled_ms : 0;
    const double s = t.ms / 1e3;
    if (s > 0 && t.gflop > 0) t.gflops = t.gflop / s;
    if (s > 0 && t.gflop == 0) t.gbs = t.mbytes / 1e3 / s;
  }
}

}  // namespace

void validate_bench_config(const BenchConfig& c) {
  if (c.batch == 0) throw InputError("--batch 0: expected an integer >= 1");
  if (c.steps == 0) throw InputError("--steps 0: expected an integer >= 1");
  if (c.infer_images == 0) throw InputError("--infer-images 0: expected an integer >= 1");
  if (c.profiled_steps == 0) throw InputError("--profiled-steps 0: expected an integer >= 1");
}

BenchResult run_bench(const BenchConfig& config) {
  validate_bench_config(config);
  resolve_model(config.model);  // a bad model name fails before a device is opened
  rt::ContextOptions ctx_options = rt::context_options_from_env();
  if (!config.device.empty()) ctx_options.device = config.device;
  ctx_options.quiet = true;
  rt::Context ctx(ctx_options);
  return run_bench(ctx, config);
}

BenchResult run_bench(rt::Context& ctx, const BenchConfig& config) {
  validate_bench_config(config);
  const ModelSpec spec = resolve_model(config.model);

  // Enough training images that no replay runs past the permutation (every step advances state.batch).
  const uint32_t total_steps = config.warmup + config.steps + config.profiled_steps;
  const uint32_t train_count = config.batch * total_steps;
  const uint32_t infer_count = std::max(config.infer_images, 1u);
  const Dataset train_set = synthetic_images(train_count, spec.input, config.seed);
  const Dataset test_set = synthetic_images(infer_count, spec.input, config.seed + 1);
  Model model(ctx, spec, config.batch);
  model.initialize(ctx, config.seed);
  DeviceImages train_images(ctx, train_set, train_count);
  DeviceImages test_images(ctx, test_set, infer_count);
  Programs programs(ctx, model, train_images, test_images,
                    ProgramOptions{config.batch, train_count, 4096, 1});
  write_start_state(ctx, programs, train_count, config.seed);

  BenchResult r;
  r.model = spec.name;
  r.device = ctx.device_name();
  r.cpu_device = ctx.device().is_cpu();
  r.batch = config.batch;
  r.warmup = config.warmup;
  r.steps = config.steps;
  rt::Submitter submitter(ctx.device(), 1);
  time_training_step(submitter, programs, config, r);
  time_evaluation(submitter, programs, r);
  add_op_table(r, profile_step(ctx, submitter, programs, config.profiled_steps));
  return r;
}

}  // namespace vkae::nn
