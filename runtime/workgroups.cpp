// The per-device workgroup widths: lavapipe's defaults, four subgroups on a GPU, VKAE_WORKGROUPS on top.
#include "runtime/workgroups.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdlib>
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

// Each family's name, its field, and the shared memory each invocation of its largest kernel holds:
// conv2d_backward_weight_3x3 keeps 9 taps of a kA x kB channel block per invocation, the trees one float,
// the dense and pooling kernels none. The width must fit the device's shared memory.
struct FamilyInfo {
  std::string_view name;
  uint32_t Workgroups::*field;
  uint32_t shared_bytes;
};
constexpr FamilyInfo kFamilies[] = {
    {"conv", &Workgroups::conv, 4 * 9 * VKAE_CONV_WGRAD3X3_V_BLOCK* VKAE_CONV_WGRAD3X3_U_BLOCK},
    {"dense", &Workgroups::dense, 0},
    {"pool", &Workgroups::pool, 0},
    {"reduce", &Workgroups::reduce, 4},
};

const FamilyInfo* family_named(std::string_view name) {
  for (const FamilyInfo& f : kFamilies)
    if (f.name == name) return &f;
  return nullptr;
}

// The widest power of two a family may take on a device: its invocation limits and its shared memory.
uint32_t widest(const FamilyInfo& family, const VkPhysicalDeviceLimits& limits) {
  uint32_t most = std::min(limits.maxComputeWorkGroupInvocations, limits.maxComputeWorkGroupSize[0]);
  if (family.shared_bytes > 0) most = std::min(most, limits.maxComputeSharedMemorySize / family.shared_bytes);
  return std::bit_floor(most);
}

// Every width is a power of two (the trees halve it, the conv bias tree included) and fits the device.
void check_width(const FamilyInfo& family, uint32_t width, const VkPhysicalDeviceLimits& limits) {
  const uint32_t most = widest(family, limits);
  if (!std::has_single_bit(width) || width > most)
    throw InputError("VKAE_WORKGROUPS: " + std::string(family.name) + "=" + std::to_string(width) +
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
    const FamilyInfo* family = eq == std::string_view::npos ? nullptr : family_named(part.substr(0, eq));
    const std::string_view value = family ? part.substr(eq + 1) : std::string_view{};
    uint32_t width = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), width);
    if (!family || ec != std::errc{} || end != value.data() + value.size())
      throw InputError(std::string(kForm) + ", got '" + std::string(part) + "'");
    check_width(*family, width, limits);
    base.*family->field = width;
  }
  return base;
}

Workgroups choose_workgroups(const VkPhysicalDeviceProperties& properties, uint32_t subgroup_size,
                             const char* override_text) {
  Workgroups w = kLavapipeWorkgroups;
  if (properties.deviceType != VK_PHYSICAL_DEVICE_TYPE_CPU && std::has_single_bit(subgroup_size)) {
    for (const FamilyInfo& f : kFamilies)  // the trees keep their 256 (a GPU's fine width for a tree sum)
      if (f.field != &Workgroups::reduce)
        w.*f.field = std::min(std::max(4 * subgroup_size, 64u), widest(f, properties.limits));
  }
  return override_text ? parse_workgroups(override_text, w, properties.limits) : w;
}

DeviceWidths read_device_widths(VkPhysicalDevice physical) {
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceProperties2 properties{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  properties.pNext = &subgroup;
  vkGetPhysicalDeviceProperties2(physical, &properties);
  return {properties.properties, subgroup.subgroupSize,
          choose_workgroups(properties.properties, subgroup.subgroupSize, std::getenv("VKAE_WORKGROUPS"))};
}

}  // namespace vkae::rt
