// The error vocabulary every layer of vkae shares, below all of them: vkae::Error, the base of every error
// thrown on purpose, and vkae::InputError for bad user input (a file, an argument, a shape), whose message
// names the input and what was expected. The file formats, PCA and the parser throw these without knowing
// about Vulkan; the Vulkan failures (rt::VulkanError, rt::NoDeviceError) are runtime/vulkan_error.hpp's.
// The app catches vkae::Error at the top and prints one line.
#pragma once
#include <stdexcept>

namespace vkae {

// Base of every error vkae throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input from a user: a file, an argument, a shape. The message names the input and what was expected.
class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace vkae
