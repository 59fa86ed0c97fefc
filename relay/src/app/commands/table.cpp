// The command table and the frame dispatcher (commands.hpp).
#include <type_traits>

#include "app/commands/handlers.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace parley::relay {
namespace {

enum class Who { anyone, customer, staff };

// One row per command: who may send it, whether it needs a socket, and its handler.
template <class T>
struct Row {
  Who who;
  bool needs_socket;
  void (*handler)(HubState&, const Principal&, ConnState*, const T&, AckFn);
};

template <class T>
constexpr Row<T> row();
template <> constexpr Row<Hello> row() { return {Who::anyone, true, &cmd::hello}; }
template <> constexpr Row<ChatStart> row() { return {Who::customer, false, &cmd::start}; }
template <> constexpr Row<SendMessage> row() { return {Who::anyone, false, &cmd::send}; }
template <> constexpr Row<Typing> row() { return {Who::anyone, true, &cmd::typing}; }
template <> constexpr Row<Seen> row() { return {Who::anyone, true, &cmd::seen}; }
template <> constexpr Row<ChatEnd> row() { return {Who::customer, false, &cmd::end}; }
template <> constexpr Row<RequestHuman> row() { return {Who::customer, false, &cmd::request_human}; }
template <> constexpr Row<Join> row() { return {Who::anyone, true, &cmd::join}; }
template <> constexpr Row<Leave> row() { return {Who::anyone, true, &cmd::leave}; }
template <> constexpr Row<Accept> row() { return {Who::staff, false, &cmd::accept}; }
template <> constexpr Row<Resolve> row() { return {Who::staff, false, &cmd::resolve}; }
template <> constexpr Row<Handoff> row() { return {Who::staff, false, &cmd::handoff}; }
template <> constexpr Row<SetPriority> row() { return {Who::staff, false, &cmd::set_priority}; }
template <> constexpr Row<Ping> row() { return {Who::anyone, false, &cmd::ping}; }
template <> constexpr Row<InboxList> row() { return {Who::staff, false, &cmd::inbox_list}; }
template <> constexpr Row<SetAgentStatus> row() { return {Who::staff, false, &cmd::set_agent_status}; }
template <> constexpr Row<ChatTransfer> row() { return {Who::staff, false, &cmd::transfer}; }
template <> constexpr Row<SetIssueType> row() { return {Who::staff, false, &cmd::set_issue_type}; }
template <> constexpr Row<ShareArticle> row() { return {Who::staff, false, &cmd::share_article}; }
template <> constexpr Row<Rate> row() { return {Who::customer, false, &cmd::rate}; }
template <> constexpr Row<RequestCsat> row() { return {Who::staff, false, &cmd::request_csat}; }
template <> constexpr Row<DashboardWatch> row() { return {Who::staff, true, &cmd::dashboard_watch}; }
template <> constexpr Row<LeaveMessage> row() { return {Who::customer, false, &cmd::leave_message}; }
template <> constexpr Row<EmailTranscript> row() { return {Who::customer, false, &cmd::email_transcript}; }

std::string_view refusal_for(Who who) {
  return who == Who::staff ? "staff only" : "customers only";
}

}  // namespace

void execute(HubState& hub, const Principal& who, ConnState* conn, Command command, AckFn ack) {
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        constexpr Row<T> r = row<T>();
        if (r.needs_socket && !conn) {
          return ack(make_error(ErrorCode::bad_field, "this command needs a WebSocket connection", "type"));
        }
        if (!std::is_same_v<T, Hello> && who.kind == Principal::Kind::none) {
          return ack(make_error(ErrorCode::unauthorized, conn && conn->hello_in_flight ? "wait for the hello ack"
                                                                                       : "send hello first"));
        }
        if ((r.who == Who::staff && !who.is_staff()) || (r.who == Who::customer && !who.is_customer())) {
          return ack(make_error(ErrorCode::forbidden, std::string(refusal_for(r.who))));
        }
        // issue 9: a blocked visitor's new chats and messages are refused (tickets.cpp).
        if constexpr (std::is_same_v<T, ChatStart> || std::is_same_v<T, SendMessage> ||
                      std::is_same_v<T, LeaveMessage> || std::is_same_v<T, RequestHuman>) {
          if (auto e = cmd::block_refusal(hub, who, conn)) return ack(*e);
        }
        r.handler(hub, who, conn, c, std::move(ack));
      },
      command);
}

void on_frame(HubState& hub, ConnState& c, std::string text) {
  const auto arrived = SteadyClock::now();
  Incoming in = decode_command(text, hub.options.limits);
  if (!c.bucket.take(hub.steady(), hub.options.rate_per_s, hub.options.burst)) {
    metrics().command_errors.fetch_add(1, std::memory_order_relaxed);
    if (++c.bucket.refusals > hub.options.max_refusals) {
      log::warn("closing a connection that ignores rate limits", {{"conn", c.id}});
      c.close(1008, "rate limit exceeded");
      return;
    }
    c.send(encode_error(in.id, make_error(ErrorCode::rate_limited, "too many commands; slow down")));
    return;
  }
  if (!in.command) {
    metrics().command_errors.fetch_add(1, std::memory_order_relaxed);
    c.send(encode_error(in.id, in.command.error()));
    return;
  }
  if (c.who.is_staff() && c.who.staff.expires_at <= hub.now()) {
    c.send(encode_notice(notice::session_expired, Json::object()));
    c.close(1008, "session expired");
    return;
  }
  if (c.who.is_staff()) hub.router.staff_activity(c.who.tenant_id, c.who.staff.user.id);  // issue 9: keeps them online
  const std::uint64_t conn_id = c.id;
  const std::string rid = in.id;
  const bool quiet = rid.empty() && (std::holds_alternative<Typing>(*in.command) ||
                                     std::holds_alternative<Seen>(*in.command));
  const bool is_send = std::holds_alternative<SendMessage>(*in.command);
  AckFn ack = [&hub, conn_id, rid, quiet, is_send, arrived](Result<Json> r) {
    if (!r.ok()) metrics().command_errors.fetch_add(1, std::memory_order_relaxed);
    ConnState* to = hub.conns.find(conn_id);
    if (!to) return;  // the sender left; the others still get the events
    if (!r.ok()) {
      to->send(encode_error(rid, r.error()));
    } else if (is_send && r.value().value("seq", Seq{0}) > 0 && !r.value().contains("duplicate")) {
      // A stored message: the ack waits for the broadcast and carries the sender's own event.
      const Json& d = r.value();
      hub.echoes.hold(*to, d.value("conversation_id", std::string()), d.value("seq", Seq{0}), rid, d);
    } else if (!quiet) {  // typing/seen are acked only when they carry an id
      to->send(encode_ack(rid, r.value()));
    }
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - arrived).count();
    metrics().observe_latency_us(static_cast<std::uint64_t>(std::max<long long>(0, us)));
  };
  // `who` aliases c.who: only hello changes it, and hello reads nothing from `who` afterwards.
  execute(hub, c.who, &c, std::move(in.command).value(), std::move(ack));
}

}  // namespace parley::relay
