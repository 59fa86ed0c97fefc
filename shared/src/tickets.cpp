// Tickets and blocks (parley/tickets.hpp).
#include "parley/tickets.hpp"

#include <array>
#include <cstdio>

#include "parley/text.hpp"

namespace parley {

namespace {
constexpr std::array<std::string_view, 4> kTicketStatusNames = {"open", "pending", "solved", "closed"};
constexpr std::array<std::string_view, 2> kBlockKindNames = {"contact", "address"};

Result<std::string> checked_text(std::string_view raw, std::size_t max, const char* field) {
  if (!is_valid_utf8(raw)) return make_error(ErrorCode::bad_unicode, std::string(field) + " is not valid UTF-8", field);
  const std::string_view t = trim(raw);
  if (count_code_points(t) > max) {
    return make_error(ErrorCode::text_too_long,
                      std::string(field) + " is longer than " + std::to_string(max) + " characters", field);
  }
  return std::string(t);
}

Error bad_address() { return make_error(ErrorCode::bad_field, "address must be an IPv4 or IPv6 address", "address"); }

// Dotted quad -> canonical text; nullopt when not one.
std::optional<std::string> ipv4(std::string_view s) {
  std::array<int, 4> parts{};
  std::size_t i = 0;
  for (int p = 0; p < 4; ++p) {
    if (p > 0) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
    const std::size_t start = i;
    int v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + (s[i++] - '0');
    if (i == start || v > 255) return std::nullopt;
    if (i - start > 1 && s[start] == '0') return std::nullopt;  // no leading zeros (octal ambiguity)
    parts[p] = v;
  }
  if (i != s.size()) return std::nullopt;
  return std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." + std::to_string(parts[2]) + "." +
         std::to_string(parts[3]);
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses one side of "::" into groups; an embedded IPv4 tail counts as two groups.
bool groups_of(std::string_view s, std::vector<unsigned>& out, bool last_side) {
  if (s.empty()) return true;
  std::size_t i = 0;
  while (true) {
    const std::size_t end = s.find(':', i);
    const std::string_view g = s.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (end == std::string_view::npos && last_side && g.find('.') != std::string_view::npos) {
      auto v4 = ipv4(g);
      if (!v4) return false;
      unsigned a = 0, b = 0, c = 0, d = 0;
      std::sscanf(v4->c_str(), "%u.%u.%u.%u", &a, &b, &c, &d);
      out.push_back((a << 8) | b);
      out.push_back((c << 8) | d);
      return true;
    }
    if (g.empty() || g.size() > 4) return false;
    unsigned v = 0;
    for (char ch : g) {
      const int h = hex(ch);
      if (h < 0) return false;
      v = v * 16 + static_cast<unsigned>(h);
    }
    out.push_back(v);
    if (end == std::string_view::npos) return true;
    i = end + 1;
  }
}
}  // namespace

Error blocked_error() {
  return make_error(ErrorCode::blocked, "you can no longer send messages here");
}

std::string_view to_string(TicketStatus s) { return kTicketStatusNames[static_cast<std::size_t>(s)]; }
std::optional<TicketStatus> parse_ticket_status(std::string_view name) {
  for (std::size_t i = 0; i < kTicketStatusNames.size(); ++i) {
    if (kTicketStatusNames[i] == name) return static_cast<TicketStatus>(i);
  }
  return std::nullopt;
}

bool ticket_transition_allowed(TicketStatus from, TicketStatus to) {
  if (from == to) return true;
  switch (from) {
    case TicketStatus::open:
    case TicketStatus::pending:
      return true;  // to any other status
    case TicketStatus::solved:
      return to == TicketStatus::open || to == TicketStatus::closed;
    case TicketStatus::closed:
      return false;
  }
  return false;
}

Result<TicketDraft> ticket_draft(const TicketInput& in, const Conversation& c, std::string_view contact_name) {
  TicketDraft d;
  if (in.title) {
    auto t = checked_text(*in.title, kTicketTitleMaxChars, "title");
    if (!t) return t.error();
    d.title = std::move(t).value();
  }
  if (d.title.empty()) {
    const std::string_view topic = trim(c.topic);
    if (!topic.empty()) {
      d.title = std::string(truncate_code_points(topic, kTicketTitleMaxChars));
    } else if (!trim(contact_name).empty()) {
      d.title = std::string(truncate_code_points("Chat with " + std::string(trim(contact_name)), kTicketTitleMaxChars));
    } else {
      d.title = "Chat " + c.id;
    }
  }
  if (in.description) {
    auto t = checked_text(*in.description, kTicketDescriptionMaxChars, "description");
    if (!t) return t.error();
    d.description = std::move(t).value();
  }
  d.priority = in.priority.value_or(c.priority);
  return d;
}

Result<TicketState> apply_ticket_patch(const TicketState& s, const TicketPatch& p, Millis now) {
  if (!p.status && !p.priority && !p.assignee_id) {
    return make_error(ErrorCode::bad_field, "give at least one of status, priority, assignee_id", "patch");
  }
  if (s.status == TicketStatus::closed) {
    return make_error(ErrorCode::invalid_transition, "the ticket is closed; it changes no more", "status");
  }
  TicketState n = s;
  bool changed = false;
  if (p.status && *p.status != s.status) {
    if (!ticket_transition_allowed(s.status, *p.status)) {
      return make_error(ErrorCode::invalid_transition,
                        "a " + std::string(to_string(s.status)) + " ticket cannot become " +
                            std::string(to_string(*p.status)),
                        "status");
    }
    n.status = *p.status;
    if (n.status == TicketStatus::solved) n.solved_at = now;
    if (n.status == TicketStatus::closed) n.closed_at = now;
    if (n.status == TicketStatus::open) n.solved_at = 0;
    changed = true;
  }
  if (p.priority && *p.priority != s.priority) {
    n.priority = *p.priority;
    changed = true;
  }
  if (p.assignee_id && *p.assignee_id != s.assignee_id) {
    n.assignee_id = *p.assignee_id;
    changed = true;
  }
  if (changed) n.updated_at = now;
  return n;
}

Result<Transition> note_ticket_created(const Conversation& c, const Actor& by, const std::string& ticket_id,
                                       Millis now) {
  // Staff, or the assistant's create_ticket tool (issue 10, parley/llm.hpp).
  if (by.role != Role::agent && by.role != Role::bot) {
    return make_error(ErrorCode::forbidden, "only staff and the assistant create tickets");
  }
  if (ticket_id.empty()) return make_error(ErrorCode::missing_field, "ticket_id is required", "ticket_id");
  Transition t{c, {}};
  append_event(t, kTicketCreatedEvent, Audience::everyone, by, now,
               Json{{"ticket_id", ticket_id}, {"by", Json{{"id", by.id}, {"name", by.name}}}});
  return t;
}

std::string_view to_string(BlockKind k) { return kBlockKindNames[static_cast<std::size_t>(k)]; }
std::optional<BlockKind> parse_block_kind(std::string_view name) {
  for (std::size_t i = 0; i < kBlockKindNames.size(); ++i) {
    if (kBlockKindNames[i] == name) return static_cast<BlockKind>(i);
  }
  return std::nullopt;
}

Result<Millis> block_expiry(BlockKind kind, std::optional<std::int64_t> duration_s, Millis now) {
  if (!duration_s || *duration_s == 0) {
    if (kind == BlockKind::address) {
      return make_error(ErrorCode::missing_field, "an address is blocked for a time: give duration_s", "duration_s");
    }
    return Millis{0};
  }
  if (*duration_s < kMinBlockSeconds || *duration_s > kMaxBlockSeconds) {
    return make_error(ErrorCode::bad_field,
                      "duration_s must be between " + std::to_string(kMinBlockSeconds) + " and " +
                          std::to_string(kMaxBlockSeconds) + " seconds",
                      "duration_s");
  }
  return now + *duration_s * 1000;
}

Result<std::string> block_reason(std::string_view reason) {
  auto t = checked_text(reason, kBlockReasonMaxChars, "reason");
  if (!t) return t.error();
  if (t->empty()) return make_error(ErrorCode::missing_field, "say why the visitor is blocked", "reason");
  return t;
}

Result<std::string> normalize_address(std::string_view a) {
  if (a.empty() || a.size() > 45) return bad_address();
  if (auto v4 = ipv4(a)) return *v4;
  if (a.find(':') == std::string_view::npos) return bad_address();
  std::vector<unsigned> head, tail;
  const std::size_t dc = a.find("::");
  if (dc != std::string_view::npos) {
    if (a.find("::", dc + 1) != std::string_view::npos) return bad_address();
    if (!groups_of(a.substr(0, dc), head, false) || !groups_of(a.substr(dc + 2), tail, true)) return bad_address();
    if (head.size() + tail.size() > 7) return bad_address();
  } else {
    if (!groups_of(a, head, true) || head.size() != 8) return bad_address();
  }
  std::vector<unsigned> g(head);
  g.resize(8 - tail.size(), 0);
  g.insert(g.end(), tail.begin(), tail.end());
  if (g.size() != 8) return bad_address();
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 form, so a dual-stack listener's addresses match.
  if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
    return std::to_string(g[6] >> 8) + "." + std::to_string(g[6] & 0xff) + "." + std::to_string(g[7] >> 8) + "." +
           std::to_string(g[7] & 0xff);
  }
  std::string out;
  char buf[8];
  for (std::size_t i = 0; i < 8; ++i) {
    std::snprintf(buf, sizeof buf, "%04x", g[i]);
    if (i) out += ':';
    out += buf;
  }
  return out;
}

bool block_active(const BlockRule& b, Millis now) {
  if (b.lifted_at != 0) return false;
  return b.expires_at == 0 || b.expires_at > now;
}

const BlockRule* find_block(const std::vector<BlockRule>& rules, std::string_view contact_id, std::string_view address,
                            Millis now) {
  for (const BlockRule& b : rules) {
    if (!block_active(b, now)) continue;
    if (b.kind == BlockKind::contact && !contact_id.empty() && b.target == contact_id) return &b;
    if (b.kind == BlockKind::address && !address.empty() && b.target == address) return &b;
  }
  return nullptr;
}

}  // namespace parley
