// parley/whatsapp.hpp: the pure rules of the WhatsApp Cloud API channel (issue 11). No I/O.
//
//  - parse_webhook: a verified webhook body (../shared/INTEGRATIONS.md "WhatsApp") into the
//    inbound messages and delivery statuses of every entry and change. A body that is not a
//    WhatsApp envelope is an Error; an item inside it that cannot be read is skipped and named in
//    WebhookBatch::problems (never a crash, never a silent drop).
//  - the status-ordering rule (furthest): sent < delivered < read (< played), a later delivered or
//    read overrides failed in either order, delivered may be skipped.
//  - the 24-hour customer-service window.
//  - classify_send: what the outbox does after one send attempt (Graph error codes -> retry with
//    backoff, per-user backoff, permanent, template needed, stop for auth, outcome unknown).
//  - TokenBucket: the per-number and per-user send rates.
//  - the Graph request bodies (text, template, read receipt) and the send response.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley::wa {

// ---- inbound ----
enum class MessageType {
  text, button, interactive, image, document, audio, video, sticker, location, reaction, contacts,
  order, system, unsupported,
};
std::string_view to_string(MessageType);
// Known type names; anything else reads as `unsupported` (the original name kept in type_name).
std::optional<MessageType> parse_message_type(std::string_view);

struct Media {
  std::string id, mime_type, sha256, filename, caption;
  bool voice = false;  // audio.voice: a voice note
};

struct InboundMessage {
  std::string phone_number_id;  // metadata.phone_number_id of the change: which business number
  std::string wamid;            // message id: the dedupe key
  std::string from;             // sender wa_id ("" when the payload omits it: see user_id)
  std::string user_id;          // business-scoped user id when given ("" otherwise)
  std::string profile_name;     // contacts[].profile.name for this sender ("" when absent)
  Millis at = 0;                // timestamp (unix seconds in the payload) in ms
  MessageType type = MessageType::unsupported;
  std::string type_name;        // the type as sent
  std::string text;             // text.body, button.text, interactive title, caption
  std::string payload;          // button.payload, interactive reply id
  std::optional<Media> media;   // image/document/audio/video/sticker
  double latitude = 0, longitude = 0;
  std::string place_name, address;  // location
  std::string reaction_to, emoji;   // reaction (emoji "" = reaction removed)
  std::string context_id;           // context.id: the business message this replies to
  std::string error;                // unsupported/system: errors[0] title/details, system body
  // The sender's address on WhatsApp: `from`, else `user_id`.
  const std::string& sender() const { return from.empty() ? user_id : from; }
};

// The line Parley stores for a message: the text for text-like types, a described line for
// media, location and reactions, "" for unsupported/system (see is_system_line).
std::string display_text(const InboundMessage& m);
// True for types Parley cannot show as a customer message (stored as a system line instead).
bool is_system_line(const InboundMessage& m);
// The system line for such a message ("WhatsApp message of type X could not be shown: ...").
std::string system_line(const InboundMessage& m);

// ---- delivery statuses ----
// Local states (pending: not sent yet; unknown: sent but no answer, the far side may have it)
// and Meta's (sent, delivered, read, played, failed).
enum class DeliveryState { pending, unknown, sent, failed, delivered, read, played };
std::string_view to_string(DeliveryState);
std::optional<DeliveryState> parse_delivery_state(std::string_view);

struct StatusUpdate {
  std::string phone_number_id;
  std::string wamid;  // the business message the status is about
  DeliveryState state = DeliveryState::sent;
  std::string recipient_id;
  Millis at = 0;
  int error_code = 0;            // failed: errors[0].code
  std::string error_title;       // failed: errors[0].title / message
  std::string error_detail;      // failed: errors[0].error_data.details
  Json pricing;                  // pricing{billable, category, pricing_model, type} or null
  std::string conversation_id;   // conversation.id of Meta's billing conversation ("" = none)
  // The dedupe key of a status: wamid + state.
  std::string key() const;
};

// The state a message shows after `incoming` arrives while it shows `current`: the furthest,
// where failed sits above sent and below delivered (a later delivered/read overrides failed,
// either order; a sent after failed keeps failed; delivered may be skipped).
DeliveryState furthest(DeliveryState current, DeliveryState incoming);

struct WebhookBatch {
  std::vector<InboundMessage> messages;
  std::vector<StatusUpdate> statuses;
  std::vector<std::string> problems;  // items skipped, with why (logged; never stored as data)
  std::vector<std::string> phone_number_ids;  // every metadata.phone_number_id seen, distinct
};
// Errors: bad_json (not JSON / not an object), bad_field (object is not
// "whatsapp_business_account", entry is not an array).
Result<WebhookBatch> parse_webhook(std::string_view body);

// ---- the 24-hour window ----
inline constexpr Millis kWindowMs = 24LL * 60 * 60 * 1000;
// Open when the customer wrote at `last_customer_at` (> 0) and now < last_customer_at + 24 h.
bool window_open(Millis last_customer_at, Millis now);
// When it closes (0 when it never opened).
Millis window_closes_at(Millis last_customer_at);

// ---- sending ----
// How one attempt ended on the wire (the relay's outbound HttpClient outcome).
enum class Transport { answered, refused, bad_url, not_sent, unknown, too_large };

enum class SendClass {
  ok,               // accepted: provider_id holds the wamid
  retry,            // retry the whole number's queue after `delay_ms` (rate limit, 5xx, not sent)
  retry_user,       // retry this recipient after `delay_ms` (131056 pair rate)
  permanent,        // failed for good (131026, 132000, bad request ...): shown to the agent
  template_needed,  // 131047: outside the window, only a template can go
  auth_stop,        // 0/190/401...: stop the number's sends until its settings change
  unknown_outcome,  // written but no answer: never resent silently
};
std::string_view to_string(SendClass);

struct SendVerdict {
  SendClass cls = SendClass::retry;
  Millis delay_ms = 0;      // retry / retry_user
  int code = 0;             // Graph error code (0 = none)
  std::string reason;       // words for the agent and the log (never a secret)
  std::string provider_id;  // ok: the wamid
};
// `attempts` counts attempts made so far, this one included (>= 1). `retry_after_s` is the
// Retry-After header in seconds when present (0 = none). Delays: 2 s * 2^(attempts-1), capped
// at 5 min (131057: 30 s; per user: 6 s * 2^(attempts-1), capped at 10 min), at least retry_after.
SendVerdict classify_send(Transport transport, int http_status, std::string_view body, int attempts,
                          int retry_after_s = 0);
// Attempts after which a retryable failure becomes permanent (about a day of backoff).
inline constexpr int kMaxAttempts = 300;

// A token bucket: `rate` tokens per second, at most `burst` stored. Pure: the caller passes time.
struct TokenBucket {
  double rate = 80, burst = 80;
  double tokens = -1;  // < 0: full (not used yet)
  Millis last = 0;
  // Takes one token at `now` if there is one.
  bool take(Millis now);
  // Milliseconds until a token is there (0 = now).
  Millis wait_ms(Millis now) const;
};
// Defaults (INTEGRATIONS.md): 80/s per number (20 for coexistence numbers); per user about one
// per 6 s sustained with short bursts.
inline constexpr double kNumberRate = 80, kCoexistenceRate = 20;
inline constexpr double kUserRate = 1.0 / 6.0, kUserBurst = 10;

// Graph request bodies.
Json text_body(const std::string& to, const std::string& text, const std::string& reply_to_wamid = {});
struct TemplateSend {
  std::string name, language = "en";
  std::vector<std::string> parameters;  // body parameters, in order
};
Json template_body(const std::string& to, const TemplateSend& t);
Json read_receipt_body(const std::string& wamid, bool typing = false);
// Checks a template send (name letters/digits/underscore, language like en or en_US, at most 20
// parameters each 1..1024 chars). bad_field / missing_field naming the field.
std::optional<Error> check_template(const TemplateSend& t);

// The webhook verification handshake (GET): the challenge to answer 200 with, or nullopt (403).
std::optional<std::string> verify_challenge(std::string_view mode, std::string_view token,
                                            std::string_view challenge, std::string_view expected_token);

}  // namespace parley::wa
