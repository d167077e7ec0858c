// See ranks.hpp. Every collective is non-blocking and polled against a deadline; with it each rank but 0
// sends rank 0 a one-word arrival, so rank 0 can say which ranks never came.
#include "nn/parallel/ranks.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#ifdef VKAE_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: Open MPI's C++ bindings would need libmpi_cxx
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace vkae::nn {
namespace {

// The rank count a launcher (Open MPI's mpirun, or a PMI one) gave this process; 1 when none did.
uint32_t launcher_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* value = std::getenv(name)) return static_cast<uint32_t>(std::strtoul(value, nullptr, 10));
  return 1;
}

}  // namespace

double rank_timeout_seconds() {
  const char* value = std::getenv("VKAE_RANK_TIMEOUT");
  const double s = value ? std::strtod(value, nullptr) : 0;
  return s > 0 ? s : 60;
}

bool Ranks::built_with_mpi() noexcept {
#ifdef VKAE_WITH_MPI
  return true;
#else
  return false;
#endif
}

Ranks& Ranks::world() {
  static Ranks ranks;
  return ranks;
}

#ifndef VKAE_WITH_MPI

void Ranks::init() {
  const uint32_t n = launcher_size();
  if (n > 1)
    throw Error("started by mpirun as one of " + std::to_string(n) +
                " ranks, but this vkae was built without MPI support (install libopenmpi-dev and rebuild; "
                "scripts/setup.sh does both)");
}
void Ranks::finalize() noexcept {}
void Ranks::abort_job(int code) {
  std::exit(code);
}
void Ranks::sum(std::span<float>, uint64_t, double) {}
void Ranks::agree(std::span<float>, const std::string&, double) {}
double Ranks::from_writer(double value, double) {
  return value;
}
void Ranks::check_same(uint64_t, const std::string&, double) {}

#else

namespace {

constexpr int kArrivalTag = 7301;

std::string seconds_text(double s) {
  return std::to_string(static_cast<long long>(s + 0.5)) + " s";
}

// Tests only: VKAE_FAULT_RANK="R:S:kill" (":hang", ":skew") makes rank R die by SIGKILL (stop answering,
// or take a sum off in its first value, so its parameters diverge) at the sum of step S. Returns
// true for a skew.
bool inject_fault(uint32_t rank, uint64_t step) {
  const char* spec = std::getenv("VKAE_FAULT_RANK");
  if (!spec) return false;
  unsigned r = 0;
  unsigned long long s = 0;
  char what[8] = {};
  if (std::sscanf(spec, "%u:%llu:%7s", &r, &s, what) != 3 || r != rank || s != step) return false;
  if (std::string(what) == "skew") return true;
  if (std::string(what) == "kill") std::raise(SIGKILL);
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));  // hang
}

using Clock = std::chrono::steady_clock;
bool g_initialized = false;

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw RankError(std::string(call) + " failed: " + std::string(text, length));
}

// Polls until every request completed (true) or the deadline passed (false): a short spin, then naps of
// 50 us, so a waiting rank leaves the cores to its device (lavapipe is the CPU).
bool wait_until(std::vector<MPI_Request>& requests, Clock::time_point deadline) {
  for (int polls = 0;; ++polls) {
    int done = 0;
    check(MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done, MPI_STATUSES_IGNORE),
          "MPI_Testall");
    if (done) return true;
    if (Clock::now() > deadline) return false;
    if (polls > 200) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

// A collective with arrivals: rank 0 receives one word from each other rank, the others send theirs; then
// `post` adds the collective's own request, and all are waited for until the deadline. Past it, rank 0
// names the ranks whose word never came; the others (who wait a little longer, so rank 0 speaks first)
// say they waited.
template <typename Post>
void collective(uint32_t rank, uint32_t size, const std::string& at, double timeout_s, Post&& post) {
  static uint64_t word = 0;
  static std::vector<uint64_t> arrivals;
  std::vector<MPI_Request> requests;
  if (rank == 0) {
    arrivals.assign(size, 0);
    requests.resize(size - 1);
    for (uint32_t r = 1; r < size; ++r)
      check(MPI_Irecv(&arrivals[r], 1, MPI_UINT64_T, static_cast<int>(r), kArrivalTag, MPI_COMM_WORLD,
                      &requests[r - 1]),
            "MPI_Irecv");
  } else {
    requests.resize(1);
    check(MPI_Isend(&word, 1, MPI_UINT64_T, 0, kArrivalTag, MPI_COMM_WORLD, &requests[0]), "MPI_Isend");
  }
  requests.push_back(MPI_REQUEST_NULL);
  post(&requests.back());
  const double wait_s = rank == 0 ? timeout_s : timeout_s + 5;
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(wait_s));
  if (wait_until(requests, deadline)) return;
  if (rank != 0)
    throw RankError("rank " + std::to_string(rank) + " waited " + seconds_text(wait_s) + " at " + at +
                    " for the other ranks: one is dead or hung");
  std::string missing;
  for (uint32_t r = 1; r < size; ++r) {
    int done = 0;
    MPI_Test(&requests[r - 1], &done, MPI_STATUS_IGNORE);
    if (!done) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
  }
  const std::string who =
      missing.empty() ? "the ranks did not all complete " : "rank " + missing + " did not reach ";
  throw RankError(who + at + " within " + seconds_text(timeout_s) +
                  ": dead or hung; ending the job (the last checkpoint is kept)");
}

}  // namespace

void Ranks::init() {
  if (launcher_size() <= 1) return;  // one process: no MPI call at all, the same run as without MPI
  // Serialized: with --viewer, rank 0 trains (and calls MPI) on a thread of its own while the main thread
  // draws; main() calls MPI only before that thread starts and after it ends.
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
    throw Error("mpirun: MPI_Init failed");
  if (provided < MPI_THREAD_SERIALIZED)
    throw Error("mpirun: this MPI library cannot be called from a training thread (MPI_THREAD_SERIALIZED)");
  g_initialized = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  world().rank_ = static_cast<uint32_t>(rank);
  world().size_ = static_cast<uint32_t>(size);
}

void Ranks::finalize() noexcept {
  if (g_initialized) MPI_Finalize();
  g_initialized = false;
}

void Ranks::abort_job(int code) {
  if (g_initialized && world().size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void Ranks::agree(std::span<float> values, const std::string& at, double timeout_s) {
  if (size_ == 1) return;
  collective(rank_, size_, at, timeout_s, [&](MPI_Request* request) {
    check(MPI_Iallreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_FLOAT, MPI_SUM,
                         MPI_COMM_WORLD, request),
          "MPI_Iallreduce");
  });
}

void Ranks::sum(std::span<float> values, uint64_t step, double timeout_s) {
  if (size_ == 1) return;
  const bool skew = inject_fault(rank_, step);
  const auto start = Clock::now();
  agree(values, "step " + std::to_string(step), timeout_s);
  if (skew) values[0] = values[0] * 1.5f + 1e-3f;  // far enough that the update differs
  sum_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
}

double Ranks::from_writer(double value, double timeout_s) {
  if (size_ == 1) return value;
  collective(rank_, size_, "an epoch's end", timeout_s, [&](MPI_Request* request) {
    check(MPI_Ibcast(&value, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, request), "MPI_Ibcast");
  });
  return value;
}

void Ranks::check_same(uint64_t value, const std::string& what, double timeout_s) {
  if (size_ == 1) return;
  std::vector<uint64_t> all(size_);
  collective(rank_, size_, "the check of " + what, timeout_s, [&](MPI_Request* request) {
    check(MPI_Iallgather(&value, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, MPI_COMM_WORLD, request),
          "MPI_Iallgather");
  });
  if (rank_ != 0) return;  // rank 0 reports; the others wait at the next step until the job ends
  std::string differ;
  for (uint32_t r = 1; r < size_; ++r)
    if (all[r] != all[0]) differ += (differ.empty() ? "" : ", ") + std::to_string(r);
  if (!differ.empty())
    throw RankError(what + " of rank " + differ + " differ from rank 0's: the ranks have diverged");
}

#endif

}  // namespace vkae::nn
