// relay/src/domain/store_api.cpp: the interface's small helpers (see store_api.hpp).
#include "domain/store_api.hpp"

namespace parley::relay {

namespace {
constexpr std::string_view kDuplicatePrefix = "duplicate ";

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;
}  // namespace

Error duplicate_error(std::string field, std::string_view detail) {
  std::string msg(kDuplicatePrefix);
  msg += field;
  if (!detail.empty()) {
    msg += ": ";
    msg += detail;
  }
  return make_error(ErrorCode::bad_field, std::move(msg), std::move(field));
}

bool is_duplicate(const Error& e, std::string_view field) {
  if (e.code != ErrorCode::bad_field) return false;
  if (std::string_view(e.message).substr(0, kDuplicatePrefix.size()) != kDuplicatePrefix) return false;
  return field.empty() || e.field == field;
}

Error stale_error(std::string_view detail) {
  return make_error(ErrorCode::invalid_transition, "stale: " + std::string(detail), "head_seq");
}

bool is_stale(const Error& e) {
  return e.code == ErrorCode::invalid_transition && e.field == "head_seq" && e.message.rfind("stale: ", 0) == 0;
}

std::string_view mutation_name(const Mutation& m) {
  return std::visit(Overload{
                        [](const InsertTenant&) { return std::string_view("InsertTenant"); },
                        [](const SaveTenantSettings&) { return std::string_view("SaveTenantSettings"); },
                        [](const PatchTenantSettings&) { return std::string_view("PatchTenantSettings"); },
                        [](const InsertUser&) { return std::string_view("InsertUser"); },
                        [](const SetPasswordHash&) { return std::string_view("SetPasswordHash"); },
                        [](const SetUserDisabled&) { return std::string_view("SetUserDisabled"); },
                        [](const InsertSession&) { return std::string_view("InsertSession"); },
                        [](const DeleteSession&) { return std::string_view("DeleteSession"); },
                        [](const DeleteUserSessions&) { return std::string_view("DeleteUserSessions"); },
                        [](const InsertApiKey&) { return std::string_view("InsertApiKey"); },
                        [](const RevokeApiKey&) { return std::string_view("RevokeApiKey"); },
                        [](const TouchApiKey&) { return std::string_view("TouchApiKey"); },
                        [](const InsertContact&) { return std::string_view("InsertContact"); },
                        [](const UpdateContact&) { return std::string_view("UpdateContact"); },
                        [](const InsertVisitor&) { return std::string_view("InsertVisitor"); },
                        [](const UpsertConversation&) { return std::string_view("UpsertConversation"); },
                        [](const AdvanceConversation&) { return std::string_view("AdvanceConversation"); },
                        [](const AppendEvent&) { return std::string_view("AppendEvent"); },
                        [](const ReplaceKb&) { return std::string_view("ReplaceKb"); },
                        [](const AppendAudit&) { return std::string_view("AppendAudit"); },
                        [](const SaveRoutingSettings&) { return std::string_view("SaveRoutingSettings"); },
                        [](const SaveTeam&) { return std::string_view("SaveTeam"); },
                        [](const SaveAgentProfile&) { return std::string_view("SaveAgentProfile"); },
                        [](const UpsertCanned&) { return std::string_view("UpsertCanned"); },
                        [](const DeleteCanned&) { return std::string_view("DeleteCanned"); },
                        [](const InsertAttachment&) { return std::string_view("InsertAttachment"); },
                        [](const UpsertOfflineRequest&) { return std::string_view("UpsertOfflineRequest"); },
                        [](const InsertTicket&) { return std::string_view("InsertTicket"); },
                        [](const UpdateTicket&) { return std::string_view("UpdateTicket"); },
                        [](const InsertBlock&) { return std::string_view("InsertBlock"); },
                        [](const LiftBlock&) { return std::string_view("LiftBlock"); },
                        [](const UpsertKbArticle&) { return std::string_view("UpsertKbArticle"); },
                        [](const DeleteKbArticle&) { return std::string_view("DeleteKbArticle"); },
                        [](const BumpKbUsage&) { return std::string_view("BumpKbUsage"); },
                        [](const SaveKbSynonyms&) { return std::string_view("SaveKbSynonyms"); },
                        [](const InsertWebhook&) { return std::string_view("InsertWebhook"); },
                        [](const MarkWebhookProcessed&) { return std::string_view("MarkWebhookProcessed"); },
                        [](const SaveChannelAccount&) { return std::string_view("SaveChannelAccount"); },
                        [](const InsertDeliveryStatus&) { return std::string_view("InsertDeliveryStatus"); },
                        [](const InsertOutboxJob&) { return std::string_view("InsertOutboxJob"); },
                        [](const UpdateOutboxJob&) { return std::string_view("UpdateOutboxJob"); },
                        [](const SetOutboxDelivery&) { return std::string_view("SetOutboxDelivery"); },
                        [](const InsertInvitation&) { return std::string_view("InsertInvitation"); },
                        [](const RevokeInvitation&) { return std::string_view("RevokeInvitation"); },
                        [](const AcceptInvitation&) { return std::string_view("AcceptInvitation"); },
                        [](const InsertPasswordReset&) { return std::string_view("InsertPasswordReset"); },
                        [](const UsePasswordReset&) { return std::string_view("UsePasswordReset"); },
                        [](const SetUserRole&) { return std::string_view("SetUserRole"); },
                        [](const SetUserEmail&) { return std::string_view("SetUserEmail"); },
                        [](const SaveLlmSettings&) { return std::string_view("SaveLlmSettings"); },
                        [](const RecordLlmUsage&) { return std::string_view("RecordLlmUsage"); },
                    },
                    m);
}

Result<RoutingConfig> StoreReader::load_routing(const std::string&) { return RoutingConfig{}; }

Result<std::optional<KbArticle>> StoreReader::find_kb_article(const std::string&, const std::string&) {
  return make_error(ErrorCode::unavailable, "this store has no knowledge-base queries");
}
Result<std::vector<KbSearchHit>> StoreReader::search_kb(const std::string&, const KbSearchQuery&) {
  return make_error(ErrorCode::unavailable, "this store has no knowledge-base search");
}

std::int64_t StatusCounts::of(Status s) const {
  switch (s) {
    case Status::bot:
      return bot;
    case Status::pending:
      return pending;
    case Status::active:
      return active;
    case Status::resolved:
      return resolved;
  }
  return 0;
}

bool only_advances(const Conversation& base, const Conversation& next) {
  // Everything but what AdvanceConversation writes must be equal (a field added to Conversation
  // later is compared too, so it can never be dropped by the narrow write).
  Conversation moved = base;
  moved.head_seq = next.head_seq;
  moved.updated_at = next.updated_at;
  moved.first_agent_response_at = next.first_agent_response_at;
  moved.unanswered_turns = next.unanswered_turns;
  return moved == next;
}

AdvanceConversation advance_of(const Conversation& c, std::optional<Seq> expect_head) {
  return AdvanceConversation{c.id, c.tenant_id, c.head_seq, c.updated_at, c.first_agent_response_at,
                             c.unanswered_turns, expect_head};
}

// ---- issue 9: canned responses ----
Result<std::vector<CannedResponse>> StoreReader::list_canned(const std::string&, const std::string&) {
  return make_error(ErrorCode::unavailable, "this store keeps no canned responses");
}
Result<std::optional<CannedResponse>> StoreReader::find_canned(const std::string&, const std::string&) {
  return make_error(ErrorCode::unavailable, "this store keeps no canned responses");
}
// ==== issue 9, supervise: defaults for stores without the supervise reads ====
Result<std::vector<Event>> StoreReader::day_events(const std::string&, Millis, Millis) {
  return make_error(ErrorCode::unavailable, "this store has no day_events");
}
Result<SearchPage> StoreReader::search_conversations(const std::string&, const ConversationSearch&) {
  return make_error(ErrorCode::unavailable, "this store has no conversation search");
}
// ---- attachments (issue 9): defaults for readers without them ----
Result<std::optional<Attachment>> StoreReader::find_attachment(const std::string&, const std::string&) {
  return make_error(ErrorCode::unavailable, "this store keeps no attachments");
}
Result<std::vector<std::string>> StoreReader::attachment_hashes() {
  return make_error(ErrorCode::unavailable, "this store keeps no attachments");
}

// ==== issue 9, tickets and blocks: defaults for readers without them ====
namespace {
Error no_tickets() { return make_error(ErrorCode::unavailable, "this store keeps no tickets or blocks"); }
}  // namespace
Result<std::optional<Ticket>> StoreReader::find_ticket(const std::string&, const std::string&) { return no_tickets(); }
Result<std::optional<Ticket>> StoreReader::find_conversation_ticket(const std::string&, const std::string&) {
  return no_tickets();
}
Result<TicketPage> StoreReader::list_tickets(const std::string&, const TicketQuery&) { return no_tickets(); }
Result<std::vector<Ticket>> StoreReader::contact_tickets(const std::string&, const std::string&, std::size_t) {
  return no_tickets();
}
Result<std::vector<Block>> StoreReader::load_blocks() { return std::vector<Block>{}; }
Result<std::vector<Block>> StoreReader::list_blocks(const std::string&, std::size_t) { return no_tickets(); }
Result<std::optional<Block>> StoreReader::find_block(const std::string&, const std::string&) { return no_tickets(); }

// ==== issue 9, staff accounts by mail: defaults for readers without them ====
namespace {
Error no_staff_mail() { return make_error(ErrorCode::unavailable, "this store keeps no invitations or resets"); }
}  // namespace
Result<std::vector<Invitation>> StoreReader::list_invitations(const std::string&, std::size_t) { return no_staff_mail(); }
Result<std::optional<Invitation>> StoreReader::find_invitation_by_token(const std::string&) { return no_staff_mail(); }
Result<std::optional<PasswordReset>> StoreReader::find_password_reset(const std::string&) { return no_staff_mail(); }
Result<std::vector<User>> StoreReader::find_users_by_email(const std::string&, std::size_t) { return no_staff_mail(); }
Result<int> StoreReader::count_enabled_admins(const std::string&) { return no_staff_mail(); }

}  // namespace parley::relay

// ==== issue 11, channels: defaults for readers without them ====
namespace parley::relay {
namespace {
Error no_channels() { return make_error(ErrorCode::unavailable, "this store keeps no channel data"); }
constexpr std::pair<OutboxState, std::string_view> kOutboxStates[] = {
    {OutboxState::pending, "pending"}, {OutboxState::sending, "sending"}, {OutboxState::sent, "sent"},
    {OutboxState::failed, "failed"},   {OutboxState::unknown, "unknown"},
};
}  // namespace
std::string_view to_string(OutboxState s) {
  for (const auto& [k, v] : kOutboxStates) {
    if (k == s) return v;
  }
  return "pending";
}
std::optional<OutboxState> parse_outbox_state(std::string_view s) {
  for (const auto& [k, v] : kOutboxStates) {
    if (v == s) return k;
  }
  return std::nullopt;
}
Result<std::vector<WebhookRecord>> StoreReader::unprocessed_webhooks(std::size_t) { return no_channels(); }
Result<std::optional<WebhookRecord>> StoreReader::find_webhook(const std::string&) { return no_channels(); }
Result<std::vector<ChannelAccount>> StoreReader::channel_accounts(const std::string&) { return no_channels(); }
Result<std::vector<OutboxJob>> StoreReader::open_outbox_jobs() { return no_channels(); }
Result<std::optional<OutboxJob>> StoreReader::find_outbox_by_provider_id(const std::string&, const std::string&) {
  return no_channels();
}
Result<std::vector<OutboxJob>> StoreReader::conversation_outbox(const std::string&, const std::string&) {
  return no_channels();
}
Result<std::vector<DeliveryStatus>> StoreReader::delivery_statuses(const std::string&, const std::string&) {
  return no_channels();
}
Result<Millis> StoreReader::last_customer_message_at(const std::string&, const std::string&, Channel) {
  return no_channels();
}
// issue 10: stores without LLM tables
Result<LlmUsageReport> StoreReader::llm_usage(const std::string&, Millis, const std::string&, std::size_t) {
  return make_error(ErrorCode::unavailable, "this store keeps no LLM usage");
}

}  // namespace parley::relay
