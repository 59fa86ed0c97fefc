// relay/src/app/offline/offline.hpp: the offline path (issue 9): whether people are available,
// the conversations whose customer left a message for an email answer, and the mail that follows.
//
// Loop thread only (a member of HubState). Who counts as "online" is one function,
// agents_online(), so a richer agent status (online/away/offline) can replace the connection
// test in one place. Contract:
//  - availability(hub, tenant): agents online (a staff socket of the tenant is connected) and
//    open (the tenant's business_hours in its time_zone; parley/hours.hpp), plus the offline
//    message and the next opening;
//  - OfflineState holds the committed offline requests of open conversations (loaded at
//    start-up from the store, added after the commit that stores one, dropped when the
//    conversation resolves); the sweep asks exempt() before abandoning;
//  - on_committed(hub, cs, events) runs after every commit (HubState::broadcast): a staff answer
//    in a conversation with an offline request, while the customer is away, is queued as mail
//    (MailQueue: off the loop thread, retried); resolution forgets the request.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/store_api.hpp"
#include "parley/offline.hpp"

namespace parley::relay {

struct HubState;
struct ConvState;

struct OfflineCounters {
  std::uint64_t requests = 0;       // offline messages stored
  std::uint64_t answers_mailed = 0;  // staff answers queued as mail
  std::uint64_t transcripts_mailed = 0;
  std::uint64_t abandon_exempted = 0;  // sweep visits that kept a conversation waiting
};

class OfflineState {
 public:
  std::optional<Error> load(StoreReader& reader);
  void add(OfflineRequest r) { by_conv_[r.conversation_id] = std::move(r); }
  void forget(const std::string& conversation_id) { by_conv_.erase(conversation_id); }
  const OfflineRequest* find(const std::string& conversation_id) const {
    auto it = by_conv_.find(conversation_id);
    return it == by_conv_.end() ? nullptr : &it->second;
  }
  bool exempt(const std::string& conversation_id) const { return find(conversation_id) != nullptr; }
  OfflineCounters counters;

 private:
  std::unordered_map<std::string, OfflineRequest> by_conv_;
};

// The one place that decides whether an agent of the tenant is online (today: a staff socket of
// the tenant is connected; later: an agent whose status is `online`).
bool agents_online(HubState& hub, const std::string& tenant_id);
Availability availability(HubState& hub, const std::string& tenant_id);

void offline_on_committed(HubState& hub, const ConvState& cs, const std::vector<Event>& events);

// Queues the customer-visible transcript of a conversation to `email` (reads on a worker).
// cb(nullopt) once queued; errors: unavailable (mail is off or the read failed), not_found.
void mail_transcript(HubState& hub, const std::string& tenant_id, const std::string& conversation_id,
                     const std::string& email, std::function<void(std::optional<Error>)> cb);

}  // namespace parley::relay
