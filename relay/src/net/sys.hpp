// relay/src/net/sys.hpp: process-level settings for programs that hold many sockets (the relay, the
// load generator). Header-only and Beast-free so any target can include it.
#pragma once

#include <sys/resource.h>

#include <cstdint>

namespace parley::relay {

// Raises the soft RLIMIT_NOFILE to the hard limit (20,000 on the project's machines; see
// TOOLCHAIN.md "File descriptors"). Returns the soft limit in force afterwards (0 if unknown).
inline std::uint64_t raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur != lim.rlim_max) {
    rlimit want = lim;
    want.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
  }
  return lim.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(lim.rlim_cur);
}

}  // namespace parley::relay
