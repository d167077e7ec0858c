// Folder listings and the viewer report, as plain lines on the command's output stream.
#include "app/run_output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <string>
#include <vector>

#include "app/text.hpp"

namespace vkae::app {
namespace {

namespace fs = std::filesystem;

std::string human_size(uintmax_t bytes) {
  if (bytes >= 1'000'000) return fixed(double(bytes) / 1e6, 1) + " MB";
  if (bytes >= 1'000) return fixed(double(bytes) / 1e3, 1) + " kB";
  return std::to_string(bytes) + " B";
}

}  // namespace

void print_folder(std::ostream& out, const fs::path& dir) {
  std::vector<fs::directory_entry> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec)) files.push_back(entry);
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  size_t width = 0;
  for (const auto& f : files) width = std::max(width, f.path().filename().string().size());
  for (const auto& f : files) {
    const std::string name = f.path().filename().string();
    out << "  " << name << std::string(width - name.size() + 2, ' ') << human_size(f.file_size(ec)) << "\n";
  }
}

void print_viewer_report(std::ostream& out, const viewer::ViewerReport& r) {
  out << "viewer: " << r.frames.frames << " frames, frame time (start to present) median "
      << fixed(r.frames.median_ms, 1) << " ms, max " << fixed(r.frames.max_ms, 1)
      << " ms; host time per frame median " << fixed(r.frames.cpu_median_ms, 1) << " ms, max "
      << fixed(r.frames.cpu_max_ms, 1) << " ms\n";
  if (!r.screenshot.empty() && std::getenv("VKAE_VIEWER_GEOMETRY")) {  // for the tests: where each panel is
    const char* names[3] = {"noisy", "reconstruction", "clean"};
    for (int k = 0; k < 3; ++k)
      out << "viewer: panel " << names[k] << " " << std::lround(r.panels[k].x) << " "
          << std::lround(r.panels[k].y) << " " << std::lround(r.panels[k].w) << " "
          << std::lround(r.panels[k].h) << "\n";
    for (const auto& [name, g] : r.analysis_panels)  // "analysis panel": apart from the three image panels
      out << "viewer: analysis panel " << name << " " << std::lround(g.x) << " " << std::lround(g.y) << " "
          << std::lround(g.w) << " " << std::lround(g.h) << "\n";
  }
  if (!r.screenshot.empty()) {
    out << "viewer: screenshot " << r.screenshot << " (" << r.width << "x" << r.height << ")\n";
  }
}

}  // namespace vkae::app
