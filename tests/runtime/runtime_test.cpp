// Runtime tests: buffers, arenas, pipelines, the recorder's barriers (proved necessary with synchronization
// validation), submission, timestamps, and the error paths of device choice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "nn/ops/activation.hpp"
#include "nn/ops/all_pipelines.hpp"
#include "nn/ops/conv2d.hpp"
#include "runtime/queue.hpp"
#include "runtime/timestamps.hpp"
#include "runtime/vulkan_error.hpp"
#include "shaders/registry.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::rt {
namespace {

using ::testing::HasSubstr;

class Runtime : public test::GpuTest {};

TEST_F(Runtime, BufferRoundTripsBytes) {
  for (size_t n : {1u, 3u, 1000u, 1u << 20}) {
    std::vector<uint32_t> data(n);
    for (size_t i = 0; i < n; ++i) data[i] = static_cast<uint32_t>(i * 2654435761u);
    Buffer b(test::ctx().device(), n * 4, MemoryKind::DeviceLocal, "roundtrip");
    test::ctx().write<uint32_t>(b.view(), data);
    EXPECT_EQ(test::ctx().read<uint32_t>(b.view()), data) << n;
  }
}

TEST_F(Runtime, FillAndCopyThroughTheRecorder) {
  Buffer a(test::ctx().device(), 4096), b(test::ctx().device(), 4096);
  test::ctx().run_now([&](Recorder& rec) {
    rec.fill(a.view(), 0x3f800000u);  // 1.0f
    rec.copy(b.view(), a.view());     // needs the barrier the recorder inserts after the fill
  });
  auto out = test::download(b);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](float v) { return v == 1.0f; }));
}

TEST_F(Runtime, ArenaAlignsEveryView) {
  Arena arena(test::ctx().device(), 1 << 16, "align");
  const VkDeviceSize align = arena.alignment();
  EXPECT_GE(align, test::ctx().device().limits().minStorageBufferOffsetAlignment);
  EXPECT_EQ(align % 16, 0u);
  VkDeviceSize end = 0;
  for (VkDeviceSize bytes : {4u, 12u, 1000u, 3u, 256u}) {
    BufferView v = arena.allocate(bytes);
    EXPECT_EQ(v.offset % align, 0u);
    EXPECT_GE(v.offset, end);
    EXPECT_EQ(v.size, bytes);
    end = v.offset + v.size;
  }
}

TEST_F(Runtime, ArenaRefusesWhenFullAndBeyondTheBindingLimit) {
  Arena arena(test::ctx().device(), 1024, "small");
  arena.allocate(1000);
  EXPECT_THAT([&] { arena.allocate(100); },
              ::testing::ThrowsMessage<Error>(HasSubstr("arena 'small' is full: 100 bytes requested")));
  const VkDeviceSize limit = test::ctx().device().limits().maxStorageBufferRange;
  Arena big(test::ctx().device(), 4096, "big");
  EXPECT_THAT([&] { big.allocate(limit + 4); },
              ::testing::ThrowsMessage<Error>(HasSubstr("maxStorageBufferRange")));
}

TEST_F(Runtime, SizingArenaHandsOutTheOffsetsOfARealOne) {
  Arena sizing = Arena::sizing(test::ctx().device(), "plan");
  Arena real(test::ctx().device(), 1 << 16, "real");
  for (VkDeviceSize bytes : {4u, 12u, 1000u, 3u, 256u}) {
    const BufferView planned = sizing.allocate(bytes), carved = real.allocate(bytes);
    EXPECT_EQ(planned.buffer, VkBuffer(VK_NULL_HANDLE));
    EXPECT_EQ(planned.offset, carved.offset);
    EXPECT_EQ(planned.size, carved.size);
  }
  EXPECT_EQ(sizing.used(), real.used());
  EXPECT_EQ(sizing.capacity(), 0u);
  const VkDeviceSize limit = test::ctx().device().limits().maxStorageBufferRange;
  EXPECT_THAT([&] { sizing.allocate(limit + 4); },
              ::testing::ThrowsMessage<Error>(HasSubstr("arena 'plan': a view of")));
}

TEST_F(Runtime, EveryPipelineCreatesAndEveryShaderIsDescribedOnce) {
  std::multiset<std::string> described;
  for (const PipelineDesc* desc : nn::all_pipelines()) {
    EXPECT_NO_THROW(test::ctx().pipeline(*desc)) << desc->shader;
    described.insert(desc->shader);
  }
  for (const shaders::Shader& s : shaders::all()) EXPECT_EQ(described.count(s.name), 1u) << s.name;
  EXPECT_EQ(described.size(), shaders::all().size());
}

// The local size lives in two places, the shader's layout and its PipelineDesc (from which dispatch sizes are
// computed); creation compares them, so a desc that disagrees with a real shader fails loudly.
TEST_F(Runtime, PipelineRefusesALocalSizeTheShaderDoesNotDeclare) {
  PipelineDesc wrong = nn::kActivationForward;  // activation_forward.comp: local_size_x = 256
  wrong.local = {64, 1, 1};
  EXPECT_THAT(
      [&] { Pipeline(test::ctx().device(), wrong); },
      ::testing::ThrowsMessage<Error>(::testing::StrEq("pipeline activation_forward: the shader's local size "
                                                       "is 256x1x1 but its PipelineDesc says 64x1x1")));
  wrong.local = {256, 2, 1};
  EXPECT_THAT(
      [&] { Pipeline(test::ctx().device(), wrong); },
      ::testing::ThrowsMessage<Error>(HasSubstr("local size is 256x1x1 but its PipelineDesc says 256x2x1")));
  EXPECT_NO_THROW(Pipeline(test::ctx().device(), nn::kActivationForward));
}

// SPIR-V words for a module whose only content is what spirv_local_size reads: a LocalSize execution mode,
// and optionally a WorkgroupSize built-in (which overrides the mode, as in the spec).
std::vector<uint32_t> local_size_module(bool with_builtin) {
  std::vector<uint32_t> w{0x07230203u, 0x00010500u, 0, 20, 0};  // magic, version 1.5, generator, bound
  w.insert(w.end(), {(6u << 16) | 16u, 1, 17, 8, 4, 2});        // OpExecutionMode %1 LocalSize 8 4 2
  if (!with_builtin) return w;
  w.insert(w.end(), {(4u << 16) | 71u, 9, 11, 25});  // OpDecorate %9 BuiltIn WorkgroupSize
  for (uint32_t id = 5; id < 8; ++id) w.insert(w.end(), {(4u << 16) | 43u, 2, id, id * 10});  // %id = 10*id
  w.insert(w.end(), {(6u << 16) | 44u, 3, 9, 5, 6, 7});  // %9 = OpConstantComposite %5 %6 %7
  return w;
}

TEST(SpirvLocalSize, ReadsTheExecutionModeAndPrefersTheBuiltIn) {
  const auto mode = spirv_local_size(local_size_module(false));
  ASSERT_TRUE(mode.has_value());
  EXPECT_EQ(std::tie(mode->x, mode->y, mode->z), std::make_tuple(8u, 4u, 2u));
  const auto builtin = spirv_local_size(local_size_module(true));
  ASSERT_TRUE(builtin.has_value());
  EXPECT_EQ(std::tie(builtin->x, builtin->y, builtin->z), std::make_tuple(50u, 60u, 70u));
  EXPECT_FALSE(spirv_local_size(std::vector<uint32_t>{0x07230203u, 0x00010500u, 0, 1, 0}).has_value());
  const shaders::Shader* reduce = shaders::find("reduce_sum");
  ASSERT_NE(reduce, nullptr);
  const auto real = spirv_local_size({reduce->words, reduce->word_count});
  ASSERT_TRUE(real.has_value());
  EXPECT_EQ(real->x, 256u);
}

TEST_F(Runtime, DispatchChecksBindingCountAndPushSize) {
  Buffer a(test::ctx().device(), 64);
  const Pipeline& p = test::ctx().pipeline(nn::kActivationForward);
  nn::ActivationPush push{16, 1, 0.f, 0};
  EXPECT_THAT([&] { test::ctx().run_now([&](Recorder& rec) { rec.dispatch(p, {a.view()}, push, {1}); }); },
              ::testing::ThrowsMessage<Error>(HasSubstr("1 buffers bound, the shader has 2 bindings")));
  const uint32_t wrong = 0;
  EXPECT_THAT(
      [&] { test::ctx().run_now([&](Recorder& rec) {
              rec.dispatch(p, {a.view(), a.view()}, wrong, {1});
            }); },
      ::testing::ThrowsMessage<Error>(HasSubstr("4 bytes of push constants, expected 16")));
}

// A uniform-buffer binding (Access::Uniform) is checked against the uniform limits, not the storage ones.
TEST_F(Runtime, AUniformBindingPastMaxUniformBufferRangeIsOneLine) {
  const VkDeviceSize range = test::ctx().device().limits().maxUniformBufferRange;
  Buffer big(test::ctx().device(), range + 16), small(test::ctx().device(), 256);
  const Pipeline& p = test::ctx().pipeline(nn::kConv2dForwardUniform);  // binding 2 is a uniform buffer
  const nn::ConvPush push{};
  EXPECT_THAT(
      [&] {
        test::ctx().run_now([&](Recorder& rec) {
          rec.dispatch(p, {small.view(), small.view(), big.view(), small.view()}, push, {1});
        });
      },
      ::testing::ThrowsMessage<Error>(
          ::testing::StrEq("dispatch conv2d_forward_uniform: binding 2 spans " + std::to_string(range + 16) +
                           " bytes, more than this device's maxUniformBufferRange")));
  EXPECT_EQ(descriptor_type(Access::Uniform), VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);
  EXPECT_EQ(descriptor_type(Access::Read), VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
}

// The recorder's automatic barrier is what keeps a producer -> consumer pair correct: with it, no hazard and
// the right answer; without it, synchronization validation reports the read-after-write hazard.
TEST_F(Runtime, ProducerConsumerNeedsItsBarrier) {
  const size_t n = 4096;
  auto x = test::upload(test::random_floats(n, 7));
  auto y = test::make_output(n), z = test::make_output(n);
  auto record_pair = [&](Recorder& rec) {
    nn::record_activation_forward(rec, y.view(), x.view(), n, nn::Activation::Relu);
    nn::record_activation_forward(rec, z.view(), y.view(), n, nn::Activation::Tanh);
  };
  test::ctx().run_now([&](Recorder& rec) {
    record_pair(rec);
    EXPECT_EQ(rec.barrier_count(), 1u);  // exactly the one between producer and consumer
  });
  EXPECT_EQ(test::ctx().instance().validation_message_count(), 0u);

  test::ctx().run_now([&](Recorder& rec) {
    rec.set_auto_barriers(false);
    record_pair(rec);
  });
  const uint64_t reported = test::ctx().instance().validation_message_count();
  bool hazard = false;
  for (const auto& m : test::ctx().instance().validation_messages())
    hazard = hazard || m.find("SYNC-HAZARD-READ-AFTER-WRITE") != std::string::npos ||
             m.find("SYNC-HAZARD-READ_AFTER_WRITE") != std::string::npos;
  EXPECT_GT(reported, 0u) << "synchronization validation missed a missing barrier";
  EXPECT_TRUE(hazard);
  test::ctx().instance().clear_validation_messages();  // expected messages: do not fail TearDown
}

TEST_F(Runtime, IndependentDispatchesShareNoBarrier) {
  const size_t n = 256;
  auto x = test::upload(test::random_floats(n, 8));
  auto y1 = test::make_output(n), y2 = test::make_output(n);
  test::ctx().run_now([&](Recorder& rec) {
    nn::record_activation_forward(rec, y1.view(), x.view(), n, nn::Activation::Relu);
    nn::record_activation_forward(rec, y2.view(), x.view(), n, nn::Activation::Sigmoid);  // reads x too: fine
    EXPECT_EQ(rec.barrier_count(), 0u);
  });
}

TEST_F(Runtime, SeveralSubmitsInFlightAndTheSameListTwiceInOneSubmit) {
  const size_t n = 1 << 16;
  auto x = test::upload(test::random_floats(n, 9));
  auto y = test::make_output(n);
  CommandList list(test::ctx());
  nn::record_activation_forward(list.begin(), y.view(), x.view(), n, nn::Activation::Relu);
  list.end();
  Submitter submitter(test::ctx().device(), 3);
  const VkCommandBuffer twice[2] = {list.get(), list.get()};
  std::vector<uint64_t> tickets;
  for (int i = 0; i < 5; ++i) tickets.push_back(submitter.submit(twice));
  EXPECT_EQ(tickets, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  submitter.wait(tickets.back());
  for (uint64_t t : tickets) EXPECT_TRUE(submitter.done(t));
  auto out = test::download(y);
  EXPECT_GE(*std::min_element(out.begin(), out.end()), 0.0f);
}

TEST_F(Runtime, TimestampsAreOrdered) {
  if (!test::ctx().device().timestamps_supported()) GTEST_SKIP() << "no timestamps on this queue";
  TimestampPool pool(test::ctx().device(), 2);
  const size_t n = 1 << 18;
  auto x = test::upload(test::random_floats(n, 10));
  auto y = test::make_output(n);
  test::ctx().run_now([&](Recorder& rec) {
    rec.reset_queries(pool);
    rec.write_timestamp(pool, 0);
    rec.begin_label("relu");
    nn::record_activation_forward(rec, y.view(), x.view(), n, nn::Activation::Relu);
    rec.end_label();
    rec.write_timestamp(pool, 1);
  });
  auto t = pool.read_ns();
  ASSERT_TRUE(t[0] && t[1]);
  EXPECT_GE(*t[1], *t[0]);
}

TEST(RuntimeErrors, VulkanErrorNamesResultCallAndPlace) {
  try {
    VKAE_CHECK(VK_ERROR_DEVICE_LOST);
    FAIL();
  } catch (const VulkanError& e) {
    EXPECT_THAT(e.what(), HasSubstr("VK_ERROR_DEVICE_LOST from VK_ERROR_DEVICE_LOST at runtime_test.cpp:"));
    EXPECT_EQ(e.result(), VK_ERROR_DEVICE_LOST);
  }
  EXPECT_EQ(VKAE_CHECK(VK_SUBOPTIMAL_KHR), VK_SUBOPTIMAL_KHR);  // positive codes are returned, not thrown
}

std::vector<DeviceCandidate> fake_devices() {
  std::vector<DeviceCandidate> c(3);
  c[0] = {0, VK_NULL_HANDLE, "llvmpipe (LLVM 15.0.6, 256 bits)", VK_PHYSICAL_DEVICE_TYPE_CPU, 0, 0, true, ""};
  c[1] = {1,         VK_NULL_HANDLE,
          "Old GPU", VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU,
          0,         0,
          false,     "supports Vulkan 1.0, vkae needs 1.2"};
  c[2] = {2, VK_NULL_HANDLE, "Integrated Thing", VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU, 0, 0, true, ""};
  return c;
}

TEST(DeviceChoice, PrefersGpuTypesAndHonoursSelectors) {
  auto c = fake_devices();
  EXPECT_EQ(choose_device(c, "").index, 2u);  // integrated beats CPU; the unsuitable discrete GPU is skipped
  EXPECT_EQ(choose_device(c, "0").index, 0u);
  EXPECT_EQ(choose_device(c, "LLVMPIPE").index, 0u);
}

// Data-parallel ranks on one machine spread over the suitable devices, best type first, wrapping around; a
// selector still wins.
TEST(DeviceChoice, RanksSpreadOverTheSuitableDevices) {
  auto c = fake_devices();
  EXPECT_EQ(choose_device(c, "", 0).index, 2u);
  EXPECT_EQ(choose_device(c, "", 1).index, 0u);  // the unsuitable discrete GPU is never a rank's
  EXPECT_EQ(choose_device(c, "", 2).index, 2u);
  EXPECT_EQ(choose_device(c, "", 3).index, 0u);
  EXPECT_EQ(choose_device(c, "0", 1).index, 0u);
}

TEST(DeviceChoice, ExplainsEveryRejection) {
  auto c = fake_devices();
  c[0].suitable = c[2].suitable = false;
  c[0].reason = "has no compute queue";
  c[2].reason = "allows only 128 invocations per workgroup, vkae needs 256";
  try {
    choose_device(c, "");
    FAIL();
  } catch (const NoDeviceError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("0: llvmpipe (LLVM 15.0.6, 256 bits) (CPU, unsuitable: has no compute queue)"));
    EXPECT_THAT(e.what(),
                HasSubstr("1: Old GPU (discrete GPU, unsuitable: supports Vulkan 1.0, vkae needs 1.2)"));
    EXPECT_THAT(e.what(), HasSubstr("vkae needs 256"));
  }
  EXPECT_THROW(choose_device({}, ""), NoDeviceError);
  EXPECT_THAT([&] { choose_device(fake_devices(), "7"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("--device 7: no such device index")));
  EXPECT_THAT([&] { choose_device(fake_devices(), "radeon"); },
              ::testing::ThrowsMessage<InputError>(HasSubstr("--device radeon: no device name contains it")));
  EXPECT_THAT(
      [&] { choose_device(fake_devices(), "old"); },
      ::testing::ThrowsMessage<NoDeviceError>(HasSubstr("Old GPU is unsuitable: supports Vulkan 1.0")));
}

TEST(DeviceChoice, TheRealLoaderSeesASuitableDevice) {
  // In CI a machine without a Vulkan device must fail here, not skip.
  Instance instance(InstanceOptions{});
  auto c = list_devices(instance.get());
  ASSERT_FALSE(c.empty()) << "no Vulkan device: install mesa-vulkan-drivers";
  EXPECT_TRUE(std::any_of(c.begin(), c.end(), [](const DeviceCandidate& d) { return d.suitable; }));
}

}  // namespace
}  // namespace vkae::rt
