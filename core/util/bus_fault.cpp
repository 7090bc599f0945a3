#include "core/util/bus_fault.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace kas {

namespace {

std::atomic<uint64_t> g_faults{0};
struct sigaction g_previous {};

void give_back(int sig, const siginfo_t* info) {
  // Returning re-runs the faulting access under the previous disposition:
  // it dies (or is handled) exactly as it would have without the guard. A
  // signal sent by kill(2) or raise(3) has no access to re-run: send it
  // again (blocked until the handler returns).
  ::sigaction(sig, &g_previous, nullptr);
  if (info == nullptr || info->si_code <= 0) ::raise(sig);
}

void on_bus_fault(int sig, siginfo_t* info, void* /*context*/) {
  if (info == nullptr || info->si_code != BUS_ADRERR || info->si_addr == nullptr) {
    give_back(sig, info);
    return;
  }
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t at = reinterpret_cast<uintptr_t>(info->si_addr) & ~(page - 1);
  // Zeros in place of the page the file no longer has. Writable because
  // libelf's private mappings (ELF_C_READ_MMAP_PRIVATE) are written to.
  void* zero = ::mmap(reinterpret_cast<void*>(at), page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (zero == MAP_FAILED) {
    give_back(sig, info);
    return;
  }
  g_faults.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

void install_bus_fault_guard() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  struct sigaction action {};
  action.sa_sigaction = on_bus_fault;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, &g_previous);
}

uint64_t bus_faults_survived() { return g_faults.load(std::memory_order_relaxed); }

}  // namespace kas
