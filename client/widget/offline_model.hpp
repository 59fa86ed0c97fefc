// offline_model.hpp: the widget's offline form (issue 9; pure C++, tested natively).
//
// When hello's ack says nobody is available (parley/offline.hpp Availability), the widget shows
// the tenant's offline message and a form instead of the composer: an email address and a message.
// Submitting checks the form with the relay's own rule (check_offline_form) and gives the
// chat.leave_message command to send; the relay's ack or error comes back through on_ack /
// on_error. After the ack the form says where the answer will go. The visitor may dismiss the
// form and talk to the assistant instead (when the tenant has one). Also holds the "email me the
// transcript" request after a chat. Owned by WidgetModel (one thread: the browser's).
#pragma once

#include <optional>
#include <string>

#include "parley/offline.hpp"
#include "parley/protocol.hpp"

namespace parley::widget {

class OfflineForm {
 public:
  enum class State { editing, sending, sent };

  void set_availability(const Availability& a) { availability_ = a; }
  const Availability& availability() const { return availability_; }
  // The form replaces the composer: the visitor wants a person (the tenant has no assistant, or
  // the chat waits in the queue), nobody is available, no agent is in the chat, and the visitor
  // has not dismissed the form (a sent form stays, as a confirmation).
  bool visible(bool wants_person, bool agent_assigned) const;
  // Checks the form; on success returns the command to send (state becomes `sending`), else
  // nullopt with error() set.
  std::optional<LeaveMessage> submit(const std::string& email, const std::string& text,
                                     const std::string& conversation_id, const std::string& client_msg_id,
                                     const Limits& limits = {});
  void on_ack();
  void on_error(const Error& e);  // back to editing, with a sentence for the visitor
  void dismiss() { dismissed_ = true; }
  void reset();  // a new conversation: the form may show again

  State state() const { return state_; }
  const std::string& error() const { return error_; }
  const std::string& email() const { return email_; }
  // "Thanks! We will answer at ada@example.com." once sent.
  std::string confirmation() const;

  // ---- "Email me the transcript" (after a chat) ----
  std::optional<EmailTranscript> request_transcript(const std::string& conversation_id, const std::string& email);
  void transcript_ack() { transcript_ = Transcript::sent; }
  void transcript_error(const Error& e);
  enum class Transcript { idle, sending, sent };
  Transcript transcript_state() const { return transcript_; }
  const std::string& transcript_error_text() const { return transcript_error_; }

 private:
  Availability availability_;
  State state_ = State::editing;
  bool dismissed_ = false;
  std::string error_, email_;
  Transcript transcript_ = Transcript::idle;
  std::string transcript_error_;
};

}  // namespace parley::widget
