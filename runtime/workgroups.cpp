// The per-device workgroup widths: lavapipe's defaults, four subgroups on a GPU, VKAE_WORKGROUPS on top.
#include "runtime/workgroups.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <string>

#include "base/error.hpp"

namespace vkae::rt {

uint32_t Workgroups::width(Family family, uint32_t fixed) const noexcept {
  switch (family) {
    case Family::Conv:
      return conv;
    case Family::Dense:
      return dense;
    case Family::Pool:
      return pool;
    case Family::Reduce:
      return reduce;
    case Family::Fixed:
      break;
  }
  return fixed;
}

namespace {
constexpr std::string_view kForm =
    "VKAE_WORKGROUPS: expected FAMILY=WIDTH[,...] with FAMILY conv, dense, pool or reduce";

// Shared memory each invocation of a family's largest kernel holds: conv2d_backward_weight_3x3 keeps 9 taps
// of a kA x kB channel block per invocation; the trees one float. The width must fit the device's shared
// memory.
constexpr uint32_t kConvSharedBytes = 4 * 9 * VKAE_CONV_WGRAD3X3_V_BLOCK * VKAE_CONV_WGRAD3X3_U_BLOCK;
constexpr uint32_t kReduceSharedBytes = 4;

uint32_t shared_bytes(std::string_view name) {
  if (name == "conv") return kConvSharedBytes;
  if (name == "reduce") return kReduceSharedBytes;
  return 0;  // dense and pooling kernels use no shared memory
}

// The widest power of two a family may take on a device: its invocation limits and its shared memory.
uint32_t widest(std::string_view name, const VkPhysicalDeviceLimits& limits) {
  uint32_t most = std::min(limits.maxComputeWorkGroupInvocations, limits.maxComputeWorkGroupSize[0]);
  if (const uint32_t bytes = shared_bytes(name))
    most = std::min(most, limits.maxComputeSharedMemorySize / bytes);
  return std::bit_floor(most);
}

uint32_t* field(Workgroups& w, std::string_view name) {
  if (name == "conv") return &w.conv;
  if (name == "dense") return &w.dense;
  if (name == "pool") return &w.pool;
  if (name == "reduce") return &w.reduce;
  return nullptr;
}

// Every width is a power of two (the trees halve it, the conv bias tree included) and fits the device.
void check_width(std::string_view name, uint32_t width, const VkPhysicalDeviceLimits& limits) {
  const uint32_t most = widest(name, limits);
  if (!std::has_single_bit(width) || width > most)
    throw InputError("VKAE_WORKGROUPS: " + std::string(name) + "=" + std::to_string(width) +
                     ": expected a power of two from 1 to " + std::to_string(most) +
                     ", the most this device's workgroup limits and shared memory allow");
}
}  // namespace

Workgroups parse_workgroups(std::string_view text, Workgroups base, const VkPhysicalDeviceLimits& limits) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      throw InputError(std::string(kForm) + ", got '" + std::string(part) + "'");
    const std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    uint32_t* slot = field(base, name);
    uint32_t width = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), width);
    if (!slot || ec != std::errc{} || end != value.data() + value.size())
      throw InputError(std::string(kForm) + ", got '" + std::string(part) + "'");
    check_width(name, width, limits);
    *slot = width;
  }
  return base;
}

Workgroups choose_workgroups(const VkPhysicalDeviceProperties& properties, uint32_t subgroup_size,
                             const char* override_text) {
  Workgroups w = kLavapipeWorkgroups;
  if (properties.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU && std::has_single_bit(subgroup_size)) {
    const VkPhysicalDeviceLimits& l = properties.limits;
    const auto four_subgroups = [&](std::string_view name) {
      return std::min(std::max(4 * subgroup_size, 64u), widest(name, l));
    };
    w.conv = four_subgroups("conv");
    w.dense = four_subgroups("dense");
    w.pool = four_subgroups("pool");
  }
  return override_text ? parse_workgroups(override_text, w, properties.limits) : w;
}

}  // namespace vkae::rt
