// The hub's facade for the channel modules (issue 11; hub.hpp "channels"). Loop thread.
#include "app/commands/handlers.hpp"
#include "app/hub.hpp"
#include "app/hub_state.hpp"

namespace parley::relay {

void Hub::set_channel_hooks(ChannelHooks hooks) {
  s_->channel_hooks = std::move(hooks);
  if (s_->channel_hooks.on_write) {
    s_->pipeline.set_before_write([this](const Conversation& next, const std::vector<Event>& events,
                                         std::vector<Mutation>& ops) {
      if (s_->channel_hooks.on_write) s_->channel_hooks.on_write(next, events, ops);
    });
  }
}

const ChannelHooks& Hub::channel_hooks() const { return s_->channel_hooks; }

void Hub::change_conversation(const std::string& tenant_id, const std::string& conversation_id,
                              std::function<Result<Transition>(const Conversation& live)> change,
                              std::function<void(Result<Json>)> cb) {
  HubState& s = *s_;
  ConvState* cs = s.reader ? s.convs.find_or_load(*s.reader, tenant_id, conversation_id) : nullptr;
  if (!cs || cs->committed_seq() == 0 || cs->live.tenant_id != tenant_id) {
    return cb(make_error(ErrorCode::not_found, "no such conversation"));
  }
  cmd::change(s, *cs, std::move(change), std::move(cb));
}

std::optional<Contact> Hub::contact(const std::string& tenant_id, const std::string& contact_id) {
  const Contact* k = s_->contacts.get(s_->reader, tenant_id, contact_id);
  if (!k) return std::nullopt;
  return *k;
}

Millis Hub::last_customer_message_at(const std::string& tenant_id, const std::string& contact_id, Channel channel) {
  if (!s_->reader) return 0;
  auto r = s_->reader->last_customer_message_at(tenant_id, contact_id, channel);
  return r ? *r : 0;
}

}  // namespace parley::relay
