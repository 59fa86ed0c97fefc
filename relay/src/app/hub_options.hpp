// relay/src/app/hub_options.hpp: the hub's settings (filled from Config by main.cpp; tests set
// clocks). Plain values.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/mail/smtp_mailer.hpp"
#include "app/outbound/http_client.hpp"
#include "parley/model.hpp"
#include "parley/protocol.hpp"
#include "parley/url_policy.hpp"

namespace parley::relay {

struct HubOptions {
  Limits limits;           // frame decoding limits (max_frame_bytes mirrors the server's)
  double rate_per_s = 20;  // commands per connection, sustained
  double burst = 40;       // bucket size
  int max_refusals = 100;  // rate-limit refusals before the socket is closed with 1008
  Millis session_ttl_ms = 12LL * 3600 * 1000;
  Millis agent_grace_ms = 120'000;    // assigned agent without any connection -> requeue
  Millis abandon_after_ms = 600'000;  // waiting customer without any connection -> abandoned
  // Per client address: new visitors (anonymous hellos that create a contact at their first
  // chat.start) and REST requests, sustained per second and burst. --rate/--burst style flags
  // (--visitor-rate, --rest-rate) lift them for benchmarks.
  double visitor_rate_per_s = 2, visitor_burst = 30;
  double rest_rate_per_s = 50, rest_burst = 200;
  // Provider webhooks (/webhooks/*) have their own, larger allowance: Meta posts every status of
  // every message from a few addresses, and a 429 there delays them all (--webhook-rate/-burst).
  double webhook_rate_per_s = 500, webhook_burst = 5000;
  std::size_t max_address_buckets = 20000;
  std::string public_url;        // "https://chat.example.com" ("" = loopback or allowed_hosts only)
  std::vector<std::string> allowed_hosts;  // extra Host names accepted without --public-url
  std::string metrics_token;     // "" = /metrics from loopback only; else Bearer token required
  std::string web_dir = "web";   // static files
  std::string data_dir = "data";
  bool test_counters = false;    // GET /api/v1/debug/counters (tests only)
  std::string clamd_socket;      // "" = uploads are not scanned; else clamd's address (attachments/clamd.hpp)
  // Outgoing mail (app/mail/): off while smtp.host is "". Attempts per mail and the first retry
  // delay (then x4 each time).
  SmtpConfig smtp;
  // Outbound calls to tenant-configured URLs: the rule (parley/url_policy.hpp) and the CA bundle
  // ("" = system). Tests may inject `outbound_client` (a fake); otherwise the hub makes one.
  UrlPolicy outbound;
  std::string outbound_ca_file;
  std::shared_ptr<outbound::HttpClient> outbound_client;
  int mail_attempts = 4;
  int mail_backoff_ms = 2000;
  // Issue 9, staff accounts by mail (app/staff_access/): how long an invitation and a password
  // reset link stay usable (--invite-hours, --reset-minutes).
  Millis invite_ttl_ms = 72LL * 3600 * 1000;
  Millis reset_ttl_ms = 3600LL * 1000;
  // issue 10: an LLM provider's read timeout (--llm-timeout).
  int llm_timeout_ms = 30000;
  // Clocks, injectable for tests. wall: unix ms (stored times); steady: timers, rate buckets.
  std::function<Millis()> wall_now;
  std::function<std::chrono::steady_clock::time_point()> steady_now;
};

}  // namespace parley::relay
