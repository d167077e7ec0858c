// The conv2d gather kernels' packed weights (nn/ops/conv2d_pack.*): the packing shader against its reference,
// and the host's kernel choices giving the same bits: 4 or 2 x 8 pixels, the uniform-buffer twins of the
// gather and 1-channel kernels against their storage-buffer originals, and the vec4 weight gradient.
#include "nn/ops/conv2d_pack.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "nn/ops/conv2d.hpp"
#include "tests/support/gpu.hpp"
#include "tests/support/numeric.hpp"

namespace vkae::nn {
namespace {

class Conv2dPackGpu : public test::GpuTest {};

struct Data {
  std::vector<float> x, w, b, dy;
};
Data make_data(const Conv2dShape& s, uint32_t seed) {
  return {test::random_floats(s.x_count(), seed), test::random_floats(s.w_count(), seed + 1),
          test::random_floats(s.C_out, seed + 2), test::random_floats(s.y_count(), seed + 3)};
}

// The gather kernels' weight copies: the shader against the reference, bit for bit (a copy), in both
// layouts, with channel counts that leave padding (3, 5, 9) and one that does not (8).
TEST_F(Conv2dPackGpu, PackedWeightsMatchTheReference) {
  for (const Conv2dShape& s : {Conv2dShape{1, 3, 5, 5, 5, 3, 3, 1, Padding::Same},
                               Conv2dShape{1, 9, 5, 5, 8, 2, 4, 2, Padding::Valid},
                               Conv2dShape{1, 8, 5, 5, 9, 1, 1, 1, Padding::Same}})
    for (WeightPacking k : {WeightPacking::Forward, WeightPacking::InputGrad}) {
      SCOPED_TRACE(s.str() + (k == WeightPacking::Forward ? ", forward" : ", input gradient"));
      const auto w = test::random_floats(s.w_count(), 95);
      std::vector<float> want(conv2d_packed_floats(s, k), -1.0f);
      conv2d_pack_weights_ref<float>(want, w, s, k);
      const rt::Buffer wb = test::upload(w), packed = test::make_output(want.size() + 3);
      test::ctx().run_now([&](rt::Recorder& rec) {
        record_conv2d_pack_weights(rec, "test", packed.view(), wb.view(), s, k);
      });
      auto got = test::download(packed);
      got.resize(want.size());
      EXPECT_EQ(got, want);
    }
}

TEST_F(Conv2dPackGpu, ATooSmallScratchIsOneLine) {
  const Conv2dShape s{2, 5, 7, 9, 4, 3, 3, 1, Padding::Same};
  auto big = test::make_output(4000), small = test::make_output(10);
  try {
    test::ctx().run_now([&](rt::Recorder& rec) {
      record_conv2d_forward(rec, big.view(), big.view(), big.view(), big.view(), small.view(), s);
    });
    FAIL() << "no error for a 10-float scratch";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "conv2d_forward: scratch holds 10 floats, shape " + s.str() + " needs " +
                                         std::to_string(conv2d_scratch_floats(s)));
  }
}

// conv2d_forward.comp (4 pixels of a row per invocation) and conv2d_forward_wide.comp (8 pixels of 2 rows)
// sum each output in the same order: the host's choice between them must not change a bit. Odd row counts
// leave the wide kernel's last row block half empty.
TEST_F(Conv2dPackGpu, ForwardNarrowAndWideGiveTheSameBits) {
  for (const Conv2dShape& s : {Conv2dShape{2, 9, 7, 9, 5, 3, 3, 1, Padding::Same},
                               Conv2dShape{3, 16, 14, 14, 32, 3, 3, 1, Padding::Same},
                               Conv2dShape{2, 8, 9, 11, 3, 5, 5, 2, Padding::Valid}}) {
    SCOPED_TRACE(s.str());
    const Data d = make_data(s, 90);
    std::vector<float> packed(conv2d_packed_floats(s, WeightPacking::Forward));
    conv2d_pack_weights_ref<float>(packed, d.w, s, WeightPacking::Forward);  // what both kernels read
    auto xb = test::upload(d.x), wb = test::upload(packed), bb = test::upload(d.b);
    auto narrow = test::make_output(s.y_count()), wide = test::make_output(s.y_count());
    test::ctx().run_now([&](rt::Recorder& rec) {
      const ConvPush push = make_conv_push(s, Grad::Overwrite);
      const rt::Pipeline &n4 = rec.pipeline(kConv2dForward), &w8 = rec.pipeline(kConv2dForwardWide);
      rec.dispatch(n4, {narrow.view(), xb.view(), wb.view(), bb.view()}, push,
                   gather_groups(s, n4.local().x));
      rec.dispatch(w8, {wide.view(), xb.view(), wb.view(), bb.view()}, push,
                   gather_groups(s, w8.local().x, VKAE_CONV_WIDE_PIXELS, VKAE_CONV_WIDE_ROWS));
    });
    const auto a = test::download(narrow), b = test::download(wide);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0)
        << "max |diff| " << test::compare(a, b).max_abs;
  }
}

// The gather kernels read the packed weights from a uniform buffer where the copy fits one and from a storage
// buffer elsewhere; the same products in the same order, so the host's choice must not change a bit.
TEST_F(Conv2dPackGpu, UniformAndStorageWeightsGiveTheSameBits) {
  const Conv2dShape s{3, 16, 14, 11, 32, 3, 3, 1, Padding::Same};
  const Data d = make_data(s, 91);
  std::vector<float> fwd(conv2d_packed_floats(s, WeightPacking::Forward)),
      in(conv2d_packed_floats(s, WeightPacking::InputGrad));
  conv2d_pack_weights_ref<float>(fwd, d.w, s, WeightPacking::Forward);
  conv2d_pack_weights_ref<float>(in, d.w, s, WeightPacking::InputGrad);
  auto xb = test::upload(d.x), dyb = test::upload(d.dy), fwdb = test::upload(fwd), inb = test::upload(in);
  auto bb = test::upload(d.b);
  struct Pair {
    const rt::PipelineDesc *storage, *uniform;
    bool forward;
    uint32_t pixels, rows;  // the forward's block
  };
  for (const Pair& pair : {Pair{&kConv2dForward, &kConv2dForwardUniform, true, VKAE_CONV_PIXEL_BLOCK, 1},
                           Pair{&kConv2dForwardWide, &kConv2dForwardWideUniform, true, VKAE_CONV_WIDE_PIXELS,
                                VKAE_CONV_WIDE_ROWS},
                           Pair{&kConv2dBackwardInput, &kConv2dBackwardInputUniform, false, 0, 0}}) {
    SCOPED_TRACE(pair.uniform->shader);
    const uint64_t n = pair.forward ? s.y_count() : s.x_count();
    auto a = test::make_output(n), b = test::make_output(n);
    test::ctx().run_now([&](rt::Recorder& rec) {
      const ConvPush push = make_conv_push(s, Grad::Overwrite);
      for (auto [desc, out] : {std::pair{pair.storage, a.view()}, std::pair{pair.uniform, b.view()}}) {
        const rt::Pipeline& p = rec.pipeline(*desc);
        if (pair.forward)
          rec.dispatch(p, {out, xb.view(), fwdb.view(), bb.view()}, push,
                       gather_groups(s, p.local().x, pair.pixels, pair.rows));
        else
          rec.dispatch(p, {out, dyb.view(), inb.view()}, push, transposed_gather_groups(s, p.local().x));
      }
    });
    const auto ga = test::download(a), gb = test::download(b);
    ASSERT_EQ(ga.size(), gb.size());
    EXPECT_EQ(std::memcmp(ga.data(), gb.data(), ga.size() * sizeof(float)), 0)
        << "max |diff| " << test::compare(ga, gb).max_abs;
  }
}

// conv2d_forward_1ch and conv2d_backward_input_1ch read w (and b) from uniform buffers where w fits the
// uniform block, from storage buffers elsewhere: the same sums, so the same bits.
TEST_F(Conv2dPackGpu, OneChannelUniformTwinsGiveTheSameBits) {
  for (const Conv2dShape& s : {Conv2dShape{3, 1, 9, 11, 13, 3, 3, 1, Padding::Same},
                               Conv2dShape{3, 13, 9, 11, 1, 3, 3, 1, Padding::Valid}}) {
    SCOPED_TRACE(s.str());
    const Data d = make_data(s, 96);
    const bool forward = s.C_in == 1;
    auto xb = test::upload(d.x), dyb = test::upload(d.dy), wb = test::upload(d.w), bb = test::upload(d.b);
    const uint64_t n = forward ? s.y_count() : s.x_count();
    auto a = test::make_output(n), b = test::make_output(n);
    const ConvPush push = make_conv_push(s, Grad::Overwrite);
    test::ctx().run_now([&](rt::Recorder& rec) {
      const rt::PipelineDesc& storage = forward ? kConv2dForward1ch : kConv2dBackwardInput1ch;
      const rt::PipelineDesc& uniform = forward ? kConv2dForward1chUniform : kConv2dBackwardInput1chUniform;
      for (auto [desc, out] : {std::pair{&storage, a.view()}, std::pair{&uniform, b.view()}}) {
        const rt::Pipeline& p = rec.pipeline(*desc);
        // One invocation per kPB pixels of a row: (n, row, pixel block).
        const uint64_t rows = forward ? uint64_t{s.N} * s.H_out() : uint64_t{s.N} * s.H;
        const uint32_t width = forward ? s.W_out() : s.W;
        const rt::Groups groups{rt::groups_for(
            rows * ((width + VKAE_CONV_PIXEL_BLOCK - 1) / VKAE_CONV_PIXEL_BLOCK), p.local().x)};
        if (forward)
          rec.dispatch(p, {out, xb.view(), wb.view(), bb.view()}, push, groups);
        else
          rec.dispatch(p, {out, dyb.view(), wb.view()}, push, groups);
      }
    });
    const auto ga = test::download(a), gb = test::download(b);
    EXPECT_EQ(std::memcmp(ga.data(), gb.data(), ga.size() * sizeof(float)), 0)
        << "max |diff| " << test::compare(ga, gb).max_abs;
  }
}

// conv2d_backward_weight_3x3_vec4.comp reads dy and x as vec4s where both are whole vec4s, the float kernel
// elsewhere; the same products in the same order, so the host's choice must not change a bit. Odd rows start
// anywhere in a vec4; both variants (v = dy, v = x); 'same' and 'valid'.
TEST_F(Conv2dPackGpu, BackwardWeight3x3Vec4GivesTheFloatKernelsBits) {
  for (const Conv2dShape& s : {Conv2dShape{2, 4, 9, 7, 10, 3, 3, 1, Padding::Same},
                               Conv2dShape{2, 12, 8, 6, 4, 3, 3, 1, Padding::Same},
                               Conv2dShape{3, 8, 5, 11, 8, 3, 3, 1, Padding::Valid},
                               Conv2dShape{4, 32, 14, 14, 32, 3, 3, 1, Padding::Same}}) {
    SCOPED_TRACE(s.str());
    const Data d = make_data(s, 123);
    auto xb = test::upload(d.x), dyb = test::upload(d.dy);
    auto a = test::make_output(s.w_count()), b = test::make_output(s.w_count());
    const bool flip = s.C_in > s.C_out;
    ConvPush push = make_conv_push(s, Grad::Overwrite);
    push.variant = flip ? 1 : 0;
    const rt::BufferView v = flip ? xb.view() : dyb.view(), u = flip ? dyb.view() : xb.view();
    const uint32_t cu = flip ? s.C_out : s.C_in, cv = flip ? s.C_in : s.C_out;
    const rt::Groups groups{(cu + VKAE_CONV_WGRAD3X3_U_BLOCK - 1) / VKAE_CONV_WGRAD3X3_U_BLOCK,
                            (cv + VKAE_CONV_WGRAD3X3_V_BLOCK - 1) / VKAE_CONV_WGRAD3X3_V_BLOCK, 1};
    test::ctx().run_now([&](rt::Recorder& rec) {
      rec.dispatch(rec.pipeline(kConv2dBackwardWeight3x3), {a.view(), v, u}, push, groups);
      rec.dispatch(rec.pipeline(kConv2dBackwardWeight3x3Vec4), {b.view(), v, u}, push, groups);
    });
    const auto ga = test::download(a), gb = test::download(b);
    EXPECT_EQ(std::memcmp(ga.data(), gb.data(), ga.size() * sizeof(float)), 0)
        << "max |diff| " << test::compare(ga, gb).max_abs;
  }
}

}  // namespace
}  // namespace vkae::nn
