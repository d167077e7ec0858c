// GLFW's lifetime and what a window needs from it before one exists: glfwInit/glfwTerminate with a one-line
// "no display" error, the instance extensions that let a Context present, and the last message GLFW
// reported (its C error callback has no user pointer). The window itself is window.hpp's.
#pragma once
#include <string>
#include <vector>

#include "runtime/context.hpp"

namespace vkae::viewer {

// glfwInit/glfwTerminate. Throws InputError, one line: "no display for <what> (<why>); <hint>".
class Glfw {
 public:
  Glfw(const std::string& what, const std::string& hint);
  Glfw(const Glfw&) = delete;
  Glfw& operator=(const Glfw&) = delete;
  ~Glfw();
  // The instance extensions a window surface needs (VK_KHR_surface and the platform's).
  std::vector<const char*> instance_extensions() const;
};

// A Context that can present: the GLFW surface extensions, and the swapchain extension on the device.
rt::ContextOptions presenting_context_options(const Glfw& glfw, const std::string& device);

// GLFW's last error message ("" before the first), for errors of calls that only report failure.
const std::string& glfw_last_error() noexcept;

}  // namespace vkae::viewer
