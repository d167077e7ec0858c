// The viewer's analysis panels, drawn into the current Dear ImGui window: a VAE's latent scatter (the test
// images' mu, coloured by label, axes z0 and z1) and its manifold (the decoder over the z0, z1 grid), and an
// anomaly run's histogram of reconstruction errors (the held-out class against the rest). Pure drawing.
#pragma once
#include <vector>

#include "nn/train/live.hpp"
#include "viewer/panels.hpp"

namespace vkae::viewer {

// Fills the window's remaining region; `analysis` null: a waiting line. `rects` receives each panel's plot
// area in framebuffer pixels ("latent", "manifold", "errors"), for the screenshot tests.
void draw_analysis(const nn::LiveAnalysis* analysis, std::vector<NamedRect>& rects);

}  // namespace vkae::viewer
