// Device enumeration, ranking and logical device creation.
#include "runtime/device.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <utility>

#include "runtime/vulkan_error.hpp"

namespace vkae::rt {
namespace {

int type_rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return 3;
    default:
      return 4;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string describe(const std::vector<DeviceCandidate>& candidates) {
  std::string out;
  for (const auto& c : candidates) {
    out += (out.empty() ? "" : "; ") + std::to_string(c.index) + ": " + c.name + " (" +
           device_type_name(c.type) + (c.suitable ? ", suitable)" : ", unsuitable: " + c.reason + ")");
  }
  return out;
}

bool has_device_extension(VkPhysicalDevice physical, const char* name) {
  uint32_t count = 0;
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> exts(count);
  vkEnumerateDeviceExtensionProperties(physical, nullptr, &count, exts.data());
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

}  // namespace

const char* device_type_name(VkPhysicalDeviceType type) noexcept {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "CPU";
    default:
      return "other";
  }
}

std::vector<DeviceCandidate> list_devices(VkInstance instance) {
  uint32_t count = 0;
  VKAE_CHECK(vkEnumeratePhysicalDevices(instance, &count, nullptr));
  std::vector<VkPhysicalDevice> physicals(count);
  VKAE_CHECK(vkEnumeratePhysicalDevices(instance, &count, physicals.data()));

  std::vector<DeviceCandidate> out;
  for (uint32_t i = 0; i < count; ++i) {
    DeviceCandidate c;
    c.index = i;
    c.physical = physicals[i];
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(physicals[i], &props);
    c.name = props.deviceName;
    c.type = props.deviceType;
    c.api_version = props.apiVersion;

    uint32_t nfam = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physicals[i], &nfam, nullptr);
    std::vector<VkQueueFamilyProperties> families(nfam);
    vkGetPhysicalDeviceQueueFamilyProperties(physicals[i], &nfam, families.data());
    // Prefer a compute family with timestamps; any compute family will do.
    int family = -1;
    for (uint32_t f = 0; f < nfam; ++f) {
      if (!(families[f].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
      if (family < 0 || (families[f].timestampValidBits > 0 && families[family].timestampValidBits == 0))
        family = static_cast<int>(f);
    }
    if (VK_API_VERSION_MAJOR(props.apiVersion) == 1 && VK_API_VERSION_MINOR(props.apiVersion) < 2) {
      c.reason = "supports Vulkan " + std::to_string(VK_API_VERSION_MAJOR(props.apiVersion)) + "." +
                 std::to_string(VK_API_VERSION_MINOR(props.apiVersion)) + ", vkae needs 1.2";
    } else if (family < 0) {
      c.reason = "has no compute queue";
    } else if (props.limits.maxComputeWorkGroupInvocations < 256) {
      c.reason = "allows only " + std::to_string(props.limits.maxComputeWorkGroupInvocations) +
                 " invocations per workgroup, vkae needs 256";
    } else if (props.limits.maxPushConstantsSize < 128) {
      c.reason = "has " + std::to_string(props.limits.maxPushConstantsSize) +
                 " bytes of push constants, vkae needs 128";
    } else {
      c.suitable = true;
      c.compute_family = static_cast<uint32_t>(family);
    }
    out.push_back(std::move(c));
  }
  return out;
}

const DeviceCandidate& choose_device(const std::vector<DeviceCandidate>& candidates,
                                     std::string_view selector, uint32_t rank) {
  if (candidates.empty())
    throw NoDeviceError(
        "no Vulkan device found; install a driver (Debian's mesa-vulkan-drivers provides the CPU "
        "device lavapipe)");
  if (!selector.empty()) {
    const DeviceCandidate* pick = nullptr;
    uint32_t index = 0;
    auto [end, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), index);
    if (ec == std::errc() && end == selector.data() + selector.size()) {
      if (index >= candidates.size())
        throw InputError("--device " + std::string(selector) + ": no such device index; devices are " +
                         describe(candidates));
      pick = &candidates[index];
    } else {
      for (const auto& c : candidates)
        if (lower(c.name).find(lower(selector)) != std::string::npos) {
          pick = &c;
          break;
        }
      if (!pick)
        throw InputError("--device " + std::string(selector) + ": no device name contains it; devices are " +
                         describe(candidates));
    }
    if (!pick->suitable) throw NoDeviceError("device " + pick->name + " is unsuitable: " + pick->reason);
    return *pick;
  }
  std::vector<const DeviceCandidate*> suitable;  // best type first, then by index
  for (const auto& c : candidates)
    if (c.suitable) suitable.push_back(&c);
  if (suitable.empty()) throw NoDeviceError("no suitable Vulkan device: " + describe(candidates));
  std::stable_sort(suitable.begin(), suitable.end(), [](const DeviceCandidate* a, const DeviceCandidate* b) {
    return type_rank(a->type) < type_rank(b->type);
  });
  return *suitable[rank % suitable.size()];
}

Device::Device(VkInstance instance, const DeviceCandidate& candidate, bool present)
    : physical_(candidate.physical), family_(candidate.compute_family) {
  (void)instance;
  const DeviceWidths widths = read_device_widths(physical_);
  properties_ = widths.properties;
  subgroup_size_ = widths.subgroup_size;
  workgroups_ = widths.workgroups;
  vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
  uint32_t nfam = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &nfam, nullptr);
  std::vector<VkQueueFamilyProperties> families(nfam);
  vkGetPhysicalDeviceQueueFamilyProperties(physical_, &nfam, families.data());
  timestamp_bits_ = families[family_].timestampValidBits;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue_info.queueFamilyIndex = family_;
  queue_info.queueCount = 1;
  queue_info.pQueuePriorities = &priority;

  std::vector<const char*> extensions;
  // MoltenVK requires the portability subset to be enabled when it is advertised.
  if (has_device_extension(physical_, "VK_KHR_portability_subset"))
    extensions.push_back("VK_KHR_portability_subset");
  if (present) {
    if (!has_device_extension(physical_, VK_KHR_SWAPCHAIN_EXTENSION_NAME))
      throw NoDeviceError(candidate.name + " cannot present to a window (no VK_KHR_swapchain)");
    extensions.push_back(VK_KHR_SWAPCHAIN_EXTENSION_NAME);  // the viewer presents from the training device
  }

  VkDeviceCreateInfo info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue_info;
  info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
  info.ppEnabledExtensionNames = extensions.data();
  VKAE_CHECK(vkCreateDevice(physical_, &info, nullptr, &device_));
  vkGetDeviceQueue(device_, family_, 0, &queue_);
}

Device::Device(Device&& other) noexcept
    : device_(std::exchange(other.device_, VK_NULL_HANDLE)),
      physical_(other.physical_),
      queue_(other.queue_),
      family_(other.family_),
      timestamp_bits_(other.timestamp_bits_),
      subgroup_size_(other.subgroup_size_),
      workgroups_(other.workgroups_),
      properties_(other.properties_),
      memory_(other.memory_),
      queue_mutex_(std::move(other.queue_mutex_)) {}

Device::~Device() {
  if (device_ != VK_NULL_HANDLE) {
    vkDeviceWaitIdle(device_);
    vkDestroyDevice(device_, nullptr);
  }
}

}  // namespace vkae::rt
