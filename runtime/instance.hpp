// The Vulkan instance: optional validation (with synchronization validation) and a debug messenger that
// counts validation messages, so tests can fail on any. Does not choose devices (see device.hpp).
#pragma once
#include <vulkan/vulkan.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vkae::rt {

struct InstanceOptions {
  bool validation = false;              // VK_LAYER_KHRONOS_validation
  bool sync_validation = false;         // adds synchronization validation (needs validation)
  bool require_validation = false;      // throw when the layer is missing instead of carrying on without it
  bool print_messages = true;           // also print each validation message to stderr
  std::vector<const char*> extensions;  // extra instance extensions (e.g. GLFW's surface extensions)
};

// Options from the environment: VKAE_VALIDATION=1 turns validation and sync validation on.
InstanceOptions instance_options_from_env();

class Instance {
 public:
  explicit Instance(const InstanceOptions& options);
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;
  Instance(Instance&& other) noexcept;
  Instance& operator=(Instance&&) = delete;
  ~Instance();

  VkInstance get() const noexcept { return instance_; }
  bool validation_enabled() const noexcept { return validation_; }
  bool debug_utils_enabled() const noexcept { return debug_utils_; }
  bool portability_enabled() const noexcept { return portability_; }

  // Validation-type messages (warnings and errors) received so far; GENERAL loader chatter is not counted.
  uint64_t validation_message_count() const noexcept;
  std::vector<std::string> validation_messages() const;  // the first few, for a test's failure message
  void clear_validation_messages();

  struct Messages {
    std::atomic<uint64_t> count{0};
    mutable std::mutex mutex;
    std::vector<std::string> first;
    bool print = true;
  };

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
  std::unique_ptr<Messages> messages_;  // stable address: the messenger callback holds it
  bool validation_ = false;
  bool debug_utils_ = false;
  bool portability_ = false;
};

}  // namespace vkae::rt
