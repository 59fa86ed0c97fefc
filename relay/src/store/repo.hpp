// relay/src/store/repo.hpp: typed reads and writes over the schema (relay/src/store/schema.cpp holds the
// migrations; docs/architecture.md the table list). Every function takes the tenant where the
// row belongs to one, and every query filters by it (rule 6).
//
// Writers are called from Store::write ops (writer thread); readers from any thread on its own
// reader connection. None throws; errors come back as parley::Error.
//
// Defined in one file per table group: repo_tenants.cpp, repo_staff.cpp, repo_contacts.cpp,
// repo_conversations.cpp (conversations, events, messages), repo_kb.cpp, repo_audit.cpp.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/assistant_rules.hpp"
#include "parley/model.hpp"
#include "parley/result.hpp"
#include "store/api_keys.hpp"  // API keys moved there; kept visible to repo.hpp users
#include "store/db.hpp"
#include "domain/store_api.hpp"  // OfflineRequest (issue 9)
#include "domain/types.hpp"

namespace parley::relay {

// The domain types (TenantSettings, Tenant, User, Session, Contact, Visitor, AuditEntry,
// ConversationFilter, kDefaultTenantId/Slug) live in domain/types.hpp, included above.

// ---- tenants ----
std::optional<Error> insert_tenant(Db&, const Tenant&, Millis now);
std::optional<Error> save_tenant_settings(Db&, const std::string& tenant_id, const TenantSettings&);
Result<std::vector<Tenant>> load_tenants(Db&);
Result<std::optional<Tenant>> find_tenant(Db&, const std::string& id_or_slug);

// ---- staff ----
std::optional<Error> insert_user(Db&, const User&);
std::optional<Error> set_password_hash(Db&, const std::string& user_id, const std::string& hash);
Result<std::optional<User>> find_user_by_username(Db&, const std::string& username);
Result<std::optional<User>> find_user(Db&, const std::string& user_id);
Result<std::vector<User>> list_users(Db&, const std::string& tenant_id);
std::optional<Error> insert_session(Db&, const Session&);
Result<std::optional<Session>> find_session(Db&, const std::string& token_hash);
std::optional<Error> delete_session(Db&, const std::string& token_hash);
std::optional<Error> delete_user_sessions(Db&, const std::string& user_id);

// ---- API keys: see store/api_keys.hpp (included above) ----

// ---- contacts and visitors ----
std::optional<Error> insert_contact(Db&, const Contact&);
std::optional<Error> update_contact(Db&, const Contact&);  // name, email, phone
Result<std::optional<Contact>> find_contact(Db&, const std::string& tenant_id, const std::string& id);
Result<std::optional<Contact>> find_contact_by_external(Db&, const std::string& tenant_id, Channel channel,
                                                        const std::string& external_id);
std::optional<Error> insert_visitor(Db&, const Visitor&);
Result<std::optional<Visitor>> find_visitor(Db&, const std::string& token_hash);

// ---- conversations, events, messages ----
std::optional<Error> upsert_conversation(Db&, const Conversation&);
// Appends one sequenced event (the audit trail of the conversation); a chat.new_message event also
// inserts the message row (and its full-text index entry). Fails with ErrorCode::internal on a
// duplicate (conversation_id, seq) or (conversation_id, client_msg_id).
std::optional<Error> append_event(Db&, const std::string& tenant_id, const Event&);
// Every conversation of every tenant (the hub's start-up load).
Result<std::vector<Conversation>> load_conversations(Db&);
// One conversation of the tenant, or nullopt (also when it belongs to another tenant).
Result<std::optional<Conversation>> find_conversation(Db&, const std::string& tenant_id,
                                                      const std::string& id);
// Events with seq > after_seq, in order, at most `limit`; customer-visible ones only unless `staff`.
Result<std::vector<Event>> events_after(Db&, const std::string& tenant_id, const std::string& conversation_id,
                                        Seq after_seq, bool staff, std::size_t limit);
// client_msg_id -> seq for every message of the conversation that has one.
Result<std::vector<std::pair<std::string, Seq>>> client_msg_ids(Db&, const std::string& conversation_id);
Result<std::vector<Message>> load_messages(Db&, const std::string& tenant_id,
                                           const std::string& conversation_id, bool staff);
Result<std::vector<Conversation>> list_conversations(Db&, const std::string& tenant_id,
                                                     const ConversationFilter&);

// ---- knowledge base ----
// Replaces the tenant's articles with `articles`: ids not in the list are deleted, the others
// inserted or updated in place (an existing article keeps its place in the order, its usage
// count and, unless its content changed, its updated_at; new ones get `now`, or their own
// updated_at when `now` is 0). A duplicate id in the list is duplicate "id"; nothing changes.
std::optional<Error> replace_kb(Db&, const std::string& tenant_id, const std::vector<KbArticle>& articles,
                                std::int64_t now = 0);
Result<std::vector<KbArticle>> load_kb(Db&, const std::string& tenant_id);  // every article, in order
// ---- issue 10: knowledge-base management (schema v15, repo_kb.cpp) ----
// create: duplicate "id" when the tenant has the id; update: not_found when it has not.
// updated_at is `article.updated_at`; usage_count is never written here.
std::optional<Error> insert_kb_article(Db&, const std::string& tenant_id, const KbArticle& article);
std::optional<Error> update_kb_article(Db&, const std::string& tenant_id, const KbArticle& article);
std::optional<Error> delete_kb_article(Db&, const std::string& tenant_id, const std::string& id);  // not_found
// usage_count += by; an unknown id is not an error (the article may have been deleted meanwhile).
std::optional<Error> bump_kb_usage(Db&, const std::string& tenant_id, const std::string& id, std::int64_t by);
std::optional<Error> save_kb_synonyms(Db&, const std::string& tenant_id, const Synonyms& synonyms);  // replaces all
Result<Synonyms> load_kb_synonyms(Db&, const std::string& tenant_id);
Result<std::optional<KbArticle>> find_kb_article(Db&, const std::string& tenant_id, const std::string& id);
Result<std::vector<KbSearchHit>> search_kb(Db&, const std::string& tenant_id, const KbSearchQuery& query);

// ---- audit (changes that belong to no conversation) ----
std::optional<Error> append_audit(Db&, const AuditEntry&);

// ---- issue 9: offline requests (repo_offline.cpp) ----
std::optional<Error> upsert_offline_request(Db&, const OfflineRequest&);
Result<std::vector<OfflineRequest>> load_offline_requests(Db&);
Result<std::optional<OfflineRequest>> find_offline_request(Db&, const std::string& tenant_id,
                                                           const std::string& conversation_id);

}  // namespace parley::relay
