// The model's memory plan: every built-in model's arenas are exactly as large as the views carved from them
// (no slack, no overflow), at the smallest and the default batch, and every view lies in its own arena.
#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>

#include "nn/model/model.hpp"
#include "tests/support/gpu.hpp"

namespace vkae::nn {
namespace {

class ModelPlanGpu : public test::GpuTest {};

// The end of the furthest view into `arena` among `views`; fails the test for a view past its capacity.
VkDeviceSize furthest_end(const rt::Arena& arena, std::initializer_list<rt::BufferView> views,
                          VkDeviceSize end) {
  for (const rt::BufferView& v : views) {
    if (v.buffer != arena.buffer().get()) continue;
    EXPECT_LE(v.offset + v.size, arena.capacity()) << arena.buffer().name();
    end = std::max(end, v.offset + v.size);
  }
  return end;
}

TEST_F(ModelPlanGpu, EveryArenaIsExactlyWhatItsViewsTake) {
  for (const std::string& name : builtin_model_names())
    for (const uint32_t batch : {1u, 128u}) {
      SCOPED_TRACE(name + " at batch " + std::to_string(batch));
      const Model model(test::ctx(), resolve_model(name), batch);
      const auto [params, grads, activations] = model.arenas();
      VkDeviceSize param_end = 0, grad_end = 0, act_end = furthest_end(*activations, {model.input()}, 0);
      for (const Param& p : model.params()) {
        param_end = furthest_end(*params, {p.value}, param_end);
        grad_end = furthest_end(*grads, {p.grad}, grad_end);
      }
      for (const LayerBuffers& l : model.layers())
        act_end =
            furthest_end(*activations,
                         {l.x, l.dx, l.y, l.z, l.dy, l.dz, l.mu, l.logvar, l.dmu, l.dlogvar, l.eps}, act_end);
      ASSERT_FALSE(model.params().empty());
      EXPECT_EQ(params->capacity(), params->used());
      EXPECT_EQ(grads->capacity(), grads->used());
      EXPECT_EQ(activations->capacity(), activations->used());
      EXPECT_EQ(param_end, params->capacity());
      EXPECT_EQ(grad_end, grads->capacity());
      EXPECT_EQ(act_end, activations->capacity());
      // Gradients mirror the parameters' layout: one all-reduce and one Adam pass cover both.
      EXPECT_EQ(grads->used(), params->used());
    }
}

}  // namespace
}  // namespace vkae::nn
