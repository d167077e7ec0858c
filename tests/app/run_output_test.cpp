// What `train --viewer --screenshot` and `view --screenshot` print: the frame times and the screenshot, and
// the panels' rectangles only for the screenshot tests (VKAE_VIEWER_GEOMETRY), not as a user's debug line.
#include "app/run_output.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

namespace vkae::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ViewerReport, PanelRectanglesOnlyForTheScreenshotTests) {
  viewer::ViewerReport r;
  r.screenshot = "shot.png";
  r.width = 1280;
  r.height = 800;
  r.panels[0] = {10, 20, 30, 40};
  ::unsetenv("VKAE_VIEWER_GEOMETRY");
  std::ostringstream user;
  print_viewer_report(user, r);
  EXPECT_THAT(user.str(), HasSubstr("viewer: screenshot shot.png (1280x800)\n"));
  EXPECT_THAT(user.str(), Not(HasSubstr("panel")));
  ::setenv("VKAE_VIEWER_GEOMETRY", "1", 1);
  std::ostringstream test;
  print_viewer_report(test, r);
  ::unsetenv("VKAE_VIEWER_GEOMETRY");
  EXPECT_THAT(test.str(), HasSubstr("viewer: panel noisy 10 20 30 40\n"));
}

}  // namespace
}  // namespace vkae::app
