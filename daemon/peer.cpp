#include "daemon/peer.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <charconv>
#include <string>
#include <vector>

#include "core/util/path.hpp"
#include "core/util/proc_status.hpp"

namespace kas::daemon {

namespace {

// CapEff of /proc/PID/status (or "self"): a hex mask. False when it cannot be
// read (the process has gone).
bool effective_capabilities(const std::string& pid, uint64_t& mask) {
  const auto field = proc_status_field(pid, "CapEff");
  if (!field) return false;
  const char* end = field->data() + field->size();
  return std::from_chars(field->data(), end, mask, 16).ptr == end && !field->empty();
}

std::string mount_namespace_of(const std::string& pid) {
  char buf[128];
  const std::string link = "/proc/" + pid + "/ns/mnt";
  const ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Capability numbers as the kernel names them (capability.h), for the
// refusal message; the rest are printed by number.
std::string capability_names(uint64_t mask) {
  static const char* const kNames[] = {
      "chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill", "setgid", "setuid",
      "setpcap", "linux_immutable", "net_bind_service", "net_broadcast", "net_admin", "net_raw", "ipc_lock",
      "ipc_owner", "sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct", "sys_admin", "sys_boot",
      "sys_nice", "sys_resource", "sys_time", "sys_tty_config", "mknod", "lease", "audit_write",
      "audit_control", "setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm", "block_suspend",
      "audit_read", "perfmon", "bpf", "checkpoint_restore"};
  // cap_syslog first when missing: it is the one that shows (kallsyms).
  std::vector<std::string> names;
  constexpr unsigned kSyslog = 34;
  if ((mask & (uint64_t{1} << kSyslog)) != 0) names.push_back("cap_syslog");
  for (unsigned bit = 0; bit < 64; ++bit) {
    if ((mask & (uint64_t{1} << bit)) == 0 || bit == kSyslog) continue;
    names.push_back(bit < std::size(kNames) ? std::string("cap_") + kNames[bit] : "cap_" + std::to_string(bit));
  }
  std::string out;
  for (size_t i = 0; i < names.size() && i < 4; ++i) out += (i > 0 ? "," : "") + names[i];
  if (names.size() > 4) out += " and " + std::to_string(names.size() - 4) + " more";
  return out;
}

}  // namespace

Result<Peer> peer_of(int socket_fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return fail(ErrorCode::kIo, std::string("SO_PEERCRED: ") + std::strerror(errno));
  }
  return Peer{cred.uid, cred.gid, cred.pid};
}

Result<Self> self_identity() {
  Self self;
  self.uid = ::geteuid();
  if (!effective_capabilities("self", self.capabilities)) {
    return fail(ErrorCode::kIo, "/proc/self/status: cannot read CapEff (is /proc mounted?)");
  }
  self.mount_namespace = mount_namespace_of("self");
  return self;
}

Result<void> check_peer(const Self& self, const Peer& peer) {
  const std::string serves = "this kasd serves uid " + std::to_string(self.uid) + " only";
  if (peer.uid != self.uid) {
    return fail(ErrorCode::kInvalidArgument, "permission denied: " + serves + " (you are uid " +
                                            std::to_string(peer.uid) + "); each user runs a kasd of their own");
  }
  // Read after connect: the pid is the connecting process's, and a process
  // of our uid with more privileges than it had is not an attacker's to make.
  uint64_t caps = 0;
  if (!effective_capabilities(std::to_string(peer.pid), caps)) {
    return fail(ErrorCode::kInvalidArgument, "permission denied: cannot read the capabilities of pid " +
                                            std::to_string(peer.pid) + " (gone?)");
  }
  if (const uint64_t missing = self.capabilities & ~caps; missing != 0) {
    return fail(ErrorCode::kInvalidArgument,
                "permission denied: this kasd holds capabilities you do not (" + capability_names(missing) +
                    "), so it would read more than kas --no-daemon can: use --no-daemon, or a kasd started "
                    "with your capabilities");
  }
  if (const std::string ns = mount_namespace_of(std::to_string(peer.pid)); ns != self.mount_namespace) {
    return fail(ErrorCode::kInvalidArgument, "permission denied: you are in another mount namespace (" +
                                            (ns.empty() ? std::string("unreadable") : ns) + ", this kasd: " +
                                            self.mount_namespace + "), where paths name other files");
  }
  return {};
}

Result<void> drop_privileges() {
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return fail(ErrorCode::kIo, std::string("prctl(PR_SET_NO_NEW_PRIVS): ") + std::strerror(errno));
  }
  if (::geteuid() == 0) return {};  // root's kasd serves root, with root's capabilities
  (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capset, &header, data) != 0) {
    return fail(ErrorCode::kIo, std::string("capset: ") + std::strerror(errno));
  }
  return {};
}

}  // namespace kas::daemon
