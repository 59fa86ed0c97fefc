// relay/src/store/sqlite_store.cpp: the store interface over SQLite (see sqlite_store.hpp).
#include "store/sqlite_store.hpp"

#include <string_view>
#include <type_traits>

#include "store/api_keys.hpp"
#include "store/change_log.hpp"
#include "store/repo.hpp"
#include "store/repo_canned.hpp"
#include "store/repo_attachments.hpp"
#include "store/repo_queries.hpp"
#include "store/repo_tickets.hpp"
#include "store/repo_channels.hpp"
#include "store/repo_staff_access.hpp"
#include "store/repo_llm.hpp"
#include "store/repo_routing.hpp"
#include "store/settings_patch.hpp"

namespace parley::relay {

namespace {

std::optional<Error> apply_one(Db& db, const InsertTenant& m) { return insert_tenant(db, m.tenant, m.created_at); }
std::optional<Error> apply_one(Db& db, const SaveTenantSettings& m) {
  return save_tenant_settings(db, m.tenant_id, m.settings);
}
std::optional<Error> apply_one(Db& db, const InsertUser& m) { return insert_user(db, m.user); }
std::optional<Error> apply_one(Db& db, const SetPasswordHash& m) {
  return set_password_hash(db, m.user_id, m.password_hash);
}
std::optional<Error> apply_one(Db& db, const SetUserDisabled& m) {
  return set_user_disabled(db, m.user_id, m.disabled);
}
std::optional<Error> apply_one(Db& db, const InsertSession& m) { return insert_session(db, m.session); }
std::optional<Error> apply_one(Db& db, const DeleteSession& m) { return delete_session(db, m.token_hash); }
std::optional<Error> apply_one(Db& db, const DeleteUserSessions& m) {
  return delete_user_sessions_except(db, m.user_id, m.keep_token_hash);
}
std::optional<Error> apply_one(Db& db, const PatchTenantSettings& m) {
  auto r = patch_tenant_settings(db, m.tenant_id, m.patch);
  if (!r) return r.error();
  return std::nullopt;
}
std::optional<Error> apply_one(Db& db, const InsertApiKey& m) { return insert_api_key(db, m.key, m.key_hash); }
std::optional<Error> apply_one(Db& db, const RevokeApiKey& m) {
  return revoke_api_key(db, m.tenant_id, m.id, m.at);
}
std::optional<Error> apply_one(Db& db, const TouchApiKey& m) { return touch_api_key(db, m.id, m.at); }
std::optional<Error> apply_one(Db& db, const InsertContact& m) { return insert_contact(db, m.contact); }
std::optional<Error> apply_one(Db& db, const UpdateContact& m) { return update_contact(db, m.contact); }
std::optional<Error> apply_one(Db& db, const InsertVisitor& m) { return insert_visitor(db, m.visitor); }
std::optional<Error> apply_one(Db& db, const UpsertConversation& m) {
  if (m.expect_head) {
    Stmt q = db.prepare("SELECT head_seq FROM conversations WHERE id = ?1 AND tenant_id = ?2");
    q.bind(1, m.conversation.id).bind(2, m.conversation.tenant_id);
    Seq stored = 0;
    if (q.step()) {
      stored = q.col_int(0);
    } else if (q.error()) {
      return *q.error();
    }
    if (stored != *m.expect_head) {
      return stale_error("conversation " + m.conversation.id + " is at seq " + std::to_string(stored) + ", not " +
                         std::to_string(*m.expect_head));
    }
  }
  return upsert_conversation(db, m.conversation);
}
std::optional<Error> apply_one(Db& db, const AdvanceConversation& m) {
  // The precondition is part of the WHERE: one statement, no read first.
  Stmt q = db.prepare(m.expect_head
                          ? "UPDATE conversations SET head_seq = ?3, updated_at = ?4, first_agent_response_at = ?5,"
                            " unanswered_turns = ?6 WHERE id = ?1 AND tenant_id = ?2 AND head_seq = ?7"
                          : "UPDATE conversations SET head_seq = ?3, updated_at = ?4, first_agent_response_at = ?5,"
                            " unanswered_turns = ?6 WHERE id = ?1 AND tenant_id = ?2");
  q.bind(1, m.id).bind(2, m.tenant_id).bind(3, m.head_seq).bind(4, m.updated_at).bind(5, m.first_agent_response_at);
  q.bind(6, std::int64_t{m.unanswered_turns});
  if (m.expect_head) q.bind(7, *m.expect_head);
  if (auto e = q.run()) return e;
  if (db.changes() == 1) return std::nullopt;
  if (m.expect_head) {
    return stale_error("conversation " + m.id + " is not at seq " + std::to_string(*m.expect_head));
  }
  return make_error(ErrorCode::internal, "no conversation " + m.id + " to advance");
}
std::optional<Error> apply_one(Db& db, const AppendEvent& m) { return append_event(db, m.tenant_id, m.event); }
std::optional<Error> apply_one(Db& db, const ReplaceKb& m) { return replace_kb(db, m.tenant_id, m.articles); }
std::optional<Error> apply_one(Db& db, const AppendAudit& m) { return append_audit(db, m.entry); }
std::optional<Error> apply_one(Db& db, const SaveRoutingSettings& m) {
  return save_routing_settings(db, m.tenant_id, m.settings, m.at);
}
std::optional<Error> apply_one(Db& db, const SaveTeam& m) { return save_team(db, m.team); }
std::optional<Error> apply_one(Db& db, const SaveAgentProfile& m) { return save_agent_profile(db, m.profile); }
std::optional<Error> apply_one(Db& db, const UpsertCanned& m) { return upsert_canned(db, m.canned); }
std::optional<Error> apply_one(Db& db, const DeleteCanned& m) { return delete_canned(db, m.tenant_id, m.id); }
std::optional<Error> apply_one(Db& db, const InsertAttachment& m) { return insert_attachment(db, m.attachment); }
std::optional<Error> apply_one(Db& db, const UpsertOfflineRequest& m) { return upsert_offline_request(db, m.request); }
std::optional<Error> apply_one(Db& db, const InsertTicket& m) { return insert_ticket(db, m.ticket); }
std::optional<Error> apply_one(Db& db, const UpdateTicket& m) { return update_ticket(db, m.ticket); }
std::optional<Error> apply_one(Db& db, const InsertBlock& m) { return insert_block(db, m.block); }
std::optional<Error> apply_one(Db& db, const LiftBlock& m) { return lift_block(db, m); }
std::optional<Error> apply_one(Db& db, const UpsertKbArticle& m) {
  return m.create ? insert_kb_article(db, m.tenant_id, m.article) : update_kb_article(db, m.tenant_id, m.article);
}
std::optional<Error> apply_one(Db& db, const DeleteKbArticle& m) { return delete_kb_article(db, m.tenant_id, m.id); }
std::optional<Error> apply_one(Db& db, const BumpKbUsage& m) { return bump_kb_usage(db, m.tenant_id, m.article_id, m.by); }
std::optional<Error> apply_one(Db& db, const SaveKbSynonyms& m) { return save_kb_synonyms(db, m.tenant_id, m.synonyms); }
// issue 11: channels (schema v14)
std::optional<Error> apply_one(Db& db, const InsertWebhook& m) { return insert_webhook(db, m.record); }
std::optional<Error> apply_one(Db& db, const MarkWebhookProcessed& m) { return mark_webhook_processed(db, m); }
std::optional<Error> apply_one(Db& db, const SaveChannelAccount& m) { return save_channel_account(db, m.account); }
std::optional<Error> apply_one(Db& db, const InsertDeliveryStatus& m) { return insert_delivery_status(db, m.status); }
std::optional<Error> apply_one(Db& db, const InsertOutboxJob& m) { return insert_outbox_job(db, m.job); }
std::optional<Error> apply_one(Db& db, const UpdateOutboxJob& m) { return update_outbox_job(db, m.job); }
std::optional<Error> apply_one(Db& db, const SetOutboxDelivery& m) { return set_outbox_delivery(db, m); }
std::optional<Error> apply_one(Db& db, const InsertInvitation& m) { return insert_invitation(db, m.invitation); }
std::optional<Error> apply_one(Db& db, const RevokeInvitation& m) { return revoke_invitation(db, m); }
std::optional<Error> apply_one(Db& db, const AcceptInvitation& m) { return accept_invitation(db, m); }
std::optional<Error> apply_one(Db& db, const InsertPasswordReset& m) { return insert_password_reset(db, m.reset); }
std::optional<Error> apply_one(Db& db, const UsePasswordReset& m) { return use_password_reset(db, m); }
std::optional<Error> apply_one(Db& db, const SetUserRole& m) { return set_user_role(db, m); }
std::optional<Error> apply_one(Db& db, const SetUserEmail& m) { return set_user_email(db, m); }
std::optional<Error> apply_one(Db& db, const SaveLlmSettings& m) { return save_llm_settings(db, m.settings); }
std::optional<Error> apply_one(Db& db, const RecordLlmUsage& m) { return record_llm_usage(db, m.usage); }

}  // namespace

Error classify_store_error(Error e) {
  static constexpr std::string_view kUnique = "UNIQUE constraint failed: ";
  if (e.code != ErrorCode::internal) return e;
  const std::size_t at = e.message.find(kUnique);
  if (at == std::string::npos) return e;
  // "... UNIQUE constraint failed: messages.conversation_id, messages.client_msg_id": the last
  // column names the clash (the others scope it).
  std::string_view cols = std::string_view(e.message).substr(at + kUnique.size());
  const std::size_t comma = cols.rfind(", ");
  std::string_view last = comma == std::string_view::npos ? cols : cols.substr(comma + 2);
  if (const std::size_t dot = last.find('.'); dot != std::string_view::npos) last.remove_prefix(dot + 1);
  const std::size_t end = last.find_first_of(" \t\n");
  if (end != std::string_view::npos) last = last.substr(0, end);
  return duplicate_error(std::string(last), e.message);
}

std::optional<Error> apply_mutation(Db& db, const Mutation& m) {
  std::optional<Error> e = std::visit([&db](const auto& op) { return apply_one(db, op); }, m);
  if (e) return classify_store_error(std::move(*e));
  return std::nullopt;
}

// ---- SqliteDataStore ----

Result<std::unique_ptr<SqliteDataStore>> SqliteDataStore::open(const StoreOptions& options) {
  auto store = Store::open(options);
  if (!store) return store.error();
  return std::make_unique<SqliteDataStore>(std::move(store).value());
}

SqliteDataStore::SqliteDataStore(std::unique_ptr<Store> store) : owned_(std::move(store)), store_(*owned_) {}

void SqliteDataStore::write(std::vector<Mutation> ops, Done done) {
  // One Store op = one SAVEPOINT: the first failing mutation rolls the whole vector back.
  auto shared = std::make_shared<std::vector<Mutation>>(std::move(ops));
  store_.write(
      [shared](Db& db) -> std::optional<Error> {
        for (const Mutation& m : *shared) {
          if (auto e = apply_mutation(db, m)) return e;
        }
        return std::nullopt;
      },
      std::move(done));
}

Result<std::unique_ptr<StoreReader>> SqliteDataStore::open_reader() const {
  auto db = store_.open_reader();
  if (!db) return db.error();
  return std::unique_ptr<StoreReader>(std::make_unique<SqliteReader>(std::move(db).value()));
}

// ---- SqliteReader: one line per read ----

Result<std::vector<Tenant>> SqliteReader::load_tenants() { return parley::relay::load_tenants(*db_); }
Result<std::optional<Tenant>> SqliteReader::find_tenant(const std::string& id_or_slug) {
  return parley::relay::find_tenant(*db_, id_or_slug);
}
Result<std::vector<KbArticle>> SqliteReader::load_kb(const std::string& tenant_id) {
  return parley::relay::load_kb(*db_, tenant_id);
}
Result<std::optional<User>> SqliteReader::find_user_by_username(const std::string& username) {
  return parley::relay::find_user_by_username(*db_, username);
}
Result<std::optional<User>> SqliteReader::find_user(const std::string& user_id) {
  return parley::relay::find_user(*db_, user_id);
}
Result<std::vector<CannedResponse>> SqliteReader::list_canned(const std::string& tenant_id,
                                                              const std::string& user_id) {
  return parley::relay::list_canned(*db_, tenant_id, user_id);
}
Result<std::optional<CannedResponse>> SqliteReader::find_canned(const std::string& tenant_id, const std::string& id) {
  return parley::relay::find_canned(*db_, tenant_id, id);
}

Result<std::vector<User>> SqliteReader::list_users(const std::string& tenant_id) {
  return parley::relay::list_users(*db_, tenant_id);
}
Result<std::optional<Session>> SqliteReader::find_session(const std::string& token_hash) {
  return parley::relay::find_session(*db_, token_hash);
}
Result<std::optional<ApiKey>> SqliteReader::find_api_key_by_hash(const std::string& key_hash) {
  return parley::relay::find_api_key_by_hash(*db_, key_hash);
}
Result<std::vector<ApiKey>> SqliteReader::list_api_keys(const std::string& tenant_id) {
  return parley::relay::list_api_keys(*db_, tenant_id);
}
Result<std::int64_t> SqliteReader::data_version() {
  Stmt q = db_->prepare("PRAGMA data_version");
  if (!q.step()) {
    if (q.error()) return *q.error();
    return make_error(ErrorCode::internal, "PRAGMA data_version returned no row");
  }
  return q.col_int(0);
}
Result<std::vector<Change>> SqliteReader::changes_after(std::int64_t after_id, std::size_t limit) {
  return parley::relay::changes_after(*db_, after_id, limit);
}
Result<std::int64_t> SqliteReader::last_change_id() { return parley::relay::last_change_id(*db_); }
Result<std::optional<Contact>> SqliteReader::find_contact(const std::string& tenant_id, const std::string& id) {
  return parley::relay::find_contact(*db_, tenant_id, id);
}
Result<std::optional<Contact>> SqliteReader::find_contact_by_external(const std::string& tenant_id,
                                                                      Channel channel,
                                                                      const std::string& external_id) {
  return parley::relay::find_contact_by_external(*db_, tenant_id, channel, external_id);
}
Result<std::optional<Visitor>> SqliteReader::find_visitor(const std::string& token_hash) {
  return parley::relay::find_visitor(*db_, token_hash);
}
// ---- issue 9: tickets and blocks ----
Result<std::optional<Ticket>> SqliteReader::find_ticket(const std::string& tenant_id, const std::string& id) {
  return parley::relay::find_ticket(*db_, tenant_id, id);
}
Result<std::optional<Ticket>> SqliteReader::find_conversation_ticket(const std::string& tenant_id,
                                                                     const std::string& conversation_id) {
  return parley::relay::find_conversation_ticket(*db_, tenant_id, conversation_id);
}
Result<TicketPage> SqliteReader::list_tickets(const std::string& tenant_id, const TicketQuery& query) {
  return parley::relay::list_tickets(*db_, tenant_id, query);
}
Result<std::vector<Ticket>> SqliteReader::contact_tickets(const std::string& tenant_id, const std::string& contact_id,
                                                          std::size_t limit) {
  return parley::relay::contact_tickets(*db_, tenant_id, contact_id, limit);
}
Result<std::vector<Block>> SqliteReader::load_blocks() { return parley::relay::load_blocks(*db_); }
Result<std::vector<Block>> SqliteReader::list_blocks(const std::string& tenant_id, std::size_t limit) {
  return parley::relay::list_blocks(*db_, tenant_id, limit);
}
Result<std::optional<Block>> SqliteReader::find_block(const std::string& tenant_id, const std::string& id) {
  return parley::relay::find_block(*db_, tenant_id, id);
}
Result<std::optional<KbArticle>> SqliteReader::find_kb_article(const std::string& tenant_id, const std::string& id) {
  return parley::relay::find_kb_article(*db_, tenant_id, id);
}
Result<Synonyms> SqliteReader::load_kb_synonyms(const std::string& tenant_id) {
  return parley::relay::load_kb_synonyms(*db_, tenant_id);
}
Result<std::vector<KbSearchHit>> SqliteReader::search_kb(const std::string& tenant_id, const KbSearchQuery& query) {
  return parley::relay::search_kb(*db_, tenant_id, query);
}
// ---- issue 11: channels ----
Result<std::vector<WebhookRecord>> SqliteReader::unprocessed_webhooks(std::size_t limit) {
  return parley::relay::unprocessed_webhooks(*db_, limit);
}
Result<std::optional<WebhookRecord>> SqliteReader::find_webhook(const std::string& id) {
  return parley::relay::find_webhook(*db_, id);
}
Result<std::vector<ChannelAccount>> SqliteReader::channel_accounts(const std::string& provider) {
  return parley::relay::channel_accounts(*db_, provider);
}
Result<std::vector<OutboxJob>> SqliteReader::open_outbox_jobs() { return parley::relay::open_outbox_jobs(*db_); }
Result<std::optional<OutboxJob>> SqliteReader::find_outbox_by_provider_id(const std::string& channel,
                                                                          const std::string& provider_id) {
  return parley::relay::find_outbox_by_provider_id(*db_, channel, provider_id);
}
Result<std::vector<OutboxJob>> SqliteReader::conversation_outbox(const std::string& tenant_id,
                                                                 const std::string& conversation_id) {
  return parley::relay::conversation_outbox(*db_, tenant_id, conversation_id);
}
Result<std::vector<DeliveryStatus>> SqliteReader::delivery_statuses(const std::string& tenant_id,
                                                                    const std::string& provider_id) {
  return parley::relay::delivery_statuses(*db_, tenant_id, provider_id);
}
Result<Millis> SqliteReader::last_customer_message_at(const std::string& tenant_id, const std::string& contact_id,
                                                      Channel channel) {
  return parley::relay::last_customer_message_at(*db_, tenant_id, contact_id, channel);
}
Result<std::vector<Invitation>> SqliteReader::list_invitations(const std::string& tenant_id, std::size_t limit) {
  return parley::relay::list_invitations(*db_, tenant_id, limit);
}
Result<std::optional<Invitation>> SqliteReader::find_invitation_by_token(const std::string& token_hash) {
  return parley::relay::find_invitation_by_token(*db_, token_hash);
}
Result<std::optional<PasswordReset>> SqliteReader::find_password_reset(const std::string& token_hash) {
  return parley::relay::find_password_reset(*db_, token_hash);
}
Result<std::vector<User>> SqliteReader::find_users_by_email(const std::string& email, std::size_t limit) {
  return parley::relay::find_users_by_email(*db_, email, limit);
}
Result<int> SqliteReader::count_enabled_admins(const std::string& tenant_id) {
  return parley::relay::count_enabled_admins(*db_, tenant_id);
}
Result<std::vector<LlmSettings>> SqliteReader::load_llm_settings() { return parley::relay::load_llm_settings(*db_); }
Result<LlmUsageReport> SqliteReader::llm_usage(const std::string& tenant_id, Millis since,
                                               const std::string& conversation_id, std::size_t limit) {
  return parley::relay::llm_usage(*db_, tenant_id, since, conversation_id, limit);
}
Result<std::vector<OfflineRequest>> SqliteReader::load_offline_requests() {
  return parley::relay::load_offline_requests(*db_);
}
Result<std::optional<OfflineRequest>> SqliteReader::find_offline_request(const std::string& tenant_id,
                                                                         const std::string& conversation_id) {
  return parley::relay::find_offline_request(*db_, tenant_id, conversation_id);
}
Result<std::vector<Conversation>> SqliteReader::load_open_conversations() {
  return parley::relay::load_open_conversations(*db_);
}
Result<std::optional<Conversation>> SqliteReader::find_conversation(const std::string& tenant_id,
                                                                    const std::string& id) {
  return parley::relay::find_conversation(*db_, tenant_id, id);
}
Result<std::vector<Conversation>> SqliteReader::list_conversations(const std::string& tenant_id,
                                                                   const ConversationFilter& filter) {
  return parley::relay::list_conversations(*db_, tenant_id, filter);
}
Result<std::vector<Conversation>> SqliteReader::contact_conversations(const std::string& tenant_id,
                                                                      const std::string& contact_id,
                                                                      std::size_t limit) {
  return parley::relay::contact_conversations(*db_, tenant_id, contact_id, limit);
}
Result<RecentPage> SqliteReader::recent_page(const std::string& tenant_id, const RecentQuery& query) {
  return parley::relay::recent_page(*db_, tenant_id, query);
}
Result<StatusCounts> SqliteReader::status_counts(const std::string& tenant_id) {
  return parley::relay::status_counts(*db_, tenant_id);
}
Result<DaySums> SqliteReader::day_sums(const std::string& tenant_id, Millis day_start) {
  return parley::relay::day_sums(*db_, tenant_id, day_start);
}
Result<std::vector<Event>> SqliteReader::events_after(const std::string& tenant_id,
                                                      const std::string& conversation_id, Seq after_seq,
                                                      bool staff, std::size_t limit) {
  return parley::relay::events_after(*db_, tenant_id, conversation_id, after_seq, staff, limit);
}
Result<MessagePage> SqliteReader::messages_page(const std::string& tenant_id, const std::string& conversation_id,
                                                Seq after_seq, std::size_t limit, bool staff) {
  return parley::relay::messages_page(*db_, tenant_id, conversation_id, after_seq, limit, staff);
}
Result<std::vector<Message>> SqliteReader::load_messages(const std::string& tenant_id,
                                                         const std::string& conversation_id, bool staff) {
  return parley::relay::load_messages(*db_, tenant_id, conversation_id, staff);
}
Result<std::vector<std::pair<std::string, Seq>>> SqliteReader::client_msg_ids(const std::string& conversation_id) {
  return parley::relay::client_msg_ids(*db_, conversation_id);
}
Result<std::vector<std::pair<std::string, Seq>>> SqliteReader::recent_client_msg_ids(
    const std::string& tenant_id, const std::string& conversation_id, std::size_t limit) {
  return parley::relay::recent_client_msg_ids(*db_, tenant_id, conversation_id, limit);
}
Result<std::optional<MessageRef>> SqliteReader::find_message_by_client_msg_id(const std::string& tenant_id,
                                                                              const std::string& client_msg_id) {
  return parley::relay::find_message_by_client_msg_id(*db_, tenant_id, client_msg_id);
}
Result<std::vector<std::string>> SqliteReader::last_customer_messages(const std::string& tenant_id,
                                                                      const std::string& conversation_id,
                                                                      std::size_t n) {
  return parley::relay::last_customer_messages(*db_, tenant_id, conversation_id, n);
}
Result<ConversationPreview> SqliteReader::conversation_preview(const std::string& tenant_id,
                                                               const std::string& conversation_id) {
  return parley::relay::conversation_preview(*db_, tenant_id, conversation_id);
}

Result<RoutingConfig> SqliteReader::load_routing(const std::string& tenant_id) {
  return parley::relay::load_routing(*db_, tenant_id);
}
// attachments (issue 9)
Result<std::optional<Attachment>> SqliteReader::find_attachment(const std::string& tenant_id, const std::string& id) {
  return parley::relay::find_attachment(*db_, tenant_id, id);
}
Result<std::vector<std::string>> SqliteReader::attachment_hashes() { return parley::relay::attachment_hashes(*db_); }

}  // namespace parley::relay
