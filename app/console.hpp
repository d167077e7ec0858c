// Where a command prints and how it ends: the Console (stdout, stderr, whether stdout is a terminal), the
// exit codes, and one_line for error messages. The bottom layer of app/ (see app/cli.cpp); what a command
// prints is that command's business.
#pragma once
#include <iosfwd>
#include <string>
#include <string_view>

namespace vkae::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;          // anything that went wrong while running
inline constexpr int kExitUsage = 2;          // a bad command line (InputError while parsing)
inline constexpr int kExitInterrupted = 130;  // training stopped by Ctrl-C (after saving)

// Where a command prints. `terminal` selects the redrawn progress bar over plain lines.
struct Console {
  std::ostream& out;
  std::ostream& err;
  bool terminal = false;
  int width = 80;
};

// std::cout / std::cerr, with terminal and width asked of stdout.
Console standard_console();

// `message` on one line: newlines become "; ", so a library's multi-line text stays one line.
std::string one_line(std::string_view message);

}  // namespace vkae::app
