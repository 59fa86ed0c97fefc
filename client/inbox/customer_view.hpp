// customer_view.hpp: the open conversation's "Customer" panel (issue 9; the model is
// customer_model.hpp).
//
// The conversation header's "Customer" button (inbox_view.cpp, a hook) opens a modal side panel
// on the right: the contact (name, email, phone, channel, verified), the page the widget sent,
// counts and the CSAT of earlier chats, "Convert to ticket" (title in a DOM input, priority as
// radio chips) with the ticket id shown once made, "Block visitor" (reason in a DOM input, this
// contact or their address, a duration, then a confirm step), the previous conversations (each
// opens read-only in the inbox) and the customer's tickets (each opens in the Tickets area).
// Esc closes an open form first, then the panel; Close or a click outside closes it. Every
// control is an ImGui hit area and a node of the accessibility mirror. Browser main thread only.
#pragma once

#include <string>

#include "common/dom.hpp"
#include "inbox/customer_model.hpp"
#include "inbox/inbox_model.hpp"

namespace parley::inbox {

struct CustomerFields {
  client::dom::Field title{"ticket-title"};
  client::dom::Field reason{"block-reason"};
  void hide_all() {
    title.hide();
    reason.hide();
  }
};

struct CustomerIntents {
  bool close = false, escape = false;
  bool open_convert = false, submit_convert = false;
  bool open_block = false, ask_block = false, confirm_block = false, cancel_form = false;
  std::string priority, block_kind, duration;
  std::string open_conversation;  // a previous conversation (read-only in the inbox)
  std::string open_ticket;        // a ticket of the customer (the Tickets area)
  std::string focus_field;
};

// `return_to`: the mirror node the keyboard goes back to when the panel closes (the header's
// Customer button); when it opens, the keyboard moves to its Close button.
void draw_customer(const CustomerModel& m, CustomerFields& fields, const std::string& focused,
                   InboxModel::Clock clock, float s, unsigned return_to, CustomerIntents& out);

}  // namespace parley::inbox
