// relay/src/app/channels/whatsapp/whatsapp.hpp: the WhatsApp Cloud API channel (issue 11). It
// lives outside the hub, like the mirror bridge: it decodes the provider's format and talks to the
// hub through its facade (Hub::ingest, Hub::change_conversation) and the channel hooks
// (app/channels/hooks.hpp). The pure rules are in shared (parley/whatsapp.hpp).
//
// Inbound (POST /webhooks/whatsapp). The X-Hub-Signature-256 header is checked over the raw body
// with every configured app secret (constant time) BEFORE parsing; no match -> 401 and nothing
// stored. The verified raw body is stored first (table webhook_inbox, with the tenants whose
// secret matched), the provider is answered 200 once that commit is durable, then the row is
// processed: every change of every entry, each addressed by its phone_number_id to the tenant
// that owns it (and signed with that tenant's secret). Messages go through Hub::ingest with
// client_msg_id "wa:<wamid>" (a duplicate delivery stores nothing: the tenant-wide unique id),
// contact by wa_id (phone kept), the open whatsapp conversation continues; the built-in
// assistant answers and its hand-off reaches the queue as for the widget. Types Parley cannot
// show are stored as a system line. Statuses are stored (all, with pricing; a repeated
// wamid+state is a duplicate and changes nothing), the outbound message's furthest state moves by
// parley::wa::furthest and reaches staff as a chat.delivery event. A row is marked processed
// (with the problems met) when done; rows left unprocessed by a crash are processed at start().
//
// Outbound. A staff or assistant text on a whatsapp conversation becomes an outbox job in the
// same store write as the message (hooks on_write); the outbox worker sends it through
// WhatsAppSender (send_whatsapp.cpp). Outside the 24-hour window a staff text is refused before
// anything is stored (hooks send_guard: invalid_transition, field "whatsapp_window", words saying
// a template is needed); templates go through send_template().
//
// Threads: everything here runs on the loop thread, except the sender (outbox worker). Accounts
// are copied to the sender under a mutex. Ownership: main() owns it, after the hub and before
// the server; stop() before the hub stops.
#pragma once

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/channels/outbox.hpp"
#include "app/hub.hpp"
#include "parley/whatsapp.hpp"

namespace parley::relay {

// A tenant's WhatsApp settings (channel_accounts row, provider "whatsapp"; config JSON). The
// secrets never leave the relay: to_public_json shows their last 4 characters.
struct WaAccount {
  std::string tenant_id;
  std::string phone_number_id;
  std::string token, app_secret, verify_token;  // secrets
  std::string api_version = "v21.0";
  std::string base_url = "https://graph.facebook.com";
  bool coexistence = false;  // 20 msgs/s instead of 80
  Json templates = Json::array();  // [{name, language, parameters: n}] the tenant's approved ones
  Millis updated_at = 0;

  static WaAccount from_row(const ChannelAccount& row);
  ChannelAccount to_row() const;
  Json to_public_json() const;
  // Applies a PUT body: every field optional; a secret absent keeps the stored one, "" clears it.
  // bad_field/missing_field naming the field.
  std::optional<Error> apply(const Json& body);
};

struct WhatsAppOptions {
  int poll_ms = 1000;  // retry of unprocessed webhook rows after a store refusal
};

struct WaCounters {
  std::uint64_t webhooks = 0, rejected = 0, messages = 0, duplicates = 0, statuses = 0, status_duplicates = 0,
                problems = 0, refused_window = 0;
};

// One HTTP call to the Graph API, and its answer: what the sender needs of the outbound HTTP
// client (app/outbound/http_client.hpp adapts to it; tests fake it). Blocking; worker thread.
struct GraphCall {
  std::string method = "POST";
  std::string url;
  std::string token;  // sent as "Authorization: Bearer"; never logged
  std::string body;   // JSON
};
struct GraphReply {
  wa::Transport transport = wa::Transport::not_sent;
  int status = 0;
  std::string body;
  int retry_after_s = 0;
  std::string error;  // words for logs
};
using GraphTransport = std::function<GraphReply(const GraphCall&)>;

// The outbox's sender for channel "whatsapp" (send_whatsapp.cpp): per-number token bucket (80/s,
// 20 for coexistence numbers), per-recipient bucket (about 1 per 6 s with bursts), pauses after
// 130429 (the number) and 131056 (the recipient), classification by parley::wa::classify_send.
class HttpSender;

class WhatsApp {
 public:
  // Adds its sender (over `transport`) to `outbox`: construct before outbox.start().
  WhatsApp(boost::asio::io_context& io, Hub& hub, DataStore& store, Outbox& outbox, GraphTransport transport,
           WhatsAppOptions options = {});
  ~WhatsApp();
  // The hooks to install on the hub (Hub::set_channel_hooks) before it starts.
  ChannelHooks hooks(std::shared_ptr<void> module);
  // Loads the accounts (blocking read: start-up), then processes rows left unprocessed.
  std::optional<Error> start();

  // ---- HTTP (routes.cpp) ----
  // GET /webhooks/whatsapp: the verification handshake.
  HttpResponse verify(const std::map<std::string, std::string>& query) const;
  // POST /webhooks/whatsapp: check, store, answer, process.
  void receive(const HttpRequest& req, std::function<void(HttpResponse)> reply);
  // The tenant's account (nullptr when none).
  const WaAccount* account(const std::string& tenant_id) const;
  // Stores the tenant's settings and makes them live. Errors: duplicate when another tenant has
  // that phone number id.
  void save_account(WaAccount a, std::function<void(std::optional<Error>)> cb);
  // A template message to the conversation's customer (allowed outside the window): stored as
  // the staff member's message and queued. cb gets the send ack {conversation_id, seq}.
  void send_template(const StaffIdentity& who, const std::string& conversation_id, wa::TemplateSend t,
                     std::function<void(Result<Json>)> cb);
  // The 24-hour window of a conversation's customer: {open, closes_at, last_customer_at}.
  Json window(const Conversation& c);
  WaCounters counters() const { return counters_; }

 private:
  struct Pending;
  void process(const WebhookRecord& rec, std::function<void()> done);
  void process_next(std::shared_ptr<Pending> p);
  void on_write(const Conversation& next, const std::vector<Event>& events, std::vector<Mutation>& ops);
  void on_commit(const Conversation& c, const std::vector<Event>& events);
  std::optional<Error> guard(const Conversation& c);
  void on_signal(const Conversation& c, const Actor& by, std::string_view type, const Json& data);
  Millis last_customer_at(const Conversation& c);
public:
  // A job's state changed (the outbox worker's report, posted to the loop; a status webhook):
  // staff learn it as a chat.delivery event.
  void job_updated(const OutboxJob& job);
 private:
  void publish_accounts();
  const WaAccount* account_by_number(const std::string& phone_number_id) const;

  boost::asio::io_context& io_;
  Hub& hub_;
  DataStore& store_;
  Outbox& outbox_;
  WhatsAppOptions options_;
  std::map<std::string, WaAccount> accounts_;  // by tenant
  std::map<std::string, Millis> last_inbound_;  // contact id -> newest customer message time
  // The customer's newest message of each whatsapp conversation this run has seen (committed),
  // and what was told to WhatsApp about it: read receipts and typing indicators (on_signal).
  struct Inbound {
    Seq seq = 0;
    std::string wamid;
    bool read_sent = false;
    Millis typing_sent = 0;
  };
  std::map<std::string, Inbound> inbound_;  // conversation id ->
  std::map<std::string, OutboxJob> written_;    // jobs stored with a write in flight, by conversation\nseq
  std::map<std::string, wa::TemplateSend> templates_pending_;  // client_msg_id -> template
  HttpSender* sender_ = nullptr;  // owned by the outbox
  bool bypass_guard_ = false;     // a template send in progress (send_template)
  WaCounters counters_;
  std::vector<std::pair<WebhookRecord, std::function<void()>>> queue_;
  bool processing_ = false;
  void pump();
};

// Routes: routes.cpp (declared in app/http/router.hpp).

}  // namespace parley::relay
