// transfer_view.hpp: the Transfer dialog (issue 9): the tenant's other agents, online ones first,
// one chosen (radio group: arrows move, Enter transfers, Esc cancels; or click a row, then
// "Transfer"). Reads the model, returns intents.
#pragma once

#include "inbox/inbox_model.hpp"

namespace parley::inbox {

struct TransferIntents {
  int choose = -1;
  int move = 0;
  bool submit = false;
  bool cancel = false;
};

void draw_transfer_dialog(const InboxModel& model, float s, TransferIntents& out);

}  // namespace parley::inbox
