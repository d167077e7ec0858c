// What several commands print about finished work: the files of a folder with their sizes (train, fetch)
// and the viewer's frame times and panel rectangles (train --viewer, view).
#pragma once
#include <filesystem>
#include <iosfwd>

#include "viewer/viewer.hpp"

namespace vkae::app {

// "  checkpoint.safetensors  1.2 MB" for each plain file in `dir`, sorted by name.
void print_folder(std::ostream& out, const std::filesystem::path& dir);

// Frame times, the image panels' rectangles (the screenshot test reads them) and the screenshot's path.
void print_viewer_report(std::ostream& out, const viewer::ViewerReport& report);

}  // namespace vkae::app
