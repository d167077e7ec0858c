// history.csv, written and read back on resume.
#include "nn/train/history.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/error.hpp"
#include "nn/io/atomic_file.hpp"

namespace vkae::nn {
namespace {

std::string format_row(const HistoryRow& r) {
  char buf[320];
  char val[32] = "";
  if (r.val_loss) std::snprintf(val, sizeof val, "%.9g", *r.val_loss);
  std::snprintf(buf, sizeof buf, "%u,%llu,%.9g,%s,%.9g,%.3f,%.1f,%.1f,%.1f", r.epoch,
                static_cast<unsigned long long>(r.step), r.loss, val, double(r.lr), r.seconds, r.images_per_s,
                r.host_rss_mib, r.device_mib);
  return buf;
}

HistoryRow parse_row(const std::string& line, const std::filesystem::path& from, size_t line_no) {
  std::istringstream in(line);
  std::string cells[9];
  for (auto& cell : cells) std::getline(in, cell, ',');
  HistoryRow r;
  try {
    r.epoch = static_cast<uint32_t>(std::stoul(cells[0]));
    r.step = std::stoull(cells[1]);
    r.loss = std::stod(cells[2]);
    if (!cells[3].empty()) r.val_loss = std::stod(cells[3]);
    r.lr = std::stof(cells[4]);
    r.seconds = std::stod(cells[5]);
    r.images_per_s = std::stod(cells[6]);
    r.host_rss_mib = std::stod(cells[7]);
    r.device_mib = std::stod(cells[8]);
  } catch (const std::exception&) {
    throw InputError(from.string() + " line " + std::to_string(line_no) + ": expected " +
                     HistoryCsv::kHeader + " values, found \"" + line + "\"");
  }
  return r;
}

}  // namespace

double host_rss_mib() {
  std::ifstream statm("/proc/self/statm");
  unsigned long long pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

void HistoryCsv::load_existing(const std::filesystem::path& from, uint32_t epochs_done) {
  std::ifstream in(from);
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (n == 1 || line.empty()) continue;  // the header
    const HistoryRow r = parse_row(line, from, n);
    if (r.epoch <= epochs_done) rows_.push_back(r);
  }
}

void HistoryCsv::add(const HistoryRow& row) {
  while (!rows_.empty() && rows_.back().epoch >= row.epoch) rows_.pop_back();  // a partial epoch, redone
  rows_.push_back(row);
  write();
}

void HistoryCsv::write() const {
  std::string text = std::string(kHeader) + "\n";
  for (const HistoryRow& r : rows_) text += format_row(r) + "\n";
  AtomicFile file(path_);
  file.write(text);
  file.commit();
}

}  // namespace vkae::nn
