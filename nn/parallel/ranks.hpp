// The processes of a data-parallel run. Under `mpirun` with MPI built in (VKAE_WITH_MPI, Debian's Open MPI),
// MPI_COMM_WORLD; otherwise one rank, and nothing here calls MPI. The training loop uses three collectives:
// the per-step sum of the gradients (the one host wait per step of a multi-rank run), rank 0's value of a
// decision (validation loss) and an equality check (the parameters' hash each epoch). Every wait is bounded:
// a rank that died or hangs ends the job with one line naming it (RankError) instead of a hang.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "base/error.hpp"

namespace vkae::nn {

// A rank missing, dead or disagreeing: the message names it. The job must end (Ranks::abort_job).
class RankError : public Error {
 public:
  using Error::Error;
};

class Ranks {
 public:
  // Once, from main(), before anything else: MPI_Init when built with MPI. Throws Error when the process was
  // started by mpirun with several ranks and this build has no MPI support.
  static void init();
  static void finalize() noexcept;               // MPI_Finalize (after a normal end)
  [[noreturn]] static void abort_job(int code);  // ends every rank of the job (MPI_Abort), or exits
  static Ranks& world();                         // the ranks of this run (one without init)
  static bool built_with_mpi() noexcept;

  uint32_t rank() const noexcept { return rank_; }
  uint32_t size() const noexcept { return size_; }
  bool writer() const noexcept { return rank_ == 0; }  // rank 0 alone writes files and prints progress

  // Sums `values` over the ranks in place; every rank gets the same bits. `step` names the step in the error
  // when a rank has not arrived within `timeout_s` (rank 0 names the missing ranks).
  void sum(std::span<float> values, uint64_t step, double timeout_s);
  // The same sum, not counted in sum_seconds(): a paused run's heartbeat (`at` names it in the error).
  void agree(std::span<float> values, const std::string& at, double timeout_s);
  // Rank 0's `value` on every rank.
  double from_writer(double value, double timeout_s);
  // Throws RankError naming the ranks whose `value` differs from rank 0's (`what` says what it is).
  void check_same(uint64_t value, const std::string& what, double timeout_s);
  // Seconds spent in sum() so far (the all-reduce's share of the steps).
  double sum_seconds() const noexcept { return sum_seconds_; }

 private:
  Ranks() = default;
  uint32_t rank_ = 0, size_ = 1;
  double sum_seconds_ = 0;
};

// How long a multi-rank run waits for the other ranks at a step: 60 s, or VKAE_RANK_TIMEOUT seconds. The
// first step of an epoch and an epoch's end allow kRankStartFactor times more (compiling pipelines, loading
// data, validation and rank 0's files).
double rank_timeout_seconds();
constexpr double kRankStartFactor = 10;

}  // namespace vkae::nn
