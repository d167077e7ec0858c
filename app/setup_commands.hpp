// The commands that get a machine ready to train: devices (which Vulkan devices vkae sees and picks) and
// fetch (download a dataset). Their command structs and entries for the command table.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "app/command_entry.hpp"

namespace vkae::app {

// `vkae devices`: every Vulkan device the loader sees and the one vkae would pick.
struct DevicesCommand {};

// `vkae fetch [mnist] [--data DIR]`: download a dataset into the cache (or DIR).
struct FetchCommand {
  std::string dataset = "mnist";
  std::optional<std::filesystem::path> dir;
};

CommandEntry devices_entry();
CommandEntry fetch_entry();

}  // namespace vkae::app
