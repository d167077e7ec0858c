// Instance creation: layers, extensions, validation features and the counting messenger.
#include "runtime/instance.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

#include "runtime/vulkan_error.hpp"

namespace vkae::rt {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";
constexpr size_t kKeptMessages = 16;

bool has_layer(const char* name) {
  uint32_t count = 0;
  VKAE_CHECK(vkEnumerateInstanceLayerProperties(&count, nullptr));
  std::vector<VkLayerProperties> layers(count);
  VKAE_CHECK(vkEnumerateInstanceLayerProperties(&count, layers.data()));
  for (const auto& l : layers)
    if (std::strcmp(l.layerName, name) == 0) return true;
  return false;
}

std::vector<VkExtensionProperties> instance_extensions() {
  uint32_t count = 0;
  VKAE_CHECK(vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr));
  std::vector<VkExtensionProperties> exts(count);
  VKAE_CHECK(vkEnumerateInstanceExtensionProperties(nullptr, &count, exts.data()));
  return exts;
}

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                          VkDebugUtilsMessageTypeFlagsEXT type,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  // Only validation-type messages count; the loader sends GENERAL ones we do not care about.
  if (!(type & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)) return VK_FALSE;
  if (severity < VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) return VK_FALSE;
  auto* messages = static_cast<Instance::Messages*>(user);
  messages->count.fetch_add(1);
  std::string text = data && data->pMessage ? data->pMessage : "(no message)";
  if (messages->print) std::fprintf(stderr, "vkae: validation: %s\n", text.c_str());
  std::lock_guard lock(messages->mutex);
  if (messages->first.size() < kKeptMessages) messages->first.push_back(std::move(text));
  return VK_FALSE;
}

// The validation layer when asked for and installed (true); when it is missing, says so once, or throws
// when it is required.
bool add_validation_layer(const InstanceOptions& options, std::vector<const char*>& layers) {
  if (!options.validation) return false;
  if (has_layer(kValidationLayer)) {
    layers.push_back(kValidationLayer);
    return true;
  }
  if (options.require_validation)
    throw Error(
        "validation requested but VK_LAYER_KHRONOS_validation is not installed "
        "(Debian package vulkan-validationlayers)");
  std::fprintf(stderr, "vkae: validation layer not found; continuing without validation\n");
  return false;
}

// Warnings and errors of every type go to on_message, which counts the validation ones into `messages`.
VkDebugUtilsMessengerCreateInfoEXT counting_messenger_info(Instance::Messages* messages) {
  VkDebugUtilsMessengerCreateInfoEXT info{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
  info.messageSeverity =
      VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  info.pfnUserCallback = on_message;
  info.pUserData = messages;
  return info;
}

// A loader without any driver fails here: that is a missing device, with the package that provides one.
VkInstance create_instance(const VkInstanceCreateInfo& info) {
  VkInstance instance = VK_NULL_HANDLE;
  const VkResult r = vkCreateInstance(&info, nullptr, &instance);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_INITIALIZATION_FAILED)
    throw NoDeviceError(std::string("no Vulkan driver found (") + vk_result_name(r) +
                        "); install a driver, e.g. Debian's mesa-vulkan-drivers for the CPU device lavapipe");
  VKAE_CHECK(r);
  return instance;
}

// The messenger, or none where the loader lacks the entry point. On failure the instance is destroyed (the
// constructor throwing, no destructor will).
VkDebugUtilsMessengerEXT create_messenger(VkInstance instance,
                                          const VkDebugUtilsMessengerCreateInfoEXT& info) {
  auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
      vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
  VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
  if (!create) return messenger;
  const VkResult r = create(instance, &info, nullptr, &messenger);
  if (r < 0) {
    vkDestroyInstance(instance, nullptr);
    VKAE_CHECK(r);
  }
  return messenger;
}

}  // namespace

InstanceOptions instance_options_from_env() {
  InstanceOptions options;
  const char* v = std::getenv("VKAE_VALIDATION");
  if (v && std::string_view(v) != "0" && *v) {
    options.validation = true;
    options.sync_validation = true;
  }
  return options;
}

Instance::Instance(const InstanceOptions& options) : messages_(std::make_unique<Messages>()) {
  messages_->print = options.print_messages;
  const auto exts = instance_extensions();
  std::vector<const char*> enabled(options.extensions.begin(), options.extensions.end());
  std::vector<const char*> layers;
  validation_ = add_validation_layer(options, layers);
  // Debug utils gives labels in captures and the validation messenger; take it whenever it exists.
  if (has_extension(exts, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) || validation_) {
    enabled.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    debug_utils_ = true;
  }
  VkInstanceCreateFlags flags = 0;
  if (has_extension(exts, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {  // MoltenVK
    enabled.push_back(VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME);
    flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
    portability_ = true;
  }

  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "vkae";
  app.pEngineName = "vkae";
  app.apiVersion = VK_API_VERSION_1_2;
  VkDebugUtilsMessengerCreateInfoEXT messenger_info = counting_messenger_info(messages_.get());
  const VkValidationFeatureEnableEXT sync_feature =
      VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
  VkValidationFeaturesEXT features{VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT};
  features.enabledValidationFeatureCount = 1;
  features.pEnabledValidationFeatures = &sync_feature;

  VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  info.flags = flags;
  info.pApplicationInfo = &app;
  info.enabledLayerCount = static_cast<uint32_t>(layers.size());
  info.ppEnabledLayerNames = layers.data();
  info.enabledExtensionCount = static_cast<uint32_t>(enabled.size());
  info.ppEnabledExtensionNames = enabled.data();
  if (validation_) {
    // Chained so that instance creation and destruction are validated too.
    info.pNext = &messenger_info;
    if (options.sync_validation) messenger_info.pNext = &features;
  }
  instance_ = create_instance(info);
  if (debug_utils_ && validation_) {
    messenger_info.pNext = nullptr;
    messenger_ = create_messenger(instance_, messenger_info);
  }
}

Instance::Instance(Instance&& other) noexcept
    : instance_(std::exchange(other.instance_, VK_NULL_HANDLE)),
      messenger_(std::exchange(other.messenger_, VK_NULL_HANDLE)),
      messages_(std::move(other.messages_)),
      validation_(other.validation_),
      debug_utils_(other.debug_utils_),
      portability_(other.portability_) {}

Instance::~Instance() {
  if (instance_ == VK_NULL_HANDLE) return;
  if (messenger_ != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(instance_, messenger_, nullptr);
  }
  vkDestroyInstance(instance_, nullptr);
}

uint64_t Instance::validation_message_count() const noexcept {
  return messages_ ? messages_->count.load() : 0;
}

std::vector<std::string> Instance::validation_messages() const {
  if (!messages_) return {};
  std::lock_guard lock(messages_->mutex);
  return messages_->first;
}

void Instance::clear_validation_messages() {
  if (!messages_) return;
  std::lock_guard lock(messages_->mutex);
  messages_->first.clear();
  messages_->count = 0;
}

}  // namespace vkae::rt
