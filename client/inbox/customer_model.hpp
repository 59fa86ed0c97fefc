// customer_model.hpp: the open conversation's "Customer" panel (issue 9), pure C++ (tested
// natively in tests/unit_client/tickets_ui_test.cpp).
//
// A side panel over the conversation with what the relay knows of its customer
// (GET /api/live-chat/{id}/customer-context: the contact, the page the widget sent, previous
// conversations with their CSAT, their tickets, counts, whether they are blocked), and two forms:
//   Convert to ticket  POST /api/live-chat/{id}/convert-to-ticket {title, priority}: the title is
//                      prefilled as the relay would (the topic, else "Chat with <name>"); the
//                      answer's ticket id is shown; a refusal (409: it already has one, named) in
//                      words.
//   Block visitor      POST /api/v1/blocks {kind, conversation_id, reason, duration_s?}: this
//                      contact (until lifted, or for a time) or their address (always for a
//                      time); a confirm step before anything is sent.
// Limits are parley/tickets.hpp's (the relay's own). The panel is for staff of any role (the
// relay's matrix lets every role convert and block). The model never does I/O: it queues Requests
// (take_requests()), the glue sends them and calls answered(). Browser main thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "inbox/tickets_model.hpp"
#include "parley/model.hpp"

namespace parley::inbox {

class CustomerModel {
 public:
  enum class Form { none, convert, block, confirm_block };
  enum class What { context, convert, block };
  struct Request {
    std::string method, url, body;
    What what = What::context;
    std::string ref;  // the conversation id it concerns
  };
  struct Previous {
    std::string id, status, channel, topic, priority, issue_type;
    std::int64_t created_at = 0, resolved_at = 0;
    int csat_rating = 0;
  };
  struct Duration {
    const char* value;  // "forever" or seconds
    const char* label;
    std::int64_t seconds;  // 0 = until lifted
  };
  static constexpr Duration kDurations[5] = {{"3600", "1 hour", 3600},
                                             {"86400", "1 day", 86400},
                                             {"604800", "7 days", 604800},
                                             {"2592000", "30 days", 2592000},
                                             {"forever", "Until lifted", 0}};

  // Opens the panel on a conversation: `name` the customer's, `topic` and `priority` the chat's
  // (they prefill the ticket form). Loads the context.
  void open(const std::string& conversation_id, const std::string& name, const std::string& topic,
            const std::string& priority);
  void close();
  bool is_open() const { return open_; }
  const std::string& conversation_id() const { return conv_; }
  void reload();

  std::vector<Request> take_requests();
  void answered(const Request& r, int status, const std::string& body);
  const std::string& status_line() const { return status_; }
  bool status_is_error() const { return status_error_; }
  std::uint64_t status_number() const { return status_no_; }
  bool busy() const { return in_flight_ > 0; }

  // ---- the context ----
  bool loaded() const { return loaded_; }
  const std::string& load_error() const { return load_error_; }
  std::string name, email, phone, channel, contact_id;
  bool verified = false, blocked = false;
  std::string page_url, page_title, page_referrer;
  std::int64_t since = 0;  // the contact's created_at
  const std::vector<Previous>& previous() const { return previous_; }
  const std::vector<TicketRow>& tickets() const { return tickets_; }
  std::int64_t count_conversations = 0, count_resolved = 0, count_tickets = 0, count_open_tickets = 0;
  // The average CSAT of the rated previous conversations (0 with none), and how many.
  double csat_average() const;
  int csat_count() const;

  // ---- forms ----
  Form form() const { return form_; }
  void cancel_form();

  // Convert to ticket.
  void open_convert();
  std::string title;            // the form's field
  std::string priority = "normal";
  bool submit_convert();        // validates, queues; false with status_line() why
  const std::string& ticket_id() const { return ticket_id_; }  // this chat's ticket (made or found)

  // Block the visitor.
  void open_block();
  std::string reason;           // the form's field
  std::string block_kind = "contact";  // or "address"
  std::string duration = "forever";    // a kDurations value
  void set_block_kind(const std::string& k);  // "address" never lasts "until lifted"
  bool ask_block();      // validates -> the confirm step
  bool confirm_block();  // queues the POST
  // The words of the confirm step ("Block Rita for 1 day? ...").
  std::string confirm_words() const;

  Json snapshot() const;

 private:
  void queue(std::string method, std::string url, std::string body, What what);
  void say(std::string text, bool error);
  const Duration* chosen_duration() const;

  bool open_ = false;
  std::string conv_, topic_, chat_priority_ = "normal";
  std::vector<Request> queue_;
  int in_flight_ = 0;
  std::string status_;
  bool status_error_ = false;
  std::uint64_t status_no_ = 0;
  bool loaded_ = false;
  std::string load_error_;
  std::vector<Previous> previous_;
  std::vector<TicketRow> tickets_;
  Form form_ = Form::none;
  std::string ticket_id_;
};

}  // namespace parley::inbox
