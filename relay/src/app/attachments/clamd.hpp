// relay/src/app/attachments/clamd.hpp: virus scanning of uploads through ClamAV's daemon
// (Debian clamav-daemon), with its INSTREAM command (DESIGN.md rule 4: a stand-in that speaks the
// same wire format is tools/clamd_standin).
//
// Wire format (clamd(8)): connect, send "zINSTREAM\0", then chunks of <4-byte big-endian length>
// <bytes>, then a zero length; clamd answers one NUL-terminated line: "stream: OK",
// "stream: <signature> FOUND", or "... ERROR" (e.g. "INSTREAM size limit exceeded. ERROR").
//
// Threads: blocking socket I/O with a timeout: call on a worker thread (Hub::on_worker), never on
// the loop. Stateless: one connection per scan. Errors: ErrorCode::unavailable when clamd cannot
// be reached, times out or answers ERROR/garbage (the upload is then refused: a configured scanner
// that cannot scan never lets a file through unscanned).
#pragma once

#include <string>
#include <string_view>

#include "parley/result.hpp"

namespace parley::relay {

struct ScanVerdict {
  bool clean = false;
  std::string signature;  // the virus name when not clean
};

// `address`: "tcp:HOST:PORT", "HOST:PORT" (IPv4), or a Unix socket path ("unix:/run/clamav/clamd.ctl"
// or "/run/clamav/clamd.ctl").
Result<ScanVerdict> clamd_scan(const std::string& address, std::string_view bytes, int timeout_ms = 30000);

}  // namespace parley::relay
