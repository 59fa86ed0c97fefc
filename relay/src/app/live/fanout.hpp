// relay/src/app/live/fanout.hpp: who must hear of a conversation's change in inbox.changes.
//
// Pure rules, no state: the inbox feed (live/inbox_feed.hpp) applies them after every paced
// flush. A staff socket's lists hold conversations by these rules: the queue (pending ones; every
// staff socket of the tenant sees it), "mine" (active ones assigned to the socket's user), and
// "all" for sockets that page the tenant's whole history (the recent list). A socket also hears
// of the conversations it joined (chat.join), whose chat events it receives anyway.
//
// What a socket believes about a conversation is its state at the last flush (`before`), except
// for a "fresh" socket that got a snapshot or a list page since that flush: its page may hold any
// state the conversation passed through since (`during`). So:
//  - queue viewers hear of it when it was or is in the queue (a chat entering, leaving or moving),
//    previews included; fresh sockets also when it passed through the queue in between;
//  - the assignee's sockets (before and now) hear of it when what lists show changed (status,
//    priority, assignee, topic, queue time); its messages reach them as chat events because the
//    inbox joins its own conversations, so a message alone costs them no list frame;
//  - joined staff sockets hear of such changes too (not of messages: they have the events).
// Threads: none (pure). Errors: none.
#pragma once

#include <string>
#include <vector>

#include "parley/model.hpp"

namespace parley::relay {

// What decides which lists hold a conversation, and where.
struct ListMark {
  bool listed = false;  // committed at least once (before that it is in no list)
  Status status = Status::bot;
  Priority priority = Priority::normal;
  std::string assignee_id;
  std::string topic;
  Millis handed_off_at = 0;

  bool queued() const { return listed && status == Status::pending; }
  // The user whose "mine" list holds it; "" = nobody's.
  const std::string& mine_of() const {
    static const std::string none;
    return listed && status == Status::active ? assignee_id : none;
  }
  bool operator==(const ListMark&) const = default;
};

ListMark list_mark(const Conversation& c);

// The lists a conversation passed through between two flushes (every committed state).
struct ListTrail {
  bool queue = false;
  std::vector<std::string> mine;  // users, each once
  bool varied = false;            // two of its states differ (a fresh page may hold either)
  ListMark last;
  bool any = false;
  void add(const ListMark& m);
  void clear() { *this = ListTrail{}; }
};

struct ListAudience {
  bool queue_viewers = false;        // every staff socket of the tenant
  bool fresh_queue_viewers = false;  // only those that got a list page since the last flush
  std::vector<std::string> mine_users;        // every socket of these users
  std::vector<std::string> fresh_mine_users;  // only the fresh sockets of these users
  bool joined = false;                        // staff sockets that joined the conversation
  // Sockets that view all of the tenant's conversations always hear of every change.
};

// `before`: its state at the last flush; `now`: its committed state; `during`: what it passed
// through in between (`now` included or not: both work).
ListAudience audience_of(const ListMark& before, const ListMark& now, const ListTrail& during);

}  // namespace parley::relay
