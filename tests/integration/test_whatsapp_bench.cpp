// Benchmark (issue 11; docs/benchmarks.md "WhatsApp"): webhook ingestion with durable storage,
// and outbox throughput against the Graph stand-in limited to 80 msgs/s per number. Skipped
// unless PARLEY_WA_BENCH=1 (it measures; it asserts only that nothing was lost):
//   PARLEY_WA_BENCH=1 build/tests/integration/parley_integration_tests -tc="whatsapp bench*"
#include <doctest/doctest.h>
#include <sodium.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "../../tools/graph_standin/graph_standin.hpp"
#include "harness.hpp"

using namespace parley::it;

namespace {
bool bench_on() {
  const char* v = std::getenv("PARLEY_WA_BENCH");
  return v && std::string(v) == "1";
}
std::string hmac_hex_b(const std::string& key, const std::string& body) {
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  crypto_auth_hmacsha256_final(&st, out);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : out) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}
}  // namespace

TEST_CASE("whatsapp bench: webhook ingestion and outbox throughput" * doctest::skip(!bench_on())) {
  if (sodium_init() < 0) FAIL("libsodium");
  parley::standin::GraphStandin graph("bench-token");
  graph.set_rate_per_s(80);
  REQUIRE(graph.start() != 0);
  Relay relay{RelayOptions{{"--outbound-allow-private", "true", "--rest-rate", "100000", "--rest-burst", "100000"}, {}, true}};
  relay.start();
  const std::string admin = login(relay, kAdminUser, kAdminPassword);
  Json settings{{"phone_number_id", "1555000999"}, {"token", "bench-token"}, {"app_secret", "bench-secret"},
                {"verify_token", "v"}, {"base_url", graph.base_url()}};
  REQUIRE(http(relay.port(), "PUT", "/api/v1/channels/whatsapp", settings.dump(),
               {{"Cookie", admin}, {"Origin", relay.origin()}, {"Content-Type", "application/json"}}).status == 200);
  const int kBatches = 100, kPerBatch = 10;  // 1,000 messages from 1,000 users
  const auto t0 = std::chrono::steady_clock::now();
  for (int b = 0; b < kBatches; ++b) {
    Json msgs = Json::array();
    Json contacts = Json::array();
    for (int i = 0; i < kPerBatch; ++i) {
      const std::string from = std::to_string(4910000000LL + b * kPerBatch + i);
      msgs.push_back(Json{{"from", from}, {"id", "wamid.B" + std::to_string(b) + "_" + std::to_string(i)},
                          {"timestamp", std::to_string(std::time(nullptr))}, {"type", "text"},
                          {"text", {{"body", "How do I reset my password?"}}}});
      contacts.push_back(Json{{"profile", {{"name", "U" + from}}}, {"wa_id", from}});
    }
    Json value{{"messaging_product", "whatsapp"}, {"metadata", {{"phone_number_id", "1555000999"}}},
               {"contacts", contacts}, {"messages", msgs}};
    const std::string body =
        Json{{"object", "whatsapp_business_account"},
             {"entry", Json::array({Json{{"id", "W"}, {"changes", Json::array({Json{{"field", "messages"}, {"value", value}}})}}})}}
            .dump();
    REQUIRE(http(relay.port(), "POST", "/webhooks/whatsapp", body,
                 {{"X-Hub-Signature-256", "sha256=" + hmac_hex_b("bench-secret", body)}}).status == 200);
  }
  const auto t_answered = std::chrono::steady_clock::now();
  const int total = kBatches * kPerBatch;
  REQUIRE(wait_until([&] { return db_int(relay, "SELECT COUNT(*) FROM messages WHERE client_msg_id LIKE 'wa:%'") == total; },
                     std::chrono::seconds(300)));
  const auto t_stored = std::chrono::steady_clock::now();
  // Outbox: every assistant reply to those customers goes to the stand-in at <= 80/s.
  const std::int64_t jobs = db_int(relay, "SELECT COUNT(*) FROM outbox");
  REQUIRE(wait_until([&] { return db_int(relay, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'") ==
                                  db_int(relay, "SELECT COUNT(*) FROM outbox"); },
                     std::chrono::seconds(600)));
  const auto t_sent = std::chrono::steady_clock::now();
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::cout << "whatsapp bench: " << kBatches << " signed webhooks (" << total << " messages) answered in "
            << secs(t0, t_answered) << " s (" << kBatches / secs(t0, t_answered) << " webhooks/s), all stored after "
            << secs(t0, t_stored) << " s (" << total / secs(t0, t_stored) << " messages/s)\n"
            << "outbox: " << db_int(relay, "SELECT COUNT(*) FROM outbox") << " jobs (" << jobs
            << " when ingestion ended) sent after " << secs(t0, t_sent) << " s; stand-in accepted " << graph.sent_count()
            << ", answered 130429 " << graph.failures_answered() << " times\n";
  CHECK(graph.sent_count() == static_cast<std::size_t>(db_int(relay, "SELECT COUNT(*) FROM outbox")));
}
