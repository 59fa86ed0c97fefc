// relay/src/store/repo_channels.cpp: the channel tables (repo_channels.hpp).
#include "store/repo_channels.hpp"

#include "store/repo_helpers.hpp"

namespace parley::relay {

namespace {
using repo_helpers::dump_json;

constexpr const char* kWebhookCols = "id, provider, tenant_id, received_at, raw, processed_at, error";
constexpr const char* kOutboxCols =
    "id, tenant_id, channel, conversation_id, seq, lane, recipient, payload, state, attempts, next_attempt_at,"
    " last_error, error_code, error_class, provider_id, delivery, created_at, updated_at";

Json json_col(const Stmt& q, int i) {
  Json j = Json::parse(q.col_text(i), nullptr, false);
  return j.is_discarded() ? Json() : j;
}

WebhookRecord webhook_row(const Stmt& q) {
  WebhookRecord r;
  r.id = q.col_text(0);
  r.provider = q.col_text(1);
  r.tenant_id = q.col_text(2);
  r.received_at = q.col_int(3);
  r.raw = q.col_text(4);
  r.processed_at = q.col_int(5);
  r.error = q.col_text(6);
  return r;
}

OutboxJob outbox_row(const Stmt& q) {
  OutboxJob j;
  j.id = q.col_text(0);
  j.tenant_id = q.col_text(1);
  j.channel = q.col_text(2);
  j.conversation_id = q.col_text(3);
  j.seq = static_cast<Seq>(q.col_int(4));
  j.lane = q.col_text(5);
  j.recipient = q.col_text(6);
  j.payload = json_col(q, 7);
  j.state = parse_outbox_state(q.col_text(8)).value_or(OutboxState::unknown);
  j.attempts = static_cast<int>(q.col_int(9));
  j.next_attempt_at = q.col_int(10);
  j.last_error = q.col_text(11);
  j.error_code = static_cast<int>(q.col_int(12));
  j.error_class = q.col_text(13);
  j.provider_id = q.col_text(14);
  j.delivery = q.col_text(15);
  j.created_at = q.col_int(16);
  j.updated_at = q.col_int(17);
  return j;
}

template <class T, class Row>
Result<std::vector<T>> all(Stmt& q, Row row) {
  std::vector<T> out;
  while (q.step()) out.push_back(row(q));
  if (q.error()) return *q.error();
  return out;
}
template <class T, class Row>
Result<std::optional<T>> one(Stmt& q, Row row) {
  if (q.step()) return std::optional<T>(row(q));
  if (q.error()) return *q.error();
  return std::optional<T>{};
}
}  // namespace

std::optional<Error> insert_webhook(Db& db, const WebhookRecord& r) {
  Stmt q = db.prepare(std::string("INSERT INTO webhook_inbox(") + kWebhookCols + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  q.bind(1, r.id).bind(2, r.provider).bind(3, r.tenant_id).bind(4, r.received_at).bind(5, r.raw);
  q.bind(6, r.processed_at).bind(7, r.error);
  return q.run();
}

std::optional<Error> mark_webhook_processed(Db& db, const MarkWebhookProcessed& m) {
  Stmt q = db.prepare("UPDATE webhook_inbox SET processed_at = ?2, error = ?3 WHERE id = ?1");
  q.bind(1, m.id).bind(2, m.at).bind(3, m.error);
  return q.run();
}

std::optional<Error> save_channel_account(Db& db, const ChannelAccount& a) {
  Stmt q = db.prepare(
      "INSERT INTO channel_accounts(tenant_id, provider, account_id, config, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT(tenant_id, provider) DO UPDATE SET account_id = excluded.account_id, config = excluded.config,"
      " updated_at = excluded.updated_at");
  q.bind(1, a.tenant_id).bind(2, a.provider).bind(3, a.account_id).bind(4, dump_json(a.config)).bind(5, a.updated_at);
  return q.run();
}

std::optional<Error> insert_delivery_status(Db& db, const DeliveryStatus& s) {
  Stmt q = db.prepare(
      "INSERT INTO delivery_statuses(tenant_id, provider, provider_id, state, recipient_id, at, received_at,"
      " error_code, error_title, error_detail, pricing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  q.bind(1, s.tenant_id).bind(2, s.provider).bind(3, s.provider_id).bind(4, s.state).bind(5, s.recipient_id);
  q.bind(6, s.at).bind(7, s.received_at).bind(8, std::int64_t{s.error_code}).bind(9, s.error_title);
  q.bind(10, s.error_detail).bind(11, dump_json(s.pricing));
  return q.run();
}

std::optional<Error> insert_outbox_job(Db& db, const OutboxJob& j) {
  Stmt q = db.prepare(std::string("INSERT INTO outbox(") + kOutboxCols +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  q.bind(1, j.id).bind(2, j.tenant_id).bind(3, j.channel).bind(4, j.conversation_id);
  q.bind(5, static_cast<std::int64_t>(j.seq)).bind(6, j.lane).bind(7, j.recipient).bind(8, dump_json(j.payload));
  q.bind(9, std::string(to_string(j.state))).bind(10, std::int64_t{j.attempts}).bind(11, j.next_attempt_at);
  q.bind(12, j.last_error).bind(13, std::int64_t{j.error_code}).bind(14, j.error_class).bind(15, j.provider_id);
  q.bind(16, j.delivery).bind(17, j.created_at).bind(18, j.updated_at);
  return q.run();
}

std::optional<Error> update_outbox_job(Db& db, const OutboxJob& j) {
  Stmt q = db.prepare(
      "UPDATE outbox SET state = ?3, attempts = ?4, next_attempt_at = ?5, last_error = ?6, error_code = ?7,"
      " error_class = ?8, provider_id = ?9,"
      " delivery = CASE WHEN delivery IN ('pending', 'unknown') THEN ?10 ELSE delivery END,"
      " updated_at = ?11 WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, j.tenant_id).bind(2, j.id).bind(3, std::string(to_string(j.state))).bind(4, std::int64_t{j.attempts});
  q.bind(5, j.next_attempt_at).bind(6, j.last_error).bind(7, std::int64_t{j.error_code}).bind(8, j.error_class);
  q.bind(9, j.provider_id).bind(10, j.delivery).bind(11, j.updated_at);
  if (auto e = q.run()) return e;
  if (db.changes() == 0) return make_error(ErrorCode::not_found, "no outbox job " + j.id);
  return std::nullopt;
}

std::optional<Error> set_outbox_delivery(Db& db, const SetOutboxDelivery& m) {
  Stmt q = db.prepare(
      "UPDATE outbox SET delivery = ?3, error_code = CASE WHEN ?4 <> 0 THEN ?4 ELSE error_code END,"
      " last_error = CASE WHEN ?5 <> '' THEN ?5 ELSE last_error END, updated_at = ?6"
      " WHERE tenant_id = ?1 AND id = ?2");
  q.bind(1, m.tenant_id).bind(2, m.id).bind(3, m.delivery).bind(4, std::int64_t{m.error_code}).bind(5, m.last_error);
  q.bind(6, m.updated_at);
  return q.run();
}

Result<std::vector<WebhookRecord>> unprocessed_webhooks(Db& db, std::size_t limit) {
  Stmt q = db.prepare(std::string("SELECT ") + kWebhookCols +
                      " FROM webhook_inbox WHERE processed_at = 0 ORDER BY received_at, rowid LIMIT ?1");
  q.bind(1, repo_helpers::clamp_count(limit));
  return all<WebhookRecord>(q, webhook_row);
}

Result<std::optional<WebhookRecord>> find_webhook(Db& db, const std::string& id) {
  Stmt q = db.prepare(std::string("SELECT ") + kWebhookCols + " FROM webhook_inbox WHERE id = ?1");
  q.bind(1, id);
  return one<WebhookRecord>(q, webhook_row);
}

Result<std::vector<ChannelAccount>> channel_accounts(Db& db, const std::string& provider) {
  Stmt q = db.prepare(
      "SELECT tenant_id, provider, account_id, config, updated_at FROM channel_accounts WHERE provider = ?1"
      " ORDER BY tenant_id");
  q.bind(1, provider);
  return all<ChannelAccount>(q, [](const Stmt& r) {
    ChannelAccount a;
    a.tenant_id = r.col_text(0);
    a.provider = r.col_text(1);
    a.account_id = r.col_text(2);
    a.config = json_col(r, 3);
    if (!a.config.is_object()) a.config = Json::object();
    a.updated_at = r.col_int(4);
    return a;
  });
}

Result<std::vector<OutboxJob>> open_outbox_jobs(Db& db) {
  Stmt q = db.prepare(std::string("SELECT ") + kOutboxCols +
                      " FROM outbox WHERE state IN ('pending', 'sending') ORDER BY rowid");
  return all<OutboxJob>(q, outbox_row);
}

Result<std::optional<OutboxJob>> find_outbox_by_provider_id(Db& db, const std::string& channel,
                                                            const std::string& provider_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kOutboxCols +
                      " FROM outbox WHERE channel = ?1 AND provider_id = ?2 ORDER BY rowid LIMIT 1");
  q.bind(1, channel).bind(2, provider_id);
  return one<OutboxJob>(q, outbox_row);
}

Result<std::vector<OutboxJob>> conversation_outbox(Db& db, const std::string& tenant_id,
                                                   const std::string& conversation_id) {
  Stmt q = db.prepare(std::string("SELECT ") + kOutboxCols +
                      " FROM outbox WHERE tenant_id = ?1 AND conversation_id = ?2 ORDER BY rowid");
  q.bind(1, tenant_id).bind(2, conversation_id);
  return all<OutboxJob>(q, outbox_row);
}

Result<std::vector<DeliveryStatus>> delivery_statuses(Db& db, const std::string& tenant_id,
                                                      const std::string& provider_id) {
  Stmt q = db.prepare(
      "SELECT tenant_id, provider, provider_id, state, recipient_id, at, received_at, error_code, error_title,"
      " error_detail, pricing FROM delivery_statuses WHERE tenant_id = ?1 AND provider_id = ?2"
      " ORDER BY received_at, rowid");
  q.bind(1, tenant_id).bind(2, provider_id);
  return all<DeliveryStatus>(q, [](const Stmt& r) {
    DeliveryStatus s;
    s.tenant_id = r.col_text(0);
    s.provider = r.col_text(1);
    s.provider_id = r.col_text(2);
    s.state = r.col_text(3);
    s.recipient_id = r.col_text(4);
    s.at = r.col_int(5);
    s.received_at = r.col_int(6);
    s.error_code = static_cast<int>(r.col_int(7));
    s.error_title = r.col_text(8);
    s.error_detail = r.col_text(9);
    s.pricing = json_col(r, 10);
    return s;
  });
}

Result<Millis> last_customer_message_at(Db& db, const std::string& tenant_id, const std::string& contact_id,
                                        Channel channel) {
  Stmt q = db.prepare(
      "SELECT COALESCE(MAX(m.at), 0) FROM conversations c JOIN messages m ON m.conversation_id = c.id"
      " WHERE c.tenant_id = ?1 AND c.contact_id = ?2 AND c.channel = ?3 AND m.sender_role = 'customer'");
  q.bind(1, tenant_id).bind(2, contact_id).bind(3, std::string(to_string(channel)));
  if (q.step()) return Millis{q.col_int(0)};
  if (q.error()) return *q.error();
  return Millis{0};
}

}  // namespace parley::relay
