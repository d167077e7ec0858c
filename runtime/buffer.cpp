// Buffer creation and memory-type choice; arena arithmetic (shared by real and sizing arenas).
#include "runtime/buffer.hpp"

#include <algorithm>
#include <atomic>
#include <limits>

#include "runtime/device.hpp"
#include "runtime/vulkan_error.hpp"

namespace vkae::rt {
namespace {

constexpr VkBufferUsageFlags kUsage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                      VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                      VK_BUFFER_USAGE_TRANSFER_DST_BIT;

int find_memory_type(const VkPhysicalDeviceMemoryProperties& mem, uint32_t allowed,
                     VkMemoryPropertyFlags want) {
  for (uint32_t i = 0; i < mem.memoryTypeCount; ++i)
    if ((allowed & (1u << i)) && (mem.memoryTypes[i].propertyFlags & want) == want)
      return static_cast<int>(i);
  return -1;
}

}  // namespace

BufferView BufferView::sub(VkDeviceSize byte_offset, VkDeviceSize bytes) const {
  if (byte_offset > size || bytes > size - byte_offset)
    throw Error("buffer view [" + std::to_string(byte_offset) + ", +" + std::to_string(bytes) +
                ") is outside a view of " + std::to_string(size) + " bytes");
  return {buffer, offset + byte_offset, bytes};
}

Buffer::Buffer(const Device& device, VkDeviceSize bytes, MemoryKind kind, std::string name)
    : size_(bytes), name_(std::move(name)) {
  if (bytes == 0) throw Error("buffer '" + name_ + "': size must be positive");
  VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  info.size = bytes;
  info.usage = kUsage;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buffer = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateBuffer(device.get(), &info, nullptr, &buffer));
  buffer_ = BufferHandle(device.get(), buffer);

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device.get(), buffer, &req);
  const auto& mem = device.memory();
  const VkMemoryPropertyFlags host =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  // Preference order: device-local and mappable (lavapipe, ReBAR) > device-local > mappable.
  int candidates[3] = {-1, -1, -1};
  if (kind == MemoryKind::DeviceLocal) {
    candidates[0] = find_memory_type(mem, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | host);
    candidates[1] = find_memory_type(mem, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
  } else {
    candidates[0] = find_memory_type(mem, req.memoryTypeBits, host | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
  }
  candidates[2] = find_memory_type(mem, req.memoryTypeBits, host);

  VkResult last = VK_ERROR_OUT_OF_DEVICE_MEMORY;
  for (int type : candidates) {
    if (type < 0) continue;
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = static_cast<uint32_t>(type);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    last = vkAllocateMemory(device.get(), &alloc, nullptr, &memory);
    if (last != VK_SUCCESS) continue;  // e.g. a small ReBAR heap: fall through to plain device-local
    memory_ = MemoryHandle(device.get(), memory);
    live_ = LiveBytes(req.size);
    VKAE_CHECK(vkBindBufferMemory(device.get(), buffer, memory, 0));
    if ((mem.memoryTypes[type].propertyFlags & host) == host)
      VKAE_CHECK(vkMapMemory(device.get(), memory, 0, VK_WHOLE_SIZE, 0, &mapped_));
    return;
  }
  if (last == VK_SUCCESS) throw Error("buffer '" + name_ + "': no memory type fits");
  VKAE_CHECK(last);
}

namespace {
std::atomic<VkDeviceSize> g_live_bytes{0};
}  // namespace

VkDeviceSize live_buffer_bytes() noexcept {
  return g_live_bytes.load();
}

LiveBytes::LiveBytes(VkDeviceSize bytes) noexcept : bytes_(bytes) {
  g_live_bytes += bytes;
}

LiveBytes& LiveBytes::operator=(LiveBytes&& other) noexcept {
  if (this != &other) {
    g_live_bytes -= bytes_;
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

LiveBytes::~LiveBytes() {
  g_live_bytes -= bytes_;
}

VkDeviceSize Arena::alignment_for(const Device& device) noexcept {
  // Any view may be bound as either kind of buffer.
  return std::max<VkDeviceSize>(
      {16, device.limits().minStorageBufferOffsetAlignment, device.limits().minUniformBufferOffsetAlignment});
}

Arena::Arena(const Device& device, VkDeviceSize capacity, std::string name)
    : buffer_(device, capacity, MemoryKind::DeviceLocal, name),
      name_(std::move(name)),
      limit_(capacity),
      alignment_(alignment_for(device)),
      max_range_(device.limits().maxStorageBufferRange) {}

Arena::Arena(Sizing, const Device& device, std::string name)
    : name_(std::move(name)),
      limit_(std::numeric_limits<VkDeviceSize>::max()),
      alignment_(alignment_for(device)),
      max_range_(device.limits().maxStorageBufferRange) {}

Arena Arena::sizing(const Device& device, std::string name) {
  return Arena(Sizing{}, device, std::move(name));
}

BufferView Arena::allocate(VkDeviceSize bytes) {
  if (bytes == 0) throw Error("arena '" + name_ + "': cannot allocate 0 bytes");
  if (bytes > max_range_)
    throw Error("arena '" + name_ + "': a view of " + std::to_string(bytes) +
                " bytes exceeds this device's maxStorageBufferRange of " + std::to_string(max_range_));
  const VkDeviceSize offset = aligned_size(used_, alignment_);
  if (bytes > limit_ - std::min(offset, limit_))
    throw Error("arena '" + name_ + "' is full: " + std::to_string(bytes) + " bytes requested, " +
                std::to_string(limit_ - std::min(offset, limit_)) + " of " + std::to_string(limit_) +
                " left");
  used_ = offset + bytes;
  return {buffer_.get(), offset, bytes};
}

}  // namespace vkae::rt
