// relay/src/store/sqlite_store.hpp: the SQLite implementation of the store interface
// (domain/store_api.hpp): SqliteDataStore over the group-commit writer (store/store.hpp) and
// SqliteReader over one read-only connection (store/db.hpp).
//
// Mapping:
//  - DataStore::write(ops, done) is ONE Store op: the ops run in order in that op's SAVEPOINT, the
//    first error stops the vector and rolls the savepoint back (nothing of the vector stays; the
//    search-index work it deferred is dropped), the rest of the group-commit batch goes on.
//  - SQLite's "UNIQUE constraint failed: table.col, ..." becomes duplicate_error(<last column>)
//    (see is_duplicate); every other error keeps the code store/db.hpp gives it.
//  - Threads and ownership as in store_api.hpp. A SqliteReader owns its connection; it must not
//    outlive the database files' Store (it holds no pointer to it, only the open connection).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "domain/store_api.hpp"
#include "store/db.hpp"
#include "store/store.hpp"

namespace parley::relay {

// Applies one mutation on `db` (a Store op's connection, inside its savepoint; or any connection
// in a transaction of its own). Errors as documented in store_api.hpp.
std::optional<Error> apply_mutation(Db& db, const Mutation& m);

// Turns SQLite's unique-constraint error into duplicate_error(column); other errors unchanged.
Error classify_store_error(Error e);

class SqliteReader final : public StoreReader {
 public:
  explicit SqliteReader(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  // issue 9, supervise (store/repo_supervise.cpp)
  Result<std::vector<Event>> day_events(const std::string& tenant_id, Millis from, Millis to) override;
  Result<SearchPage> search_conversations(const std::string& tenant_id, const ConversationSearch& query) override;

  // The connection, for SQLite-only code (backup, tests) during the move to this interface.
  Db& db() { return *db_; }

  Result<std::vector<Tenant>> load_tenants() override;
  Result<std::optional<Tenant>> find_tenant(const std::string& id_or_slug) override;
  Result<std::vector<KbArticle>> load_kb(const std::string& tenant_id) override;
  Result<std::optional<User>> find_user_by_username(const std::string& username) override;
  Result<std::optional<User>> find_user(const std::string& user_id) override;
  Result<std::vector<User>> list_users(const std::string& tenant_id) override;
  // issue 9
  Result<std::vector<CannedResponse>> list_canned(const std::string& tenant_id, const std::string& user_id) override;
  Result<std::optional<CannedResponse>> find_canned(const std::string& tenant_id, const std::string& id) override;
  Result<std::optional<Session>> find_session(const std::string& token_hash) override;
  Result<std::optional<ApiKey>> find_api_key_by_hash(const std::string& key_hash) override;
  Result<std::vector<ApiKey>> list_api_keys(const std::string& tenant_id) override;
  Result<std::int64_t> data_version() override;
  Result<std::vector<Change>> changes_after(std::int64_t after_id, std::size_t limit) override;
  Result<std::int64_t> last_change_id() override;
  Result<std::optional<Contact>> find_contact(const std::string& tenant_id, const std::string& id) override;
  Result<std::optional<Contact>> find_contact_by_external(const std::string& tenant_id, Channel channel,
                                                          const std::string& external_id) override;
  Result<std::optional<Visitor>> find_visitor(const std::string& token_hash) override;
  Result<std::vector<Conversation>> load_open_conversations() override;
  Result<std::optional<Conversation>> find_conversation(const std::string& tenant_id,
                                                        const std::string& id) override;
  Result<std::vector<Conversation>> list_conversations(const std::string& tenant_id,
                                                       const ConversationFilter& filter) override;
  Result<std::vector<Conversation>> contact_conversations(const std::string& tenant_id,
                                                          const std::string& contact_id,
                                                          std::size_t limit) override;
  Result<RecentPage> recent_page(const std::string& tenant_id, const RecentQuery& query) override;
  Result<StatusCounts> status_counts(const std::string& tenant_id) override;
  Result<DaySums> day_sums(const std::string& tenant_id, Millis day_start) override;
  Result<std::vector<Event>> events_after(const std::string& tenant_id, const std::string& conversation_id,
                                          Seq after_seq, bool staff, std::size_t limit) override;
  Result<MessagePage> messages_page(const std::string& tenant_id, const std::string& conversation_id,
                                    Seq after_seq, std::size_t limit, bool staff) override;
  Result<std::vector<Message>> load_messages(const std::string& tenant_id, const std::string& conversation_id,
                                             bool staff) override;
  Result<std::vector<std::pair<std::string, Seq>>> client_msg_ids(const std::string& conversation_id) override;
  Result<std::vector<std::pair<std::string, Seq>>> recent_client_msg_ids(const std::string& tenant_id,
                                                                         const std::string& conversation_id,
                                                                         std::size_t limit) override;
  Result<std::optional<MessageRef>> find_message_by_client_msg_id(const std::string& tenant_id,
                                                                  const std::string& client_msg_id) override;
  Result<std::vector<std::string>> last_customer_messages(const std::string& tenant_id,
                                                          const std::string& conversation_id,
                                                          std::size_t n) override;
  Result<ConversationPreview> conversation_preview(const std::string& tenant_id,
                                                   const std::string& conversation_id) override;
  // attachments (issue 9; store/repo_attachments.hpp)
  Result<std::optional<Attachment>> find_attachment(const std::string& tenant_id, const std::string& id) override;
  Result<std::vector<std::string>> attachment_hashes() override;

  // routing (issue 9)
  Result<RoutingConfig> load_routing(const std::string& tenant_id) override;
  // issue 9: tickets and blocks
  Result<std::optional<Ticket>> find_ticket(const std::string& tenant_id, const std::string& id) override;
  Result<std::optional<Ticket>> find_conversation_ticket(const std::string& tenant_id,
                                                         const std::string& conversation_id) override;
  Result<TicketPage> list_tickets(const std::string& tenant_id, const TicketQuery& query) override;
  Result<std::vector<Ticket>> contact_tickets(const std::string& tenant_id, const std::string& contact_id,
                                              std::size_t limit) override;
  Result<std::vector<Block>> load_blocks() override;
  Result<std::vector<Block>> list_blocks(const std::string& tenant_id, std::size_t limit) override;
  Result<std::optional<Block>> find_block(const std::string& tenant_id, const std::string& id) override;
  // issue 10: knowledge base
  Result<std::optional<KbArticle>> find_kb_article(const std::string& tenant_id, const std::string& id) override;
  Result<Synonyms> load_kb_synonyms(const std::string& tenant_id) override;
  Result<std::vector<KbSearchHit>> search_kb(const std::string& tenant_id, const KbSearchQuery& query) override;
  // issue 11: channels (store/repo_channels.hpp)
  Result<std::vector<WebhookRecord>> unprocessed_webhooks(std::size_t limit) override;
  Result<std::optional<WebhookRecord>> find_webhook(const std::string& id) override;
  Result<std::vector<ChannelAccount>> channel_accounts(const std::string& provider) override;
  Result<std::vector<OutboxJob>> open_outbox_jobs() override;
  Result<std::optional<OutboxJob>> find_outbox_by_provider_id(const std::string& channel,
                                                              const std::string& provider_id) override;
  Result<std::vector<OutboxJob>> conversation_outbox(const std::string& tenant_id,
                                                     const std::string& conversation_id) override;
  Result<std::vector<DeliveryStatus>> delivery_statuses(const std::string& tenant_id,
                                                        const std::string& provider_id) override;
  Result<Millis> last_customer_message_at(const std::string& tenant_id, const std::string& contact_id,
                                          Channel channel) override;
  // issue 9, staff accounts by mail
  Result<std::vector<Invitation>> list_invitations(const std::string& tenant_id, std::size_t limit) override;
  Result<std::optional<Invitation>> find_invitation_by_token(const std::string& token_hash) override;
  Result<std::optional<PasswordReset>> find_password_reset(const std::string& token_hash) override;
  Result<std::vector<User>> find_users_by_email(const std::string& email, std::size_t limit) override;
  Result<int> count_enabled_admins(const std::string& tenant_id) override;
  // issue 10: LLM providers (store/repo_llm.cpp)
  Result<std::vector<LlmSettings>> load_llm_settings() override;
  Result<LlmUsageReport> llm_usage(const std::string& tenant_id, Millis since, const std::string& conversation_id,
                                   std::size_t limit) override;
  Result<std::vector<OfflineRequest>> load_offline_requests() override;
  Result<std::optional<OfflineRequest>> find_offline_request(const std::string& tenant_id,
                                                             const std::string& conversation_id) override;

 private:
  std::unique_ptr<Db> db_;
};

class SqliteDataStore final : public DataStore {
 public:
  // Opens the database like Store::open (migrations, default tenant) and owns the Store.
  static Result<std::unique_ptr<SqliteDataStore>> open(const StoreOptions& options);
  // Owns `store`.
  explicit SqliteDataStore(std::unique_ptr<Store> store);
  // Borrows `store` (REQUIRES: it outlives this object); for code that still uses the Store
  // directly while the app moves to this interface.
  explicit SqliteDataStore(Store& store) : store_(store) {}

  using DataStore::write;
  void write(std::vector<Mutation> ops, Done done) override;
  void drain() override { store_.drain(); }
  void set_batch_done(std::function<void()> fn) override { store_.set_batch_done(std::move(fn)); }
  bool failed() const override { return store_.failed(); }
  StoreStats stats() const override { return store_.stats(); }
  Result<std::unique_ptr<StoreReader>> open_reader() const override;

  // The underlying writer (SQLite-only code: backup, metrics of the path).
  Store& sqlite() { return store_; }

 private:
  std::unique_ptr<Store> owned_;  // declared first: store_ may refer to it
  Store& store_;
};

}  // namespace parley::relay
