// Running each parsed command against the library (nn::train, nn::evaluate, nn::denoise_png, the device
// list, the dataset fetcher) and the top-level run_cli that maps every error to one stderr line and an exit
// code. Owns the SIGINT handler used while training. Parsing lives in cli.cpp, drawing in progress.cpp.
#include "app/commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <sstream>
#include <vector>

#include "app/analysis.hpp"
#include "app/progress.hpp"
#include "nn/infer/image_passes.hpp"
#include "nn/data/dataset.hpp"
#include "nn/model/spec.hpp"
#include "nn/data/fetch.hpp"
#include "runtime/device.hpp"
#include "runtime/error.hpp"
#include "runtime/instance.hpp"
#include "viewer/viewer.hpp"


namespace vkae::app {
namespace {

namespace fs = std::filesystem;

// Ctrl-C while training. A signal handler can only reach static state, hence this one global.
std::atomic<int> g_interrupts{0};
static_assert(std::atomic<int>::is_always_lock_free, "the SIGINT handler needs a lock-free counter");

extern "C" void on_sigint(int) {
  if (g_interrupts.fetch_add(1) >= 1) _exit(kExitInterrupted);  // the second Ctrl-C: quit now
  static const char kMessage[] =
      "\nvkae: stopping after the current steps and saving; Ctrl-C again quits now\n";
  const ssize_t ignored = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
}

// Installs on_sigint for its lifetime and restores the previous handler.
class SigintGuard {
 public:
  SigintGuard() {
    g_interrupts = 0;
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    installed_ = sigaction(SIGINT, &action, &previous_) == 0;
    // A shell that started us in the background ignores SIGINT for us; keep it that way.
    if (installed_ && previous_.sa_handler == SIG_IGN) {
      sigaction(SIGINT, &previous_, nullptr);
      installed_ = false;
    }
  }
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;
  ~SigintGuard() {
    if (installed_) sigaction(SIGINT, &previous_, nullptr);
  }
  bool stop_requested() const { return g_interrupts.load() > 0; }

 private:
  struct sigaction previous_ {};
  bool installed_ = false;
};

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char buf[64];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, value);  // shortest text that reads back exactly
  return ec == std::errc() ? std::string(buf, end) : "null";
}

std::string human_size(uintmax_t bytes) {
  if (bytes >= 1'000'000) return fixed(double(bytes) / 1e6, 1) + " MB";
  if (bytes >= 1'000) return fixed(double(bytes) / 1e3, 1) + " kB";
  return std::to_string(bytes) + " B";
}

// "  checkpoint.safetensors  1.2 MB" for each plain file in `dir`, sorted by name.
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

// Frame times, the image panels' rectangles (the screenshot test reads them) and the screenshot's path.
void print_viewer_report(std::ostream& out, const viewer::ViewerReport& r) {
  out << "viewer: " << r.frames.frames << " frames, frame time (start to present) median " << fixed(r.frames.median_ms, 1)
      << " ms, max " << fixed(r.frames.max_ms, 1) << " ms; host time per frame median "
      << fixed(r.frames.cpu_median_ms, 1) << " ms, max " << fixed(r.frames.cpu_max_ms, 1) << " ms\n";
  if (!r.screenshot.empty()) {
    const char* names[3] = {"noisy", "reconstruction", "clean"};
    for (int k = 0; k < 3; ++k)
      out << "viewer: panel " << names[k] << " " << std::lround(r.panels[k].x) << " " << std::lround(r.panels[k].y)
          << " " << std::lround(r.panels[k].w) << " " << std::lround(r.panels[k].h) << "\n";
    for (const auto& [name, g] : r.analysis_panels)  // "analysis panel": apart from the three image panels
      out << "viewer: analysis panel " << name << " " << std::lround(g.x) << " " << std::lround(g.y) << " "
          << std::lround(g.w) << " " << std::lround(g.h) << "\n";
    out << "viewer: screenshot " << r.screenshot << " (" << r.width << "x" << r.height << ")\n";
  }
}

int run_train(const TrainCommand& command, const Console& console) {
  const nn::TrainConfig& c = command.config;
  std::ostream& out = console.out;
  out << format_train_start(c, nn::resolve_model(c.model).denoising) << std::endl;

  ProgressPrinter printer([&out](std::string_view s) { out << s << std::flush; }, console.terminal,
                          console.width, c.epochs);
  SigintGuard sigint;
  nn::TrainCallbacks callbacks;
  callbacks.on_progress = [&](const nn::TrainProgress& p) { printer.progress(p); };
  callbacks.on_epoch = [&](const nn::EpochSummary& s) { printer.epoch(s); };
  callbacks.on_note = [&](const std::string& note) { printer.note(note); };
  callbacks.should_stop = [&] { return sigint.stop_requested(); };
  nn::TrainResult result;
  viewer::ViewerReport report;
  try {
    if (command.viewer) {
      viewer::ViewerOptions options;
      options.screenshot = command.screenshot;
      options.frames = command.frames;
      options.should_quit = [&] { return sigint.stop_requested(); };
      result = viewer::train_with_viewer(c, callbacks, options, report);
    } else {
      result = nn::train(c, callbacks);  // never touches GLFW: no display needed
    }
  } catch (...) {
    printer.finish();  // the error line must not land on the bar
    throw;
  }
  printer.finish();
  if (command.viewer) print_viewer_report(out, report);

  const bool stopped = sigint.stop_requested();
  const bool viewer_stop = !stopped && report.stop_requested;
  out << (stopped ? "stopped by Ctrl-C after " : viewer_stop ? "stopped from the viewer after " : "done: ") << result.steps << " steps, " << result.epochs_done
      << " epochs in " << fixed(result.seconds, 1) << " s (" << format_rate(result.images_per_s) << ")";
  if (!result.device.empty()) out << " on " << result.device;
  if (result.final_val_loss) out << "; val loss " << fixed(*result.final_val_loss, 4);
  out << "\noutputs in " << result.out.string() << "/\n";
  print_folder(out, result.out);
  const fs::path checkpoint = result.out / "checkpoint.safetensors";
  if (stopped) out << "continue with: vkae train --resume " << checkpoint.string() << "\n";
  out << "evaluate with: vkae eval --checkpoint " << checkpoint.string() << std::endl;
  return stopped ? kExitInterrupted : kExitOk;
}

int run_view(const ViewCommand& command, const Console& console) {
  viewer::ViewConfig config{command.checkpoint, command.dataset, command.data_dir, command.device, command.noise,
                            command.seed};
  viewer::ViewerOptions options;
  options.screenshot = command.screenshot;
  options.frames = command.frames;
  SigintGuard sigint;
  options.should_quit = [&] { return sigint.stop_requested(); };
  print_viewer_report(console.out, viewer::view_checkpoint(config, options));
  console.out << std::flush;
  return kExitOk;
}

int run_generate(const GenerateCommand& command, const Console& console) {
  const nn::GenerateResult result = nn::generate(command.config);
  for (const auto& f : result.files)
    console.out << "wrote " << f.path.string() << " (" << f.width << "x" << f.height << "): " << f.what << "\n";
  if (!result.note.empty()) console.out << result.note << "\n";
  console.out << std::flush;
  return kExitOk;
}

int run_eval(const EvalCommand& command, const Console& console) {
  const nn::EvalResult result = nn::evaluate(command.config);
  console.out << (command.json ? format_eval_json(command.config, result)
                               : format_eval_text(command.config, result))
              << std::endl;
  return kExitOk;
}

int run_denoise(const DenoiseCommand& command, const Console& console) {
  nn::denoise_png(command.checkpoint, command.in_png, command.out_png, command.device);
  console.out << "wrote " << command.out_png.string() << std::endl;
  return kExitOk;
}

std::string vulkan_version(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
         std::to_string(VK_API_VERSION_PATCH(v));
}

int run_devices(const Console& console) {
  const rt::Instance instance(rt::instance_options_from_env());
  const auto candidates = rt::list_devices(instance.get());
  const char* env = std::getenv("VKAE_DEVICE");
  const std::string selector = env ? env : "";
  const rt::DeviceCandidate* pick = nullptr;
  std::string why_none;
  try {
    pick = &rt::choose_device(candidates, selector);
  } catch (const Error& e) {
    why_none = e.what();
  }
  std::vector<std::vector<std::string>> rows{{"", "#", "name", "type", "Vulkan", "status"}};
  for (const auto& c : candidates)
    rows.push_back({pick == &c ? "*" : "", std::to_string(c.index), c.name, rt::device_type_name(c.type),
                    vulkan_version(c.api_version), c.suitable ? "suitable" : "unsuitable: " + c.reason});
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += row[i] + (i + 1 < row.size() ? std::string(widths[i] - row[i].size() + 2, ' ') : "");
    console.out << line << "\n";
  }
  if (!pick) {
    console.out << std::flush;
    throw rt::NoDeviceError(why_none);
  }
  console.out << "* = the device vkae uses" << (selector.empty() ? "" : " (VKAE_DEVICE=" + selector + ")")
              << "; choose another with --device N|NAME or VKAE_DEVICE" << std::endl;
  return kExitOk;
}

int run_fetch(const FetchCommand& command, const Console& console) {
  const fs::path dir = command.dir ? *command.dir : nn::dataset_cache_dir(command.dataset);
  console.out << "fetching " << command.dataset << " into " << dir.string() << " ..." << std::endl;
  const fs::path where = nn::fetch_mnist(dir);
  console.out << command.dataset << " is in " << where.string() << "/\n";
  print_folder(console.out, where);
  console.out << std::flush;
  return kExitOk;
}

}  // namespace

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
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

std::string format_train_start(const nn::TrainConfig& c, bool denoising) {
  std::ostringstream out;
  out << "training " << c.model << " on " << c.dataset << ": " << c.epochs << " epochs";
  if (c.resume) {
    // A resumed run takes these from the checkpoint (nn/train/run_setup.cpp), not from the command line.
    out << ", resuming " << c.resume->string() << " with its batch, lr, " << (denoising ? "noise, " : "")
        << "seed and image limit";
    if (c.steps) out << ", at most " << *c.steps << " steps";
    return out.str();
  }
  out << ", batch " << c.batch << ", lr " << c.lr;
  if (denoising) out << ", noise " << c.noise;  // the other models never see the noise factor
  out << ", seed " << c.seed;
  if (c.steps) out << ", at most " << *c.steps << " steps";
  if (c.limit) out << ", first " << *c.limit << " images";
  return out.str();
}

std::string format_eval_text(const nn::EvalConfig& config, const nn::EvalResult& result) {
  char noise[32];
  std::snprintf(noise, sizeof noise, "%g", double(config.noise));
  const std::string how = result.denoising ? "noise " + std::string(noise) + ", seed " + std::to_string(config.seed)
                                           : "seed " + std::to_string(config.seed);
  return "test " + result.loss_label + " " + fixed(result.loss, 4) + " on " + std::to_string(result.images) +
         " images (" + how + ") in " + fixed(result.seconds, 1) + " s";
}

std::string format_eval_json(const nn::EvalConfig& config, const nn::EvalResult& result) {
  // "bce" stays the key of a mean BCE (what scripts read); every result also has "loss" and its label.
  const std::string bce = result.loss_label == "BCE" ? "\"bce\":" + json_number(result.loss) + "," : "";
  return "{" + bce + "\"loss\":" + json_number(result.loss) + ",\"loss_kind\":" + json_quote(result.loss_label) +
         ",\"images\":" + std::to_string(result.images) +
         ",\"noise\":" + json_number(double(config.noise)) + ",\"seed\":" + std::to_string(config.seed) +
         ",\"model\":" + json_quote(result.model) + ",\"dataset\":" + json_quote(result.dataset) +
         ",\"device\":" + json_quote(result.device) +
         ",\"checkpoint\":" + json_quote(config.checkpoint.string()) +
         ",\"seconds\":" + json_number(result.seconds) +
         ",\"images_per_s\":" + json_number(result.images_per_s) + "}";
}

int run_command(const Command& command, const Console& console) {
  if (const auto* c = std::get_if<TrainCommand>(&command)) return run_train(*c, console);
  if (const auto* c = std::get_if<EvalCommand>(&command)) return run_eval(*c, console);
  if (const auto* c = std::get_if<BenchCommand>(&command)) return run_bench_command(*c, console.out);
  if (const auto* c = std::get_if<DenoiseCommand>(&command)) return run_denoise(*c, console);
  if (std::holds_alternative<DevicesCommand>(command)) return run_devices(console);
  if (const auto* c = std::get_if<SummaryCommand>(&command)) {
    console.out << nn::model_summary(nn::resolve_model(c->model));
    return kExitOk;
  }
  if (const auto* c = std::get_if<FetchCommand>(&command)) return run_fetch(*c, console);
  if (const auto* c = std::get_if<ViewCommand>(&command)) return run_view(*c, console);
  if (const auto* c = std::get_if<GenerateCommand>(&command)) return run_generate(*c, console);
  if (const auto* c = std::get_if<EncodeCommand>(&command)) return run_encode(*c, console);
  if (const auto* c = std::get_if<AnomalyCommand>(&command)) return run_anomaly(*c, console);
  if (const auto* c = std::get_if<ReduceCommand>(&command)) return run_reduce(*c, console);
  if (const auto* c = std::get_if<UpscaleCommand>(&command)) return run_upscale(*c, console);
  if (const auto* c = std::get_if<HelpCommand>(&command)) {
    console.out << c->text << std::flush;
    return kExitOk;
  }
  console.out << version_text() << std::endl;
  return kExitOk;
}

Console standard_console() {
  const bool terminal = stdout_is_terminal();
  return Console{std::cout, std::cerr, terminal, terminal ? terminal_width() : 80};
}

int run_cli(std::span<const std::string_view> args, const Console& console) {
  auto fail = [&](std::string_view message, int code) {
    console.out << std::flush;
    console.err << "vkae: " << one_line(message) << std::endl;
    return code;
  };
  Command command;
  try {
    command = parse_command_line(args);
    // Ranges and combinations the parser does not know about are usage errors too.
    if (const auto* train = std::get_if<TrainCommand>(&command)) nn::validate_config(train->config);
  } catch (const InputError& e) {
    return fail(e.what(), kExitUsage);
  } catch (const std::exception& e) {
    return fail(e.what(), kExitError);
  }
  try {
    return run_command(command, console);
  } catch (const std::exception& e) {  // vkae::Error and everything else
    return fail(e.what(), kExitError);
  } catch (...) {
    return fail("unexpected error (not a std::exception)", kExitError);
  }
}

int run_cli(int argc, const char* const* argv) {
  std::vector<std::string_view> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return run_cli(std::span<const std::string_view>(args), standard_console());
}

}  // namespace vkae::app
