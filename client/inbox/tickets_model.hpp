// tickets_model.hpp: the inbox's Tickets area (issue 9), pure C++ (tested natively in
// tests/unit_client/tickets_ui_test.cpp).
//
// One modal card with tabs over the REST the relay already has (docs/api.md "Tickets, customer
// context and blocks", "Queue and routing"):
//   tickets  GET /api/v1/tickets?status=&limit=200 (the priority filter is applied here: the REST
//            has none), GET /api/v1/tickets/{id} (the ticket, its transcript), PATCH
//            /api/v1/tickets/{id} (status, priority, assignee). The status moves offered are
//            parley::ticket_transition_allowed's (the relay's own rule, shared/).
//   blocked  GET /api/v1/blocks?active=1, DELETE /api/v1/blocks/{id} (Lift)
//   agents   GET /api/live-chat/agents, then GET /api/live-chat/agent/{id}/workload for each
//            (status, active chats, capacity, free slots, their chats: "Listen in")
// Every staff member opens the tickets tab; "blocked" and "agents" are for supervisors and admins
// (the relay lets agents read blocks, but lifting one is a lead's call here; workload of others is
// 403 for agents). The REST has no ticket comments yet: there is no comment control.
//
// The model never does I/O: it queues Requests (take_requests()), the browser glue sends them and
// feeds the answers back with answered(). Single-threaded (the browser's main thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "parley/model.hpp"

namespace parley::inbox {

// Words for people from a refused or failed HTTP answer: the relay's error message when it gave
// one (its `code` otherwise), "The relay did not answer" for no answer (status 0).
std::string http_refusal(int status, const std::string& body);

struct TicketRow {
  std::string id, conversation_id, contact_id, title, description, status, priority, assignee_id;
  std::int64_t created_at = 0, updated_at = 0;
};
// A ticket object of the REST (missing members read as empty).
TicketRow ticket_of(const Json& t);

class TicketsModel {
 public:
  enum class Tab { tickets, blocked, agents };
  enum class What { list, detail, patch, agents, blocks, lift, workload };
  struct Request {
    std::string method, url, body;
    What what = What::list;
    std::string ref;  // the ticket, block or agent id it concerns
  };
  struct Agent {
    std::string id, name, role;
    bool online = false;
    bool loaded = false;  // its workload arrived
    std::string status = "offline";
    int active = 0, capacity = 0, free_slots = 0;
    std::vector<std::string> conversation_ids;
  };
  struct BlockRow {
    std::string id, kind, contact_id, reason, created_by;
    std::int64_t created_at = 0, expires_at = 0;
    bool active = true;
  };
  struct Line {  // one message of an open ticket's transcript
    std::string who, role, kind, text;
  };
  static constexpr const char* kStatuses[4] = {"open", "pending", "solved", "closed"};
  static constexpr const char* kPriorities[4] = {"urgent", "high", "normal", "low"};

  void set_role(std::string role) { role_ = std::move(role); }
  void set_self(std::string id) { self_ = std::move(id); }
  bool can_supervise() const { return role_ == "admin" || role_ == "supervisor"; }

  bool is_open() const { return open_; }
  // Opens the card on `t` (a lead's tab falls back to tickets for agents) and loads it.
  void open(Tab t = Tab::tickets);
  void close();
  Tab tab() const { return tab_; }
  void set_tab(Tab t);
  // Reloads what the current tab shows.
  void refresh();

  std::vector<Request> take_requests();
  void answered(const Request& r, int status, const std::string& body);
  const std::string& status_line() const { return status_; }
  bool status_is_error() const { return status_error_; }
  std::uint64_t status_number() const { return status_no_; }
  bool busy() const { return in_flight_ > 0; }

  // ---- tickets ----
  // "" = any; else one of kStatuses (reloads) / kPriorities (filters what is loaded).
  void set_status_filter(const std::string& s);
  const std::string& status_filter() const { return status_filter_; }
  void set_priority_filter(const std::string& p);
  const std::string& priority_filter() const { return priority_filter_; }
  std::vector<const TicketRow*> visible_tickets() const;
  std::int64_t total() const { return total_; }
  bool tickets_loaded() const { return tickets_loaded_; }
  // Opens one ticket (loads it and its transcript); "" goes back to the list.
  void select_ticket(const std::string& id);
  const std::string& selected_id() const { return selected_; }
  const TicketRow* selected() const;  // once loaded
  const std::vector<Line>& transcript() const { return lines_; }
  const std::string& selected_customer() const { return customer_; }
  // The status moves the relay allows from the selected ticket's status.
  bool can_move_to(const std::string& status) const;
  bool set_status(const std::string& status);
  bool set_priority(const std::string& priority);
  bool set_assignee(const std::string& user_id);  // "" = nobody
  // A staff member's name (from the agents list), else the id; "Nobody" for "".
  std::string name_of(const std::string& user_id) const;

  // ---- blocked ----
  const std::vector<BlockRow>& blocks() const { return blocks_; }
  bool blocks_loaded() const { return blocks_loaded_; }
  bool lift(const std::string& block_id);

  // ---- agents ----
  const std::vector<Agent>& agents() const { return agents_; }
  bool agents_loaded() const { return agents_loaded_; }

  Json snapshot() const;

 private:
  void queue(std::string method, std::string url, std::string body, What what, std::string ref = {});
  void say(std::string text, bool error);
  void load_tab();
  bool patch(const Json& body, const std::string& done_words);

  std::string role_, self_;
  bool open_ = false;
  Tab tab_ = Tab::tickets;
  std::vector<Request> queue_;
  int in_flight_ = 0;
  std::string status_;
  bool status_error_ = false;
  std::uint64_t status_no_ = 0;
  std::string status_filter_ = "open", priority_filter_;
  std::vector<TicketRow> tickets_;
  std::int64_t total_ = 0;
  bool tickets_loaded_ = false;
  std::uint64_t list_no_ = 0;  // answers of older list requests are dropped
  std::string selected_;
  TicketRow detail_;
  bool detail_loaded_ = false;
  std::vector<Line> lines_;
  std::string customer_;
  std::string patch_words_;
  std::vector<BlockRow> blocks_;
  bool blocks_loaded_ = false;
  std::vector<Agent> agents_;
  bool agents_loaded_ = false;
};

}  // namespace parley::inbox
