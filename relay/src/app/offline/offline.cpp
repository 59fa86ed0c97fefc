// The offline path (offline.hpp).
#include "app/offline/offline.hpp"

#include <ctime>

#include "app/hub_state.hpp"
#include "core/log.hpp"
#include "core/time_zone.hpp"

namespace parley::relay {

std::optional<Error> OfflineState::load(StoreReader& reader) {
  auto rows = reader.load_offline_requests();
  if (!rows) return rows.error();
  for (OfflineRequest& r : *rows) add(std::move(r));
  return std::nullopt;
}

bool agents_online(HubState& hub, const std::string& tenant_id) { return !hub.conns.staff_of(tenant_id).empty(); }

Availability availability(HubState& hub, const std::string& tenant_id) {
  Availability a;
  a.agents_online = agents_online(hub, tenant_id);
  const Tenant* t = hub.tenants.find(tenant_id);
  if (!t) return a;
  a.offline_message = offline_message_or_default(t->settings.offline_message);
  const BusinessHours& h = t->settings.business_hours;
  if (h.enabled) {
    std::optional<TimeZone> zone = TimeZone::find(t->settings.time_zone);
    if (!zone) zone = TimeZone::find("UTC");
    OffsetAt off = [zone](Millis at) { return zone ? zone->offset_at(at) : 0; };
    const Millis now = hub.now();
    a.open = is_open(h, now, off);
    if (!a.open) a.next_open_at = next_opening(h, now, off);
  }
  return a;
}

namespace {

std::string utc_time(Millis at) {
  const std::time_t t = static_cast<std::time_t>(at / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M UTC", &tm);
  return b;
}

std::string tenant_title(HubState& hub, const std::string& tenant_id) {
  const Tenant* t = hub.tenants.find(tenant_id);
  return t ? (t->name.empty() ? t->settings.title : t->name) : std::string("Parley");
}

}  // namespace

void offline_on_committed(HubState& hub, const ConvState& cs, const std::vector<Event>& events) {
  const Conversation& c = cs.committed;
  const OfflineRequest* req = hub.offline.find(c.id);
  if (!req) return;
  const bool customer_online = hub.contact_presence.online(c.contact_id);
  for (const Event& e : events) {
    if (!mail_staff_answer(e, true, customer_online)) continue;
    const Json& m = e.data["message"];
    Mail mail;
    mail.to = req->email;
    mail.tenant_id = c.tenant_id;
    mail.kind = "offline_reply";
    mail.subject = "Re: your message to " + tenant_title(hub, c.tenant_id);
    mail.body = (e.actor.name.empty() ? std::string("Our team") : e.actor.name) + " answered your message:\n\n" +
                m.value("text", std::string()) + "\n\n-- \nConversation " + c.id +
                ". Reply in the chat on our site to continue.\n";
    if (hub.mail->enqueue(std::move(mail))) {
      ++hub.offline.counters.answers_mailed;
    } else {
      log::warn("an answer to an offline message could not be mailed: mail is off (--smtp-host)",
                {{"conversation", c.id}});
    }
  }
  if (c.status == Status::resolved) hub.offline.forget(c.id);
}

void mail_transcript(HubState& hub, const std::string& tenant_id, const std::string& conversation_id,
                     const std::string& email, std::function<void(std::optional<Error>)> cb) {
  if (!hub.mail->enabled()) return cb(make_error(ErrorCode::unavailable, "mail is not configured on this relay"));
  const std::string title = tenant_title(hub, tenant_id);
  hub.on_worker([&hub, tenant_id, conversation_id, email, title, cb = std::move(cb)](StoreReader* reader) mutable
                -> std::function<void()> {
    if (!reader) return [cb] { cb(make_error(ErrorCode::unavailable, "no database reader")); };
    auto msgs = reader->load_messages(tenant_id, conversation_id, /*staff=*/false);
    if (!msgs) return [cb, e = msgs.error()] { cb(e); };
    std::string body = "The transcript of your conversation with " + title + " (" + conversation_id + "):\n\n";
    for (const Message& m : *msgs) {
      if (m.kind != MessageKind::text && m.kind != MessageKind::system && m.kind != MessageKind::kb_article) continue;
      const std::string who = m.sender_role == Role::customer ? "You"
                              : m.sender_name.empty()         ? std::string(to_string(m.sender_role))
                                                              : m.sender_name;
      body += "[" + utc_time(m.at) + "] " + who + ": " + m.text + "\n";
    }
    Mail mail{email, "Your conversation with " + title, std::move(body), tenant_id, "transcript"};
    return [&hub, cb, mail = std::move(mail)]() mutable {
      if (!hub.mail->enqueue(std::move(mail))) return cb(make_error(ErrorCode::unavailable, "mail is stopping"));
      ++hub.offline.counters.transcripts_mailed;
      cb(std::nullopt);
    };
  });
}

}  // namespace parley::relay
