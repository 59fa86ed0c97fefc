// parley-relay: configuration, store, hub and server on one event loop (see app/hub.hpp).
//
// Exit codes: 0 after a graceful shutdown (SIGTERM/SIGINT), 1 when the relay cannot start (port
// taken, database unusable), 2 for a configuration error (including PARLEY_FAST_HASH=1 on an
// address that is not loopback).
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/bootstrap.hpp"
#include "app/channels/outbox.hpp"
#include "app/channels/whatsapp/graph_transport.hpp"
#include "app/config.hpp"
#include "app/http/router.hpp"
#include "app/hub.hpp"
#include "core/log.hpp"
#include "net/server.hpp"
#include "net/sys.hpp"
#include "store/auth.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"

namespace asio = boost::asio;
using namespace parley::relay;

namespace {

log::Level parse_level(const std::string& s) {
  if (s == "debug") return log::Level::debug;
  if (s == "warn") return log::Level::warn;
  if (s == "error") return log::Level::error;
  return log::Level::info;
}

// Writes `port` to `path` atomically (tests poll for the file).
bool write_port_file(const std::string& path, std::uint16_t port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << port << "\n";
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

int fail(const std::string& message) {
  std::cerr << "parley-relay: " << message << std::endl;
  log::error("start-up failed", {{"error", message}});
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const auto env = environment();
  ConfigResult cr = load_config(argc, argv, env);
  if (cr.exit_now) {
    std::cout << cr.output;
    return 0;
  }
  if (!cr.config) {
    std::cerr << "parley-relay: " << cr.error << std::endl;
    return 2;
  }
  const Config cfg = *cr.config;
  log::set_min_level(parse_level(cfg.log_level));

  // PARLEY_FAST_HASH=1 (cheap argon2id, tests and benchmarks) only on a loopback-only relay.
  switch (fast_hash_mode(env, cfg.listen_host)) {
    case FastHash::off:
      break;
    case FastHash::refuse:
      std::cerr << "parley-relay: PARLEY_FAST_HASH=1 makes password hashes cheap to crack and is for tests "
                   "only; it is refused unless the relay listens on a loopback address (127.0.0.1, ::1, "
                   "localhost), not \""
                << cfg.listen_host << "\". Unset PARLEY_FAST_HASH." << std::endl;
      return 2;
    case FastHash::test_cost:
      set_password_hash_cost(HashCost::test_only);
      std::cerr << "parley-relay: WARNING: PARLEY_FAST_HASH=1: weak test-only password hashing (loopback "
                   "only). Never use this for real accounts."
                << std::endl;
      log::warn("PARLEY_FAST_HASH=1: test-only password hashing", {{"host", cfg.listen_host}});
      break;
  }
  const std::uint64_t fd_limit = raise_fd_limit();

  // The data folder holds customer data (database, first-admin.txt): owner-only when we create it.
  if (auto e = create_private_dir(cfg.data_dir)) return fail("cannot create data folder: " + e->message);

  StoreOptions so;
  so.path = cfg.db_path();
  so.synchronous_full = cfg.synchronous_full;
  so.commit_window_us = cfg.commit_window_us;
  auto opened = Store::open(so);
  if (!opened) return fail("cannot open the database " + so.path + ": " + opened.error().message);
  std::unique_ptr<Store> store = std::move(opened).value();

  auto first = bootstrap_first_start(*store, cfg);
  if (!first) return fail("first start failed: " + first.error().message);

  int exit_code = 0;
  {
    asio::io_context io(1);

    HubOptions ho;
    ho.limits.max_frame_bytes = cfg.max_frame;
    ho.limits.max_text_chars = cfg.max_text;
    ho.rate_per_s = cfg.rate;
    ho.burst = cfg.burst;
    ho.session_ttl_ms = static_cast<parley::Millis>(cfg.session_hours * 3600.0 * 1000.0);
    ho.agent_grace_ms = static_cast<parley::Millis>(cfg.agent_grace_s * 1000.0);
    ho.abandon_after_ms = static_cast<parley::Millis>(cfg.abandon_after_s * 1000.0);
    // --rate/--burst lift the per-address limits at least as far as the per-connection ones
    // (the benchmarks open thousands of customer sockets from 127.0.0.1 with --rate 1000000).
    // Only a --rate/--burst raised above its default lifts them: a small --visitor-burst stays.
    const Config defaults;
    const double lift_rate = cfg.rate > defaults.rate ? cfg.rate : 0;
    const double lift_burst = cfg.burst > defaults.burst ? cfg.burst : 0;
    ho.visitor_rate_per_s = std::max(cfg.visitor_rate, lift_rate);
    ho.visitor_burst = std::max(cfg.visitor_burst, lift_burst);
    ho.rest_rate_per_s = std::max(cfg.rest_rate, lift_rate);
    ho.rest_burst = std::max(cfg.rest_burst, lift_burst);
    ho.webhook_rate_per_s = cfg.webhook_rate;
    ho.webhook_burst = cfg.webhook_burst;
    ho.public_url = cfg.public_url;
    ho.allowed_hosts = cfg.allowed_hosts;
    if (!cfg.metrics_token_file.empty()) {
      std::string token;
      if (auto e = read_secret_file(cfg.metrics_token_file, &token); !e.empty()) return fail(e);
      ho.metrics_token = token;
    }
    ho.test_counters = cfg.test_counters;
    ho.smtp.host = cfg.smtp_host;
    ho.smtp.port = cfg.smtp_port;
    ho.smtp.from = cfg.smtp_from;
    ho.smtp.user = cfg.smtp_user;
    ho.smtp.password = cfg.smtp_password;
    ho.smtp.starttls = cfg.smtp_starttls;
    ho.smtp.allow_plain_auth = cfg.smtp_plain_auth;
    ho.smtp.timeout_ms = static_cast<int>(cfg.smtp_timeout_s * 1000.0);
    ho.mail_attempts = cfg.mail_attempts;
    ho.mail_backoff_ms = std::max(1, static_cast<int>(cfg.mail_backoff_s * 1000.0));
    ho.invite_ttl_ms = std::max<std::int64_t>(1, static_cast<std::int64_t>(cfg.invite_hours * 3600.0 * 1000.0));
    ho.reset_ttl_ms = std::max<std::int64_t>(1, static_cast<std::int64_t>(cfg.reset_minutes * 60.0 * 1000.0));
    ho.llm_timeout_ms = std::max(100, static_cast<int>(cfg.llm_timeout_s * 1000.0));
    ho.web_dir = cfg.web_dir;
    ho.data_dir = cfg.data_dir;
    ho.clamd_socket = cfg.clamd_socket;
    ho.outbound.allow_private = cfg.outbound_allow_private;
    ho.outbound.allow_hosts = cfg.outbound_allow_hosts;
    ho.outbound.deny_hosts = cfg.outbound_deny_hosts;
    ho.outbound_ca_file = cfg.outbound_ca_file;
    SqliteDataStore data(*store);
    Hub hub(io, data, ho);
    HttpApi http(hub);
    hub.set_http_handler([&http](HttpRequest req, HttpReply reply) { http.handle(std::move(req), std::move(reply)); });
    // issue 11: channels. The durable outbox (its worker) and the WhatsApp channel; the outbox
    // reports each job's change to the loop, where the channel tells staff (chat.delivery).
    WhatsApp* whatsapp_ptr = nullptr;
    Outbox outbox(
        data,
        [] {
          return static_cast<parley::Millis>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
        },
        [&io, &whatsapp_ptr](const OutboxJob& job) {
          asio::post(io, [&whatsapp_ptr, job] {
            if (whatsapp_ptr) whatsapp_ptr->job_updated(job);
          });
        });
    WhatsApp whatsapp(io, hub, data, outbox,
                      graph_transport(std::shared_ptr<outbound::HttpClient>(
                          outbound::make_http_client(ho.outbound, outbound::ClientOptions{ho.outbound_ca_file}))));
    whatsapp_ptr = &whatsapp;
    hub.set_channel_hooks(whatsapp.hooks(std::shared_ptr<void>(&whatsapp, [](void*) {})));
    if (auto err = hub.start()) {
      store->drain();
      return fail("cannot load state: " + err->message);
    }
    if (auto err = whatsapp.start()) {
      hub.stop();
      store->drain();
      return fail("cannot load the WhatsApp channel: " + err->message);
    }
    if (auto err = outbox.start()) {
      hub.stop();
      store->drain();
      return fail("cannot load the outbox: " + err->message);
    }

    ServerOptions so2;
    so2.host = cfg.listen_host;
    so2.port = cfg.listen_port;
    so2.tls_cert = cfg.tls_cert;
    so2.tls_key = cfg.tls_key;
    so2.trusted_proxies = cfg.trusted_proxies;
    so2.max_frame_bytes = cfg.max_frame;
    // Attachment uploads (issue 9) are the largest bodies: up to the tenant ceiling, plus slack.
    so2.max_http_body = static_cast<std::size_t>(kMaxAttachmentBytes) + 64 * 1024;
    so2.send_queue_cap_bytes = cfg.send_queue_cap;
    so2.send_budget_bytes = cfg.send_budget;
    Server server(io, so2, hub);
    std::uint16_t port = 0;
    if (auto err = server.start(&port)) {
      hub.stop();
      store->drain();
      return fail(*err);  // names the address and the cause ("Address already in use")
    }
    const std::string scheme = cfg.tls_cert.empty() ? "http" : "https";
    const std::string host =
        cfg.listen_host == "0.0.0.0" || cfg.listen_host == "::" ? "127.0.0.1" : cfg.listen_host;
    const std::string base = !cfg.public_url.empty()
                                 ? cfg.public_url
                                 : scheme + "://" +
                                       (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                                       std::to_string(port);
    log::info("listening", {{"url", base},
                            {"host", cfg.listen_host},
                            {"port", port},
                            {"tls", !cfg.tls_cert.empty()},
                            {"fd_limit", fd_limit}});
    if (!cfg.port_file.empty() && !write_port_file(cfg.port_file, port)) {
      log::warn("could not write the port file", {{"path", cfg.port_file}});
    }
    if (*first) announce_first_start(**first, base, cfg.data_dir);

    // Graceful shutdown: stop accepting, close sockets with 1001, let the close frames go out
    // (at most 2 s), then drain the store.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    asio::steady_timer drain_timer(io);
    auto deadline = std::chrono::steady_clock::now();
    std::function<void()> wait_for_close;
    wait_for_close = [&] {
      if (server.connection_count() == 0 || std::chrono::steady_clock::now() >= deadline) {
        io.stop();
        return;
      }
      drain_timer.expires_after(std::chrono::milliseconds(20));
      drain_timer.async_wait([&](const boost::system::error_code&) { wait_for_close(); });
    };
    signals.async_wait([&](const boost::system::error_code& e, int sig) {
      if (e) return;
      log::info("shutting down", {{"signal", sig}});
      server.shutdown();
      outbox.stop();
      hub.stop();
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      wait_for_close();
    });

    // An exception escaping a handler (a bug) is logged and the loop goes on: the connection or
    // request it belonged to is closed by the layer that caught it (net/server.cpp, app/http);
    // anything else is logged here.
    for (;;) {
      try {
        io.run();
        break;
      } catch (const std::exception& e) {
        log::error("uncaught exception on the loop; continuing", {{"error", e.what()}});
      } catch (...) {
        log::error("uncaught exception on the loop; continuing", {{"error", "unknown"}});
      }
    }
    outbox.stop();
    whatsapp_ptr = nullptr;
    hub.stop();
    // Writes still queued commit (or fail) now; their completions are not delivered any more.
    store->drain();
  }
  store.reset();
  log::info("stopped");
  return exit_code;
}
