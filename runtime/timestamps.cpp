// Timestamp pool creation and read-back (with availability, masked to the queue's valid bits).
#include "runtime/timestamps.hpp"

#include "runtime/device.hpp"
#include "runtime/vulkan_error.hpp"

namespace vkae::rt {

TimestampPool::TimestampPool(const Device& device, uint32_t count)
    : device_(device.get()), count_(count), period_ns_(device.limits().timestampPeriod) {
  if (!device.timestamps_supported()) throw Error("this device's compute queue does not support timestamps");
  if (count == 0) throw Error("timestamp pool needs at least one query");
  VkQueryPoolCreateInfo info{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  info.queryType = VK_QUERY_TYPE_TIMESTAMP;
  info.queryCount = count;
  VkQueryPool pool = VK_NULL_HANDLE;
  VKAE_CHECK(vkCreateQueryPool(device.get(), &info, nullptr, &pool));
  pool_ = QueryPoolHandle(device.get(), pool);
  mask_ = ~uint64_t{0};
}

std::vector<std::optional<double>> TimestampPool::read_ns() const {
  std::vector<uint64_t> raw(size_t{count_} * 2);
  VkResult r = vkGetQueryPoolResults(device_, pool_.get(), 0, count_, raw.size() * sizeof(uint64_t),
                                     raw.data(), 2 * sizeof(uint64_t),
                                     VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
  if (r != VK_NOT_READY) VKAE_CHECK(r);
  std::vector<std::optional<double>> out(count_);
  for (uint32_t i = 0; i < count_; ++i)
    if (raw[2 * i + 1] != 0) out[i] = static_cast<double>(raw[2 * i] & mask_) * period_ns_;
  return out;
}

}  // namespace vkae::rt
