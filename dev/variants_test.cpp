// The kept kernel variants of dev/conv and dev/pool against the ops' double-precision CPU references: each
// one runs on small odd shapes through the real runtime (its own dispatch sizes, as its README describes
// them) and must match within a float tolerance. A variant that no longer compiles fails the build of this
// binary; one that computes something else fails here. Not the place for timing (the READMEs have the
// figures).
#include "dev/variants.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dev/variant_support.hpp"
#include "nn/ops/conv2d.hpp"
#include "nn/ops/conv2d_pack.hpp"
#include "nn/ops/maxpool2d.hpp"
#include "nn/ops/upsample2d.hpp"
#include "runtime/pipeline.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::dev {
namespace {

using nn::Conv2dShape;
using nn::Padding;
using rt::Access;

constexpr double kTolerance = 1e-4;  // absolute and relative: sums of ~100 float products of magnitude <= 1

// ---- convolution variants ----

enum class ConvPass { Forward, Input, Weight };

struct ConvVariant {
  const char* name;
  ConvPass pass;
  uint32_t local;
  std::vector<Conv2dShape> shapes;  // the shapes it serves
  std::function<rt::Groups(const Conv2dShape&)> groups;
  std::function<nn::ConvPush(const Conv2dShape&)> push = [](const Conv2dShape& s) {
    return nn::make_conv_push(s, nn::Grad::Overwrite);
  };
  // Weight gradients over "v" and "u": true binds x before dy (the v tensor first).
  std::function<bool(const Conv2dShape&)> x_first = [](const Conv2dShape&) { return false; };
  bool vec4_weights = false;      // fwd_07, fwd_08: read repack_vec4(w), not w
  bool uniform_weights = false;   // fwd_08: the weights are a uniform buffer
  bool winograd_weights = false;  // fwd_11: reads winograd_weights(w), a uniform buffer
};

// Shapes: odd sizes, tail channel blocks, stride 2, an even 'valid' kernel; and the specialised kernels' 3x3
// stride-1 shapes with one channel on either side.
const std::vector<Conv2dShape> kGeneral{{2, 3, 9, 7, 10, 3, 3, 1, Padding::Same},
                                        {2, 5, 8, 11, 9, 3, 3, 2, Padding::Same},
                                        {1, 4, 7, 6, 3, 2, 4, 1, Padding::Valid}};
const std::vector<Conv2dShape> kStride1{{2, 3, 9, 7, 10, 3, 3, 1, Padding::Same},
                                        {1, 4, 7, 6, 3, 2, 4, 1, Padding::Valid}};
const std::vector<Conv2dShape> k3x3{{2, 3, 9, 7, 10, 3, 3, 1, Padding::Same},
                                    {2, 10, 8, 6, 3, 3, 3, 1, Padding::Valid}};
const std::vector<Conv2dShape> kVec4Rows{{2, 4, 9, 7, 10, 3, 3, 1, Padding::Same},
                                         {4, 3, 5, 11, 9, 3, 3, 1, Padding::Valid},
                                         {2, 6, 9, 6, 3, 3, 3, 2, Padding::Same}};
// wgrad_05 reads x and dy as vec4s: 3x3 stride-1 shapes whose tensors are whole vec4s (both variants).
const std::vector<Conv2dShape> kVec4Weight{{2, 4, 9, 7, 10, 3, 3, 1, Padding::Same},
                                           {4, 3, 5, 11, 9, 3, 3, 1, Padding::Valid},
                                           {2, 12, 8, 6, 4, 3, 3, 1, Padding::Same},
                                           {1, 16, 14, 14, 12, 3, 3, 1, Padding::Same}};
const std::vector<Conv2dShape> kOneChannel{{2, 1, 9, 7, 10, 3, 3, 1, Padding::Same},
                                           {2, 10, 9, 7, 1, 3, 3, 1, Padding::Same},
                                           {2, 9, 8, 6, 1, 3, 3, 1, Padding::Valid}};

// bwd_input_05: for stride 1, dx is the correlation of dy with the kernel transposed and flipped, padded by
// K-1-pad; the push constants describe that convolution (from dy [N, C_out, H_out, W_out] to dx).
nn::ConvPush flipped_push(const Conv2dShape& s) {
  return nn::ConvPush{s.N,
                      s.C_out,
                      s.H_out(),
                      s.W_out(),
                      s.C_in,
                      s.KH,
                      s.KW,
                      1,
                      s.H,
                      s.W,
                      s.KH - 1 - s.pad_top(),
                      s.KW - 1 - s.pad_left(),
                      0,
                      0,
                      0,
                      0,
                      0.0f,
                      0};
}

// wgrad_01/02 and 04 name their two tensors v and u; variant 1 binds x as v.
nn::ConvPush vu_push(const Conv2dShape& s, bool x_is_v) {
  nn::ConvPush p = nn::make_conv_push(s, nn::Grad::Overwrite);
  p.variant = x_is_v ? 1 : 0;
  return p;
}

std::vector<ConvVariant> conv_variants() {
  const auto gather = [](uint32_t px) {
    return [px](const Conv2dShape& s) { return nn::gather_groups(s, 64, px); };
  };
  const auto tgather = [](uint32_t cols) {
    return [cols](const Conv2dShape& s) { return nn::transposed_gather_groups(s, 64, cols); };
  };
  const auto one_ch_x_is_v = [](const Conv2dShape& s) { return s.C_out == 1; };  // else C_in == 1: v = dy
  const auto flip = [](const Conv2dShape& s) { return s.C_in > s.C_out; };
  std::vector<ConvVariant> v;
  v.push_back({"01_gather_8x4", ConvPass::Forward, 64, kGeneral, gather(4)});
  v.push_back({"02_gather_8x4_rowreuse", ConvPass::Forward, 64, kGeneral, gather(4)});
  v.push_back({"03_gather_8x8_rowreuse", ConvPass::Forward, 64, kGeneral, gather(8)});
  v.push_back({"fwd_06_lanes_across_channels", ConvPass::Forward, 8, k3x3, [](const Conv2dShape& s) {
                 return rt::Groups{s.N * div_up(s.H_out(), 4) * div_up(s.W_out(), 8), div_up(s.C_out, 8), 1};
               }});
  ConvVariant fwd07{"fwd_07_vec4_weights", ConvPass::Forward, 64, kGeneral, gather(8)};
  fwd07.vec4_weights = true;
  v.push_back(fwd07);
  ConvVariant fwd08{"fwd_08_ubo_weights", ConvPass::Forward, 64, kGeneral, gather(8)};
  fwd08.vec4_weights = fwd08.uniform_weights = true;
  v.push_back(fwd08);
  ConvVariant fwd08_16{"fwd_08_ubo_weights_16px", ConvPass::Forward, 64, kGeneral, gather(16)};
  fwd08_16.vec4_weights = fwd08_16.uniform_weights = true;
  v.push_back(fwd08_16);
  ConvVariant fwd12{"fwd_12_two_rows", ConvPass::Forward, 64, kGeneral,
                    [](const Conv2dShape& s) { return nn::gather_groups(s, 64, 8, 2); }};
  fwd12.vec4_weights = fwd12.uniform_weights = true;
  v.push_back(fwd12);
  for (uint32_t rows : {3u, 4u}) {
    ConvVariant more = fwd12;
    more.name = rows == 3 ? "fwd_12_rows_3" : "fwd_12_rows_4";
    more.groups = [rows](const Conv2dShape& s) { return nn::gather_groups(s, 64, 8, rows); };
    v.push_back(more);
  }
  // fwd_09 reads x as vec4s: shapes whose x is whole vec4s (odd rows and planes, so rows start anywhere).
  ConvVariant fwd09{"fwd_09_vec4_rows", ConvPass::Forward, 64, kVec4Rows, gather(8)};
  fwd09.vec4_weights = fwd09.uniform_weights = true;
  v.push_back(fwd09);
  ConvVariant fwd10{"fwd_10_lane_weights", ConvPass::Forward, 64, kVec4Rows, gather(8)};
  fwd10.vec4_weights = true;
  v.push_back(fwd10);
  ConvVariant fwd11{"fwd_11_winograd", ConvPass::Forward, 64, k3x3, [](const Conv2dShape& s) {
                      return rt::Groups{div_up(s.N * div_up(s.H_out(), 2) * div_up(s.W_out(), 2), 64),
                                        div_up(s.C_out, 8), 1};
                    }};
  fwd11.uniform_weights = fwd11.winograd_weights = true;
  v.push_back(fwd11);
  v.push_back({"tgather_00_baseline", ConvPass::Input, 64, kGeneral, tgather(4)});
  v.push_back({"tgather_01_rowreuse_4", ConvPass::Input, 64, kGeneral, tgather(4)});
  v.push_back({"tgather_02_rowreuse_8", ConvPass::Input, 64, kGeneral, tgather(8)});
  v.push_back({"tgather_03_rowreuse_8_store", ConvPass::Input, 64, kGeneral, tgather(8)});
  v.push_back(
      {"bwd_input_05_flipped_forward", ConvPass::Input, 64, kStride1,
       [](const Conv2dShape& s) {
         return rt::Groups{rt::groups_for(uint64_t{s.N} * s.H * div_up(s.W, 8), 64), div_up(s.C_in, 8), 1};
       },
       flipped_push});
  for (const char* name : {"wgrad_01_1ch_naive", "wgrad_02_1ch_col4"})
    v.push_back({name, ConvPass::Weight, 8, kOneChannel,
                 [](const Conv2dShape& s) {
                   return rt::Groups{div_up(std::max(s.C_in, s.C_out), 8), 1, 1};
                 },
                 [=](const Conv2dShape& s) { return vu_push(s, one_ch_x_is_v(s)); }, one_ch_x_is_v});
  v.push_back({"wgrad_03_3x3_a4b2", ConvPass::Weight, 64, k3x3, [](const Conv2dShape& s) {
                 return rt::Groups{div_up(s.C_in, 2), div_up(s.C_out, 4), 1};
               }});
  v.push_back({"wgrad_04_3x3_v8u1_flip", ConvPass::Weight, 64, k3x3,
               [=](const Conv2dShape& s) {
                 const uint32_t cv = flip(s) ? s.C_in : s.C_out, cu = flip(s) ? s.C_out : s.C_in;
                 return rt::Groups{cu, div_up(cv, 8), 1};
               },
               [=](const Conv2dShape& s) { return vu_push(s, flip(s)); }, flip});
  v.push_back({"wgrad_05_3x3_vec4", ConvPass::Weight, 64, kVec4Weight,
               [=](const Conv2dShape& s) {
                 const uint32_t cv = flip(s) ? s.C_in : s.C_out, cu = flip(s) ? s.C_out : s.C_in;
                 return rt::Groups{cu, div_up(cv, 8), 1};
               },
               [=](const Conv2dShape& s) { return vu_push(s, flip(s)); }, flip});
  return v;
}

// gtest names a failing parameter by this (its bytes otherwise).
void PrintTo(const ConvVariant& v, std::ostream* os) {
  *os << v.name;
}

class DevConv : public test::GpuTest, public ::testing::WithParamInterface<ConvVariant> {};

// One shape: the variant's pass on the GPU against conv2d_forward_ref / conv2d_backward_ref in double.
::testing::AssertionResult check_conv(const ConvVariant& v, const Conv2dShape& s) {
  const auto x = test::random_floats(s.x_count(), 1), w = test::random_floats(s.w_count(), 2);
  const auto b = test::random_floats(s.C_out, 3), dy = test::random_floats(s.y_count(), 4);
  const auto xd = test::to_double(x), wd = test::to_double(w), bd = test::to_double(b),
             dyd = test::to_double(dy);
  std::vector<double> want(v.pass == ConvPass::Forward ? s.y_count()
                           : v.pass == ConvPass::Input ? s.x_count()
                                                       : s.w_count());
  std::vector<double> dx(v.pass == ConvPass::Input ? s.x_count() : 0), dw(s.w_count()), db(s.C_out);
  if (v.pass == ConvPass::Forward)
    nn::conv2d_forward_ref<double>(want, xd, wd, bd, s);
  else
    nn::conv2d_backward_ref<double>(dx, dw, db, dyd, xd, wd, s);
  if (v.pass == ConvPass::Input) want = dx;
  if (v.pass == ConvPass::Weight) want = dw;

  const rt::Buffer xb = test::upload(x), bb = test::upload(b), dyb = test::upload(dy);
  const rt::Buffer wb = test::upload(v.winograd_weights ? winograd_weights(w, s)
                                     : v.vec4_weights   ? repack_vec4(w, s)
                                                        : w);
  const rt::Buffer out = test::make_output(want.size());
  const bool forward = v.pass == ConvPass::Forward;
  const rt::Pipeline pipeline =
      make_pipeline(v.name,
                    forward ? std::vector{Access::Write, Access::Read,
                                          v.uniform_weights ? Access::Uniform : Access::Read, Access::Read}
                            : std::vector{Access::ReadWrite, Access::Read, Access::Read},
                    sizeof(nn::ConvPush), v.local);
  test::ctx().run_now([&](rt::Recorder& rec) {
    const nn::ConvPush push = v.push(s);
    if (forward)
      rec.dispatch(pipeline, {out.view(), xb.view(), wb.view(), bb.view()}, push, v.groups(s));
    else if (v.pass == ConvPass::Input)
      rec.dispatch(pipeline, {out.view(), dyb.view(), wb.view()}, push, v.groups(s));
    else if (v.x_first(s))
      rec.dispatch(pipeline, {out.view(), xb.view(), dyb.view()}, push, v.groups(s));
    else
      rec.dispatch(pipeline, {out.view(), dyb.view(), xb.view()}, push, v.groups(s));
  });
  return test::all_close(test::download(out), test::to_float(want), kTolerance, kTolerance)
         << " at " << s.str();
}

TEST_P(DevConv, MatchesTheReference) {
  for (const Conv2dShape& s : GetParam().shapes) EXPECT_TRUE(check_conv(GetParam(), s));
}

INSTANTIATE_TEST_SUITE_P(Variants, DevConv, ::testing::ValuesIn(conv_variants()),
                         [](const auto& variant) { return std::string(variant.param.name); });

// ---- pooling and upsampling variants (dev/pool/00_*: one invocation per element, 256 per workgroup) ----

class DevPool : public test::GpuTest {};

const std::vector<nn::Maxpool2dShape> kPoolShapes{{2, 3, 7, 9, nn::PoolPadding::Same},
                                                  {2, 3, 8, 5, nn::PoolPadding::Valid}};

nn::Maxpool2dPush pool_push(const nn::Maxpool2dShape& s) {
  return {s.n * s.c, s.h, s.w, s.out_h(), s.out_w(), 0, 0, 0.0f};
}

TEST_F(DevPool, Maxpool2dForward00MatchesTheReference) {
  for (const nn::Maxpool2dShape& s : kPoolShapes) {
    const auto x = test::random_floats(s.in_count(), 5);
    std::vector<double> want(s.out_count());
    nn::maxpool2d_forward_ref<double>(want, test::to_double(x), s);
    const rt::Buffer xb = test::upload(x), y = test::make_output(want.size());
    const rt::Pipeline p =
        make_pipeline("00_maxpool2d_forward", {Access::Write, Access::Read}, sizeof(nn::Maxpool2dPush), 256);
    test::ctx().run_now([&](rt::Recorder& rec) {
      rec.dispatch(p, {y.view(), xb.view()}, pool_push(s), {rt::groups_for(s.out_count(), 256)});
    });
    EXPECT_TRUE(test::all_close(test::download(y), test::to_float(want), 0.0)) << s.h << "x" << s.w;
  }
}

TEST_F(DevPool, Maxpool2dBackward00MatchesTheReference) {
  for (const nn::Maxpool2dShape& s : kPoolShapes) {
    const auto x = test::random_floats(s.in_count(), 6), dy = test::random_floats(s.out_count(), 7);
    std::vector<double> want(s.in_count());
    nn::maxpool2d_backward_ref<double>(want, test::to_double(dy), test::to_double(x), s);
    const rt::Buffer xb = test::upload(x), dyb = test::upload(dy), dx = test::make_output(want.size());
    const rt::Pipeline p =
        make_pipeline("00_maxpool2d_backward", {Access::ReadWrite, Access::Read, Access::Read},
                      sizeof(nn::Maxpool2dPush), 256);
    test::ctx().run_now([&](rt::Recorder& rec) {
      rec.dispatch(p, {dx.view(), dyb.view(), xb.view()}, pool_push(s), {rt::groups_for(s.in_count(), 256)});
    });
    EXPECT_TRUE(test::all_close(test::download(dx), test::to_float(want), 0.0)) << s.h << "x" << s.w;
  }
}

TEST_F(DevPool, Upsample2dForwardAndBackward00MatchTheReference) {
  const nn::Upsample2dShape s{2, 3, 5, 7};
  const nn::Upsample2dPush push{s.n * s.c, s.h, s.w, 0, 0, 0.0f, 0, 0};
  const auto x = test::random_floats(s.in_count(), 8), dy = test::random_floats(s.out_count(), 9);
  std::vector<double> want_y(s.out_count()), want_dx(s.in_count());
  nn::upsample2d_forward_ref<double>(want_y, test::to_double(x), s);
  nn::upsample2d_backward_ref<double>(want_dx, test::to_double(dy), s);
  const rt::Buffer xb = test::upload(x), dyb = test::upload(dy);
  const rt::Buffer y = test::make_output(want_y.size()), dx = test::make_output(want_dx.size());
  const rt::Pipeline fwd =
      make_pipeline("00_upsample2d_forward", {Access::Write, Access::Read}, sizeof(nn::Upsample2dPush), 256);
  const rt::Pipeline bwd = make_pipeline("00_upsample2d_backward", {Access::ReadWrite, Access::Read},
                                         sizeof(nn::Upsample2dPush), 256);
  test::ctx().run_now([&](rt::Recorder& rec) {
    rec.dispatch(fwd, {y.view(), xb.view()}, push, {rt::groups_for(s.out_count(), 256)});
    rec.dispatch(bwd, {dx.view(), dyb.view()}, push, {rt::groups_for(s.in_count(), 256)});
  });
  EXPECT_TRUE(test::all_close(test::download(y), test::to_float(want_y), 0.0));
  EXPECT_TRUE(test::all_close(test::download(dx), test::to_float(want_dx), 1e-6));
}

// Every variant dev/CMakeLists.txt builds has a check above: a new one cannot be kept unchecked.
TEST(DevVariants, EveryBuiltVariantIsChecked) {
  std::set<std::string> checked{"00_maxpool2d_forward", "00_maxpool2d_backward", "00_upsample2d_forward",
                                "00_upsample2d_backward"};
  for (const ConvVariant& v : conv_variants()) checked.insert(v.name);
  for (const shaders::Shader& s : variants::all()) EXPECT_EQ(checked.count(s.name), 1u) << s.name;
  EXPECT_EQ(checked.size(), variants::all().size());
}

}  // namespace
}  // namespace vkae::dev
