// Device buffers and arenas. A Buffer is one VkBuffer with its own memory (mapped when the memory is
// host-visible); an Arena sub-allocates aligned views from one Buffer. Views are what ops bind.
// Host transfers (write/read) live on Context, which owns the queue they need.
#pragma once
#include <vulkan/vulkan.h>

#include <cstddef>
#include <string>
#include <utility>

#include "runtime/handle.hpp"

namespace vkae::rt {

class Device;

// A byte range of a buffer: what one descriptor binding sees.
struct BufferView {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize offset = 0;
  VkDeviceSize size = 0;  // bytes

  BufferView sub(VkDeviceSize byte_offset, VkDeviceSize bytes) const;  // throws when out of range
  template <typename T>
  size_t count() const noexcept {
    return static_cast<size_t>(size / sizeof(T));
  }
  bool overlaps(const BufferView& other) const noexcept {
    return buffer == other.buffer && offset < other.offset + other.size && other.offset < offset + size;
  }
};

enum class MemoryKind {
  DeviceLocal,  // fastest for shaders; host-visible too where the device allows (lavapipe, ReBAR)
  HostVisible,  // staging and read-back
};

// Bytes of device memory every live Buffer holds together, across the process: what vkae has allocated
// (every VkDeviceMemory of vkae's is a buffer's). The long-run check records it every epoch.
VkDeviceSize live_buffer_bytes() noexcept;

// Adds its bytes to live_buffer_bytes() for its lifetime; moves carry them.
class LiveBytes {
 public:
  LiveBytes() = default;
  explicit LiveBytes(VkDeviceSize bytes) noexcept;
  LiveBytes(LiveBytes&& other) noexcept : bytes_(std::exchange(other.bytes_, 0)) {}
  LiveBytes& operator=(LiveBytes&& other) noexcept;
  ~LiveBytes();

 private:
  VkDeviceSize bytes_ = 0;
};

class Buffer {
 public:
  Buffer() = default;
  Buffer(const Device& device, VkDeviceSize bytes, MemoryKind kind = MemoryKind::DeviceLocal,
         std::string name = "buffer");
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;

  VkBuffer get() const noexcept { return buffer_.get(); }
  VkDeviceSize size() const noexcept { return size_; }
  void* mapped() const noexcept { return mapped_; }  // nullptr when not host-visible
  BufferView view() const noexcept { return {buffer_.get(), 0, size_}; }
  BufferView view(VkDeviceSize offset, VkDeviceSize bytes) const { return view().sub(offset, bytes); }
  const std::string& name() const noexcept { return name_; }

 private:
  MemoryHandle memory_;  // declared first so it is freed after the buffer
  LiveBytes live_;
  BufferHandle buffer_;
  VkDeviceSize size_ = 0;
  void* mapped_ = nullptr;
  std::string name_;
};

// Bump allocator over one buffer. Every view is aligned to the device's
// minStorage/UniformBufferOffsetAlignment (and 16 bytes) and must fit maxStorageBufferRange, since each view
// is bound as one storage-buffer range.
class Arena {
 public:
  Arena(const Device& device, VkDeviceSize capacity, std::string name = "arena");
  // A sizing arena: no buffer and no capacity limit. It hands out placeholder views (no VkBuffer) at the
  // offsets an arena of this device would, with the same checks, so an allocation walk run against it first
  // gives, as used(), the exact capacity the real arena needs.
  static Arena sizing(const Device& device, std::string name = "arena");

  BufferView allocate(VkDeviceSize bytes);
  template <typename T>
  BufferView allocate_array(size_t count) {
    return allocate(static_cast<VkDeviceSize>(count * sizeof(T)));
  }

  VkDeviceSize alignment() const noexcept { return alignment_; }
  VkDeviceSize used() const noexcept { return used_; }
  VkDeviceSize capacity() const noexcept { return buffer_.size(); }  // 0 for a sizing arena
  const Buffer& buffer() const noexcept { return buffer_; }
  BufferView used_view() const noexcept { return {buffer_.get(), 0, used_}; }

  // Bytes an arena needs for these allocations, given the device's alignment.
  static VkDeviceSize aligned_size(VkDeviceSize bytes, VkDeviceSize alignment) noexcept {
    return (bytes + alignment - 1) / alignment * alignment;
  }
  static VkDeviceSize alignment_for(const Device& device) noexcept;

 private:
  struct Sizing {};
  Arena(Sizing, const Device& device, std::string name);

  Buffer buffer_;
  std::string name_;
  VkDeviceSize limit_;  // the buffer's size; unlimited when sizing
  VkDeviceSize alignment_;
  VkDeviceSize max_range_;
  VkDeviceSize used_ = 0;
};

}  // namespace vkae::rt
