// What several commands print about finished work: the files of a folder with their sizes (train, fetch)
// and the viewer's frame times and screenshot (train --viewer, view).
#pragma once
#include <filesystem>
#include <iosfwd>

#include "viewer/viewer.hpp"

namespace vkae::app {

// "  checkpoint.safetensors  1.2 MB" for each plain file in `dir`, sorted by name.
void print_folder(std::ostream& out, const std::filesystem::path& dir);

// Frame times and the screenshot's path; the panels' rectangles too when VKAE_VIEWER_GEOMETRY is set (the
// screenshot tests read them; a user has no use for them).
void print_viewer_report(std::ostream& out, const viewer::ViewerReport& report);

}  // namespace vkae::app
