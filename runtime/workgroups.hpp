// Workgroup widths chosen per device, in one place. The conv, dense, pooling and reduction shaders declare
// their local_size_x as specialization constant 0 (`layout(local_size_x = DEFAULT, local_size_x_id = 0)`),
// with lavapipe's width as the default; the Pipeline specializes it to the width its family gets here, and
// every dispatch is sized from the pipeline's own local size. Elementwise shaders keep a fixed 256, right on
// both kinds of device. VKAE_WORKGROUPS="conv=128,dense=128,pool=128,reduce=512" overrides the choice (for
// measuring on a new device, and for the test that runs every op at GPU-like widths on lavapipe).
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <string_view>

#include "shaders/conv_blocks.h"
#include "shaders/dense_blocks.h"
#include "shaders/reduce_blocks.h"

namespace vkae::rt {

// Which width a pipeline's local_size_x follows. Fixed: the one its PipelineDesc states, not specialized.
enum class Family : uint8_t { Fixed, Conv, Dense, Pool, Reduce };

struct Workgroups {
  uint32_t conv = VKAE_CONV_LOCAL;      // conv2d / conv_transpose2d kernels
  uint32_t dense = VKAE_DENSE_LOCAL;    // dense kernels
  uint32_t pool = 64;                   // maxpool2d / upsample2d, one output row per invocation
  uint32_t reduce = VKAE_REDUCE_LOCAL;  // tree sums (losses, reduce_sum): a power of two

  uint32_t width(Family family, uint32_t fixed) const noexcept;
  friend bool operator==(const Workgroups&, const Workgroups&) = default;
};

// Lavapipe's widths, which the shaders declare as their defaults: llvmpipe runs a workgroup on one thread
// over 8-wide SIMD, so 64 invocations (8 x 8) keep a group's registers small and bigger groups only
// serialise; the trees sum 256 values per group.
inline constexpr Workgroups kLavapipeWorkgroups{};

// The widths for a device: lavapipe's on a CPU device; on a GPU the conv, dense and pooling groups hold four
// subgroups (128 on a 32-wide NVIDIA or Intel subgroup, 256 on a 64-wide AMD wave), at least 64, within the
// device's workgroup limits and its shared memory (the 3x3 weight gradient holds 288 bytes per invocation: at
// 32 KiB, conv gets 64). Throws InputError when `override_text` (VKAE_WORKGROUPS, may be null) is malformed,
// names an unknown family, or gives a width that is not a power of two or exceeds what the device allows.
Workgroups choose_workgroups(const VkPhysicalDeviceProperties& properties, uint32_t subgroup_size,
                             const char* override_text);

// `text` ("conv=128,reduce=512", any subset) applied over `base`; throws InputError naming the bad part.
Workgroups parse_workgroups(std::string_view text, Workgroups base, const VkPhysicalDeviceLimits& limits);

// A physical device's properties, subgroup size and widths (choose_workgroups with VKAE_WORKGROUPS): what
// rt::Device keeps, and what `vkae devices` prints without creating one.
struct DeviceWidths {
  VkPhysicalDeviceProperties properties;
  uint32_t subgroup_size;
  Workgroups workgroups;
};
DeviceWidths read_device_widths(VkPhysicalDevice physical);

}  // namespace vkae::rt
