// history.csv: one row per epoch, as Keras' CSVLogger writes it (epoch, step, loss, val_loss, lr, seconds,
// images_per_second), plus the process's resident memory and vkae's device memory at the epoch's end (a
// long run must stay flat), rewritten atomically at each epoch's end. A resumed run keeps the rows of the
// epochs its checkpoint completed and drops the rest (a partial epoch's row is written again when it
// completes).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vkae::nn {

struct HistoryRow {
  uint32_t epoch = 0;  // 1-based
  uint64_t step = 0;   // optimizer steps done at its end
  double loss = 0;     // the epoch's mean train loss
  std::optional<double> val_loss;
  float lr = 0;  // the epoch's last step's learning rate
  double seconds = 0, images_per_s = 0;
  double host_rss_mib = 0, device_mib = 0;
};

// The process's resident set (/proc/self/statm), in MiB; 0 where there is none.
double host_rss_mib();

class HistoryCsv {
 public:
  explicit HistoryCsv(std::filesystem::path path) : path_(std::move(path)) {}
  // The rows of `from` whose epoch is at most `epochs_done`; a missing file is an empty history.
  void load_existing(const std::filesystem::path& from, uint32_t epochs_done);
  void add(const HistoryRow& row);  // then write()
  void write() const;
  const std::vector<HistoryRow>& rows() const noexcept { return rows_; }

  static constexpr const char* kHeader =
      "epoch,step,loss,val_loss,lr,seconds,images_per_second,host_rss_mib,device_mib";

 private:
  std::filesystem::path path_;
  std::vector<HistoryRow> rows_;
};

}  // namespace vkae::nn
