// GLFW start-up and shutdown, the surface extensions a presenting Context needs, and the error callback that
// keeps GLFW's last message for the errors thrown here and in window.cpp.
#include "viewer/glfw.hpp"

#include <GLFW/glfw3.h>

#include <cstdlib>

#include "base/error.hpp"

namespace vkae::viewer {
namespace {

// GLFW reports errors through a C callback with no user pointer: the last message is kept here.
std::string g_glfw_error;
void on_glfw_error(int, const char* description) {
  g_glfw_error = description ? description : "unknown";
}

}  // namespace

const std::string& glfw_last_error() noexcept {
  return g_glfw_error;
}

Glfw::Glfw(const std::string& what, const std::string& hint) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland))
    throw InputError("no display for " + what + " (DISPLAY is not set); " + hint);
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit())
    throw InputError("no display for " + what + " (cannot open DISPLAY=" +
                     std::string(display ? display : "") + ": " + g_glfw_error + "); " + hint);
  if (!glfwVulkanSupported()) {
    glfwTerminate();
    throw Error("GLFW cannot create Vulkan surfaces (" + g_glfw_error + ")");
  }
}

Glfw::~Glfw() {
  glfwTerminate();
}

std::vector<const char*> Glfw::instance_extensions() const {
  uint32_t count = 0;
  const char** names = glfwGetRequiredInstanceExtensions(&count);
  if (!names) throw Error("GLFW names no Vulkan surface extensions (" + g_glfw_error + ")");
  return {names, names + count};
}

rt::ContextOptions presenting_context_options(const Glfw& glfw, const std::string& device) {
  rt::ContextOptions o = rt::context_options_from_env();
  if (!device.empty()) o.device = device;
  o.quiet = true;
  o.present = true;
  const auto extensions = glfw.instance_extensions();
  o.instance.extensions.insert(o.instance.extensions.end(), extensions.begin(), extensions.end());
  return o;
}

}  // namespace vkae::viewer
