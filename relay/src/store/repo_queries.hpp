// relay/src/store/repo_queries.hpp: the SQLite queries behind the newer StoreReader reads and
// DataStore mutations (domain/store_api.hpp documents each result type and rule; this file adds
// only what is SQLite-specific). Like store/repo.hpp: every function takes the tenant where the
// row has one and filters by it; writers run inside a Store::write op (writer thread) or a
// transaction of their own connection, readers on any thread with its own reader connection.
// None throws; errors come back as parley::Error.
//
// Indexes: each read below names the index it relies on. Those not yet in store/schema.cpp are
// listed in the report for the schema owner (the queries are correct without them, only slower):
//   CREATE INDEX conversations_open ON conversations(tenant_id, created_at, id) WHERE status <> 'resolved';
//   CREATE INDEX conversations_recent ON conversations(tenant_id, updated_at DESC, id);
//   CREATE INDEX conversations_assignee ON conversations(tenant_id, assignee_id, updated_at DESC, id);
//   CREATE INDEX messages_client_msg ON messages(tenant_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
// (day_sums scans the tenant's rows through conversations_status; see repo_queries.cpp.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"

namespace parley::relay {

// ---- conversations ----
// Status not resolved, every tenant, by tenant_id, created_at, id. Index: conversations_open.
Result<std::vector<Conversation>> load_open_conversations(Db&);
// Newest first (created_at DESC, id DESC), at most `limit`. Index: conversations_contact
// (tenant_id, contact_id), then a sort of the contact's rows.
Result<std::vector<Conversation>> contact_conversations(Db&, const std::string& tenant_id,
                                                        const std::string& contact_id, std::size_t limit);
// Index: conversations_status (tenant_id, status), covering.
Result<StatusCounts> status_counts(Db&, const std::string& tenant_id);
// One statement (one snapshot). See DaySums for the rule.
Result<DaySums> day_sums(Db&, const std::string& tenant_id, Millis day_start);
// Keyset page in recent order (updated_at DESC, id ASC) plus the total, in one read transaction.
// Index: conversations_recent, or conversations_assignee with an assignee.
Result<RecentPage> recent_page(Db&, const std::string& tenant_id, const RecentQuery& query);

// ---- messages ----
// The earliest message of the tenant with this client_msg_id. Index: messages_client_msg.
Result<std::optional<MessageRef>> find_message_by_client_msg_id(Db&, const std::string& tenant_id,
                                                                const std::string& client_msg_id);
// The last `limit` (client_msg_id, seq) of the conversation, highest seq first.
// Index: the UNIQUE (conversation_id, seq) of messages, backwards.
Result<std::vector<std::pair<std::string, Seq>>> recent_client_msg_ids(Db&, const std::string& tenant_id,
                                                                       const std::string& conversation_id,
                                                                       std::size_t limit);
// Texts of the last `n` customer messages, oldest first. Index: UNIQUE (conversation_id, seq).
Result<std::vector<std::string>> last_customer_messages(Db&, const std::string& tenant_id,
                                                        const std::string& conversation_id, std::size_t n);
// Index: UNIQUE (conversation_id, seq) of messages, then the events primary key.
Result<ConversationPreview> conversation_preview(Db&, const std::string& tenant_id,
                                                 const std::string& conversation_id);
// A LIMIT query (reads limit + 1 rows to tell `more`). Index: UNIQUE (conversation_id, seq).
Result<MessagePage> messages_page(Db&, const std::string& tenant_id, const std::string& conversation_id,
                                  Seq after_seq, std::size_t limit, bool staff);

// ---- staff (writers) ----
// ErrorCode::not_found for an unknown user.
std::optional<Error> set_user_disabled(Db&, const std::string& user_id, bool disabled);
// Deletes every session of the user except `keep_token_hash` ("" keeps none). Index: sessions_user.
std::optional<Error> delete_user_sessions_except(Db&, const std::string& user_id,
                                                 const std::string& keep_token_hash);

}  // namespace parley::relay
