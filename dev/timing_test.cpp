// Timings of the dev variants against the promoted kernels (DISABLED_: measurements, not checks; run with
// --gtest_also_run_disabled_tests). Each alternates its runs, 7 rounds after a JIT round, and prints the
// median process CPU ms (lavapipe's threads are ours) as [vkae-time] lines; the READMEs keep the figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <utility>
#include <vector>

#include "dev/variant_support.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv2d_pack.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::dev {
namespace {

using nn::Conv2dShape;
using nn::Padding;
using rt::Access;
using Record = std::function<void(rt::Recorder&)>;

class DevTiming : public test::GpuTest {};

// Runs each of `runs` once per round, alternating, and prints the medians of rounds 1..7 under `shape`.
void time_alternating(const std::string& shape, const std::vector<std::pair<const char*, Record>>& runs) {
  std::vector<std::vector<double>> ms(runs.size());
  for (int round = 0; round < 8; ++round)
    for (size_t k = 0; k < runs.size(); ++k) {
      const std::clock_t c0 = std::clock();
      test::ctx().run_now(runs[k].second);
      if (round > 0) ms[k].push_back(double(std::clock() - c0) * 1e3 / CLOCKS_PER_SEC);  // round 0: JIT
    }
  for (size_t k = 0; k < runs.size(); ++k) {
    std::sort(ms[k].begin(), ms[k].end());
    std::printf("[vkae-time] %s: %s %.1f ms CPU (median of 7)\n", shape.c_str(), runs[k].first, ms[k][3]);
  }
}

// A measurement, not a check (run with --gtest_also_run_disabled_tests): the promoted forward and input
// gradient (record_conv2d_forward / record_conv2d_backward_input: packed weights in a uniform buffer, the
// packing dispatch included) against the same kernels reading float weights (03_gather_8x8_rowreuse and
// tgather_03_rowreuse_8_store, what shaders/ held before 2026-12-04) and the forward variants fwd_07 to
// fwd_10, on the model's 32-channel layers at batch 128: alternating, 7 rounds after a JIT round, median
// process CPU ms (lavapipe's threads are ours).
TEST_F(DevTiming, DISABLED_PackedWeightsAgainstFloatWeights) {
  for (const Conv2dShape& s : {Conv2dShape{128, 32, 14, 14, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 32, 7, 7, 32, 3, 3, 1, Padding::Same}}) {
    const auto x = test::random_floats(s.x_count(), 1), w = test::random_floats(s.w_count(), 2);
    const auto b = test::random_floats(s.C_out, 3), dy = test::random_floats(s.y_count(), 4);
    const rt::Buffer xb = test::upload(x), wb = test::upload(w), w4 = test::upload(repack_vec4(w, s));
    const rt::Buffer wino = test::upload(winograd_weights(w, s));
    const rt::Buffer bb = test::upload(b), dyb = test::upload(dy), y = test::make_output(s.y_count());
    const rt::Buffer dx = test::make_output(s.x_count()),
                     scratch = test::make_output(nn::conv2d_scratch_floats(s));
    const nn::ConvPush push = nn::make_conv_push(s, nn::Grad::Overwrite);
    std::vector<rt::Pipeline> pipelines;  // the variants' (kept alive for the runs)
    pipelines.reserve(16);                // no reallocation: the runs hold references
    // A forward variant's run: its pipeline (weights a uniform buffer or not), packed or float weights.
    const auto variant = [&](const char* name, bool uniform, const rt::Buffer& weights, uint32_t pixels,
                             uint32_t rows = 1) {
      const Access wa = uniform ? Access::Uniform : Access::Read;
      const rt::Pipeline& p = pipelines.emplace_back(
          make_pipeline(name, {Access::Write, Access::Read, wa, Access::Read}, sizeof(nn::ConvPush), 64));
      return Record([&, &p = p, &weights = weights, pixels, rows](rt::Recorder& rec) {
        rec.dispatch(p, {y.view(), xb.view(), weights.view(), bb.view()}, push,
                     nn::gather_groups(s, 64, pixels, rows));
      });
    };
    const rt::Pipeline in03 =
        make_pipeline("tgather_03_rowreuse_8_store", {Access::ReadWrite, Access::Read, Access::Read},
                      sizeof(nn::ConvPush), 64);
    const std::vector<std::pair<const char*, Record>> runs{
        {"forward, float w", variant("03_gather_8x8_rowreuse", false, wb, 8)},
        {"forward fwd_07", variant("fwd_07_vec4_weights", false, w4, 8)},
        {"forward fwd_08 (uniform)", variant("fwd_08_ubo_weights", true, w4, 8)},
        {"forward fwd_09 (uniform w, vec4 x)", variant("fwd_09_vec4_rows", true, w4, 8)},
        {"forward fwd_10 (lane w, vec4 x)", variant("fwd_10_lane_weights", false, w4, 8)},
        {"forward fwd_08 (uniform) 16 pixels", variant("fwd_08_ubo_weights_16px", true, w4, 16)},
        {"forward fwd_12 (uniform, 2 rows x 8 pixels)", variant("fwd_12_two_rows", true, w4, 8, 2)},
        {"forward fwd_12 (uniform, 3 rows x 8 pixels)", variant("fwd_12_rows_3", true, w4, 8, 3)},
        {"forward fwd_12 (uniform, 4 rows x 8 pixels)", variant("fwd_12_rows_4", true, w4, 8, 4)},
        {"forward fwd_11 (Winograd F(2x2,3x3))",
         [&, &p = pipelines.emplace_back(make_pipeline(
                 "fwd_11_winograd", {Access::Write, Access::Read, Access::Uniform, Access::Read},
                 sizeof(nn::ConvPush), 64))](rt::Recorder& rec) {
           const uint32_t tiles = s.N * div_up(s.H_out(), 2) * div_up(s.W_out(), 2);
           rec.dispatch(p, {y.view(), xb.view(), wino.view(), bb.view()}, push,
                        {div_up(tiles, 64), div_up(s.C_out, 8), 1});
         }},
        {"forward, promoted",
         [&](rt::Recorder& rec) {
           nn::record_conv2d_forward(rec, y.view(), xb.view(), wb.view(), bb.view(), scratch.view(), s);
         }},
        {"input gradient, float w",
         [&](rt::Recorder& rec) {
           rec.dispatch(in03, {dx.view(), dyb.view(), wb.view()}, push,
                        nn::transposed_gather_groups(s, 64, 8));
         }},
        {"input gradient, promoted", [&](rt::Recorder& rec) {
           nn::record_conv2d_backward_input(rec, dx.view(), dyb.view(), wb.view(), scratch.view(), s);
         }}};
    time_alternating(s.str(), runs);
  }
}

// The 1-channel forward with w and b in uniform buffers (conv2d_forward_1ch_uniform.comp, the promoted
// kernel) against its storage-buffer twin, encoder[0]'s shape.
TEST_F(DevTiming, DISABLED_OneChannelForwardUniform) {
  const Conv2dShape s{128, 1, 28, 28, 32, 3, 3, 1, Padding::Same};
  const rt::Buffer xb = test::upload(test::random_floats(s.x_count(), 1)),
                   wb = test::upload(test::random_floats(s.w_count(), 2));
  const rt::Buffer bb = test::upload(test::random_floats(s.C_out, 3)), y = test::make_output(s.y_count());
  const nn::ConvPush push = nn::make_conv_push(s, nn::Grad::Overwrite);
  const rt::Groups groups{div_up(uint64_t{s.N} * s.H_out() * div_up(s.W_out(), VKAE_CONV_PIXEL_BLOCK), 64), 1,
                          1};
  const auto run = [&](const rt::PipelineDesc& desc) {
    return Record([&](rt::Recorder& rec) {
      rec.dispatch(rec.pipeline(desc), {y.view(), xb.view(), wb.view(), bb.view()}, push, groups);
    });
  };
  time_alternating(s.str(), {{"1-channel forward, storage w and b", run(nn::kConv2dForward1ch)},
                             {"1-channel forward, uniform w and b", run(nn::kConv2dForward1chUniform)}});
}

// wgrad_05 (x and dy read as vec4s) against the promoted 3x3 weight gradient on the model's layers at batch
// 128: 32 -> 32 @14 and @7 (v = dy), 32 -> 1 @28 (variant 1: v = x), 1 -> 32 @28 (v = dy, u = x).
TEST_F(DevTiming, DISABLED_WeightGradientVec4) {
  for (const Conv2dShape& s : {Conv2dShape{128, 32, 14, 14, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 32, 7, 7, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 32, 28, 28, 1, 3, 3, 1, Padding::Same},
                               Conv2dShape{128, 1, 28, 28, 32, 3, 3, 1, Padding::Same}}) {
    const rt::Buffer xb = test::upload(test::random_floats(s.x_count(), 1));
    const rt::Buffer dyb = test::upload(test::random_floats(s.y_count(), 4)),
                     dw = test::make_output(s.w_count());
    const rt::Pipeline wgrad05 = make_pipeline(
        "wgrad_05_3x3_vec4", {Access::ReadWrite, Access::Read, Access::Read}, sizeof(nn::ConvPush), 64);
    const bool flip = s.C_in > s.C_out;
    nn::ConvPush push = nn::make_conv_push(s, nn::Grad::Overwrite);
    push.variant = flip ? 1 : 0;
    const uint32_t cv = flip ? s.C_in : s.C_out, cu = flip ? s.C_out : s.C_in;
    time_alternating(s.str(), {{"weight gradient, promoted",
                                [&](rt::Recorder& rec) {
                                  nn::record_conv2d_backward_weight(rec, dw.view(), dyb.view(), xb.view(), s);
                                }},
                               {"weight gradient wgrad_05 (vec4)", [&](rt::Recorder& rec) {
                                  const rt::BufferView v = flip ? xb.view() : dyb.view(),
                                                       u = flip ? dyb.view() : xb.view();
                                  rec.dispatch(wgrad05, {dw.view(), v, u}, push, {cu, div_up(cv, 8), 1});
                                }}});
  }
}

}  // namespace
}  // namespace vkae::dev
