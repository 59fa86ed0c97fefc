// tickets_view.hpp: the inbox's Tickets area (issue 9; the model is tickets_model.hpp).
//
// The top bar's "Tickets" button (every staff role) opens a modal card with tabs Tickets /
// Blocked / Agents (the last two for supervisors and admins; a radio group). Tickets: status and
// priority filters (radio chips), the list (a button per ticket), the open ticket with its status
// (only the moves the relay allows are enabled), priority and assignee (radio chips), "Open the
// chat" and its transcript. Blocked: the active blocks with Lift. Agents: each agent's status,
// active chats / capacity, free slots, and "Listen in" to each of their chats. Every control is
// an ImGui hit area and a node of the accessibility mirror; Esc, Close or a click outside closes
// the card. Reads the model, returns intents; main.cpp applies them. Browser main thread only.
#pragma once

#include <string>

#include "inbox/tickets_model.hpp"

namespace parley::inbox {

struct TicketsIntents {
  bool open = false, close = false, refresh = false;
  int tab = -1;                    // TicketsModel::Tab
  std::string status_filter;       // "any" or a status
  std::string priority_filter;     // "any" or a priority
  std::string select;              // a ticket id; "-" = back to the list
  std::string set_status, set_priority;
  std::string set_assignee;        // a user id; "-" = nobody
  std::string lift;                // a block id
  std::string open_conversation;   // a ticket's chat, or an agent's chat to listen in to
};

// The top bar's "Tickets" button, right-aligned at `right`; returns the new right edge.
float draw_tickets_button(float right, float bar_h, float s, bool& open);
// The card (nothing when closed). The keyboard moves into it when it opens (its Close button) and
// back to the top bar's Tickets button when it closes.
void draw_tickets(const TicketsModel& m, float s, TicketsIntents& out);

}  // namespace parley::inbox
