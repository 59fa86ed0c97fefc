// The widget's offline form (offline_model.hpp).
#include "widget/offline_model.hpp"

#include "parley/text.hpp"

namespace parley::widget {

bool OfflineForm::visible(bool wants_person, bool agent_assigned) const {
  if (state_ != State::editing) return true;  // sending / sent: the form stays as confirmation
  return wants_person && !dismissed_ && !availability_.available() && !agent_assigned;
}

std::optional<LeaveMessage> OfflineForm::submit(const std::string& email, const std::string& text,
                                                const std::string& conversation_id, const std::string& client_msg_id,
                                                const Limits& limits) {
  if (state_ != State::editing) return std::nullopt;
  const std::string e(trim(email)), t(trim(text));
  if (auto err = check_offline_form(parley::OfflineForm{e, t}, limits)) {
    error_ = err->field == "email" ? (err->code == ErrorCode::missing_field ? "Please enter your email address."
                                                                             : "Please enter a valid email address.")
             : err->code == ErrorCode::text_too_long ? "Your message is too long."
                                                     : "Please write a message.";
    return std::nullopt;
  }
  error_.clear();
  email_ = e;
  state_ = State::sending;
  LeaveMessage m;
  m.conversation_id = conversation_id;
  m.email = e;
  m.text = t;
  m.client_msg_id = client_msg_id;
  return m;
}

void OfflineForm::on_ack() {
  if (state_ == State::sending) state_ = State::sent;
}

void OfflineForm::on_error(const Error& e) {
  if (state_ != State::sending) return;
  state_ = State::editing;
  if (e.field == "email") {
    error_ = "Please enter a valid email address.";
  } else if (e.code == ErrorCode::rate_limited || e.code == ErrorCode::busy || e.code == ErrorCode::unavailable) {
    error_ = "We could not send your message. Please try again.";
  } else {
    error_ = "Your message could not be sent: " + e.message;
  }
}

void OfflineForm::reset() {
  state_ = State::editing;
  dismissed_ = false;
  error_.clear();
  transcript_ = Transcript::idle;
  transcript_error_.clear();
}

std::string OfflineForm::confirmation() const {
  if (state_ != State::sent) return "";
  return "Thanks! We will answer at " + email_ + ".";
}

std::optional<EmailTranscript> OfflineForm::request_transcript(const std::string& conversation_id,
                                                               const std::string& email) {
  if (transcript_ == Transcript::sending || conversation_id.empty()) return std::nullopt;
  const std::string e(trim(email));
  if (!valid_email(e)) {
    transcript_error_ = "Please enter a valid email address.";
    return std::nullopt;
  }
  transcript_error_.clear();
  transcript_ = Transcript::sending;
  return EmailTranscript{conversation_id, e};
}

void OfflineForm::transcript_error(const Error& e) {
  transcript_ = Transcript::idle;
  transcript_error_ = e.code == ErrorCode::unavailable ? "Email is not available right now."
                                                       : "The transcript could not be sent.";
}

}  // namespace parley::widget
