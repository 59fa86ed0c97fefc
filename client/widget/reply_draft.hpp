// client/widget/reply_draft.hpp: the assistant's reply while it is being generated (issue 10;
// docs/protocol.md "Streamed replies (drafts)"). Pure: the widget model feeds it chat.draft events
// and committed messages; the view draws text() as a bubble where the typing dots would be.
//
// Rules: a draft shows the latest text of its draft_id (each event carries the whole text so far);
// a newer draft_id replaces an older one; {"discarded": true} ends the draft it names; a committed
// message from the assistant (or one naming the draft in data.draft_id) ends it: the message
// replaces it. Texts are cut to 4000 code points. Bad data is ignored.
#pragma once

#include <string>

#include "parley/model.hpp"

namespace parley::widget {

class ReplyDraft {
 public:
  // A chat.draft event's data; true when what is shown changed.
  bool on_draft(const Json& data);
  // A committed chat.new_message of the conversation (sender role, the event's data); true when
  // it ended the draft.
  bool on_message(Role sender, const Json& data);
  void clear() { id_.clear(), text_.clear(); }

  bool active() const { return !text_.empty(); }
  const std::string& id() const { return id_; }
  const std::string& text() const { return text_; }

 private:
  std::string id_, text_;
};

}  // namespace parley::widget
