// relay/src/domain/types.hpp: the relay's domain records (tenants and their settings, staff users,
// sessions, contacts, visitors, audit entries) and the list filter, independent of any database.
// Conversations, events, messages and knowledge-base articles are shared types (parley/model.hpp,
// parley/assistant_rules.hpp), re-exported here so one include gives the whole domain.
//
// Plain values: no thread affinity, no ownership beyond their members. The store interface
// (domain/store_api.hpp) reads and writes them; store/repo.hpp (SQLite) includes this header.
// Nothing here throws; errors are parley::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/api_key.hpp"
#include "domain/change.hpp"
#include "parley/attachment.hpp"
#include "parley/assistant_rules.hpp"
#include "parley/conversation.hpp"
#include "parley/hours.hpp"
#include "parley/model.hpp"
#include "parley/result.hpp"

namespace parley::relay {

inline constexpr const char* kDefaultTenantId = "t_default";
inline constexpr const char* kDefaultTenantSlug = "default";

struct TenantSettings {
  std::string title = "Chat with us";
  std::string welcome = "Hi! Ask me anything, or type \"agent\" to talk to a person.";
  std::string brand_color = "#2563eb";
  std::string position = "right";          // launcher corner: right | left
  std::vector<std::string> allowed_sites;  // origins allowed to embed the widget ("*" = any)
  bool prechat_form = false;
  std::string time_zone = "UTC";  // IANA name; "resolved today" counts use it
  bool assistant_enabled = true;
  std::string assistant_name = "Parley Assistant";
  int handoff_after_turns = 3;  // unanswered customer turns before handing off
  std::vector<std::string> issue_types = {"general", "billing", "technical", "account", "other"};
  // The satisfaction survey's question (parley/csat.hpp), shown by the widget after an ending.
  std::string csat_question = "How would you rate this conversation?";
  // A customer's message within this many minutes of the resolution reopens the conversation;
  // later it starts a new one linked to it (parley/conversation.hpp on_customer_return).
  // 0 = always reopen.
  int reopen_window_minutes = 24 * 60;
  // Attachments (docs/architecture.md "Attachments"): the allowed content types (MIME types
  // without parameters, "image/*" for every image type; parley/attachment.hpp) and the size limit.
  std::vector<std::string> attachment_types = AttachmentPolicy{}.allowed_types;
  std::uint64_t attachment_max_bytes = AttachmentPolicy{}.max_bytes;
  AttachmentPolicy attachment_policy() const { return AttachmentPolicy{attachment_types, attachment_max_bytes}; }
  // issue 9, the offline path: shown when nobody is available ("" = parley::kDefaultOfflineMessage),
  // and the opening hours in time_zone (not enabled = always open; parley/hours.hpp).
  std::string offline_message;
  BusinessHours business_hours;
};
// The deployment's ceiling for attachment_max_bytes (the HTTP body limit follows it).
inline constexpr std::uint64_t kMaxAttachmentBytes = 25ull * 1024 * 1024;
// The state machine's policy for the tenant's settings.
ConversationPolicy policy_of(const TenantSettings&);
Json to_json(const TenantSettings&);
// Applies the fields present in `j` onto `into`; unknown keys or wrong types are an error
// (ErrorCode::bad_field with the key in Error::field), and nothing is changed then.
std::optional<Error> apply_settings_json(const Json& j, TenantSettings& into);

struct Tenant {
  std::string id;
  std::string slug;
  std::string name;
  TenantSettings settings;
};

struct User {
  std::string id;
  std::string tenant_id;
  std::string username;  // unique per deployment
  std::string display_name;
  StaffRole role = StaffRole::agent;
  std::string password_hash;  // argon2id string from libsodium
  Millis created_at = 0;
  bool disabled = false;
  std::string email;  // issue 9 (schema v13): normalised (parley::normalise_email), "" when none
};

struct Session {
  std::string token_hash;  // hex sha256 of the cookie value; the value itself is never stored
  std::string user_id;
  Millis created_at = 0;
  Millis expires_at = 0;
};

struct Contact {
  std::string id;
  std::string tenant_id;
  std::string name, email, phone;
  std::string external_id;  // e.g. the mirror's user_id, a WhatsApp wa_id
  Channel channel = Channel::web;
  Millis created_at = 0;
};

struct Visitor {
  std::string token_hash;
  std::string tenant_id;
  std::string contact_id;
  Millis created_at = 0;
};

struct AuditEntry {
  std::string tenant_id;
  std::string actor_type;  // "user", "system", "cli", "api"
  std::string actor_id;
  std::string action;  // "user.created", "settings.changed", "login.failed", ...
  std::string target;
  Json data = Json::object();
  Millis at = 0;
};

// The REST list of conversations (offset-paged; ordered by updated_at DESC, id DESC).
struct ConversationFilter {
  std::optional<Status> status;
  std::string query;  // full-text search over message text ("" = none)
  std::size_t limit = 50;
  std::size_t offset = 0;
};

}  // namespace parley::relay
