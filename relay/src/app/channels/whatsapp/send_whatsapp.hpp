// relay/src/app/channels/whatsapp/send_whatsapp.hpp: the outbox's WhatsApp sender (see
// whatsapp.hpp). Runs on the outbox worker thread; set_accounts() is called from the loop.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "app/channels/outbox.hpp"
#include "app/channels/whatsapp/whatsapp.hpp"

namespace parley::relay {

class HttpSender : public ChannelSender {
 public:
  explicit HttpSender(GraphTransport transport) : transport_(std::move(transport)) {}
  std::string channel() const override { return "whatsapp"; }
  Millis ready_in(const OutboxJob& job, Millis now) override;
  Result send(const OutboxJob& job) override;
  // The accounts by phone number id (a copy; thread-safe).
  void set_accounts(const std::map<std::string, WaAccount>& by_number);
  // Marks `wamid` (and so every earlier message of the chat) read on WhatsApp, with the typing
  // indicator when `typing` (it shows for up to 25 s or until the reply). Best effort, blocking:
  // run through Outbox::signal. False when not sent or refused.
  bool send_read_receipt(const std::string& phone_number_id, const std::string& wamid, bool typing = false);

 private:
  struct Lane {
    wa::TokenBucket bucket;
    Millis paused_until = 0;
    bool stopped = false;  // auth refused: until the settings change
  };
  GraphTransport transport_;
  std::mutex mu_;
  std::map<std::string, WaAccount> accounts_;  // by phone number id
  std::map<std::string, Lane> numbers_;        // by phone number id
  std::map<std::string, Lane> users_;          // by phone number id + '\n' + recipient
};

}  // namespace parley::relay
