// Working a conversation (issue 9): chat.transfer and chat.set_issue_type.
//
// Loop thread only, like every handler (commands.hpp). The rules are parley::transfer and
// parley::set_issue_type (shared/, unit-tested); this file resolves who the target is, who may
// override (supervisors and admins), and tells the new owner.
//
// chat.transfer: the target agent is read from the store on the loop's reader (a point query):
// a user of the caller's tenant, not disabled, else not_found. A team is one of the tenant's team
// records (the router's copy, live/router.hpp), named by its id or its name (exact, then ASCII
// case-insensitive), else not_found with field "team"; the conversation keeps the team's id, so
// routing offers it to that team's members, and the event carries id and name.
// API keys cannot transfer (forbidden): a hand-over is a person's decision. The write stores the
// transition's events (chat.transferred, the staff-only note) with an audit row
// ("chat.transferred"), then, after the commit, every socket of the new owner gets the notice
// inbox.transferred; their "mine" list hears of it through the inbox feed as usual.
#include "app/commands/handlers.hpp"
#include "core/log.hpp"
#include "parley/text.hpp"

namespace parley::relay::cmd {

namespace {
bool may_override(const Principal& who) { return who.staff.user.role != StaffRole::agent; }

bool same_ascii_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto fold = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

// The tenant's team named `ref` (its id, or its name), nullptr when there is none.
const Team* find_team(HubState& hub, const std::string& tenant_id, const std::string& ref) {
  const auto& teams = hub.router.config(tenant_id).teams;
  for (const Team& t : teams)
    if (t.id == ref) return &t;
  for (const Team& t : teams)
    if (t.name == ref) return &t;
  for (const Team& t : teams)
    if (same_ascii_folded(t.name, ref)) return &t;
  return nullptr;
}

Json person_json(const std::string& id, const std::string& name) {
  if (id.empty()) return nullptr;
  return Json{{"id", id}, {"name", name}};
}
}  // namespace

void transfer(HubState& hub, const Principal& who, ConnState*, const ChatTransfer& t, AckFn ack) {
  if (who.staff.api_key) return ack(make_error(ErrorCode::forbidden, "an API key cannot transfer: a person hands over"));
  ConvState* cs = visible(hub, who, t.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  TransferTarget target;
  if (!t.team.empty()) {
    const Team* team = find_team(hub, who.tenant_id, std::string(trim(t.team)));  // as REST does
    if (!team) return ack(make_error(ErrorCode::not_found, "no such team in this tenant", "team"));
    target.team = team->id;
    target.team_name = team->name;
  }
  if (!t.agent_id.empty()) {
    if (!hub.reader) return ack(make_error(ErrorCode::unavailable, "no database reader"));
    auto user = hub.reader->find_user(t.agent_id);
    if (!user) return ack(user.error());
    if (!user->has_value() || (*user)->tenant_id != who.tenant_id || (*user)->disabled) {
      return ack(make_error(ErrorCode::not_found, "no such agent in this tenant", "agent_id"));
    }
    target.agent_id = (*user)->id;
    target.agent_name = (*user)->display_name.empty() ? (*user)->username : (*user)->display_name;
  }
  const Actor by = who.actor();
  const bool override_ok = may_override(who);
  const Millis at = hub.now();
  const std::string note = t.note, tenant_id = who.tenant_id;
  hub.pipeline.submit(
      *cs,
      [&hub, by, override_ok, target, note, at, tenant_id](ConvState& c) -> Decision {
        const Conversation before = c.live;
        auto tr = parley::transfer(c.live, by, override_ok, target, note, at);
        if (!tr) return Decision::reply(tr.error());
        Decision d = Decision::persist(std::move(tr).value(), head_ack);
        const Json from = person_json(before.status == Status::active ? before.assignee_id : "",
                                      before.status == Status::active ? before.assignee_name : "");
        AuditEntry a;
        a.tenant_id = tenant_id;
        a.actor_type = "user";
        a.actor_id = by.id;
        a.action = "chat.transferred";
        a.target = before.id;
        a.data = Json{{"from", from}, {"to", person_json(target.agent_id, target.agent_name)}, {"team", target.team}, {"team_name", target.team_name}};
        a.at = at;
        d.extra.push_back(AppendAudit{std::move(a)});
        if (!target.agent_id.empty()) {
          d.after = [&hub, by, from, note, conv_id = before.id, to = target.agent_id] {
            const std::string frame = encode_notice(
                notice::chat_transferred_to_you,
                Json{{"conversation_id", conv_id}, {"by", person_json(by.id, by.name)}, {"from", from}, {"note", note}});
            auto shared = std::make_shared<const std::string>(frame);
            for (ConnState* conn : hub.conns.staff_of_user(to)) conn->send(shared);
          };
        }
        return d;
      },
      std::move(ack));
}

void set_issue_type(HubState& hub, const Principal& who, ConnState*, const SetIssueType& s, AckFn ack) {
  ConvState* cs = visible(hub, who, s.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  const Tenant* tenant = hub.tenants.find(who.tenant_id);
  const std::vector<std::string> types = tenant ? tenant->settings.issue_types : std::vector<std::string>{};
  if (!types.empty() && std::find(types.begin(), types.end(), s.issue_type) == types.end()) {
    return ack(make_error(ErrorCode::bad_field, "not one of the tenant's issue types", "issue_type"));
  }
  const Actor by = who.actor();
  const Millis at = hub.now();
  const std::string type = s.issue_type;
  change(
      hub, *cs, [by, at, type](const Conversation& live) { return parley::set_issue_type(live, by, type, at); },
      std::move(ack));
}

// chat.share_article: the article's title and body become a customer-visible message of kind
// kb_article from the agent (post_message's rules: the assignee of an active conversation).
void share_article(HubState& hub, const Principal& who, ConnState*, const ShareArticle& sa, AckFn ack) {
  ConvState* cs = visible(hub, who, sa.conversation_id);
  if (!cs || cs->committed_seq() == 0) return ack(not_found());
  const KbArticle* article = nullptr;
  for (const KbArticle& a : hub.tenants.kb(who.tenant_id)) {
    if (a.id == sa.article_id) article = &a;
  }
  if (!article) return ack(make_error(ErrorCode::not_found, "no such knowledge-base article", "article_id"));
  std::string text = article->title + "\n\n" + article->body;
  if (const std::string_view cut = truncate_code_points(text, 3900); cut.size() < text.size()) {
    text = std::string(cut) + "\u2026";
  }
  ensure_msg_ids(hub, *cs);
  const Actor from = who.actor();
  const std::string conv_id = cs->live.id, cmid = sa.client_msg_id, article_id = article->id;
  hub.pipeline.submit(
      *cs,
      [&hub, from, text, cmid, conv_id, article_id](ConvState& c) -> Decision {
        if (const Seq* seq = c.msg_ids.find(cmid)) return duplicate_of(c, *seq, to_json(SendAck{conv_id, *seq, true, {}}));
        Message m;
        m.client_msg_id = cmid;
        m.kind = MessageKind::kb_article;
        m.text = text;
        const Tenant* t = hub.tenants.find(c.live.tenant_id);
        auto tr = post_message(c.live, from, std::move(m), hub.now(), ConversationPolicy{t ? t->settings.assistant_enabled : true});
        if (!tr) return Decision::reply(tr.error());
        const Seq seq = tr->events.back().seq;
        c.msg_ids.add(cmid, seq);
        Decision d = Decision::persist(std::move(tr).value(),
                                       [conv_id, seq](const ConvState&) { return to_json(SendAck{conv_id, seq, false, {}}); });
        d.client_msg_id = cmid;
        d.extra.push_back(BumpKbUsage{c.live.tenant_id, article_id, 1});  // a share counts as a use (issue 10)
        return d;
      },
      std::move(ack));
}

}  // namespace parley::relay::cmd
