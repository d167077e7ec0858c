// Workgroup widths per device: lavapipe's defaults, four subgroups on a GPU within its limits and shared
// memory, the VKAE_WORKGROUPS override and its errors, and every specialized pipeline running at its family's
// width. (The ctest entries OpsAtOtherWidths.* run every GPU op test again under VKAE_WORKGROUPS:
// tests/CMakeLists.txt.)
#include "runtime/workgroups.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/error.hpp"
#include "nn/ops/activation.hpp"
#include "nn/ops/all_pipelines.hpp"
#include "shaders/registry.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::rt {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

class WorkgroupsGpu : public test::GpuTest {};

VkPhysicalDeviceProperties device_properties(VkPhysicalDeviceType type, uint32_t shared_bytes) {
  VkPhysicalDeviceProperties p{};
  p.deviceType = type;
  p.limits.maxComputeWorkGroupInvocations = 1024;
  p.limits.maxComputeWorkGroupSize[0] = 1024;
  p.limits.maxComputeSharedMemorySize = shared_bytes;
  return p;
}

TEST(Workgroups, ACpuDeviceKeepsLavapipesWidthsAndAGpuGetsFourSubgroups) {
  const auto cpu = device_properties(VK_PHYSICAL_DEVICE_TYPE_CPU, 32768);
  EXPECT_EQ(choose_workgroups(cpu, 8, nullptr), kLavapipeWorkgroups);
  EXPECT_EQ(kLavapipeWorkgroups, (Workgroups{64, 64, 64, 256}));

  const auto nvidia = device_properties(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 49152);
  EXPECT_EQ(choose_workgroups(nvidia, 32, nullptr), (Workgroups{128, 128, 128, 256}));
  // A 64-wide wave: 256 for dense and pooling; conv stops at 128, where 48 KiB of shared memory ends
  // (288 bytes per invocation in the 3x3 weight gradient).
  EXPECT_EQ(choose_workgroups(nvidia, 64, nullptr), (Workgroups{128, 256, 256, 256}));
  const auto small_shared = device_properties(VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU, 32768);
  EXPECT_EQ(choose_workgroups(small_shared, 32, nullptr), (Workgroups{64, 128, 128, 256}));
  // A subgroup of 8 or 16 still gets 64, as lavapipe does.
  EXPECT_EQ(choose_workgroups(small_shared, 16, nullptr), (Workgroups{64, 64, 64, 256}));
}

TEST(Workgroups, TheOverrideAppliesOverTheChoiceAndNamesWhatIsWrong) {
  const auto gpu = device_properties(VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU, 32768);
  EXPECT_EQ(choose_workgroups(gpu, 32, "reduce=1024,conv=32"), (Workgroups{32, 128, 128, 1024}));
  EXPECT_EQ(choose_workgroups(gpu, 32, ""), (Workgroups{64, 128, 128, 256}));
  const auto refused = [&](const char* text, const char* message) {
    EXPECT_THAT([&] { choose_workgroups(gpu, 32, text); }, ThrowsMessage<InputError>(HasSubstr(message)))
        << text;
  };
  refused("conv=96",
          "VKAE_WORKGROUPS: conv=96: expected a power of two from 1 to 64, the most this device's");
  refused("conv=128", "conv=128: expected a power of two from 1 to 64");  // 128 x 288 bytes > 32 KiB
  refused("dense=2048", "dense=2048: expected a power of two from 1 to 1024");
  refused("pool=0", "pool=0: expected a power of two");
  refused("tile=64", "with FAMILY conv, dense, pool or reduce, got 'tile=64'");
  refused("conv", "expected FAMILY=WIDTH[,...]");
  refused("conv=12x", "got 'conv=12x'");
  refused("conv=64,,dense=64", "got ''");
}

// Each family's shaders take their width through specialization constant 0 and run at the device's width;
// every other shader keeps the fixed size its desc states. A shader that is specializable but described as
// Fixed (or the reverse) would run at a width the host does not size its dispatches for: refused here.
TEST_F(WorkgroupsGpu, EveryPipelineRunsAtItsFamilysWidth) {
  const Workgroups& widths = test::ctx().device().workgroups();
  int specialized = 0;
  for (const PipelineDesc* desc : nn::all_pipelines()) {
    const shaders::Shader* shader = shaders::find(desc->shader);
    ASSERT_NE(shader, nullptr) << desc->shader;
    const auto spec_id = spirv_local_size_x_spec_id({shader->words, shader->word_count});
    const Pipeline& pipeline = test::ctx().pipeline(*desc);
    if (desc->family == Family::Fixed) {
      EXPECT_FALSE(spec_id.has_value()) << desc->shader << " is specializable but described as Fixed";
      EXPECT_EQ(pipeline.local().x, desc->local.x) << desc->shader;
    } else {
      EXPECT_EQ(spec_id, 0u) << desc->shader;
      EXPECT_EQ(pipeline.local().x, widths.width(desc->family, 0)) << desc->shader;
      ++specialized;
    }
    EXPECT_EQ(pipeline.local().y, desc->local.y) << desc->shader;
  }
  EXPECT_EQ(specialized, 17 + 3 + 4 + 5);  // conv2d / conv_transpose2d, dense, pooling, tree sums
}

TEST_F(WorkgroupsGpu, AFamilyNeedsAShaderThatTakesItsWidth) {
  const shaders::Shader* reduce = shaders::find("reduce_sum");
  const shaders::Shader* activation = shaders::find("activation_forward");
  ASSERT_TRUE(reduce && activation);
  EXPECT_EQ(spirv_local_size_x_spec_id({reduce->words, reduce->word_count}), 0u);
  EXPECT_FALSE(spirv_local_size_x_spec_id({activation->words, activation->word_count}).has_value());
  PipelineDesc wrong = nn::kActivationForward;  // local_size_x = 256, a constant
  wrong.family = Family::Reduce;
  EXPECT_THAT([&] { Pipeline(test::ctx().device(), wrong); },
              ThrowsMessage<Error>(HasSubstr("pipeline activation_forward: its family's width needs "
                                             "local_size_x_id = 0 in the shader")));
}

}  // namespace
}  // namespace vkae::rt
