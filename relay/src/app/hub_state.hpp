// relay/src/app/hub_state.hpp: the hub's loop-thread modules, wired together. Internal to the hub
// (app/hub.cpp and the modules under app/live, app/commands, app/auth); HTTP routes and bridges
// use the facade (app/hub.hpp) instead.
//
// Threads: everything here is touched on the loop thread only, except `store` (thread-safe) and
// the worker pool, whose jobs get their own reader and post their results back (on_worker).
// Ownership: HubState owns every module; modules keep references to each other, never to
// ConvState/ConnState across a post (they look them up again by id).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "app/assistant/assistant.hpp"
#include "app/assistant/llm_service.hpp"
#include "app/auth/sessions.hpp"
#include "app/channels/hooks.hpp"
#include "app/hub_options.hpp"
#include "app/live/address_limits.hpp"
#include "app/live/connections.hpp"
#include "app/live/contacts.hpp"
#include "app/live/dashboard.hpp"
#include "app/live/conversations.hpp"
#include "app/live/inbox_feed.hpp"
#include "app/live/presence.hpp"
#include "app/live/router.hpp"
#include "app/live/sender_echo.hpp"
#include "app/live/write_pipeline.hpp"
#include "app/mail/mail_queue.hpp"
#include "app/offline/offline.hpp"
#include "app/tenants/tenant_registry.hpp"
#include "app/tickets/tickets.hpp"
#include "app/staff_access/staff_access.hpp"
#include "domain/store_api.hpp"
#include "parley/replies.hpp"

namespace parley::relay {

// Counters the tests read (GET /api/v1/debug/counters on a relay started with --test-counters).
struct SweepCounters {
  std::uint64_t sweeps = 0;
  std::uint64_t conversations_visited = 0;  // by the sweep, summed over all sweeps
};

struct HubState {
  HubState(boost::asio::io_context& io, DataStore& store, HubOptions options, std::unique_ptr<Assistant> assistant);
  ~HubState();

  boost::asio::io_context& io;
  DataStore& store;
  HubOptions options;
  std::unique_ptr<Assistant> assistant;
  std::unique_ptr<StoreReader> reader_owner;
  StoreReader* reader = nullptr;  // the loop's reader: point queries only
  std::unique_ptr<boost::asio::thread_pool> workers;
  SteadyClock::time_point started;

  TenantRegistry tenants;
  ConversationRegistry convs;
  Connections conns;
  Presence staff_presence;
  Presence contact_presence;
  ContactCache contacts;
  WritePipeline pipeline;
  InboxFeed feed;
  SenderEcho echoes;
  LiveDashboard dashboard;  // issue 9: today's figures, folded in broadcast()
  Sessions sessions;
  AddressLimits new_visitors;  // per address: contacts created by anonymous chat.starts
  AddressLimits rest;          // per address: REST requests
  AddressLimits webhooks;      // per address: provider webhook requests (their own allowance)
  Router router;               // issue 9: routing, agents' status, queue places (live/router.hpp)
  SweepCounters sweep_counters;
  // Contacts created by a channel message still in flight, by tenant\nchannel\nexternal id
  // (commands/ingest.cpp): a second message of the same new sender reuses it.
  std::unordered_map<std::string, Contact> pending_contacts;
  // Outgoing mail (app/mail/mail_queue.hpp; disabled without --smtp-host) and the offline path's
  // live state (app/offline/offline.hpp: which conversations wait for a reply by email).
  std::unique_ptr<MailQueue> mail;
  // The outbound HTTP client (app/outbound/http_client.hpp): blocking, thread-safe; use it from
  // worker threads only. options.outbound_client when a test injected one.
  std::shared_ptr<outbound::HttpClient> http;
  OfflineState offline;
  // issue 9: blocks of abusive visitors (app/tickets/tickets.hpp), checked by every customer command.
  BlockList blocks;
  // issue 11: the channel modules' hooks (app/channels/hooks.hpp; empty without channels).
  ChannelHooks channel_hooks;
  bool stopped = false;
  // issue 9: invitations, password resets, role changes (app/staff_access/staff_access.hpp).
  StaffAccess staff_access{*this};
  // issue 10: tenants' LLM providers (app/assistant/llm_service.hpp). Declared last so it is
  // destroyed first: its pool's jobs post to the modules above.
  std::unique_ptr<LlmService> llm;

  Millis now() const { return options.wall_now(); }
  SteadyClock::time_point steady() const { return options.steady_now(); }
  // Runs `work` on a worker thread with that thread's own reader (null when it could not be
  // opened); the function it returns then runs on the loop thread.
  void on_worker(std::function<std::function<void()>(StoreReader* reader)> work);
  // DataStore::write with the completion posted to the loop. Use for writes that belong to no
  // conversation (users, settings, audit...). Errors as WritePipeline (busy / unavailable).
  void write(std::vector<Mutation> ops, std::function<void(std::optional<Error>)> done);
  Error refusal(const Error& e) const;

  // The tenant's current day [start, end) in its time zone (UTC when the zone is unknown).
  std::pair<Millis, Millis> day_of(const std::string& tenant_id, Millis at) const;

  // After a commit: the events to the conversation's subscribers allowed to see them (each
  // encoded once; a sender whose ack is held gets its message inside the ack: sender_echo.hpp),
  // then the held acks left, then the conversation is marked for the next inbox.changes.
  void broadcast(ConvState& cs, const std::vector<Event>& events);

  // ---- views of committed state ----
  ConversationItem list_item(const ConvState& cs);
  // list_item(cs), encoded (encode_item), cached until the conversation changes.
  std::shared_ptr<const std::string> encoded_item(const ConvState& cs);
  Json item_json(const ConvState& cs) { return to_json(list_item(cs)); }
  // The staff view of one conversation (chat.join ack, REST): to_json(c, staff) + contact,
  // preview, last_customer_seq.
  Json summary(const Conversation& c);
  TenantCounts counts(const std::string& tenant_id);
  TenantInbox& inbox(const std::string& tenant_id) { return convs.inbox(reader, tenant_id); }
};

}  // namespace parley::relay
