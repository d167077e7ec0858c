// The standard console and one_line: how every error of `vkae` becomes the single "vkae: ..." line.
#include "app/console.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>

#include "app/progress.hpp"

namespace vkae::app {

Console standard_console() {
  const bool terminal = stdout_is_terminal();
  return Console{std::cout, std::cerr, terminal, terminal ? terminal_width() : 80};
}

std::string one_line(std::string_view message) {
  std::string out;
  while (!message.empty()) {
    const size_t end = std::min(message.find('\n'), message.size());
    std::string_view part = message.substr(0, end);
    message.remove_prefix(std::min(end + 1, message.size()));
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.remove_prefix(1);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.remove_suffix(1);
    if (part.empty()) continue;
    if (!out.empty()) out += out.back() == ':' ? " " : "; ";
    out += part;
  }
  return out;
}

}  // namespace vkae::app
